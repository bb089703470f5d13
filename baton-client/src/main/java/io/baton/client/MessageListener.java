package io.baton.client;

/**
 * Receives the service's outputs for one session, exactly once and in order. Called on the client's I/O
 * thread: return quickly and never block.
 */
@FunctionalInterface
public interface MessageListener {

    void onMessage(byte[] payload);
}
