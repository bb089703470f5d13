package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.ProtocolException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The target's side of a handoff: it drives {@link TargetPhase} through its one checked transition, owns its
 * peer link, the source's authentication, the tickets clients attach with and their pre-connections, the
 * replica's acknowledgements, and the take-over at cutover. Claims and failover, when the source vanishes,
 * are {@link Claims}'; the snapshot's bytes are {@link SnapshotReceiver}'s.
 */
final class TargetHandoff {

    /** Attached clients pinged per replicated tick, in rotation. */
    private static final int PINGS_PER_TICK = 32;
    private static final byte[] NO_TOKEN = new byte[Frame.TOKEN_LENGTH];

    private final ServerCore core;
    private TargetPhase phase = TargetPhase.STANDBY;
    final PeerLink link = new PeerLink();
    long handoffId;
    /**
     * A source's handshake on one peer connection, before it has proven the peer secret: its handoff, its
     * mode and both nonces. Several may run side by side, each with its own nonce and its connection's hello
     * deadline (Admission); the first to prove the secret becomes the link, so a stranger that keeps saying
     * PEER_HELLO cannot keep the real source out.
     */
    private record Pending(Tokens.Transcript transcript) {
        long handoffId() {
            return transcript.handoffId();
        }
    }

    /** The handshakes under way, by connection (phase AUTHENTICATING while there is one and no link). */
    private final Map<Long, Pending> handshakes = new java.util.LinkedHashMap<>();
    /** The handoff replicates live (else stop-and-copy: the clients wait on this server). */
    private boolean live;
    /** The schema version the authenticated source's PEER_HELLO named: its SNAPSHOT_BEGIN must carry it. */
    int sourceSchema;
    /** How the current or last handoff's state is upgraded, for the operator ("" for the same version). */
    String upgrade = "";
    private long ticketsValidUntil;
    private final Set<Long> usedTickets = new HashSet<>();
    /** Clients' pre-connections, by session. */
    private final Map<Long, Long> attachedConns = new HashMap<>();
    private long pingCursor;
    private long replicaAckSent;
    /** The log index from which the source's outputs wait for this replica (COMMIT), or -1. */
    long committedFrom = -1;

    TargetHandoff(ServerCore core) {
        this.core = core;
    }

    TargetPhase phase() {
        return phase;
    }

    boolean live() {
        return live;
    }

    void moveTo(TargetPhase next) {
        phase = Transitions.checked("target phase", phase, next, phase.canMoveTo(next));
        core.out.note("target phase " + next);
        core.out.phaseChanged(next);
    }

    /** Whether the link's silence is watched: while receiving or replicating. */
    boolean watched() {
        return link.up() && (phase == TargetPhase.REPLICATING || phase == TargetPhase.RECEIVING);
    }

