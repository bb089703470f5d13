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

    /**
     * The schema version whose rules this service applies and whose format {@link #snapshot()} writes: its
     * factory's {@link ServiceFactory#schemaVersion()}, except on a service restored from an older version
     * and not yet {@link #upgrade() upgraded}, which answers that older version.
     */
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

    /**
     * Called once on a service that {@link ServiceFactory#restore} returned for an older schema version, at
     * the moment this server takes authority (its digest, as the older version's, has just matched the
     * source's): from the next event on, apply this build's rules, and answer {@link #schemaVersion()},
     * {@link #digest()} and {@link #snapshot()} as this build. A rule change therefore applies from the first
     * tick this server owns, never to an event the older build already applied. Clients are waiting while it
     * runs, so it must not be proportional to the state: convert in restore.
     */
    default void upgrade() {
        throw new UnsupportedOperationException(getClass().getName() + " was restored from an older schema version but"
                + " does not implement Service.upgrade(); its factory must refuse that version (ServiceFactory.upgradeFrom)");
    }
}
