package io.baton.core;

/**
 * Where and when this server's authority last began or ended: the cut (index and digest at cutover, take-over,
 * failover, save or restore) and the instants an operator reads in the status. One room owns them so that
 * the four ways authority changes hands write them through one set of calls.
 */
final class Milestones {

    long cutIndex;
    long cutDigest;
    /** When this server stopped applying (cutover or save), 0 if it has not in this handoff. */
    long stoppedAt;
    /** When this server took authority from another (or from a save), 0 if it never did. */
    long authorityAt;
    /** When it applied its first event after taking authority, 0 if it has not yet. */
    long firstEventAt;

    /** A handoff starts: nothing of an earlier one's cut. */
    void clearCut() {
        cutIndex = cutDigest = stoppedAt = 0;
    }

    /** Stopped applying at {@code index} (its digest follows when CUTOVER goes out). */
    void stopped(long index, long now) {
        stoppedAt = now;
        cutIndex = index;
    }

    /** Took authority at {@code index} with state {@code digest}. */
    void tookAuthority(long index, long digest, long now) {
        authorityAt = now;
        cutIndex = index;
        cutDigest = digest;
    }

    /** An event was applied; the first after a take-over is the end of the client-visible pause. */
    void applied(boolean authority, long now) {
        if (authority && authorityAt != 0 && firstEventAt == 0) {
            firstEventAt = now;
        }
    }
}
