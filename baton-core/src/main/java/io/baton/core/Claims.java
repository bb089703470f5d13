package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.util.HashMap;
import java.util.Map;

/**
 * Claims and failover on the target: a client that resumes on a replica while the source may be gone is held
 * as a claim; once the link to the source is lost after output commit, the orphaned replica takes authority
 * when more than half of the sessions have claimed, each held long enough that it can no longer count for the
 * source too. It owns the claims, the orphan's clock and the claim pings; the phase moves are the target's.
 */
final class Claims {

    /**
     * A target counts a client's claim that the source is gone only after holding it this long: longer
     * than the source takes to stop counting that client as present (PRESENCE, plus delay and drift), so
     * that no client ever counts for both.
     */
    static final long HOLD = Presence.PRESENCE + 300_000_000L;
    /** How long an orphaned target waits for a majority of claims before it gives its replica up. */
    static final long ORPHAN_WAIT = 10_000_000_000L;
    /** How often a held claim's client is pinged, which keeps it from giving up. */
    static final long PING_INTERVAL = 300_000_000L;

    /** A client's resume held by an orphaned target: a claim that the source is gone. */
    private record Claim(long conn, long outputAck, long since) {
    }

    private final ServerCore core;
    private final Map<Long, Claim> claims = new HashMap<>();
    /** The electorate the source sent with COMMIT: only their claims count, out of their number. */
    private java.util.Set<Long> electorate = java.util.Set.of();
    private long orphanedAt;
    private long nextPing = Long.MAX_VALUE;
    /** This server took authority by failover (for the operator). */
    boolean failedOver;

    Claims(ServerCore core) {
        this.core = core;
    }

    /** The source's COMMIT named the sessions whose claims count. */
    void electorate(long[] sessionIds) {
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (long id : sessionIds) {
            ids.add(id);
        }
        electorate = java.util.Set.copyOf(ids);
    }

    /** Who votes: the electorate (every session, under the old rule kept for the checker's test). */
    private java.util.Set<Long> voters() {
        return core.cfg.defects().contains(Defect.COUNT_EVERY_SESSION)
                ? java.util.Set.copyOf(core.log.sessions.keySet()) : electorate;
    }

    /**
     * A replica that holds everything any client has seen may take over, if it comes to that: only with an
     * electorate to vote (with none present at COMMIT, the source keeps authority, whatever happens).
     */
    boolean eligible() {
        TargetPhase phase = core.target.phase();
        return core.role() == Role.STANDBY && core.log.service != null && core.target.committedFrom >= 0
                && !voters().isEmpty()
                && core.log.appliedIndex >= core.target.committedFrom
                && (phase == TargetPhase.REPLICATING || phase == TargetPhase.ORPHANED);
    }

    boolean held() {
        return !claims.isEmpty();
    }

    long nextPing() {
        return nextPing;
    }

    /** A client resumes here while the source still holds authority, or is gone: hold it as a claim. */
    void claim(long conn, Connections.Conn c, Session s, long outputAck, long now) {
        Claim previous = claims.put(s.id, new Claim(conn, outputAck, now));
        if (previous != null && previous.conn() != conn) {
            core.conns.remove(previous.conn());
            core.out.close(previous.conn());
        }
        c.kind = Connections.Kind.CLAIM;
        c.sessionId = s.id;
        nextPing = Math.min(nextPing, now + PING_INTERVAL);
        takeOverIfClaimed(now);
    }

    /** A claim's connection closed. */
    void dropped(long sessionId, long conn) {
        Claim claim = claims.get(sessionId);
        if (claim != null && claim.conn() == conn) {
            claims.remove(sessionId);
        }
    }

    /** The claim-ping timer. */
    void ping(long now) {
        nextPing = now + PING_INTERVAL;
        for (Claim claim : claims.values()) {
            core.out.send(claim.conn(), new Frame.Ping(now)); // keeps the waiting client from giving up
        }
    }

    /** Lost the source after output commit: wait for a majority of claims. */
    void orphaned(String reason, long now) {
        core.target.moveTo(TargetPhase.ORPHANED);
        orphanedAt = now;
        core.out.note(reason + " after output commit: waiting up to " + ORPHAN_WAIT / 1_000_000
                + " ms for a majority of the " + voters().size() + " sessions present at COMMIT to claim the source"
                + " is gone");
        takeOverIfClaimed(now);
    }

    boolean isOrphaned() {
        return core.target.phase() == TargetPhase.ORPHANED;
    }

    /** When the orphan must decide next: the next claim to ripen after {@code lastPoll}, or its give-up. */
    long nextDecision(long lastPoll) {
        long d = orphanedAt + ORPHAN_WAIT;
        for (Claim claim : claims.values()) {
            if (claim.since() + HOLD > lastPoll) {
                d = Math.min(d, claim.since() + HOLD); // the next claim to ripen
            }
        }
        return d;
    }

    /**
     * An orphaned replica takes authority once more than half of the electorate has claimed, each claim held
     * long enough. Claims of sessions outside it are held and served, but do not count.
     */
    void takeOverIfClaimed(long now) {
        if (core.target.phase() != TargetPhase.ORPHANED) {
            return;
        }
        java.util.Set<Long> voters = voters();
        int ripe = 0;
        for (Map.Entry<Long, Claim> e : claims.entrySet()) {
            if (now - e.getValue().since() >= HOLD && voters.contains(e.getKey())) {
                ripe++;
            }
        }
        if (!voters.isEmpty() && ripe * 2 > voters.size()) {
            failOver(ripe, voters.size(), now);
        } else if (now - orphanedAt >= ORPHAN_WAIT) {
            core.target.discardReplica("no majority of sessions claimed the source is gone within "
                    + ORPHAN_WAIT / 1_000_000 + " ms", now);
        }
    }

    private void failOver(int claimed, int voters, long now) {
        EventLog log = core.log;
        long digest = log.stateDigest(); // as the source's version, before any upgrade
        String upgradeFailed = SchemaUpgrade.atTakeOver(log, core.cfg);
        if (!upgradeFailed.isEmpty()) {
            core.target.discardReplica(upgradeFailed + ": this replica cannot take over", now);
            return;
        }
        core.moveRole(Role.AUTHORITY);
        core.target.moveTo(TargetPhase.AUTHORITY);
        failedOver = true;
        core.milestones.tookAuthority(log.appliedIndex, digest, now);
        log.ticksFrom(now + core.tickPeriod);
        core.target.becomeAuthority(now);
        core.out.note("failed over: took authority at index " + log.appliedIndex + " with " + claimed + " of the "
                + voters + " sessions present at COMMIT claiming the source is gone (" + log.sessions.size()
                + " sessions in all)");
    }

    /** Authority taken: every claim's client is served as a resume. */
    void resumeAll() {
        for (Map.Entry<Long, Claim> e : claims.entrySet()) {
            Session s = core.log.sessions.get(e.getKey());
            Connections.Conn conn = core.conns.get(e.getValue().conn());
            if (s != null && conn != null) {
                core.handshake.bindResumed(e.getValue().conn(), conn, s, e.getValue().outputAck());
            }
        }
        claims.clear();
    }

    /** The replica was discarded: every claim is refused. */
    void refuseAll(String reason) {
        for (Claim claim : claims.values()) {
            core.out.send(claim.conn(), new Frame.Error(ErrorCode.NOT_AUTHORITY,
                    "the handoff to this server failed: " + reason));
            core.out.close(claim.conn());
            core.conns.remove(claim.conn());
        }
        claims.clear();
        electorate = java.util.Set.of();
    }
}
