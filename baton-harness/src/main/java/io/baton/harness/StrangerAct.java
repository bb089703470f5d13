package io.baton.harness;

/**
 * One hostile behaviour of {@link Strangers}: what its connections do, and what the servers must have done to
 * them for docs/faults.md's promise to hold. The connections, their counts and the report are Strangers'; an
 * act opens connections through it and judges by its counts. An act holds no state of its own (what a
 * connection of it needs lives in its handler), so one instance, in {@link Strangers}' registry, serves every run.
 */
interface StrangerAct {

    /** Opens this act's connections, against a source's client port or a target's peer port. */
    void begin(Strangers s, int sourceClientPort, int targetPeerPort) throws InterruptedException;

    /** Whether the servers did to these strangers what docs/faults.md promises, as far as they can tell. */
    boolean kept(Strangers s);

    /** The connections the act opens at first (the squatter opens more, one after the other). */
    default int intended() {
        return 1;
    }

    /** Returns once the act is in place for the operator's command; at once for one that runs during the handoff. */
    default void awaitInPlace(Strangers s) throws InterruptedException {
    }

    /** Waits, at most {@code millis}, for the act to be over; at once for one that is over when the demo is. */
    default void awaitDone(Strangers s, long millis) throws InterruptedException {
    }
}
