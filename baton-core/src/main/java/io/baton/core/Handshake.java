package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.VersionRange;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the server: HELLO (a new session, a resume, an attach), the frames a bound client may
 * send, the liveness of client connections (server pings, the idle deadline), and the expiry of sessions
 * whose clients never came back. It owns no state of its own beyond those two cycles: what a session is lives
 * in the log, and who a client is routed to is each handoff's business; this is where a client's request
 * meets them.
 */
final class Handshake {

    private static final byte[] NO_TOKEN = new byte[Frame.TOKEN_LENGTH];
    /** How often an authority looks for sessions whose resume window has passed. */
    static final long EXPIRY_INTERVAL = 1_000_000_000L;
    /**
     * A client connection silent for this long gets a PING, and another every as long while the silence
     * lasts (docs/protocol.md, Liveness): a client that answers nothing is then cut by the idle deadline.
     */
    static final long PING_AFTER = 1_000_000_000L;
    /** How often client connections are looked at for pings and idle deadlines. */
    static final long LIVENESS_INTERVAL = 250_000_000L;

    private final ServerCore core;
    /** When the next expiry check is due. */
    long expiryCheckDue;
    /** When client connections are next looked at for pings and idle deadlines. */
    long livenessCheckDue;


    Handshake(ServerCore core) {
        this.core = core;
    }

    void hello(long conn, Connections.Conn c, Frame.Hello h, long now) {
        int chosen = core.cfg.clientVersions().highestCommon(h.versions());
        if (chosen == 0) {
            core.reject(conn, ErrorCode.UNSUPPORTED_VERSION, refusal("client-link", "client", h.versions(),
                    core.cfg.clientVersions(), "--client-versions"), now);
            return;
        }
        c.version = chosen;
        switch (h.kind()) {
            case NEW -> open(conn, c, now);
            case RESUME -> resume(conn, c, h, now);
            case ATTACH -> core.target.attach(conn, c, h, now);
        }
    }

    /**
     * Why a hello with no version in common is refused, naming both ranges and the fix; the same words on
     * both links. {@code theirs} of a build before ranges is its one version.
     */
    static String refusal(String link, String who, VersionRange theirs, VersionRange ours, String flag) {
        String spoken = theirs.beforeRanges() ? "only " + link + " version " + theirs.max()
                + " (a Baton build from before version ranges, which came with version " + Frame.FIRST_RANGED_VERSION + ")"
                : link + " versions " + theirs;
        return "no " + link + " version in common: the " + who + " speaks " + spoken + ", this server speaks "
                + ours + "; upgrade the " + who + " to a Baton build that speaks one of " + ours
                + ", or start this server with " + flag + " covering one the " + who + " speaks";
    }

    /**
     * A WELCOME in the version chosen for the connection: version 5 (the test version) adds the tick rate.
     * A connection without a chosen version (none can reach here without a HELLO) gets this build's default.
     */
    Frame.Welcome welcome(Connections.Conn c, long sessionId, byte[] secret, long inputAck) {
        int version = c == null || c.version == 0 ? Frame.VERSION : c.version;
        return version >= 5 ? new Frame.Welcome(version, sessionId, secret, inputAck, core.cfg.service().tickHz())
                : new Frame.Welcome(version, sessionId, secret, inputAck);
    }

