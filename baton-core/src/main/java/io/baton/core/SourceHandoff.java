package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.VersionRange;
import java.util.ArrayList;
import java.util.List;

/**
 * The source's side of a handoff: it drives {@link SourcePhase} through its one checked transition, owns the
 * peer link to the target, the events shipped on it and what the target has acknowledged, and decides what
 * a failure means: an abort (the source carries on) or fencing (it gives authority up for good). The redirect,
 * the cutover and the snapshot are rooms of their own that it calls at their phases.
 */
final class SourceHandoff {

    private final ServerCore core;
    private SourcePhase phase = SourcePhase.IDLE;
    /** When the source entered its current phase (driver clock). */
    long phaseSince;
    /**
     * The operator's order; once the target has proven itself, with the client endpoint filled in from its
     * PEER_CHALLENGE if the operator gave none.
     */
    HandoffRequest request;
    /**
     * The WebSocket URL clients on WebSocket go to, as MOVE and TARGET_HINT carry it: the target's, from its
     * PEER_CHALLENGE, when the clients go where it advertises; empty when the operator gave the client endpoint
     * (a client on WebSocket then upgrades at that host and port with its own URL's scheme and path).
     */
    String webSocket = "";
    long handoffId;
    final PeerLink link = new PeerLink();
    private byte[] nonce;
    /** The outbound link's channel binding once the driver reported it (ServerCore.peerSecured), else null. */
    private byte[] binding;
    /** Events applied while the snapshot streams, sent after it; null when they go out at once. */
    private List<Frame> backlog;
    /** The last log index of that backlog: the target has caught up once it acknowledges it. */
    private long backlogEnd;
    /** The highest log index the target has acknowledged. */
    long replicaAcked;
    /** Stop-and-copy: the target proved itself, and the redirect waits for the client endpoint's probe. */
    private boolean redirectAwaitsProbe;
    /** The schema version PEER_HELLO named: the running service's. */
    private int schemaSent;
    /** How the target said it takes our state, for the operator ("" for the same version, or not yet known). */
    String upgrade = "";

    SourceHandoff(ServerCore core) {
        this.core = core;
    }

    SourcePhase phase() {
        return phase;
    }

    void moveTo(SourcePhase next, long now) {
        phase = Transitions.checked("source phase", phase, next, phase.canMoveTo(next));
        phaseSince = now;
        core.out.note("source phase " + next);
        core.out.phaseChanged(next);
    }

    /** Whether applied events are shipped to the target: a live handoff from authentication to cutover. */
    boolean shipping() {
        return phase.compareTo(SourcePhase.TRANSFERRING) >= 0 && phase.compareTo(SourcePhase.CUTTING_OVER) <= 0
                && request.mode() == Frame.Mode.LIVE;
    }

    /** Whether the link pings: once authenticated, while the handoff is under way. */
    boolean pinging() {
        return link.up() && phase.compareTo(SourcePhase.AUTHENTICATING) > 0 && phase.active();
    }

    /** Whether the link's silence is watched: while the handoff is under way. */
    boolean watched() {
        return link.up() && phase.active();
    }

    /** Starts a handoff the operator asked for (the checks that it may are the caller's). */
    void start(HandoffRequest req, long now) {
        request = req;
        handoffId = core.randomId();
        core.redirect.clearCounts();
        core.milestones.clearCut();
        core.commit.reset();
        core.presence.clearElectorate();
        core.lastError = "";
        core.probe.reset();
        redirectAwaitsProbe = false;
        binding = null;
        upgrade = "";
        moveTo(SourcePhase.CONNECTING, now);
        link.lastHeard = now;
        link.conn = core.out.connect(req.peerHost(), req.peerPort());
        core.out.note("handoff " + Long.toHexString(handoffId) + " to " + req.peerHost() + ":" + req.peerPort() + " ("
                + req.mode() + "), clients will use " + (req.clientEndpointGiven()
                        ? req.clientHost() + ":" + req.clientPort() + " (given; probed before any client moves)"
                        : "the client endpoint the target advertises"));
    }

    /** The driver settled the outbound link's channel: the proofs are bound to it. */
    void secured(byte[] channelBinding) {
        binding = channelBinding;
    }

