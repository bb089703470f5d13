package io.baton.core;

import java.util.function.BiConsumer;

/**
 * Observation of the core's state machines: every checked transition (role, source phase, target phase,
 * output commit) reports here, so that a test can record the transitions runs actually make and compare
 * them with those the enums allow. Nothing observes it in production.
 */
final class Transitions {

    private static volatile BiConsumer<Enum<?>, Enum<?>> observer;

    private Transitions() {
    }

    /** Starts (or, with null, stops) reporting every transition made, in any core of this process. */
    static void observe(BiConsumer<Enum<?>, Enum<?>> o) {
        observer = o;
    }

    /**
     * The one check of every transition: returns {@code to} if the machine allows it (reporting it to the
     * observer), else throws, because a transition the enum forbids is a bug in the core.
     */
    static <E extends Enum<E>> E checked(String machine, E from, E to, boolean allowed) {
        if (!allowed) {
            throw new IllegalStateException(machine + " " + from + " cannot move to " + to);
        }
        BiConsumer<Enum<?>, Enum<?>> o = observer;
        if (o != null) {
            o.accept(from, to);
        }
        return to;
    }
}
