package io.baton.client;

import io.baton.transport.Tls;
import io.baton.wire.VersionRange;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
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
 * @param trust            the certificates (a CA's) that a server's must chain to: when given, every connection
 *                         of the session (to the server, and to any target a MOVE or a resume sends it to) is
 *                         TLS 1.3 (wss:// for a WebSocket session), with the host dialled checked against the
 *                         server certificate's names; empty for every connection in the clear
 * @param versions         the client-link protocol versions the session speaks, sent in every HELLO; each server
 *                         chooses the highest it speaks too (docs/protocol.md, Versions). 4..4 by default; 4..5 also
 *                         speaks the test version 5
 */
public record ClientOptions(
        InetSocketAddress server,
        InetSocketAddress bindAddress,
        int maxPendingInputs,
        Duration resumeWindow,
        LifecycleListener lifecycle,
        java.net.URI webSocket,
        List<X509Certificate> trust,
        VersionRange versions) {

    public ClientOptions {
        Objects.requireNonNull(server, "server");
        if (maxPendingInputs < 1) {
            throw new IllegalArgumentException("maxPendingInputs must be positive, was " + maxPendingInputs);
        }
        Objects.requireNonNull(resumeWindow, "resumeWindow");
        lifecycle = lifecycle == null ? (e, d) -> { } : lifecycle;
        trust = trust == null ? List.of() : List.copyOf(trust);
        versions = versions == null ? VersionRange.CLIENT_DEFAULT : VersionRange.speakable(versions.min(), versions.max());
        if (webSocket != null && "wss".equals(webSocket.getScheme()) && trust.isEmpty()) {
            throw new IllegalArgumentException("cannot connect to " + webSocket + ": wss:// needs the certificates "
                    + "to trust (trust(...), --tls-ca)");
        }
        if (webSocket != null && "ws".equals(webSocket.getScheme()) && !trust.isEmpty()) {
            throw new IllegalArgumentException("cannot connect to " + webSocket + " with certificates to trust: "
                    + "give wss:// for WebSocket over TLS");
        }
    }

    /** Baton over TCP, every connection in the clear. */
    public ClientOptions(InetSocketAddress server, InetSocketAddress bindAddress, int maxPendingInputs,
                         Duration resumeWindow, LifecycleListener lifecycle) {
        this(server, bindAddress, maxPendingInputs, resumeWindow, lifecycle, null, List.of(), null);
    }

    /** Whether the session's connections are TLS. */
    public boolean tls() {
        return !trust.isEmpty();
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
        private List<X509Certificate> trust = List.of();
        private VersionRange versions = VersionRange.CLIENT_DEFAULT;

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

        /** TLS, trusting the certificates in {@code certificates} (e.g. the operator's CA); empty: in the clear. */
        public Builder trust(List<X509Certificate> certificates) {
            this.trust = certificates;
            return this;
        }

        /**
         * TLS, trusting the CA certificates of the PEM file {@code caPem} ({@code ./baton certs} writes ca.pem).
         *
         * @throws IllegalArgumentException naming the file, if it cannot be read or holds no certificate
         */
        public Builder trust(Path caPem) {
            this.trust = Tls.certificates(caPem);
            return this;
        }

        /**
         * The client-link versions to speak, within what this build can ({@code 4..5}; 4..4 by default).
         *
         * @throws IllegalArgumentException for a range this build cannot speak, naming the one it can
         */
        public Builder versions(VersionRange range) {
            this.versions = VersionRange.speakable(range.min(), range.max());
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(server, bindAddress, maxPendingInputs, resumeWindow, lifecycle, webSocket, trust,
                    versions);
        }
    }
}
