package io.baton.service;

/**
 * A deterministic state machine hosted by the Baton runtime (the game, in the reference case).
 *
 * <p>All methods are called on one thread, in log order. An implementation must take time and
 * randomness only from the {@link Context}, never from the system, and must not depend on anything
 * else outside its own state: the target of a handoff replays the very same events against a restored
 * snapshot and must arrive at the very same state and outputs, which the runtime checks with
 * {@link #digest()}.
 */
public interface Service {

    /** The version of the snapshot format this code writes; a newer build restores older versions. */
    int schemaVersion();

    /** A new session joined. */
    void onSessionOpened(long sessionId, Context ctx);

    /** One input from a session, delivered exactly once and in the order the client sent it. */
    void onInput(long sessionId, byte[] payload, Context ctx);

    /** The world advances one tick; {@code ctx.tick()} is its number. */
    void onTick(Context ctx);

    /** A session ended: the client closed it, or it stayed away longer than the resume window. */
    void onSessionClosed(long sessionId, Context ctx);

    /**
     * Captures the whole state as it is now. Called on the service thread and must be cheap (copy on
     * write, not a copy): the returned snapshot is serialised afterwards, possibly on another thread,
     * while this service keeps applying events.
     */
    Snapshot snapshot();

    /**
     * A digest of the whole state, a pure function of it. Called at cutover on both servers, on the
     * service thread, so it should be incremental rather than a pass over all of the state.
     */
    long digest();
}
