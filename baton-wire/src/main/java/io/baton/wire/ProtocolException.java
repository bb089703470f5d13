package io.baton.wire;

/** Bytes or a frame that break the protocol; {@link #code()} says how, for the ERROR frame sent back. */
public final class ProtocolException extends Exception {

    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
