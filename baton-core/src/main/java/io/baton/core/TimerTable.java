package io.baton.core;

/**
 * A core's timers in the one order a poll fires them. The next deadline is the earliest of theirs and a poll
 * walks them in order, each seeing what the ones before it changed; both come from the same declarations.
 */
final class TimerTable {

    private final Timer[] inPollOrder;

    TimerTable(Timer... inPollOrder) {
        this.inPollOrder = inPollOrder.clone();
    }

    /** When the driver must poll next: the earliest deadline of an armed timer. */
    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Timer t : inPollOrder) {
            d = Math.min(d, t.deadline());
        }
        return d;
    }

    /** Fires, in order, every timer that a poll at {@code now} fires. */
    void poll(long now) {
        for (Timer t : inPollOrder) {
            t.poll(now);
        }
    }
}
