package io.baton.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a client connects. Build with {@link #builder(String, int)} (Baton over TCP) or {@link #builder(String)}
 * (a URL: {@code tcp://host:port}, or {@code ws://host:port/baton} for Baton over WebSocket); every setting has
 * a sane default.
 *
 * @param server           the server to open the session with
 * @param bindAddress      local address to connect from, or null for any (spreads large fleets over
 *                         127.0.0.x so that one address does not run out of ports)
 * @param maxPendingInputs how many unacknowledged inputs may wait before {@link BatonClient#send} refuses
 * @param resumeWindow     how long the client keeps trying to resume a lost session before giving up
 * @param lifecycle        optional observer of connects, moves, switches and resumes
 * @param webSocket        null for Baton over TCP; else the WebSocket URL the session opens with. Every further
 *                         connection (a resume, a handoff's target) upgrades the same way at the host and port
 *                         it goes to, with this URL's scheme, path and query: a server listens for WebSocket
 *                         on its client port itself (docs/protocol.md, "WebSocket")
 */
public record ClientOptions(
        InetSocketAddress server,
        InetSocketAddress bindAddress,
        int maxPendingInputs,
        Duration resumeWindow,
        LifecycleListener lifecycle,
        java.net.URI webSocket) {

    public ClientOptions {
        Objects.requireNonNull(server, "server");
        if (maxPendingInputs < 1) {
            throw new IllegalArgumentException("maxPendingInputs must be positive, was " + maxPendingInputs);
        }
        Objects.requireNonNull(resumeWindow, "resumeWindow");
        lifecycle = lifecycle == null ? (e, d) -> { } : lifecycle;
        if (webSocket != null && !"ws".equals(webSocket.getScheme())) {
            // The TLS support adds wss here: the same upgrade with an SslHandler first.
            throw new IllegalArgumentException("cannot connect to " + webSocket + ": this client speaks ws:// only "
                    + "(wss:// needs the TLS support); give ws://host:port/baton");
        }
    }

    /** Without a WebSocket: Baton over TCP. */
    public ClientOptions(InetSocketAddress server, InetSocketAddress bindAddress, int maxPendingInputs,
                         Duration resumeWindow, LifecycleListener lifecycle) {
        this(server, bindAddress, maxPendingInputs, resumeWindow, lifecycle, null);
    }

    public static Builder builder(String host, int port) {
        return new Builder(InetSocketAddress.createUnresolved(host, port), null);
    }

    /**
     * A builder for the server at {@code url}: {@code tcp://host:port} for Baton over TCP, or
     * {@code ws://host:port/path} for Baton over WebSocket (port 80 if none is given; a server's path is
     * {@code /baton}).
     *
     * @throws IllegalArgumentException for a URL of another scheme, or without a host, saying what is expected
     */
    public static Builder builder(String url) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL (" + e.getMessage()
                    + "); give tcp://host:port or ws://host:port/baton", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (uri.getHost() == null || !(scheme.equals("tcp") || scheme.equals("ws") || scheme.equals("wss"))) {
            throw new IllegalArgumentException("cannot connect to '" + url + "': give tcp://host:port or "
                    + "ws://host:port/baton");
        }
        if (scheme.equals("tcp")) {
            if (uri.getPort() < 1) {
                throw new IllegalArgumentException("'" + url + "' has no port; give tcp://host:port");
            }
            return builder(uri.getHost(), uri.getPort());
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("wss") ? 443 : 80;
        return new Builder(InetSocketAddress.createUnresolved(uri.getHost(), port), uri);
    }

    /** Builder with defaults: 4096 pending inputs, a 30 s resume window. */
    public static final class Builder {
        private final InetSocketAddress server;
        private final java.net.URI webSocket;
        private InetSocketAddress bindAddress;
        private int maxPendingInputs = 4096;
        private Duration resumeWindow = Duration.ofSeconds(30);
        private LifecycleListener lifecycle;

        private Builder(InetSocketAddress server, java.net.URI webSocket) {
            this.server = server;
            this.webSocket = webSocket;
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
            return new ClientOptions(server, bindAddress, maxPendingInputs, resumeWindow, lifecycle, webSocket);
        }
    }
}
