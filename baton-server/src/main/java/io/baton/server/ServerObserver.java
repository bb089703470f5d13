package io.baton.server;

/**
 * Hears of instants in a server's life that no poll of the admin API can catch, as they happen, on the
 * core's event loop: a harness times its measurements (or strikes a fault) at them. Every method must
 * return at once: it runs between two calls into the core, while every client waits on that loop.
 */
public interface ServerObserver {

    /** Observes nothing: what a server started without a harness hears with. */
    ServerObserver NONE = new ServerObserver() { };

    /**
     * The burst of writes that carried CUTOVER for log index {@code index} to the target has just been
     * flushed to its socket: every client has each output up to the cut, none has been told to switch,
     * and the target's answer cannot have been read yet.
     */
    default void cutoverFlushed(long index) {
    }
}
