package io.baton.core;

/**
 * Getting a client session back after the connection that served it is lost: when to try next (at once,
 * then backing off), whose turn it is (home or the handoff's target, alternately), and when the resume
 * window has run out. A welcome ends the episode.
 */
final class Reconnect {

    /** Attempt n waits this times 2^n (50 ms after the immediate ones, doubling), up to the timing's maximum. */
    static final long BACKOFF_UNIT = 25_000_000L;
    /** Doublings beyond which the backoff stops growing: the maximum caps it long before; this bounds the shift. */
    private static final int MAX_DOUBLINGS = 10;

    private final ClientCore.Timing timing;
    private int attempt;
    private long lostSince;
    private long retryAt = Long.MAX_VALUE;

    Reconnect(ClientCore.Timing timing) {
        this.timing = timing;
    }

    /** The serving connection is gone: whether that begins a disconnection (the first loss since a welcome). */
    boolean lost(long now) {
        if (lostSince != 0) {
            return false;
        }
        lostSince = now;
        return true;
    }

    /** Whether the session has been without a server for longer than it may be, and should give up. */
    boolean windowExpired(long now) {
        return now - lostSince > timing.resumeWindow();
    }

    /**
     * Schedules the next attempt: at once; and when a target is known to resume at, at once there too (the
     * source may just have died); then doubling.
     */
    void schedule(long now, boolean targetKnown) {
        long backoff = attempt == 0 || (attempt == 1 && targetKnown) ? 0
                : Math.min(timing.maxBackoff(), BACKOFF_UNIT << Math.min(attempt, MAX_DOUBLINGS));
        retryAt = now + backoff;
        attempt++;
    }

    long retryAt() {
        return retryAt;
    }

    /** The scheduled attempt is being made: whether it is the target's turn (home's is the first after a loss). */
    boolean retrying() {
        retryAt = Long.MAX_VALUE;
        return attempt % 2 == 0;
    }

    /** A server welcomed the session: the next loss starts afresh. */
    void welcomed() {
        attempt = 0;
        lostSince = 0;
        retryAt = Long.MAX_VALUE;
    }

    String givingUp(String reason) {
        return "could not resume within " + timing.resumeWindow() / 1_000_000 + " ms: " + reason;
    }
}