    /** The outbound peer link is up: prove ourselves. */
    void connected(long conn, long now) {
        if (conn != link.conn || phase != SourcePhase.CONNECTING) {
            core.out.close(conn);
            return;
        }
        core.conns.add(conn, Connections.Kind.PEER_OUT);
        link.lastHeard = now;
        nonce = core.random(Frame.TOKEN_LENGTH);
        schemaSent = core.log.service.schemaVersion();
        core.out.send(conn, new Frame.PeerHello(core.cfg.peerVersions(), handoffId, request.mode(), nonce,
                core.cfg.factory().name(), schemaSent));
        moveTo(SourcePhase.AUTHENTICATING, now);
    }

    /** A MOVE for the session: the target's endpoint and the session's single-use ticket. */
    Frame.Move move(Session s) {
        return new Frame.Move(handoffId, core.tokens.ticket(handoffId, s.id), request.clientHost(), request.clientPort(),
                webSocket);
    }

    /** Applied an event; while shipping, it goes to the target too. */
    void applied(long index, Frame.EventKind kind, long sessionId, long seq, byte[] payload, long now) {
        if (shipping()) {
            core.commit.recordApplied(index, now);
            ship(new Frame.Event(index, kind, sessionId, seq, payload));
        }
    }

    void ship(Frame f) {
        if (backlog != null) {
            backlog.add(f);
        } else if (link.up()) {
            core.out.send(link.conn, f);
        }
    }

    /** A frame from the target. */
    void frame(Frame f, long now) {
        link.lastHeard = now;
        if (f instanceof Frame.PeerChallenge ch) {
            challenged(ch, now);
        } else if (f instanceof Frame.ReplicaAck a) {
            replicaAck(a, now);
        } else if (f instanceof Frame.Pong p) {
            if (p.value() > 0 && p.value() <= now) {
                core.commit.measurePong(now - p.value()); // our own ping's clock, echoed
            }
        } else if (f instanceof Frame.CutoverResult r) {
            core.cutover.result(r, now);
        } else if (f instanceof Frame.PeerAbort a) {
            abort("the target gave up: " + a.reason(), now);
        } else if (f instanceof Frame.Error e) {
            abort("the target refused: " + e.code() + " " + e.message(), now);
        } else {
            abort("unexpected " + f.getClass().getSimpleName() + " on the peer link", now);
        }
    }

    private void challenged(Frame.PeerChallenge ch, long now) {
        if (phase != SourcePhase.AUTHENTICATING) {
            abort("unexpected PEER_CHALLENGE in phase " + phase, now);
            return;
        }
        if (binding == null) {
            abort("the driver passed the target's challenge before it reported the peer link's channel "
                    + "(ServerCore.peerSecured), so no proof can be bound to it: a bug in the driver; no state was sent", now);
            return;
        }
        VersionRange ours = core.cfg.peerVersions();
        if (!ours.contains(ch.version())) {
            abort("the target at " + request.peerHost() + ":" + request.peerPort() + " chose peer-link version "
                    + ch.version() + ", outside the versions this server offered (" + ours + "): a target must choose "
                    + "within the source's range; no state was sent", now);
            return;
        }
        Tokens.Transcript t = new Tokens.Transcript(handoffId, request.mode(), ours, ch.version(), binding, nonce,
                ch.nonce(), core.cfg.factory().name(), schemaSent, ch.path());
        if (!Tokens.same(ch.mac(), core.tokens.targetProof(t, ch.host(), ch.port(), ch.webSocket()))) {
            abort("authentication failed: the target's proof is not one for handoff " + Long.toHexString(handoffId)
                    + " in mode " + request.mode() + " on this link under this peer secret: " + core.tokens.mismatch(
                    ch.mac(), t, x -> core.tokens.targetProof(x, ch.host(), ch.port(), ch.webSocket())) + "; no state was sent", now);
            return;
        }
        boolean advertises = !ch.host().isEmpty() && ch.port() != 0;
        if (!request.clientEndpointGiven() && !advertises) {
            abort("the target at " + request.peerHost() + ":" + request.peerPort() + " advertises no client endpoint, "
                    + "and none was given: start the target with --advertise host:port, or give the handoff "
                    + "--client-endpoint; no state was sent", now);
            return;
        }
        core.out.send(link.conn, new Frame.PeerAuth(core.tokens.sourceProof(t)));
        link.version = ch.version();
        core.out.note("peer link version " + link.version + " (this server speaks " + ours + ")");
        pathChosen(ch.path());
        if (request.clientEndpointGiven()) {
            core.out.note("the target advertises " + (advertises ? ch.host() + ":" + ch.port() : "no client endpoint")
                    + "; clients will use the given " + request.clientHost() + ":" + request.clientPort()
                    + " once it proves to reach the target");
            core.probe.start(request.clientHost(), request.clientPort(), now);
            webSocket = "";
        } else {
            request = request.withClientEndpoint(ch.host(), ch.port());
            webSocket = ch.webSocket();
            core.out.note("clients will use " + ch.host() + ":" + ch.port() + ", the client endpoint the target advertises");
        }
        if (request.mode() == Frame.Mode.LIVE) {
            moveTo(SourcePhase.TRANSFERRING, now);
            backlog = new ArrayList<>();
            core.snapshotOut.begin(now);
        } else if (core.probe.settled()) {
            core.redirect.start(now);
        } else {
            redirectAwaitsProbe = true;
        }
    }

