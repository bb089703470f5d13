package io.baton.client;

/**
 * One session with a Baton server, as seen by the application.
 *
 * <p>Every payload passed to {@link #send} is applied by the service exactly once, in order, and every
 * output the service emits for this session reaches the {@link MessageListener} exactly once, in order,
 * whatever happens to the TCP connections underneath and across any number of handoffs. Obtain one from
 * {@link ClientRuntime#connect}.
 */
public interface BatonClient extends AutoCloseable {

    /** The session id the server assigned; stable across reconnects and handoffs. */
    long sessionId();

    /**
     * Queues an input for the service. Thread-safe and non-blocking.
     *
     * @throws SendBufferFullException if {@link ClientOptions#maxPendingInputs()} inputs are already
     *                                 waiting for the server's acknowledgement; nothing is queued then
     * @throws IllegalStateException   if the client is closed, or the payload exceeds the maximum size
     */
    void send(byte[] payload);

    /** Like {@link #send}, but returns false instead of throwing when the send buffer is full. */
    boolean trySend(byte[] payload);

    /** How many inputs are waiting for the server's acknowledgement. */
    int pendingInputs();

    /** Ends the session on the server (the service sees it closed) and releases the connections. */
    @Override
    void close();
}
