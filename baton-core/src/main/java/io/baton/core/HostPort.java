package io.baton.core;

/**
 * Where a client reaches a server; prints as {@code host:port}, the form the client's events and reasons use.
 * {@code webSocket} is the server's WebSocket URL where it named one (MOVE, TARGET_HINT), else empty.
 */
record HostPort(String host, int port, String webSocket) {

    HostPort(String host, int port) {
        this(host, port, "");
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