    /**
     * The target's answer to our schema version, proven with its challenge: a version it takes only by
     * stop-and-copy turns a live handoff into one, said before any client moves.
     */
    private void pathChosen(Frame.SchemaPath path) {
        boolean askedLive = request.mode() == Frame.Mode.LIVE;
        upgrade = SchemaUpgrade.describe(core.cfg.factory().name(), schemaSent, -1, path, askedLive);
        if (path == Frame.SchemaPath.STOP_AND_COPY && askedLive) {
            request = request.withMode(Frame.Mode.STOPCOPY);
        }
        if (!upgrade.isEmpty()) {
            core.out.note(upgrade);
        }
    }

    /**
     * The client endpoint proved to reach the target: what waited for it goes on (the hints of a live
     * handoff that has caught up, the redirect of a stop-and-copy).
     */
    void endpointProven(long now) {
        if (redirectAwaitsProbe && phase == SourcePhase.AUTHENTICATING) {
            redirectAwaitsProbe = false;
            core.redirect.start(now);
        } else {
            caughtUpIfReady(now);
        }
    }

    /**
     * Caught up means holding every event that queued behind the snapshot, not merely the snapshot: output
     * commit then costs one round trip, never the replay of a backlog. Clients are hinted only once the
     * endpoint they are hinted is known to reach the target.
     */
    private void caughtUpIfReady(long now) {
        if (phase == SourcePhase.CATCHING_UP && replicaAcked >= backlogEnd && core.commit.state() == OutputCommit.State.OFF
                && core.probe.settled()) {
            core.commit.caughtUp(now);
        }
    }

    private void replicaAck(Frame.ReplicaAck a, long now) {
        link.quietAllowedUntil = 0; // restored: it acknowledges, so plain silence counts again
        core.commit.measureAck(a.index(), backlogEnd, replicaAcked, now);
        replicaAcked = Math.max(replicaAcked, a.index());
        caughtUpIfReady(now);
        core.commit.startIfHinted(now);
        if (core.commit.holds()) {
            core.delivery.release(replicaAcked);
        }
        if (core.commit.suspended() && phase == SourcePhase.REDIRECTING) {
            core.commit.rearm();
        }
        if (core.commit.holds()) {
            core.cutover.ifReplicated(now);
        }
    }

    /**
     * The snapshot's last chunk ({@code bytes} in all) went out: what queued behind it follows, or (stop-and-copy)
     * the cutover. A live target answers nothing while it restores them, so the link's silence bound grows by
     * the time that may take, until the target's first acknowledgement. (In stop-and-copy the cutover's own
     * answer timeout bounds the restore.)
     */
    void snapshotSent(long bytes, long now) {
        if (phase == SourcePhase.TRANSFERRING) {
            link.allowRestore(bytes, now);
            List<Frame> queued = backlog;
            backlog = null;
            for (Frame f : queued) {
                core.out.send(link.conn, f);
            }
            backlogEnd = core.log.appliedIndex;
            moveTo(SourcePhase.CATCHING_UP, now);
        } else {
            core.cutover.sendCutover(now);
        }
    }

