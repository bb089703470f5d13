package io.baton.client;

/**
 * Raised by {@link BatonClient#send} when too many inputs wait for acknowledgement: the server is slow or
 * unreachable. Nothing was queued; the application may retry later or shed load.
 */
public final class SendBufferFullException extends IllegalStateException {

    public SendBufferFullException(int limit) {
        super("send buffer full: " + limit + " inputs are waiting for the server's acknowledgement");
    }
}
