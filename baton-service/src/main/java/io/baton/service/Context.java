package io.baton.service;

import java.util.random.RandomGenerator;

/**
 * What the runtime gives a service while it applies one event: the event's place in the log, the
 * deterministic clock, deterministic randomness and the way to emit outputs.
 */
public interface Context {

    /** The log index of the event being applied; every event has its own, starting at 1. */
    long logIndex();

    /** The number of the latest tick applied (the current one during {@link Service#onTick}). */
    long tick();

    /** Ticks per second. */
    int tickHz();

    /** Service time in milliseconds: the latest tick's number times the tick period. Never the wall clock. */
    long timeMillis();

    /** A generator seeded from the log index: the same on every server that applies this event. */
    RandomGenerator random();

    /**
     * Emits an output to one session. The runtime numbers it, keeps it until the client acknowledges it,
     * and delivers it exactly once, in order, across reconnects and handoffs. The array must not be
     * modified afterwards (it may be shared by many sessions). Sending to an unknown session is ignored.
     */
    void send(long sessionId, byte[] payload);
}
