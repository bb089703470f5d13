package io.baton.core;

import java.util.ArrayDeque;

/**
 * The redirect: which clients still have to be told to move, the pace of the MOVEs (so that thousands of
 * clients do not stampede the target) and the attachments they report. It owns the queue and the counters an
 * operator reads; the decision to cut over once everyone attached is the cutover's.
 */
final class Redirect {

    private final ServerCore core;
    private final ArrayDeque<Long> toMove = new ArrayDeque<>();
    private long startedAt;
    private long paced;
    private long rate = 1;
    /** When the source cuts over even with clients unattached; set once every MOVE is out. */
    private long attachDeadline;
    int clientsMoved;
    int clientsAttached;
    int clientsSwitched;

    Redirect(ServerCore core) {
        this.core = core;
    }

    void clearCounts() {
        clientsMoved = clientsAttached = clientsSwitched = 0;
    }

    void start(long now) {
        core.source.moveTo(SourcePhase.REDIRECTING, now);
        startedAt = now;
        paced = 0;
        // Spread the MOVEs over half a second at least, so that the burst of pre-connections (on the
        // target, and in the clients' own processes) never lands inside one tick; never faster than the
        // configured pace, which bounds the load on the target.
        rate = Math.max(1, Math.min(core.cfg.redirectPerSecond(), core.log.sessions.size() * 2));
        toMove.clear();
        toMove.addAll(core.log.sessions.keySet());
        attachDeadline = Long.MAX_VALUE;
    }

    /** Whether the redirect timer runs: redirecting, and not while output commit is suspended. */
    boolean running() {
        return core.source.phase() == SourcePhase.REDIRECTING && !core.commit.suspended();
    }

    /**
     * The instant the pace allows the next MOVE (rounded up, so that it is allowed then), or none once every
     * MOVE is out. The wait for attachments needs no timer of its own: cutover is decided right after a tick.
     */
    long nextMoveAt() {
        if (toMove.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return startedAt + (paced * 1_000_000_000L + rate - 1) / rate;
    }

    /** Sends MOVE to as many clients as the pace allows by now. */
    void redirect(long now) {
        long allowed = (now - startedAt) * rate / 1_000_000_000L + 1;
        while (!toMove.isEmpty() && paced < allowed) {
            Session s = core.log.sessions.get(toMove.pollFirst());
            if (s == null || s.moveSent || s.conn < 0 || !core.conns.isBound(s)) {
                continue;
            }
            s.moveSent = true;
            s.attached = false;
            clientsMoved++;
            paced++;
            core.out.send(s.conn, core.source.move(s));
        }
        if (toMove.isEmpty() && attachDeadline == Long.MAX_VALUE) {
            attachDeadline = now + core.cfg.attachTimeout();
        }
    }

    /** A session to be told to move (a client welcomed mid-redirect). */
    void queue(long sessionId) {
        toMove.add(sessionId);
    }

    /** A client resumed mid-redirect: its MOVE may have been lost with the old connection, so send it again. */
    void resumed(Session s) {
        if (s.moveSent) {
            s.moveSent = false;
            clientsMoved--;
        }
        toMove.add(s.id);
    }

    /** A client reports it attached to the target. */
    void attached(Session s, long handoffId) {
        if (handoffId == core.source.handoffId && core.source.phase() == SourcePhase.REDIRECTING && s.moveSent
                && !s.attached) {
            s.attached = true;
            clientsAttached++;
        }
    }

    /**
     * Whether the source may cut over now, by the attach rule (docs/handoff.md): every MOVE is out, and every
     * connected client attached (or none is connected); or the attach deadline has passed and the endpoint is
     * proven, either because more than half of the connected clients attached there or because the source's
     * probe reached the target through it (the others resume on the target after SWITCH). At the deadline with
     * at most half attached and the endpoint only advertised, the handoff aborts and they stay here. Half, not
     * one: ATTACHED is the client's word, and one client's word must not send everyone to an endpoint the rest
     * cannot reach.
     */
    boolean doneBy(long now) {
        if (core.source.phase() != SourcePhase.REDIRECTING || !toMove.isEmpty()) {
            return false;
        }
        int connected = 0;
        int attached = 0;
        for (Session s : core.log.sessions.values()) {
            if (s.conn >= 0) {
                connected++;
                if (s.attached) {
                    attached++;
                }
            }
        }
        if (attached == connected) {
            return true;
        }
        if (now < attachDeadline) {
            return false;
        }
        if (attached * 2 <= connected && !core.probe.proven()) {
            HandoffRequest req = core.source.request;
            core.source.abort("only " + attached + " of the " + connected + " connected clients attached to the target at "
                    + req.clientHost() + ":" + req.clientPort() + " within " + core.cfg.attachTimeout() / 1_000_000
                    + " ms of the last MOVE: they cannot reach that endpoint, which the target advertised (a firewall, "
                    + "or a wrong --advertise on the target?); they stay on this server", now);
            return false;
        }
        core.out.note("cutting over with " + (connected - attached) + " of " + connected
                + " connected clients unattached; they will resume on the target");
        return true;
    }

    void clearQueue() {
        toMove.clear();
    }
}
