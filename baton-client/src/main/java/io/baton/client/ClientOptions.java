package io.baton.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a client connects. Build with {@link #builder(String, int)}; every setting has a sane default.
 *
 * @param server           the server to open the session with
 * @param bindAddress      local address to connect from, or null for any (spreads large fleets over
 *                         127.0.0.x so that one address does not run out of ports)
 * @param maxPendingInputs how many unacknowledged inputs may wait before {@link BatonClient#send} refuses
 * @param resumeWindow     how long the client keeps trying to resume a lost session before giving up
 * @param lifecycle        optional observer of connects, moves, switches and resumes
 */
public record ClientOptions(
        InetSocketAddress server,
        InetSocketAddress bindAddress,
        int maxPendingInputs,
        Duration resumeWindow,
        LifecycleListener lifecycle) {

    public ClientOptions {
        Objects.requireNonNull(server, "server");
        if (maxPendingInputs < 1) {
            throw new IllegalArgumentException("maxPendingInputs must be positive, was " + maxPendingInputs);
        }
        Objects.requireNonNull(resumeWindow, "resumeWindow");
        lifecycle = lifecycle == null ? (e, d) -> { } : lifecycle;
    }

    public static Builder builder(String host, int port) {
        return new Builder(InetSocketAddress.createUnresolved(host, port));
    }

    /** Builder with defaults: 4096 pending inputs, a 30 s resume window. */
    public static final class Builder {
        private final InetSocketAddress server;
        private InetSocketAddress bindAddress;
        private int maxPendingInputs = 4096;
        private Duration resumeWindow = Duration.ofSeconds(30);
        private LifecycleListener lifecycle;

        private Builder(InetSocketAddress server) {
            this.server = server;
        }

        public Builder bindAddress(String host) {
            this.bindAddress = host == null ? null : new InetSocketAddress(host, 0);
            return this;
        }

        public Builder maxPendingInputs(int n) {
            this.maxPendingInputs = n;
            return this;
        }

        public Builder resumeWindow(Duration d) {
            this.resumeWindow = d;
            return this;
        }

        public Builder lifecycle(LifecycleListener l) {
            this.lifecycle = l;
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(server, bindAddress, maxPendingInputs, resumeWindow, lifecycle);
        }
    }
}
