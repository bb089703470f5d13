package io.baton.client;

import java.util.concurrent.CompletableFuture;

/**
 * The I/O threads that clients run on. One runtime serves any number of clients; create one per process
 * (or per fleet of bots) and close it last.
 */
public final class ClientRuntime implements AutoCloseable {

    private ClientRuntime() {
    }

    /** A runtime with {@code ioThreads} I/O threads (native epoll where available). */
    public static ClientRuntime create(int ioThreads) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Opens a new session. The future completes once the server has welcomed the session, or fails with
     * {@link SessionLostException} if it cannot be established.
     */
    public CompletableFuture<BatonClient> connect(ClientOptions options, MessageListener listener) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
    }
}
