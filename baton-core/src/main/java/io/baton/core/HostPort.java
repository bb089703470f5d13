package io.baton.core;

/** Where a client reaches a server; prints as {@code host:port}, the form the client's events and reasons use. */
record HostPort(String host, int port) {

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
