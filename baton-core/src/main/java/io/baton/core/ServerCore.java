package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * One server's protocol logic: its sessions, the log of events it applies to the hosted service, and its
 * side of a handoff, as source or as target. Single-threaded and sans-I/O: the driver calls the entry
 * points below with the current time (nanoseconds on any monotonic clock) and carries out what the core
 * asks of its {@link ServerOutbox}; after each burst of calls it calls {@link #flush}, and it calls
 * {@link #poll} at {@link #nextDeadline()}.
 *
 * <p>The log: every event (session opened, input, tick, session closed) gets the next log index and is
 * applied to the service at once. While a handoff ships events, the source keeps applying but releases
 * outputs and input acknowledgements only up to the index the target has acknowledged (output commit):
 * nothing a client has seen or been promised can be missing from the target.
 *
 * <p>This class is the façade: it routes each call to the room that owns the concern, keeps the server's
 * {@link Role}, and holds the one table of timers. The rooms, package-private, each own their fields:
 * <ul>
 *   <li>{@link Connections}: what each connection is (the routing table), where it comes from;</li>
 *   <li>{@link Admission}: hello deadlines, session caps, the rate of new sessions, refusals per limit;</li>
 *   <li>{@link EventLog}: the service, the session table, the log position, the tick schedule, the digest;</li>
 *   <li>{@link Delivery}: the released index, outputs and acknowledgements waiting for it, ACKs and trims;</li>
 *   <li>{@link OutputCommit}: whether outputs wait for the target, as a state enum, and the commit wait;</li>
 *   <li>{@link Handshake}: HELLO, a bound client's frames, client liveness, session expiry;</li>
 *   <li>{@link SourceHandoff}: {@link SourcePhase}, the source's {@link PeerLink}, shipping, abort, fencing;</li>
 *   <li>{@link EndpointProbe}: whether a client endpoint the operator gave reaches the target;</li>
 *   <li>{@link Redirect} and {@link Cutover}: the MOVEs and their pace; CUTOVER, SWITCH and the drain;</li>
 *   <li>{@link SnapshotSender} and {@link SnapshotReceiver}: a snapshot's two ends;</li>
 *   <li>{@link TargetHandoff}: {@link TargetPhase}, the target's {@link PeerLink}, tickets, take-over;</li>
 *   <li>{@link Claims}: claims and failover; {@link Presence}: majorities, pauses and the fence watch;</li>
 *   <li>{@link RestartBaseline}: save and restore; {@link Milestones}: the cut and its instants.</li>
 * </ul>
 *
 * <p>The poll order is the order of {@link #timers}: snapshot chunks first (they must land between ticks),
 * then the redirect and the switch pace, the ticks (a cutover is decided right after one), the deadlines of the cutover and the
 * drain, the peer links' pings and silences, the commit wait, the hint wait, the orphan's decision, the claim
 * pings, the fence watch, the hello deadlines, client liveness (pings, idle deadlines), the endpoint
 * probe, and session expiry. Each timer is declared once there.
 */
public final class ServerCore {

    /** The longest channel binding {@link #peerSecured} takes (a TLS exporter or a hash is 32 bytes). */
    public static final int MAX_BINDING = 1024;

    final ServerConfig cfg;
    final ServerOutbox out;
    private final Entropy entropy;
    final Tokens tokens;
    final long tickPeriod;
    private Role role;
    /** Why the last handoff failed, for the operator ("" if none did). */
    String lastError = "";
    /** The clock of the last poll: claims that ripened by then need no deadline of their own. */
    long lastPoll;
    /** Why this server opens no new session, or "" while it does: it is stopping (a SIGTERM with no successor). */
    private String admissionClosed = "";
    /** Where clients reach this server, as it tells a source in PEER_CHALLENGE; empty until the driver says. */
    private HostPort advertised = new HostPort("", 0);

    final Connections conns = new Connections();
    final Admission admission = new Admission(this);
    final EventLog log = new EventLog(this);
    final Delivery delivery = new Delivery(this);
    final OutputCommit commit = new OutputCommit(this);
    final Handshake handshake = new Handshake(this);
    final SourceHandoff source = new SourceHandoff(this);
    final EndpointProbe probe = new EndpointProbe(this);
    final Redirect redirect = new Redirect(this);
    final Cutover cutover = new Cutover(this);
    final SnapshotSender snapshotOut = new SnapshotSender(this);
    final SnapshotReceiver snapshotIn = new SnapshotReceiver(this);
    final TargetHandoff target = new TargetHandoff(this);
    final Claims claims = new Claims(this);
    final Presence presence = new Presence(this);
    final RestartBaseline baseline = new RestartBaseline(this);
    final Milestones milestones = new Milestones();

    /** Every timer of the server, once, in the order a poll fires them. */
    private final TimerTable timers = new TimerTable(
            Timer.everyPoll("snapshot chunk", snapshotOut::streaming, snapshotOut::resumeAt, snapshotOut::poll),
            Timer.everyPoll("redirect pace", redirect::running, redirect::nextMoveAt, redirect::redirect),
            Timer.everyPoll("switch pace", cutover::switching, cutover::nextSwitchAt, cutover::switchPaced),
            Timer.atDue("tick", log::ticking, log::nextTickAt, log::runTicks),
            Timer.atDue("cutover answer", cutover::awaitingAnswer, cutover::answerDue, cutover::answerTimedOut),
            Timer.atDue("drain", cutover::draining, cutover::drainDeadline, cutover::finishDrain),
            Timer.atDue("source link ping", source::pinging, () -> source.link.nextPing, this::pingTarget),
            Timer.atDue("source link silence", source::watched, source.link::silentAt,
                    now -> linkSilent(source.link, now)),
            Timer.atDue("target link silence", target::watched, target.link::silentAt,
                    now -> linkSilent(target.link, now)),
            Timer.atDue("commit wait", commit::awaitingAck, commit::commitWaitEnds, commit::commitWaitRanOut),
            Timer.everyPoll("hint wait", commit::hinting, commit::hintWaitEnds, commit::startIfHinted),
            Timer.everyPoll("orphan decision", claims::isOrphaned, () -> claims.nextDecision(lastPoll),
                    claims::takeOverIfClaimed),
            Timer.atDue("claim ping", claims::held, claims::nextPing, claims::ping),
            Timer.everyPoll("fence watch", presence::watching, presence::nextFenceCheck, presence::watchMajority),
            Timer.atDue("hello deadline", admission::helloDeadlinesPending, admission::nextHelloDeadline,
                    admission::helloDeadlinesPassed),
            Timer.atDue("client liveness", handshake::watchingLiveness, () -> handshake.livenessCheckDue,
                    handshake::checkLiveness).wakingOnlyWhen(conns::any),
            Timer.atDue("endpoint probe", probe::pending, probe::deadline, probe::timedOut),
            Timer.atDue("session expiry", () -> role == Role.AUTHORITY, () -> handshake.expiryCheckDue,
                    handshake::expireSessions).wakingOnlyWhen(() -> !log.sessions.isEmpty()),
            // Fired by flush, which the driver calls after every poll: the ACKs due then go out with the rest.
            Timer.atDue("standalone ack", delivery::acksQueued, delivery::nextAckDue, now -> { }));

    private ServerCore(ServerConfig cfg, ServerOutbox out, Entropy entropy, Role role) {
        this.cfg = cfg;
        this.out = out;
        this.entropy = entropy;
        this.tokens = new Tokens(cfg.peerSecret());
        this.tickPeriod = cfg.tickPeriod();
        this.role = role;
    }

    /** A server that starts serving at once with a fresh service: the usual start, and a future source. */
    public static ServerCore authority(ServerConfig cfg, ServerOutbox out, Entropy entropy, long now) {
        ServerCore core = new ServerCore(cfg, out, entropy, Role.AUTHORITY);
        core.log.fresh();
        core.log.ticksFrom(now + core.tickPeriod);
        return core;
    }

    /** A target waiting in standby for a source to hand off to it. */
    public static ServerCore standby(ServerConfig cfg, ServerOutbox out, Entropy entropy) {
        return new ServerCore(cfg, out, entropy, Role.STANDBY);
    }

    /**
     * Tells the core where clients reach this server (once its client port is bound, so an ephemeral port is
     * known): as a target it sends this endpoint to its source in PEER_CHALLENGE, and a source that was given
     * no client endpoint sends its clients there. Until called, the server advertises none.
     */
    public void advertise(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("an advertised client endpoint needs a host and a port within 1..65535, "
                    + "was '" + host + "' and " + port);
        }
        advertised = new HostPort(host, port, advertised.webSocket());
    }

    /**
     * The WebSocket URL this server advertises beside its client endpoint ({@code serve --advertise-ws}), for a
     * source to pass on in MOVE and TARGET_HINT: where clients on WebSocket reach it when that is not
     * {@code ws://host:port/baton} at the advertised endpoint (a proxy in front). Empty, the default, for none.
     */
    public void advertiseWebSocket(String url) {
        Objects.requireNonNull(url, "url");
        advertised = new HostPort(advertised.host(), advertised.port(), url);
    }

    HostPort advertised() {
        return advertised;
    }

    /**
     * This server is stopping: from now on a {@code HELLO NEW} is refused with {@code SHUTTING_DOWN} and
     * {@code reason} (which should say where to go instead, if anywhere); sessions it has keep being served and
     * may resume. There is no way back: a stop is for good.
     */
    public void stopAdmitting(String reason) {
        admissionClosed = Objects.requireNonNull(reason, "reason").isEmpty() ? "this server is stopping" : reason;
        out.note("taking no new sessions: " + admissionClosed);
    }

    String admissionClosed() {
        return admissionClosed;
    }

    // ---------------------------------------------------------------- entry points: connections

    /**
     * A client connected to the client port from {@code address}: the key the per-address session cap counts
     * it under (its IP address without the port, as the driver sees it; any stable string in a simulation).
     */
    public void clientConnected(long conn, String address, long now) {
        conns.accepted(conn, Connections.Kind.AWAIT_HELLO, address, now, now + cfg.limits().helloTimeout());
    }

    /** Someone connected to the peer port (this server may become a target). */
    public void peerAccepted(long conn, long now) {
        conns.accepted(conn, Connections.Kind.PEER_IN, "", now, now + cfg.limits().helloTimeout());
    }

    /**
     * The channel of a peer connection is settled, and {@code binding} names it: for a link under TLS, bytes
     * both of its ends derive from that one TLS session (docs/protocol.md, "Security"); empty for a link in
     * the clear. Both peer proofs cover them, so a proof made on another channel (a relay between the two
     * servers that holds a stolen certificate) is refused. The driver calls this once for every connection
     * it accepts on the peer port and for its own outbound peer connection, before it passes the core any
     * frame that arrived on it; a handshake on a connection it never reported is refused (AUTH_FAILED on
     * the target, an abort on the source). A connection the core does not know (closed meanwhile, or the
     * probe of a client endpoint, whose proof binds no channel) is ignored.
     *
     * @throws IllegalArgumentException if {@code binding} is longer than {@link #MAX_BINDING} bytes
     */
    public void peerSecured(long conn, byte[] binding) {
        Objects.requireNonNull(binding, "binding");
        if (binding.length > MAX_BINDING) {
            throw new IllegalArgumentException("a channel binding of " + binding.length + " bytes; at most "
                    + MAX_BINDING + " fit a peer proof");
        }
        if (source.link.is(conn)) {
            source.secured(binding.clone());
            return;
        }
        Connections.Conn c = conns.get(conn);
        if (c != null && c.kind == Connections.Kind.PEER_IN) {
            c.binding = binding.clone();
        }
    }

    /** The outbound peer link asked for with {@link ServerOutbox#connect} is up. */
    public void peerConnected(long conn, long now) {
        if (probe.is(conn)) {
            probe.connected(now);
            return;
        }
        source.connected(conn, now);
    }

    /** A connection closed, or an outbound connect failed. Idempotent. */
    public void disconnected(long conn, long now) {
        disconnected(conn, null, now);
    }

    /** {@code silence}: why this server gave the source's peer link up itself, or null if it was lost. */
    private void disconnected(long conn, String silence, long now) {
        presence.ran(now);
        if (probe.is(conn)) {
            probe.lost(now);
            return;
        }
        Connections.Conn c = conns.remove(conn);
        if (source.link.is(conn)) {
            source.link.drop();
            source.peerLost(source.phase() == SourcePhase.CONNECTING
                    ? "could not connect to the target's peer port " + source.request.peerHost() + ":"
                            + source.request.peerPort() + " (refused, or nothing answered): is a standby "
                            + "('baton serve --standby') listening there, and is that its --peer-port?"
                    : silence != null ? silence
                    : "the peer link to the target was lost in phase " + source.phase(), now);
            return;
        }
        if (target.link.is(conn)) {
            target.link.drop();
            target.peerLost("peer link lost", now);
            return;
        }
        if (c == null) {
            return;
        }
        switch (c.kind) {
            case CLIENT -> {
                Session s = log.sessions.get(c.sessionId);
                if (s != null && s.conn == conn) {
                    s.conn = -1;
                    s.disconnectedAt = now;
                }
                if (source.phase() == SourcePhase.DRAINING) {
                    cutover.finishDrainIfEmpty(now);
                }
            }
            case ATTACHED -> target.detached(c.sessionId, conn);
            case CLAIM -> claims.dropped(c.sessionId, conn);
            case PEER_IN -> target.handshakeEnded(conn, now);
            default -> { }
        }
    }

    /** A frame arrived on a connection. */
    public void frame(long conn, Frame f, long now) {
        presence.ran(now);
        if (probe.is(conn)) {
            probe.frame(f, now);
            return;
        }
        Connections.Conn c = conns.get(conn);
        if (c == null) {
            return;
        }
        c.heardAt = now;
        switch (c.kind) {
            case AWAIT_HELLO -> {
                if (f instanceof Frame.Hello h) {
                    handshake.hello(conn, c, h, now);
                } else if (f instanceof Frame.Probe p) {
                    target.probed(conn, p, now);
                } else if (f instanceof Frame.PeerHello) {
                    reject(conn, ErrorCode.PROTOCOL_VIOLATION, "this is a client port, not a peer port: a source's "
                            + "--target-peer must name the target's --peer-port", now);
                } else {
                    reject(conn, ErrorCode.PROTOCOL_VIOLATION, "expected HELLO, got " + f.getClass().getSimpleName(), now);
                }
            }
            case CLIENT -> handshake.clientFrame(conn, log.sessions.get(c.sessionId), f, now);
            case ATTACHED, CLAIM -> handshake.attachedFrame(conn, f, now);
            case PEER_IN -> target.frame(conn, f, now);
            case PEER_OUT -> source.frame(f, now);
        }
    }

    /** Bytes that break the protocol arrived on a connection: answer with the reason, close only it. */
    public void badFrame(long conn, ProtocolException e, long now) {
        if (probe.is(conn)) {
            probe.badFrame(e.getMessage(), now);
            return;
        }
        reject(conn, e.code(), e.getMessage(), now);
        if (source.link.is(conn)) {
            source.abort("peer link sent a bad frame: " + e.getMessage(), now);
        } else if (target.link.is(conn) && target.phase() != TargetPhase.AUTHORITY) {
            target.discardReplica("peer link sent a bad frame: " + e.getMessage(), now);
        }
    }

    // ---------------------------------------------------------------- entry points: time and operator

    /** When the driver must call {@link #poll} next (never later than this). */
    public long nextDeadline() {
        long deadline = timers.nextDeadline();
        presence.due(deadline);
        return deadline;
    }

    /** Timers: ticks, paced redirects, snapshot streaming, timeouts, session expiry; in the order of {@link #timers}. */
    public void poll(long now) {
        presence.ran(now);
        lastPoll = now;
        timers.poll(now);
    }

    /** End of a burst of calls: batched input acknowledgements, trims for the replica, the replica's own ack. */
    public void flush(long now) {
        delivery.flush(now);
        target.flush();
    }

    /** An operator asks this server to hand off. Returns why not, if it cannot start. */
    public Optional<String> startHandoff(HandoffRequest req, long now) {
        if (baseline.saved()) {
            return Optional.of("this server saved its state and stopped for good: restore the save elsewhere");
        }
        if (role != Role.AUTHORITY || log.service == null) {
            return Optional.of("this server is " + role + ", not the authority: it has nothing to hand off");
        }
        if (target.phase() == TargetPhase.AUTHORITY && target.link.up()) {
            return Optional.of("this server is still receiving stragglers from its own source; try again shortly");
        }
        if (source.phase().active()) {
            return Optional.of("a handoff is already under way (phase " + source.phase() + ")");
        }
        if (source.phase() == SourcePhase.FENCED) {
            return Optional.of("this server is fenced: it lost its target after catch-up and handed its clients on");
        }
        if (presence.watching()) {
            return Optional.of("the last target may still take over until " + presence.watchEndsIn(now) / 1_000_000
                    + " ms from now; try again then");
        }
        source.start(req, now);
        return Optional.empty();
    }

    /** An operator aborts the handoff under way; possible until cutover. Returns why not, if it cannot. */
    public Optional<String> abortHandoff(long now) {
        SourcePhase phase = source.phase();
        if (!phase.active()) {
            return Optional.of("no handoff is under way");
        }
        if (phase == SourcePhase.CUTTING_OVER || phase == SourcePhase.DRAINING) {
            return Optional.of("too late to abort: phase " + phase);
        }
        source.abort("aborted by the operator", now);
        return Optional.empty();
    }

    /**
     * The restart baseline, what Baton replaces: stops this authority for good at its current index, closes
     * every client's connection as the exit of its process would, and returns the whole state in the
     * {@link SaveFile} format, to be written to disk and loaded by a standby with {@link #restore}. Inputs
     * that arrive from now on are never applied.
     *
     * @throws IllegalStateException if this server is not an authority at rest (no handoff under way)
     */
    public InputStream saveAndStop(long now) {
        return baseline.saveAndStop(now);
    }

    /**
     * Loads a state saved by {@link #saveAndStop} and takes authority with it: the restart baseline's
     * second half. Clients come back by resuming their sessions here.
     *
     * @throws IllegalStateException if this server is not an idle standby
     * @throws IOException           if the save is unreadable, of another service or tick rate, or its
     *                               state does not hash to the digest saved with it
     */
    public void restore(InputStream in, long now) throws IOException {
        baseline.restore(in, now);
    }

    /**
     * The last log index whose effects this server has let out as an authority (0 if it never was one):
     * observation for checks that two servers never release different events at one index.
     */
    public long visibleIndex() {
        return role == Role.AUTHORITY || role == Role.RETIRED ? delivery.releasedIndex : 0;
    }

    /**
     * The id of the handoff under way on this server, as its source or its target, or 0 if none is: cheap, for a
     * driver that tags its log lines with it.
     */
    public long handoffUnderWay() {
        if (source.phase().active()) {
            return source.handoffId;
        }
        TargetPhase t = target.phase();
        return t != TargetPhase.STANDBY && t != TargetPhase.AUTHORITY ? target.handoffUnderWay() : 0;
    }

    public ServerStatus status() {
        long lag = source.shipping() ? Math.max(0, log.appliedIndex - source.replicaAcked) : 0;
        Milestones m = milestones;
        return new ServerStatus(role, source.phase(), target.phase(),
                source.handoffId != 0 ? source.handoffId : target.handoffId, log.sessions.size(), log.connected(),
                log.appliedIndex, log.tick, lag, redirect.clientsMoved, redirect.clientsAttached,
                redirect.clientsSwitched, m.cutIndex, m.cutDigest, log.service == null ? 0 : log.stateDigest(),
                m.stoppedAt, m.authorityAt, m.firstEventAt, lastError, delivery.releasedIndex, claims.failedOver,
                claims.eligible(), commit.longestCommitWait, source.phaseSince, commit.suspensions,
                admission.refusals(), role == Role.RETIRED ? sessionsAway() : 0,
                source.handoffId != 0 ? source.upgrade : target.upgrade);
    }

    private int sessionsAway() {
        int away = 0;
        for (Session s : log.sessions.values()) {
            if (!s.sentOn) {
                away++;
            }
        }
        return away;
    }

    // ---------------------------------------------------------------- shared by the rooms

    Role role() {
        return role;
    }

    /** The one change of {@link #role}, checked. */
    void moveRole(Role next) {
        role = Transitions.checked("role", role, next, role.canMoveTo(next));
    }

    /**
     * Whether this server applies nothing now: stopped for cutover (and from then on retired or fenced), or
     * saved. Inputs that reach a stopped server are held, not applied.
     */
    boolean stopped() {
        return baseline.saved() || source.phase().stopsApplying();
    }

    String notAuthorityReason() {
        return switch (role) {
            case STANDBY -> "this server is a standby target; it serves clients only after a handoff";
            case RETIRED -> "this server handed its sessions to " + source.request.clientHost() + ":"
                    + source.request.clientPort();
            case AUTHORITY -> "this server is pausing for cutover; retry in a moment";
        };
    }

    /**
     * Refuses a connection with a reason and closes it; on the target's peer link, that ends the replica. A
     * session bound to the connection keeps its resume window from {@code now} (a protocol violation costs
     * the connection, not the session), unless the code is {@link ErrorCode#SESSION_CLOSED}: then the session
     * ends too, as the code tells the client.
     */
    void reject(long conn, ErrorCode code, String message, long now) {
        out.send(conn, new Frame.Error(code, message));
        out.close(conn);
        if (target.link.is(conn) && target.phase() != TargetPhase.AUTHORITY) {
            target.discardReplica("peer link refused: " + message, 0);
        }
        Connections.Conn c = conns.remove(conn);
        if (c != null && c.kind == Connections.Kind.PEER_IN) {
            target.handshakeEnded(conn, now);
        }
        if (c != null && c.kind == Connections.Kind.CLIENT) {
            Session s = log.sessions.get(c.sessionId);
            if (s != null && s.conn == conn) {
                s.conn = -1;
                s.disconnectedAt = now;
                if (code == ErrorCode.SESSION_CLOSED) {
                    handshake.close(s, now);
                }
            }
        }
    }

    /** The source's link ping: a live target answers, so silence means a lost link. */
    private void pingTarget(long now) {
        source.link.nextPing = now + PeerLink.PING_INTERVAL;
        out.send(source.link.conn, new Frame.Ping(now));
    }

    /** A peer link silent for too long is as good as lost. */
    private void linkSilent(PeerLink link, long now) {
        long conn = link.conn;
        out.close(conn);
        disconnected(conn, link != source.link ? null : "the target answered nothing for "
                + (now - link.lastHeard) / 1_000_000 + " ms in phase " + source.phase()
                + " (dead, paused, or starved of CPU), so the peer link was given up", now);
    }

    byte[] random(int n) {
        byte[] b = new byte[n];
        entropy.nextBytes(b);
        return b;
    }

    long randomId() {
        long id = 0;
        while (id == 0) {
            id = java.nio.ByteBuffer.wrap(random(8)).getLong();
        }
        return id;
    }
}
