package io.baton.client;

/** The session could not be established or resumed; the reason says why (refused, expired, unreachable). */
public final class SessionLostException extends RuntimeException {

    public SessionLostException(String message) {
        super(message);
    }

    public SessionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