    private void open(long conn, Connections.Conn c, long now) {
        if (!core.admissionClosed().isEmpty()) {
            core.reject(conn, ErrorCode.SHUTTING_DOWN, core.admissionClosed(), now);
            return;
        }
        Role role = core.role();
        HandoffRequest request = core.source.request;
        if (role == Role.RETIRED && request != null) {
            // Sent on, like the sessions were: a client that arrives late still finds the game.
            core.out.send(conn, new Frame.TargetHint(request.clientHost(), request.clientPort(),
                    core.source.webSocket));
        }
        if (role != Role.AUTHORITY || core.stopped()) {
            core.reject(conn, ErrorCode.NOT_AUTHORITY, core.notAuthorityReason(), now);
            return;
        }
        if (!core.admission.admitNew(conn, c.address, now)) {
            return;
        }
        long id = core.log.nextSessionId;
        byte[] secret = core.random(Frame.TOKEN_LENGTH);
        // The log (and so the replica, its snapshots and saves) holds only the verifier: the secret stays here.
        byte[] verifier = core.cfg.defects().contains(Defect.LOG_SESSION_SECRETS)
                ? java.util.Arrays.copyOf(secret, Tokens.VERIFIER_LENGTH) : core.tokens.verifier(id, secret);
        core.log.apply(Frame.EventKind.OPEN, id, 0, verifier, now);
        Session s = core.log.sessions.get(id);
        s.secret = secret;
        core.conns.bind(conn, c, s);
        // Nothing has gone out on it yet: what the service sent from onSessionOpened follows the WELCOME.
        s.sentSeq = 0;
        s.lastHeard = now;
        if (core.commit.holds()) {
            core.delivery.holdWelcome(s, core.log.appliedIndex); // WELCOME is this OPEN's output
        } else {
            greet(s);
            core.delivery.pump(s);
        }
    }

    private void resume(long conn, Connections.Conn c, Frame.Hello h, long now) {
        Role role = core.role();
        Session s = core.log.sessions.get(h.sessionId());
        if (s == null || !Tokens.same(s.verifier, core.tokens.verifier(s.id, h.token()))) {
            core.reject(conn, role == Role.AUTHORITY || role == Role.RETIRED ? ErrorCode.UNKNOWN_SESSION
                    : ErrorCode.NOT_AUTHORITY, role == Role.STANDBY ? core.notAuthorityReason()
                    : "no session " + h.sessionId() + " with that secret on this server", now);
            return;
        }
        if (core.baseline.saved()) {
            core.reject(conn, ErrorCode.NOT_AUTHORITY, "this server saved its state and stopped; the game "
                    + "continues where the save is restored", now);
            return;
        }
        if (role == Role.RETIRED && s.unsafeUpTo > core.source.replicaAcked) {
            core.reject(conn, ErrorCode.SESSION_CLOSED, "session " + s.id + " saw events the target may not"
                    + " hold; it cannot move there without losing them", now);
            return;
        }
        if (role == Role.RETIRED) {
            // The session lives on the target now: point the client there.
            core.out.send(conn, core.source.move(s));
            core.out.send(conn, new Frame.Switch(core.source.handoffId, s.outputSeq));
            s.sentOn = true;
            core.out.close(conn);
            return;
        }
        if (role != Role.AUTHORITY) {
            if (core.claims.eligible()) {
                core.claims.claim(conn, c, s, h.outputAck(), now);
            } else {
                core.reject(conn, ErrorCode.NOT_AUTHORITY, core.notAuthorityReason(), now);
            }
            return;
        }
        bindResumed(conn, c, s, h.outputAck());
        s.lastHeard = now;
        SourcePhase phase = core.source.phase();
        if (core.commit.hintsStand() && (phase == SourcePhase.CATCHING_UP || phase == SourcePhase.REDIRECTING)) {
            core.commit.hint(s);
        }
        if (phase == SourcePhase.REDIRECTING && !s.attached) {
            core.redirect.resumed(s);
        }
    }

    /** Binds a resuming client to its session and resends what it has not acknowledged. */
    void bindResumed(long conn, Connections.Conn c, Session s, long outputAck) {
        if (s.conn >= 0 && s.conn != conn) {
            long old = s.conn;
            core.conns.remove(old);
            core.out.send(old, new Frame.Error(ErrorCode.PROTOCOL_VIOLATION, "session resumed on another connection"));
            core.out.close(old);
        }
        core.conns.bind(conn, c, s);
        s.trimTo(outputAck);
        s.sentSeq = Math.max(outputAck, s.outputAcked);
        core.out.send(conn, welcome(c, s.id, NO_TOKEN, s.inputReleased));
        if (s.withdrawPending || core.commit.suspended()) {
            core.out.send(conn, Frame.TargetHint.WITHDRAWN); // before any output the target may not hold
            s.withdrawPending = false;
        }
        s.inputAckSent = s.inputReleased;
        core.delivery.pump(s);
    }

