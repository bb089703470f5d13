package io.baton.core;

import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * One named timer of a sans-I/O core, declared once: when it is armed, the instant it is due, and what fires
 * it. A {@link TimerTable} derives both the next deadline and the poll from these, so no timer's condition is
 * written twice. The suppliers read the owning room's fields; they are built once, so a poll allocates nothing.
 *
 * <p>Nothing here is specific to the server: any core that is polled at a deadline (the client's too) can
 * declare its timers this way.
 */
final class Timer {

    /** How a timer fires once armed. */
    enum Firing {
        /** Fires at a poll whose clock has reached its due instant. */
        AT_DUE,
        /**
         * Runs at every poll while armed, because what it checks also changes between its deadlines (a client
         * acknowledges, a chunk's quiet window opens); its due instant is the latest poll it needs.
         */
        EVERY_POLL
    }

    final String name;
    private final Firing firing;
    private final BooleanSupplier armed;
    private final LongSupplier due;
    private final LongConsumer fire;
    private final BooleanSupplier wakes;

    private Timer(String name, Firing firing, BooleanSupplier armed, LongSupplier due, LongConsumer fire,
                  BooleanSupplier wakes) {
        this.name = name;
        this.firing = firing;
        this.armed = armed;
        this.due = due;
        this.fire = fire;
        this.wakes = wakes;
    }

    /** A timer that fires when its due instant has come. */
    static Timer atDue(String name, BooleanSupplier armed, LongSupplier due, LongConsumer fire) {
        return new Timer(name, Firing.AT_DUE, armed, due, fire, () -> true);
    }

    /** A timer that runs at every poll while armed, and asks for a poll by its due instant. */
    static Timer everyPoll(String name, BooleanSupplier armed, LongSupplier due, LongConsumer fire) {
        return new Timer(name, Firing.EVERY_POLL, armed, due, fire, () -> true);
    }

    /**
     * The same timer, which asks the driver to wake it only while {@code wakes} holds; a poll that comes for
     * another reason still fires it when due (a housekeeping cycle keeps its phase).
     */
    Timer wakingOnlyWhen(BooleanSupplier wakes) {
        return new Timer(name, firing, armed, due, fire, wakes);
    }

    /** The instant the driver must poll for this timer, or {@link Long#MAX_VALUE} if none. */
    long deadline() {
        return armed.getAsBoolean() && wakes.getAsBoolean() ? due.getAsLong() : Long.MAX_VALUE;
    }

    /** Fires the timer if a poll at {@code now} is one it fires at. */
    void poll(long now) {
        if (armed.getAsBoolean() && (firing == Firing.EVERY_POLL || now >= due.getAsLong())) {
            fire.accept(now);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
