package io.baton.wire;

/** Why a connection is closed, as carried by an {@link Frame.Error} frame. */
public enum ErrorCode {
    /** A frame whose bytes do not parse (wrong length for its type, unknown type, bad string). */
    MALFORMED_FRAME(1),
    /** A length prefix beyond the maximum frame size; nothing was allocated for it. */
    FRAME_TOO_LARGE(2),
    /** A hello with a protocol version this server does not speak. */
    UNSUPPORTED_VERSION(3),
    /** An attach ticket this server never issued, or issued for another session. */
    BAD_TICKET(4),
    /** An attach ticket that was already used once. */
    TICKET_REUSED(5),
    /** An attach ticket presented after its expiry. */
    TICKET_EXPIRED(6),
    /** A resume for a session this server does not know, or with the wrong secret. */
    UNKNOWN_SESSION(7),
    /** This server does not hold authority over sessions (a standby target, or a retired source). */
    NOT_AUTHORITY(8),
    /** A well-formed frame that is not allowed in the connection's state. */
    PROTOCOL_VIOLATION(9),
    /** The peer link could not be authenticated. */
    AUTH_FAILED(10),
    /** The server cannot take this request now (a handoff already running, a peer link already open). */
    BUSY(11),
    /** The session ended on the server. */
    SESSION_CLOSED(12),
    /** A connection that did not complete its hello (HELLO; PEER_HELLO and PEER_AUTH) within the hello timeout. */
    HELLO_TIMEOUT(13),
    /** A client connection from which nothing arrived for the idle timeout; its session stays resumable. */
    IDLE_TIMEOUT(14),
    /** A HELLO NEW refused: the server holds as many sessions as it may. */
    SESSIONS_FULL(15),
    /** A HELLO NEW refused: the client's address holds as many sessions as one address may. */
    ADDRESS_FULL(16),
    /** A HELLO NEW refused: more new sessions were asked for than the server's rate limit lets in. */
    HELLO_RATE(17),
    /** An INPUT whose payload exceeds the server's input limit; the session is closed. */
    INPUT_TOO_LARGE(18),
    /** The server is stopping and opens no new session (its sessions may still resume until it exits). */
    SHUTTING_DOWN(19);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code for a wire value; unknown values map to {@link #PROTOCOL_VIOLATION}, never to an exception. */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return PROTOCOL_VIOLATION;
    }
}
