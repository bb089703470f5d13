package io.baton.transport;

/**
 * The time of the burst of work under way on one event loop (the frames of one read, the sends a listener makes
 * while they are delivered): {@link System#nanoTime} read at the first {@link #now} of a burst and kept until
 * {@link #end}, which the loop's driver calls where every burst ends. One clock read per burst, not one per frame:
 * a read burst of a pipelining client carries dozens of frames, and the reads were 3-6 % of each end's thread in
 * {@code bench throughput} (docs/performance.md). Not thread-safe: one loop only.
 */
public final class BurstClock {

    /** The burst's time, or 0 between bursts. */
    private long at;

    /** The time of the burst under way, read now if this is its first use. */
    public long now() {
        long t = at;
        if (t == 0) {
            t = System.nanoTime();
            at = t;
        }
        return t;
    }

    /** The burst is over: the next {@link #now} reads the clock again. */
    public void end() {
        at = 0;
    }
}