    /** Closes the peer link from this side (the driver will not report it). */
    void closeLink() {
        if (link.up()) {
            core.out.close(link.conn);
            core.conns.remove(link.conn);
            link.drop();
        }
    }

    /** The peer link was lost, or as good as lost: abort, or fence if the target may be taking over. */
    void peerLost(String reason, long now) {
        switch (phase) {
            case CONNECTING, AUTHENTICATING, TRANSFERRING, CATCHING_UP -> abort(reason, now);
            case REDIRECTING -> {
                if (!core.commit.shipped()) {
                    abort(reason, now);
                } else if (core.presence.holdsMajority(now)) {
                    // The target may be alive and cut off from us: it takes over only with a majority of
                    // our clients, which we hold; keep checking that we do for as long as it may wait.
                    abort(reason, now);
                    core.presence.startFenceWatch(now);
                } else {
                    fence(reason + ", without a majority of the clients present at COMMIT still present", now);
                }
            }
            case CUTTING_OVER -> {
                if (core.cutover.sent()) {
                    // The target may already hold authority: never resume; send everyone there.
                    fence(reason + " after CUTOVER was sent", now);
                } else {
                    abort(reason, now);
                }
            }
            default -> { }
        }
    }

    /** Gives up the handoff before cutover: the source carries on as if nothing had happened. */
    void abort(String reason, long now) {
        if (!phase.active() || phase == SourcePhase.DRAINING) {
            return;
        }
        core.lastError = reason;
        core.out.note("handoff aborted: " + reason);
        if (link.up()) {
            core.out.send(link.conn, new Frame.PeerAbort(reason));
        }
        closeLink();
        core.probe.reset();
        redirectAwaitsProbe = false;
        backlog = null;
        core.snapshotOut.close();
        // Every client forgets the target before it sees anything the target may not hold: a MOVE_ABORTED
        // for those told to move, a withdrawn hint for those only hinted.
        for (Session s : core.log.sessions.values()) {
            if (s.moveSent && s.conn >= 0) {
                core.out.send(s.conn, new Frame.MoveAborted(handoffId));
            } else if (s.hintedAt != Long.MAX_VALUE && s.conn >= 0 && core.conns.isBound(s)) {
                core.out.send(s.conn, Frame.TargetHint.WITHDRAWN);
            } else if (s.conn < 0) {
                s.withdrawPending = true;
            }
            s.moveSent = false;
            s.attached = false;
            s.hintedAt = Long.MAX_VALUE;
        }
        core.commit.aborted();
        core.redirect.clearQueue();
        boolean wasStopped = core.stopped();
        core.cutover.cancel();
        moveTo(SourcePhase.ABORTED, now);
        if (wasStopped) {
            core.cutover.replayHeld(now);
        }
    }

    /**
     * Gives up authority for good: the target may hold it (or take it with our clients' claims). Applies
     * nothing more, releases nothing more, and sends every client to the target.
     */
    void fence(String reason, long now) {
        core.lastError = reason;
        core.out.note("fenced: " + reason);
        moveTo(SourcePhase.FENCED, now);
        core.moveRole(Role.RETIRED);
        core.cutover.dropHeld();
        for (Session s : core.log.sessions.values()) {
            if (s.conn >= 0 && s.welcomeHeldAt != 0) {
                // Never welcomed: the target may not know this session, and its client knows no id to resume
                // (it starts afresh, and this retired server sends it on).
                core.out.close(s.conn);
                s.conn = -1;
            } else if (s.conn >= 0 && s.unsafeUpTo > replicaAcked) {
                // It saw what the target may lack: sending it there could roll its history back.
                core.out.send(s.conn, new Frame.Error(ErrorCode.SESSION_CLOSED, "this server was fenced and session "
                        + s.id + " cannot move to the target without losing what it saw"));
                core.out.close(s.conn);
                s.conn = -1;
            } else if (s.conn >= 0) {
                core.out.send(s.conn, move(s));
                core.out.send(s.conn, new Frame.Switch(handoffId, s.sentSeq));
                s.sentOn = true;
                core.out.close(s.conn);
                s.conn = -1;
            }
        }
    }
}
