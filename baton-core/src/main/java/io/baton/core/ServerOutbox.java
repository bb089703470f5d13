package io.baton.core;

import io.baton.wire.Frame;

/** What a {@link ServerCore} asks its driver to do. Every call is a request, carried out after it returns. */
public interface ServerOutbox {

    /** Writes a frame to a connection (client or peer). Writes to a closed connection are dropped. */
    void send(long conn, Frame frame);

    /** Closes a connection after the frames already sent on it; the driver reports it closed later. */
    void close(long conn);

    /**
     * Opens an outbound connection (the peer link, from the source) and returns its id at once; the driver
     * later reports {@link ServerCore#peerConnected} or {@link ServerCore#disconnected} for it.
     */
    long connect(String host, int port);

    /**
     * The service's whole state was just replaced from a snapshot of {@code bytes}. {@code awaited}: clients
     * wait on this server meanwhile (stop-and-copy), or not (a live replica, on which nothing depends before it
     * catches up). A driver may use a moment nobody waits on for housekeeping that pauses the server.
     */
    default void stateRestored(boolean awaited, long bytes) {
    }

    /** Something an operator wants to read in the log: phases, aborts, refusals. */
    void note(String message);

    /** Observation only: this server's phase as a source changed (after its note). Metrics count it. */
    default void phaseChanged(SourcePhase next) {
    }

    /** Observation only: this server's phase as a target changed (after its note). Metrics count it. */
    default void phaseChanged(TargetPhase next) {
    }

    /**
     * Observation only: the core applied an event at a log index. The simulator checks with it that two
     * servers never apply different events at one index; production drivers may count it.
     */
    default void applied(long index, Frame.EventKind kind, long sessionId, long seq, byte[] payload) {
    }
}
