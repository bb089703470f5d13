package io.baton.core;

import java.util.Set;

/**
 * Presence and fencing: which clients count as present (a vote for this server), whether this server holds
 * a majority of them, whether it has just woken from a pause (when fresh-looking frames prove nothing), and
 * the watch after an abort that lost a target which may still take over. It owns the clock of this
 * server's own runs and the watched sessions; fencing itself is the source handoff's move.
 */
final class Presence {

    /** A client heard from within this long is present: it counts for the server it talks to. */
    static final long PRESENCE = 1_000_000_000L;
    /** No call for this long means the process was stopped or starved: ticks alone run ten times a second. */
    static final long PAUSED = 500_000_000L;
    /** How often the fence watch counts the watched sessions. */
    static final long FENCE_CHECK_INTERVAL = 50_000_000L;

    private final ServerCore core;
    /** When this server last ran at all, and when it last found it had not run for {@link #PAUSED} (0: never). */
    private long lastRan;
    private long wokeAt;
    /** The sessions the last target may know, while it may still take over: our majority is counted among them. */
    private Set<Long> watchedSessions = Set.of();
    /** Until when the last target may still take over (0: no watch). */
    private long fenceWatchUntil;
    private long nextFenceCheck = Long.MAX_VALUE;

    Presence(ServerCore core) {
        this.core = core;
    }

    /** Every entry point reports the time it runs at: a long gap was a pause. */
    void ran(long now) {
        if (lastRan != 0 && now - lastRan >= PAUSED) {
            wokeAt = now;
            core.out.note("this server did not run for " + (now - lastRan) / 1_000_000 + " ms (paused or starved)");
        }
        lastRan = now;
    }

    /**
     * Whether more than half of the sessions have been heard from lately (or there are none). Not within a
     * second of waking from a pause: frames that waited in the socket through it look fresh when read, but
     * their clients may have left since.
     */
    boolean holdsMajority(long now) {
        var sessions = core.log.sessions;
        if (wokeAt != 0 && now - wokeAt < PRESENCE && !sessions.isEmpty()) {
            return false;
        }
        int present = 0;
        for (Session s : sessions.values()) {
            if (present(s, now)) {
                present++;
            }
        }
        return sessions.isEmpty() || present * 2 > sessions.size();
    }

    /** Connected and heard from within {@link #PRESENCE}, as the frames read so far tell: a vote for this server. */
    private static boolean present(Session s, long now) {
        return s.conn >= 0 && now - s.lastHeard <= PRESENCE;
    }

    /**
     * The target was lost after COMMIT while we held a majority: it may still take over with claims, so
     * watch that we keep our majority of the sessions it may know for as long as it may wait.
     */
    void startFenceWatch(long now) {
        // Only the sessions there are now can be the target's: sessions opened from here on are unknown
        // to it and never count towards its majority, nor do they towards ours.
        watchedSessions = Set.copyOf(core.log.sessions.keySet());
        if (!watchedSessions.isEmpty()) {
            fenceWatchUntil = now + Claims.ORPHAN_WAIT + Claims.HOLD;
            nextFenceCheck = now;
        }
    }

    /** Whether the last target may still take over. */
    boolean watching() {
        return fenceWatchUntil != 0;
    }

    long watchEndsIn(long now) {
        return fenceWatchUntil - now;
    }

    long nextFenceCheck() {
        return nextFenceCheck;
    }

    /** The fence-watch timer: a lost majority, while the last target may still take over, fences us. */
    void watchMajority(long now) {
        if (now >= fenceWatchUntil) {
            fenceWatchUntil = 0;
            nextFenceCheck = Long.MAX_VALUE;
            return;
        }
        nextFenceCheck = now + FENCE_CHECK_INTERVAL;
        int present = 0;
        for (long id : watchedSessions) {
            Session s = core.log.sessions.get(id);
            if (s != null && present(s, now)) {
                present++;
            }
        }
        if (present * 2 <= watchedSessions.size()) {
            fenceWatchUntil = 0;
            nextFenceCheck = Long.MAX_VALUE;
            core.source.fence("lost the majority of clients while the last target could still take over", now);
        }
    }
}
