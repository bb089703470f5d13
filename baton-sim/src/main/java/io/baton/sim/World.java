package io.baton.sim;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/** The virtual clock and the one queue of everything that will happen, ordered by time then by arrival. */
final class World {

    /** One scheduled happening. */
    private record Happening(long at, long order, Runnable action) implements Comparable<Happening> {
        @Override
        public int compareTo(Happening o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** Virtual time starts at one second so that no timestamp is ever 0 (the cores use 0 as "never"). */
    static final long START = 1_000_000_000L;

    final SplittableRandom random;
    private final PriorityQueue<Happening> queue = new PriorityQueue<>();
    private long now = START;
    private long order;
    private long steps;

    World(long seed) {
        this.random = new SplittableRandom(seed);
    }

    long now() {
        return now;
    }

    long steps() {
        return steps;
    }

    void at(long time, Runnable action) {
        queue.add(new Happening(Math.max(time, now), order++, action));
    }

    /** Runs everything due up to {@code until}, or until {@code maxSteps} happenings have run in all. */
    boolean runUntil(long until, long maxSteps) {
        while (!queue.isEmpty() && queue.peek().at() <= until) {
            if (++steps > maxSteps) {
                return false;
            }
            Happening h = queue.poll();
            now = h.at();
            h.action().run();
        }
        now = Math.max(now, until);
        return true;
    }
}
