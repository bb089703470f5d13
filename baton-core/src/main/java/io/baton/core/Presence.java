package io.baton.core;

import java.util.Set;

/**
 * Presence and fencing: which clients count as present (a vote for this server), the electorate of a
 * handoff (the sessions present when COMMIT went out: the only votes either server counts), whether this
 * server holds a majority of it, whether it has just woken from a pause (when fresh-looking frames prove
 * nothing), and the watch after an abort that lost a target which may still take over. It owns the clock of
 * this server's own runs and the electorate; fencing itself is the source handoff's move.
 *
 * <p>Why an electorate rather than every session (docs/faults.md, "Who decides"): a session whose client
 * is gone counts for neither server, so counted among the sessions it makes a majority harder for both,
 * and enough of them (abandoned, or opened by a stranger to that end) make a source that lost a dead
 * target fence itself, which is an outage. Sessions absent at COMMIT never vote, and both servers count the
 * same list, so the argument that two majorities cannot both hold is unchanged.
 */
final class Presence {

    /** A client heard from within this long is present: it counts for the server it talks to. */
    static final long PRESENCE = 1_000_000_000L;
    /** No call for this long means the process was stopped or starved: ticks alone run ten times a second. */
    static final long PAUSED = 500_000_000L;
    /**
     * At most this many sessions of one address vote in an electorate (the oldest present ones): whoever opens
     * many sessions from one address gets no more say in fencing than a household of players behind one NAT.
     */
    static final int VOTES_PER_ADDRESS = 4;
    /** How often the fence watch counts the watched sessions. */
    static final long FENCE_CHECK_INTERVAL = 50_000_000L;

    private final ServerCore core;
    /** When this server last ran at all, and when it last found it had not run for {@link #PAUSED} (0: never). */
    private long lastRan;
    private long wokeAt;
    /** The deadline the driver was last given: when this server asked to run next at the latest. */
    private long dueAt = Long.MAX_VALUE;
    /** The electorate of the last COMMIT sent: the sessions our majority is counted among (empty: none yet). */
    private Set<Long> electorate = Set.of();
    /** Until when the last target may still take over (0: no watch). */
    private long fenceWatchUntil;
    /** The electorate, kept through the fence watch (a new handoff is refused until it ends). */
    private Set<Long> watchedSessions = Set.of();
    private long nextFenceCheck = Long.MAX_VALUE;

    Presence(ServerCore core) {
        this.core = core;
    }

    /** Every entry point reports the time it runs at: a long gap was a pause. */
    void ran(long now) {
        if (lastRan != 0 && now - lastRan >= PAUSED) {
            wokeAt = now;
            // Said only when it also woke late for a deadline of its own, by half the pause bound or more: a
            // standby with nothing to do sleeps until a frame comes, and a server with a far deadline wakes on
            // time for it; neither is a pause worth an operator's attention.
            if (dueAt != Long.MAX_VALUE && now - dueAt >= PAUSED / 2) {
                core.out.note("this server did not run for " + (now - lastRan) / 1_000_000 + " ms (paused or "
                        + "starved): it woke " + (now - dueAt) / 1_000_000 + " ms after it was due");
            }
        }
        lastRan = now;
    }

    /** The driver asked when to call next, and was told {@code deadline} ({@code Long.MAX_VALUE}: never). */
    void due(long deadline) {
        dueAt = deadline;
    }

    /** When this server last woke from not running for {@link #PAUSED} (0: never). */
    long wokeAt() {
        return wokeAt;
    }

    /**
     * COMMIT goes out now: the sessions present at this instant are its electorate, sent with it. A session
     * opened later, or whose client was away, never votes in this handoff (its claim at the target is still
     * served if the target takes over; it just does not count).
     */
    long[] elect(long now) {
        Set<Long> voters = new java.util.LinkedHashSet<>();
        java.util.Map<String, Integer> perAddress = new java.util.HashMap<>();
        for (Session s : core.log.sessions.values()) { // in the order the sessions were opened: oldest first
            if (countEverySession()) {
                voters.add(s.id);
            } else if (present(s, now) && perAddress.merge(s.address == null ? "#" + s.id : s.address, 1,
                    Integer::sum) <= VOTES_PER_ADDRESS) {
                voters.add(s.id);
            }
        }
        electorate = Set.copyOf(voters);
        return voters.stream().mapToLong(Long::longValue).toArray();
    }

    /** A new handoff: the last one's electorate no longer votes. */
    void clearElectorate() {
        electorate = Set.of();
    }

    /**
     * Whether more than half of the electorate has been heard from lately (or the electorate is empty: then
     * no target may take over). Not within a second of waking from a pause: frames that waited in the
     * socket through it look fresh when read, but their clients may have left since.
     */
    boolean holdsMajority(long now) {
        Set<Long> voters = voters();
        if (wokeAt != 0 && now - wokeAt < PRESENCE && !voters.isEmpty()) {
            return false;
        }
        return voters.isEmpty() || presentAmong(voters, now) * 2 > voters.size();
    }

    private Set<Long> voters() {
        return countEverySession() ? Set.copyOf(core.log.sessions.keySet()) : electorate;
    }

    private boolean countEverySession() {
        return core.cfg.defects().contains(Defect.COUNT_EVERY_SESSION);
    }

    private int presentAmong(Set<Long> voters, long now) {
        int present = 0;
        for (long id : voters) {
            Session s = core.log.sessions.get(id);
            if (s != null && present(s, now)) {
                present++;
            }
        }
        return present;
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
        // The target counts claims among the electorate it was sent, and so do we: sessions opened from
        // here on never count towards its majority, nor do they towards ours.
        watchedSessions = voters();
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
        if (presentAmong(watchedSessions, now) * 2 <= watchedSessions.size()) {
            fenceWatchUntil = 0;
            nextFenceCheck = Long.MAX_VALUE;
            core.source.fence("lost the majority of clients while the last target could still take over", now);
        }
    }
}
