package io.baton.client;

/**
 * Optional observer of what happens underneath a session: useful for metrics and tests, never needed for
 * correctness. Called on the client's I/O thread.
 */
@FunctionalInterface
public interface LifecycleListener {

    /** What happened. */
    enum Event {
        /** The session was established with the first server. */
        CONNECTED,
        /** The server announced a handoff: the client is pre-connecting to the target. */
        MOVE_ANNOUNCED,
        /** The pre-connection to the target is attached and idle, waiting for the switch. */
        ATTACHED_TO_TARGET,
        /** The pre-connection to the target failed; the client will resume there after the switch. */
        ATTACH_FAILED,
        /** The handoff was aborted; the client stays where it is. */
        MOVE_ABORTED,
        /** The client switched to the target over its pre-connection. */
        SWITCHED,
        /** The connection was lost; the client is reconnecting. */
        DISCONNECTED,
        /** The session was resumed on a new connection (after a loss, or a switch without pre-connection). */
        RESUMED,
        /** The session ended: closed by the application, or it could not be resumed. */
        CLOSED
    }

    /**
     * @param event  what happened
     * @param detail a human-readable detail (an address, a reason); never null
     */
    void onEvent(Event event, String detail);
}