    /** A frame on a connection accepted on the peer port. */
    void frame(long conn, Frame f, long now) {
        if (link.is(conn)) {
            link.lastHeard = now;
        }
        if (f instanceof Frame.PeerHello h) {
            peerHello(conn, h, now);
            return;
        }
        Pending pending = handshakes.get(conn);
        if (pending != null) {
            authenticate(conn, pending, f, now);
            return;
        }
        if (!link.is(conn)) {
            core.reject(conn, ErrorCode.PROTOCOL_VIOLATION, "expected PEER_HELLO", now);
            return;
        }
        try {
            if (f instanceof Frame.SnapshotBegin b) {
                core.snapshotIn.begin(b);
            } else if (f instanceof Frame.SnapshotChunk c) {
                core.snapshotIn.chunk(c);
            } else if (f instanceof Frame.SnapshotEnd e) {
                core.snapshotIn.end(e, now);
            } else if (f instanceof Frame.Event e) {
                replicate(e, now);
            } else if (f instanceof Frame.Trim t) {
                Session s = core.log.sessions.get(t.sessionId());
                if (s != null) {
                    s.trimTo(t.outputAck());
                }
            } else if (f instanceof Frame.Ping p) {
                core.out.send(conn, new Frame.Pong(p.value()));
            } else if (f instanceof Frame.Commit cm) {
                committedFrom = cm.index();
                core.claims.electorate(cm.electorate());
            } else if (f instanceof Frame.Cutover c) {
                takeAuthority(c, now);
            } else if (f instanceof Frame.Forward fw) {
                forwarded(fw, now);
            } else if (f instanceof Frame.PeerAbort a) {
                // After cutover the authority stands: a source only aborts before it (a PEER_ABORT that
                // crossed our CUTOVER_RESULT cannot undo it, and must not wipe the state it serves).
                if (phase != TargetPhase.AUTHORITY) {
                    discardReplica("the source aborted: " + a.reason(), now);
                }
            } else {
                throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    f.getClass().getSimpleName() + " is not allowed on the peer link");
            }
        } catch (ProtocolException e) {
            core.reject(conn, e.code(), e.getMessage(), now); // before authority this also discards the replica
        }
    }

    private void peerHello(long conn, Frame.PeerHello h, long now) {
        int chosen = core.cfg.peerVersions().highestCommon(h.versions());
        if (chosen == 0) {
            core.reject(conn, ErrorCode.UNSUPPORTED_VERSION, Handshake.refusal("peer-link", "source", h.versions(),
                    core.cfg.peerVersions(), "--peer-versions"), now);
            return;
        }
        if (core.role() != Role.STANDBY || (phase != TargetPhase.STANDBY && phase != TargetPhase.AUTHENTICATING)) {
            core.reject(conn, ErrorCode.BUSY, "this server is " + core.role() + " in phase " + phase
                    + "; it accepts a handoff only in standby", now);
            return;
        }
        if (handshakes.containsKey(conn)) {
            core.reject(conn, ErrorCode.PROTOCOL_VIOLATION, "a second PEER_HELLO on one connection", now);
            return;
        }
        Connections.Conn c = core.conns.get(conn);
        if (c == null || c.binding == null) {
            core.reject(conn, ErrorCode.AUTH_FAILED, "the driver passed PEER_HELLO before it reported this "
                    + "connection's channel (ServerCore.peerSecured), so no proof can be bound to it: a bug in the "
                    + "driver", now);
            return;
        }
        SchemaUpgrade.Decision d = SchemaUpgrade.decide(core.cfg.factory(), h.service(), h.schemaVersion(),
                "the target", "the source");
        if (d.path() == null) {
            // Before any state moves: the source aborts and carries on serving everyone.
            core.out.note("refused a handoff: " + d.refusal());
            core.reject(conn, ErrorCode.UNSUPPORTED_VERSION, d.refusal(), now);
            return;
        }
        byte[] nonce = core.random(Frame.TOKEN_LENGTH);
        Tokens.Transcript t = new Tokens.Transcript(h.handoffId(), h.mode(), h.versions(), chosen, c.binding,
                h.nonce().clone(), nonce, h.service(), h.schemaVersion(), d.path());
        handshakes.put(conn, new Pending(t));
        if (phase == TargetPhase.STANDBY) {
            moveTo(TargetPhase.AUTHENTICATING);
        }
        HostPort ad = core.advertised();
        core.out.send(conn, new Frame.PeerChallenge(chosen, nonce, core.tokens.targetProof(t, ad.host(), ad.port(),
                ad.webSocket()), ad.host(), ad.port(), ad.webSocket(), d.path()));
    }

    /**
     * The id of the handoff this target receives: its link's once a source authenticated; before that, what
     * the first handshake under way claims (unproven: for the log's tag only, never for a decision).
     */
    long handoffUnderWay() {
        if (link.up()) {
            return handoffId;
        }
        return handshakes.values().stream().mapToLong(Pending::handoffId).findFirst().orElse(0);
    }

    /**
     * A source checks, on this server's client port, that the endpoint it was given reaches this target: only
     * the server receiving that handoff on its peer link answers with the proof. That includes a handshake
     * of that handoff still under way: the source probes once it has checked this server's challenge, and its
     * probe may arrive before its PEER_AUTH does, on the other connection. The connection is closed either
     * way; it never becomes a client's.
     */
    void probed(long conn, Frame.Probe p, long now) {
        boolean receiving = phase != TargetPhase.STANDBY && phase != TargetPhase.AUTHORITY && link.up()
                && p.handoffId() == handoffId;
        boolean handshaking = handshakes.values().stream().anyMatch(h -> h.handoffId() == p.handoffId());
        if (!receiving && !handshaking) {
            core.reject(conn, ErrorCode.BAD_TICKET, "this server (" + core.role() + ", target phase " + phase
                    + ") is not receiving handoff " + Long.toHexString(p.handoffId()), now);
            return;
        }
        core.out.send(conn, new Frame.ProbeProof(p.handoffId(), core.tokens.probeProof(p.handoffId(), p.nonce())));
        core.out.close(conn);
        core.conns.remove(conn);
    }

    /**
     * The first frame after PEER_CHALLENGE must be the source's proof; anything else ends that connection
     * only. The first connection to prove the secret becomes the peer link, and every other handshake still
     * under way is refused with BUSY.
     */
    private void authenticate(long conn, Pending p, Frame f, long now) {
        Tokens.Transcript t = p.transcript();
        if (!(f instanceof Frame.PeerAuth a)) {
            core.out.note("refused a source that sent " + f.getClass().getSimpleName() + " instead of PEER_AUTH");
            core.reject(conn, ErrorCode.AUTH_FAILED, "expected PEER_AUTH after PEER_CHALLENGE, got "
                    + f.getClass().getSimpleName(), now);
            return;
        }
        if (!Tokens.same(a.mac(), core.tokens.sourceProof(t))) {
            String why = core.tokens.mismatch(a.mac(), t, core.tokens::sourceProof);
            core.out.note("refused a source that failed authentication: " + why);
            core.reject(conn, ErrorCode.AUTH_FAILED, "the source's proof is not one for handoff "
                    + Long.toHexString(t.handoffId()) + " in mode " + t.mode() + " on this link under this peer "
                    + "secret: " + why, now);
            return;
        }
        handshakes.remove(conn);
        List<Long> others = new ArrayList<>(handshakes.keySet());
        handshakes.clear();
        link.conn = conn;
        link.lastHeard = now;
        committedFrom = -1;
        handoffId = t.handoffId();
        link.version = t.chosen();
        // A version this build takes only by stop-and-copy is received so, whatever mode was asked for: the
        // source learned the path from PEER_CHALLENGE and runs stop-and-copy too.
        live = t.mode() == Frame.Mode.LIVE && t.path() != Frame.SchemaPath.STOP_AND_COPY;
        sourceSchema = t.schemaVersion();
        upgrade = SchemaUpgrade.describe(t.service(), t.schemaVersion(), core.cfg.factory().schemaVersion(), t.path(),
                t.mode() == Frame.Mode.LIVE);
        if (!upgrade.isEmpty()) {
            core.out.note(upgrade);
        }
        ticketsValidUntil = now + core.cfg.ticketTtl();
        usedTickets.clear();
        moveTo(TargetPhase.RECEIVING);
        for (long other : others) {
            core.reject(other, ErrorCode.BUSY, "another source authenticated first (handoff " + handoffId
                    + "); this server receives one handoff at a time", now);
        }
    }

    /**
     * A peer connection that had not authenticated closed or was refused: its handshake ends, and with the
     * last one the server is a plain standby again.
     */
    void handshakeEnded(long conn, long now) {
        if (handshakes.remove(conn) != null && handshakes.isEmpty() && phase == TargetPhase.AUTHENTICATING
                && !link.up()) {
            moveTo(TargetPhase.STANDBY);
        }
    }

    /** The snapshot was loaded and verified: a replica from here. */
    void snapshotLoaded(long now) {
        core.delivery.resetReleased(core.log.appliedIndex);
        replicaAckSent = 0;
        if (phase == TargetPhase.RECEIVING) {
            moveTo(TargetPhase.REPLICATING);
        }
        if (core.cfg.defects().contains(Defect.TAKE_AUTHORITY_EARLY)) {
            if (core.role() == Role.STANDBY) {
                core.moveRole(Role.AUTHORITY); // broken on purpose: now two servers create events
            }
            core.log.ticksFrom(now + core.tickPeriod);
        }
    }

    private void replicate(Frame.Event e, long now) throws ProtocolException {
        EventLog log = core.log;
        if (phase != TargetPhase.REPLICATING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "EVENT in phase " + phase);
        }
        if (e.index() != log.appliedIndex + 1) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    "event " + e.index() + " does not follow " + log.appliedIndex);
        }
        if (e.kind() == Frame.EventKind.OPEN && e.payload().length != Tokens.VERIFIER_LENGTH) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "OPEN event " + e.index() + " carries "
                    + e.payload().length + " bytes; a session verifier is " + Tokens.VERIFIER_LENGTH);
        }
        if (e.kind() != Frame.EventKind.OPEN && e.kind() != Frame.EventKind.TICK
                && !log.sessions.containsKey(e.sessionId())) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "event for unknown session " + e.sessionId());
        }
        log.apply(e.kind(), e.sessionId(), e.seq(), e.payload(), now);
    }

    /** End of a burst: a replica acknowledges what it has applied. */
    void flush() {
        long applied = core.log.appliedIndex;
        if (link.up() && phase == TargetPhase.REPLICATING && applied > replicaAckSent) {
            replicaAckSent = applied;
            core.out.send(link.conn, new Frame.ReplicaAck(applied));
        }
    }

    private void takeAuthority(Frame.Cutover c, long now) throws ProtocolException {
        EventLog log = core.log;
        if (phase != TargetPhase.REPLICATING || log.service == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "CUTOVER in phase " + phase);
        }
        boolean withTick = c.tick() != Frame.Cutover.NO_TICK;
        if (withTick != (link.version >= 5)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "CUTOVER in the peer-link version "
                    + (withTick ? "5" : "4") + " layout on a link that chose version " + link.version);
        }
        long digest = log.stateDigest();
        if (withTick && (log.appliedIndex != c.index() || log.tick != c.tick())) {
            core.out.send(link.conn, new Frame.CutoverResult(false, digest));
            discardReplica("at index " + log.appliedIndex + " this replica is at tick " + log.tick
                    + ", the source at index " + c.index() + " at tick " + c.tick(), now);
            return;
        }
        if (log.appliedIndex != c.index() || digest != c.digest()) {
            core.out.send(link.conn, new Frame.CutoverResult(false, digest));
            discardReplica("digest at index " + log.appliedIndex + " is " + Long.toHexString(digest)
                    + ", the source's at " + c.index() + " is " + Long.toHexString(c.digest()), now);
            return;
        }
        // The digest just matched as the older version's: the new rules apply from the first tick we own.
        String upgradeFailed = SchemaUpgrade.atTakeOver(log, core.cfg);
        if (!upgradeFailed.isEmpty()) {
            core.out.send(link.conn, new Frame.PeerAbort(upgradeFailed + "; the source carries on"));
            discardReplica(upgradeFailed, now);
            return;
        }
        if (core.role() == Role.STANDBY) { // else already taken, by the planted defect TAKE_AUTHORITY_EARLY
            core.moveRole(Role.AUTHORITY);
        }
        moveTo(TargetPhase.AUTHORITY);
        core.milestones.tookAuthority(log.appliedIndex, digest, now);
        log.ticksFrom(now + c.nextTickInNanos());
        core.out.send(link.conn, new Frame.CutoverResult(true, digest));
        becomeAuthority(now);
        core.out.note("took authority at index " + log.appliedIndex + " (digest " + Long.toHexString(digest) + ")");
    }

    /** What a target does on taking authority, by cutover, failover or restore: serve who is waiting. */
    void becomeAuthority(long now) {
        core.delivery.resetReleased(core.log.appliedIndex);
        for (Map.Entry<Long, Long> a : attachedConns.entrySet()) {
            Session s = core.log.sessions.get(a.getKey());
            Connections.Conn conn = core.conns.get(a.getValue());
            if (s != null && conn != null) {
                core.conns.bind(a.getValue(), conn, s);
            }
        }
        attachedConns.clear();
        for (Session s : core.log.sessions.values()) {
            s.inputReleased = s.inputApplied;
            s.inputAckSent = s.inputApplied;
            if (s.conn < 0) {
                s.disconnectedAt = now;
            }
        }
        core.claims.resumeAll();
    }

    /**
     * A replica pings the clients attached to it, 32 per replicated tick in rotation (a ping to every
     * client every tick doubled the traffic of a handoff and added to its stalls): their
     * pre-connections prove alive, and the target's write path is exercised before its first real tick
     * has to go out to every client at once.
     */
    void pingAttached() {
        if (attachedConns.isEmpty()) {
            return;
        }
        int budget = Math.min(attachedConns.size(), PINGS_PER_TICK);
        for (long conn : attachedConns.values()) {
            if (pingCursor++ % attachedConns.size() < budget) {
                core.out.send(conn, new Frame.Ping(core.log.tick));
            }
        }
    }

    /** A client attaches with its ticket, before the switch (or late, after it). */
    void attach(long conn, Connections.Conn c, Frame.Hello h, long now) {
        Role role = core.role();
        boolean replica = role == Role.STANDBY && phase != TargetPhase.STANDBY && phase != TargetPhase.AUTHENTICATING;
        boolean lateAttach = phase == TargetPhase.AUTHORITY && role == Role.AUTHORITY;
        if (!replica && !lateAttach) {
            core.reject(conn, ErrorCode.BAD_TICKET, "no handoff to this server is under way", now);
            return;
        }
        if (!Tokens.same(h.token(), core.tokens.ticket(handoffId, h.sessionId()))) {
            core.reject(conn, ErrorCode.BAD_TICKET, "ticket not issued for session " + h.sessionId() + " in this handoff", now);
            return;
        }
        if (!usedTickets.add(h.sessionId())) {
            core.reject(conn, ErrorCode.TICKET_REUSED, "ticket for session " + h.sessionId() + " was already used", now);
            return;
        }
        if (now > ticketsValidUntil) {
            core.reject(conn, ErrorCode.TICKET_EXPIRED, "ticket for session " + h.sessionId() + " expired", now);
            return;
        }
        Session s = core.log.sessions.get(h.sessionId());
        if (lateAttach) {
            if (s == null) {
                core.reject(conn, ErrorCode.UNKNOWN_SESSION, "session " + h.sessionId() + " is not known here", now);
                return;
            }
            core.handshake.bindResumed(conn, c, s, h.outputAck());
            return;
        }
        c.kind = Connections.Kind.ATTACHED;
        c.sessionId = h.sessionId();
        Long previous = attachedConns.put(h.sessionId(), conn);
        if (previous != null) {
            core.out.close(previous);
        }
        core.out.send(conn, core.handshake.welcome(c, h.sessionId(), NO_TOKEN, s == null ? 0 : s.inputApplied));
    }

    /** A pre-connection closed. */
    void detached(long sessionId, long conn) {
        attachedConns.remove(sessionId, conn);
    }

    private void forwarded(Frame.Forward f, long now) throws ProtocolException {
        if (phase != TargetPhase.AUTHORITY) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "FORWARD before cutover");
        }
        Session s = core.log.sessions.get(f.sessionId());
        if (s != null && (f.seq() == s.inputApplied + 1 || core.cfg.defects().contains(Defect.APPLY_DUPLICATE_INPUTS))) {
            core.log.apply(Frame.EventKind.INPUT, s.id, f.seq(), f.payload(), now);
        } else if (s != null && f.seq() <= s.inputApplied) {
            core.delivery.oweAckAgain(s, f.seq());
        }
        // A forwarded input that skips ahead is dropped: the client still holds it and resends it here.
    }

    /** The peer link was lost: a replica that may take over waits for claims, any other is discarded. */
    void peerLost(String reason, long now) {
        if (phase == TargetPhase.AUTHORITY || phase == TargetPhase.STANDBY || phase == TargetPhase.ORPHANED) {
            return;
        }
        if (core.claims.eligible()) {
            core.claims.orphaned(reason, now);
        } else {
            discardReplica(reason + " before the replica could take over", now);
        }
    }

    /** Forgets a replica whose handoff failed; this server is a clean standby again. */
    void discardReplica(String reason, long now) {
        core.out.note("replica discarded: " + reason);
        core.lastError = reason;
        if (link.up()) {
            core.out.close(link.conn);
            core.conns.remove(link.conn);
            link.drop();
        }
        for (long conn : attachedConns.values()) {
            core.out.send(conn, new Frame.MoveAborted(handoffId));
            core.out.close(conn);
            core.conns.remove(conn);
        }
        attachedConns.clear();
        core.claims.refuseAll(reason);
        committedFrom = -1;
        core.log.reset();
        core.snapshotIn.clear();
        moveTo(TargetPhase.STANDBY);
    }
}