    /**
     * Welcomes a new session's client and, mid-handoff, tells it where the target is. The WELCOME is the one
     * place the secret goes, and the last this server holds it.
     */
    void greet(Session s) {
        core.out.send(s.conn, welcome(core.conns.get(s.conn), s.id, s.secret, 0));
        s.secret = null;
        SourcePhase phase = core.source.phase();
        if (phase == SourcePhase.REDIRECTING) {
            core.redirect.queue(s.id);
        }
        if (core.commit.hintsStand() && (phase == SourcePhase.CATCHING_UP || phase == SourcePhase.REDIRECTING
                || phase == SourcePhase.CUTTING_OVER)) {
            core.commit.hint(s);
        }
    }

    /** A frame from a client bound to its session. */
    void clientFrame(long conn, Session s, Frame f, long now) {
        if (s == null) {
            core.reject(conn, ErrorCode.SESSION_CLOSED, "the session has ended", now);
            return;
        }
        s.lastHeard = now;
        if (f instanceof Frame.Input in) {
            core.delivery.acked(s, in.ack(), now);
            int max = core.cfg.limits().maxInputBytes();
            if (in.payload().length > max) {
                core.admission.refused(Admission.Limit.MAX_INPUT_BYTES);
                // SESSION_CLOSED in effect (the session ends): an input that can never be applied would be
                // resent on every resume, so the session could never move on.
                core.reject(conn, ErrorCode.INPUT_TOO_LARGE, "input " + in.seq() + " carries "
                        + in.payload().length + " bytes, over this server's limit of " + max
                        + " (--max-input-bytes); the session is closed", now);
                close(s, now);
                return;
            }
            input(conn, s, in.seq(), in.payload(), now);
        } else if (f instanceof Frame.Ack a) {
            core.delivery.acked(s, a.ack(), now);
        } else if (f instanceof Frame.Attached a) {
            core.redirect.attached(s, a.handoffId());
        } else if (f instanceof Frame.Ping p) {
            core.out.send(conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Pong) {
            // nothing to do
        } else if (f instanceof Frame.Close) {
            if (core.role() == Role.AUTHORITY && !core.stopped()) {
                core.conns.remove(conn);
                s.conn = -1;
                core.log.apply(Frame.EventKind.CLOSE, s.id, 0, EventLog.EMPTY, now);
            }
            core.out.close(conn);
        } else {
            core.reject(conn, ErrorCode.PROTOCOL_VIOLATION,
                f.getClass().getSimpleName() + " is not allowed from a client", now);
        }
    }

    /** A client's input: forwarded by a retired source, held by a stopped one, else applied once, in order. */
    void input(long conn, Session s, long seq, byte[] payload, long now) {
        if (core.role() == Role.RETIRED) {
            if (core.source.link.up()) {
                core.out.send(core.source.link.conn, new Frame.Forward(s.id, seq, payload));
            }
            return;
        }
        if (core.stopped()) {
            core.cutover.hold(new Frame.Forward(s.id, seq, payload));
            return;
        }
        if (seq <= s.inputApplied && !core.cfg.defects().contains(Defect.APPLY_DUPLICATE_INPUTS)) {
            core.delivery.oweAckAgain(s, seq);
            return;
        }
        if (seq > s.inputApplied + 1) {
            core.reject(conn, ErrorCode.PROTOCOL_VIOLATION, "input " + seq + " skips ahead of " + (s.inputApplied + 1), now);
            return;
        }
        core.log.apply(Frame.EventKind.INPUT, s.id, seq, payload, now);
    }

    /** Frames on a pre-connection to this target: only liveness until the switch. */
    void attachedFrame(long conn, Frame f, long now) {
        if (f instanceof Frame.Ping p) {
            core.out.send(conn, new Frame.Pong(p.value()));
        } else if (!(f instanceof Frame.Pong) && !(f instanceof Frame.Ack)) {
            core.reject(conn, ErrorCode.NOT_AUTHORITY,
                f.getClass().getSimpleName() + " before the switch: " + core.notAuthorityReason(), now);
        }
    }

    /**
     * Ends a session on this authority with a CLOSE event, as {@code SESSION_CLOSED} (or another code that
     * ends the session) told its client. A server that is not the authority, or applies nothing now, leaves
     * the session to expire: its log is not its own to change.
     */
    void close(Session s, long now) {
        if (core.role() == Role.AUTHORITY && !core.stopped() && core.log.sessions.get(s.id) == s) {
            if (s.conn >= 0) {
                core.conns.remove(s.conn);
                core.out.close(s.conn);
                s.conn = -1;
            }
            core.log.apply(Frame.EventKind.CLOSE, s.id, 0, EventLog.EMPTY, now);
        }
    }

    /** Whether client connections are watched now: not while this server applies nothing (cutover, drain). */
    boolean watchingLiveness() {
        return !core.stopped();
    }

    /**
     * The liveness timer. A client connection bound to a session and silent for {@link #PING_AFTER} gets a
     * PING (again every {@link #PING_AFTER} while silent); any client connection (bound, a pre-connection,
     * a claim) silent for the idle timeout is closed with {@code IDLE_TIMEOUT}, and a bound one's session
     * enters its resume window, as if the connection had dropped. So a client that vanished without FIN or
     * RST is noticed, and the half-open connection costs nothing after that. Within 1 s of waking from
     * not running (Presence: 0.5 s without a call) it cuts nothing, so that frames waiting in the sockets
     * are read before anyone is taken for silent.
     */
    void checkLiveness(long now) {
        livenessCheckDue = now + LIVENESS_INTERVAL;
        // A server that did not run for a while (paused, starved) cannot tell a silent client from one whose
        // frames wait unread in its socket: it reads them first.
        long wokeAt = core.presence.wokeAt();
        boolean cutting = wokeAt == 0 || now - wokeAt >= PING_AFTER;
        long idle = core.cfg.limits().idleTimeout();
        boolean pinging = core.role() == Role.AUTHORITY;
        List<Long> silent = null;
        for (var e : core.conns.all().entrySet()) {
            Connections.Conn c = e.getValue();
            if (c.kind != Connections.Kind.CLIENT && c.kind != Connections.Kind.ATTACHED
                    && c.kind != Connections.Kind.CLAIM) {
                continue;
            }
            long quiet = now - c.heardAt;
            if (quiet >= idle && cutting) {
                (silent == null ? silent = new ArrayList<>() : silent).add(e.getKey());
            } else if (pinging && c.kind == Connections.Kind.CLIENT && quiet >= PING_AFTER
                    && now - c.pingedAt >= PING_AFTER) {
                c.pingedAt = now;
                core.out.send(e.getKey(), new Frame.Ping(now));
            }
        }
        if (silent != null) {
            for (long conn : silent) {
                core.admission.refused(Admission.Limit.IDLE_TIMEOUT);
                core.out.send(conn, new Frame.Error(ErrorCode.IDLE_TIMEOUT, "nothing arrived on this connection for "
                        + idle / 1_000_000 + " ms (--idle-timeout-ms); the session stays resumable"));
                core.out.close(conn);
                core.disconnected(conn, now);
            }
            core.out.note(silent.size() + " silent client connection(s) closed after the idle timeout");
        }
    }

    /** The expiry timer: closes the sessions whose clients stayed away longer than the resume window. */
    void expireSessions(long now) {
        List<Long> expired = null;
        for (Session s : core.log.sessions.values()) {
            if (s.conn < 0 && now - s.disconnectedAt > core.cfg.resumeWindow() && s.disconnectedAt != 0) {
                (expired == null ? expired = new ArrayList<>() : expired).add(s.id);
            }
        }
        if (expired != null && !core.stopped()) {
            for (long id : expired) {
                core.log.apply(Frame.EventKind.CLOSE, id, 0, EventLog.EMPTY, now);
            }
            core.out.note(expired.size() + " session(s) expired after the resume window");
        }
        expiryCheckDue = now + EXPIRY_INTERVAL;
    }
}
