package io.baton.core;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.service.Snapshot;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

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
 */
public final class ServerCore {

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] NO_TOKEN = new byte[Frame.TOKEN_LENGTH];
    /** Snapshot bytes sent per poll while the service is stopped (stop-and-copy): as fast as it goes. */
    private static final int SNAPSHOT_BUDGET = 4 * FrameCodec.SNAPSHOT_CHUNK_BYTES;
    /**
     * While the service runs, a snapshot streams one chunk per poll and only when the next tick is further
     * away than this: copying and writing a chunk takes a few milliseconds here, and must land between
     * ticks, not on them.
     */
    private static final long STREAM_QUIET = 6_000_000L;
    /** Ticks made up at once after a stall before the schedule is re-anchored. */
    private static final int MAX_CATCH_UP_TICKS = 3;
    /** How long a source may take to prove itself; a silent peer must not lock the target out of handoffs. */
    private static final long AUTH_TIMEOUT = 5_000_000_000L;
    /** A client heard from within this long is present: it counts for the server it talks to. */
    static final long PRESENCE = 1_000_000_000L;
    /**
     * A target counts a client's claim that the source is gone only after holding it this long: longer
     * than the source takes to stop counting that client as present (PRESENCE, plus delay and drift), so
     * that no client ever counts for both.
     */
    static final long CLAIM_HOLD = PRESENCE + 300_000_000L;
    /** How long an orphaned target waits for a majority of claims before it gives its replica up. */
    static final long ORPHAN_WAIT = 10_000_000_000L;
    /** Silence on the peer link after which either side treats it as lost. */
    static final long PEER_SILENCE = 2_000_000_000L;

    /** What a connection is to this server. */
    private enum ConnKind { AWAIT_HELLO, CLIENT, ATTACHED, CLAIM, PEER_IN, PEER_OUT }

    /** A client's resume held by an orphaned target: a claim that the source is gone. */
    private record Claim(long conn, long outputAck, long since) {
    }

    private static final class Conn {
        ConnKind kind;
        long sessionId;

        Conn(ConnKind kind) {
            this.kind = kind;
        }
    }

    private final ServerConfig cfg;
    private final ServerOutbox out;
    private final Entropy entropy;
    private final Tokens tokens;
    private final long tickPeriod;
    private final Ctx ctx = new Ctx();

    // Replicated state: the service, the log position and the session table.
    private Service service;
    private final TreeMap<Long, Session> sessions = new TreeMap<>();
    private long appliedIndex;
    private long tick;
    private long nextSessionId = 1;
    /** Sum of every session's digest term, kept as sessions change so the digest is O(1). */
    private long sessionsSum;
    private long lastTickIndex;
    private boolean cutoverDue;
    private long hintsSentAt;
    /** The longest a source waits for its clients to acknowledge the target's address before committing. */
    private static final long HINT_WAIT = 1_000_000_000L;
    private boolean cutoverSent;
    private long cutoverAfter;
    private long backlogEnd;

    private Role role;
    private final Map<Long, Conn> conns = new HashMap<>();
    private long nextTickAt;
    private long releasedIndex;
    /** Output commit: outputs and input acks wait for the target's acknowledgement. */
    private boolean commit;
    private final Set<Session> unreleased = new LinkedHashSet<>();
    /**
     * Sessions with inputs released in the current burst, each once ({@link Session#inAckDue}): a flag and a
     * list, because a hash set's insert on every input was a tenth of the core's time at 2 M inputs/s.
     */
    private final List<Session> ackDue = new ArrayList<>();
    /** Sessions owed a standalone ACK, in the order it falls due. */
    private final ArrayDeque<Session> ackQueue = new ArrayDeque<>();
    private final Set<Session> trimDue = new LinkedHashSet<>();
    private String lastError = "";

    // Source side of a handoff.
    private SourcePhase sourcePhase = SourcePhase.IDLE;
    private HandoffRequest request;
    private long handoffId;
    private long peerConn = -1;
    private byte[] sourceNonce;
    private boolean shipping;
    private List<Frame> shipBacklog;
    private InputStream snapshotStream;
    private long snapshotIndex;
    private long snapshotDigest;
    private long streamResumeAt = Long.MIN_VALUE;
    /** When the last snapshot chunk went out (live snapshots stream between ticks). */
    private long lastChunkAt;
    private long replicaAcked;
    /**
     * When each recent event was applied while shipping, by log index modulo the ring: how long an
     * output has waited for the target. An index older than the ring reads as the oldest the ring holds,
     * which is later than the truth, so a wait is never overstated.
     */
    private long[] appliedAt;
    private static final int APPLIED_RING = 1 << 14;
    /**
     * The fastest round trip to the target seen in this handoff (acknowledgement of a live event, or pong):
     * the link's own latency, which a slow link raises and a busy moment does not.
     */
    private long fastestAck = Long.MAX_VALUE;
    /** The longest any event waited for the target's acknowledgement in this handoff: for the operator. */
    private long longestCommitWait;
    /**
     * Output commit is suspended: the target acknowledged nothing for the commit wait, so what waited went
     * out without it, after every client was told to forget the target. No hint, MOVE or cutover goes out
     * until the target has acknowledged everything released meanwhile ({@link #rearmIndex}).
     */
    private boolean suspended;
    /** COMMIT went to the target in this handoff: it may take over on the clients' claims if we vanish. */
    private boolean commitShipped;
    /** Set when the target shows life again during a suspension: hints return once it acknowledges this. */
    private long rearmIndex;
    /** How many times output commit was suspended in this handoff: for the operator. */
    private int suspensions;
    /** When this server last ran at all, and when it last found it had not run for {@link #PAUSED} (0: never). */
    private long lastRan;
    private long wokeAt;
    /** No call for this long means the process was stopped or starved: ticks alone run ten times a second. */
    static final long PAUSED = 500_000_000L;
    /** When the source entered its current phase (driver clock). */
    private long sourcePhaseSince;
    private final ArrayDeque<Long> toMove = new ArrayDeque<>();
    private long redirectStartedAt;
    private long redirectPaced;
    private long redirectRate = 1;
    private long attachDeadline;
    private boolean stopped;
    /** Stopped for good by {@link #saveAndStop}: nothing may start this server again. */
    private boolean saved;
    private final List<Frame.Forward> held = new ArrayList<>();
    private long cutIndex;
    private long cutDigest;
    private long cutoverSentAt;
    private long drainDeadline;
    private long stoppedAt;
    private int clientsMoved;
    private int clientsAttached;
    private int clientsSwitched;

    // Target side of a handoff.
    private TargetPhase targetPhase = TargetPhase.STANDBY;
    private long targetPeerConn = -1;
    private long targetHandoffId;
    private byte[] targetNonces;
    private Frame.SnapshotBegin snapshotBegin;
    private List<byte[]> snapshotChunks;
    private long snapshotReceived;
    private long ticketsValidUntil;
    private final Map<Long, Long> attachedConns = new HashMap<>();
    private final Set<Long> usedTickets = new HashSet<>();
    private long replicaAckSent;
    private long committedFrom = -1;
    private final Map<Long, Claim> claims = new HashMap<>();
    private long orphanedAt;
    private long lastPeerHeard;
    private long nextClaimPing = Long.MAX_VALUE;
    private boolean failedOver;
    private long fenceWatchUntil;
    private long nextFenceCheck = Long.MAX_VALUE;
    private long lastPoll;
    private long nextPeerPing;
    private long pingCursor;
    private static final int PINGS_PER_TICK = 32;
    private long authDeadline;
    private long authorityAt;
    private long firstEventAt;
    /** The handoff this server is the target of replicates live (else stop-and-copy: the clients wait on it). */
    private boolean targetLive;

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
        core.service = cfg.factory().create(cfg.service());
        core.nextTickAt = now + core.tickPeriod;
        return core;
    }

    /** A target waiting in standby for a source to hand off to it. */
    public static ServerCore standby(ServerConfig cfg, ServerOutbox out, Entropy entropy) {
        return new ServerCore(cfg, out, entropy, Role.STANDBY);
    }

    // ---------------------------------------------------------------- entry points: connections

    /** A client connected to the client port. */
    public void clientConnected(long conn, long now) {
        conns.put(conn, new Conn(ConnKind.AWAIT_HELLO));
    }

    /** Someone connected to the peer port (this server may become a target). */
    public void peerAccepted(long conn, long now) {
        conns.put(conn, new Conn(ConnKind.PEER_IN));
    }

    /** The outbound peer link asked for with {@link ServerOutbox#connect} is up. */
    public void peerConnected(long conn, long now) {
        if (conn != peerConn || sourcePhase != SourcePhase.CONNECTING) {
            out.close(conn);
            return;
        }
        conns.put(conn, new Conn(ConnKind.PEER_OUT));
        lastPeerHeard = now;
        sourceNonce = random(Frame.TOKEN_LENGTH);
        out.send(conn, new Frame.PeerHello(Frame.VERSION, handoffId, request.mode(), sourceNonce));
        moveSource(SourcePhase.AUTHENTICATING, now);
    }

    /** A connection closed, or an outbound connect failed. Idempotent. */
    public void disconnected(long conn, long now) {
        ran(now);
        Conn c = conns.remove(conn);
        if (conn == peerConn) {
            peerConn = -1;
            sourcePeerLost("the peer link to the target was lost in phase " + sourcePhase, now);
            return;
        }
        if (conn == targetPeerConn) {
            targetPeerConn = -1;
            targetPeerLost("peer link lost", now);
            return;
        }
        if (c == null) {
            return;
        }
        switch (c.kind) {
            case CLIENT -> {
                Session s = sessions.get(c.sessionId);
                if (s != null && s.conn == conn) {
                    s.conn = -1;
                    s.disconnectedAt = now;
                }
                if (sourcePhase == SourcePhase.DRAINING) {
                    finishDrainIfEmpty(now);
                }
            }
            case ATTACHED -> attachedConns.remove(c.sessionId, conn);
            case CLAIM -> {
                Claim claim = claims.get(c.sessionId);
                if (claim != null && claim.conn() == conn) {
                    claims.remove(c.sessionId);
                }
            }
            default -> { }
        }
    }

    /** A frame arrived on a connection. */
    public void frame(long conn, Frame f, long now) {
        ran(now);
        Conn c = conns.get(conn);
        if (c == null) {
            return;
        }
        switch (c.kind) {
            case AWAIT_HELLO -> {
                if (f instanceof Frame.Hello h) {
                    hello(conn, c, h, now);
                } else {
                    reject(conn, ErrorCode.PROTOCOL_VIOLATION, "expected HELLO, got " + f.getClass().getSimpleName());
                }
            }
            case CLIENT -> clientFrame(conn, sessions.get(c.sessionId), f, now);
            case ATTACHED, CLAIM -> attachedFrame(conn, c, f, now);
            case PEER_IN -> targetFrame(conn, f, now);
            case PEER_OUT -> sourceFrame(f, now);
        }
    }

    /** Bytes that break the protocol arrived on a connection: answer with the reason, close only it. */
    public void badFrame(long conn, ProtocolException e, long now) {
        reject(conn, e.code(), e.getMessage());
        if (conn == peerConn) {
            abort("peer link sent a bad frame: " + e.getMessage(), now);
        } else if (conn == targetPeerConn && targetPhase != TargetPhase.AUTHORITY) {
            discardReplica("peer link sent a bad frame: " + e.getMessage(), now);
        }
    }

    // ---------------------------------------------------------------- entry points: time and operator

    /** When the driver must call {@link #poll} next (never later than this). */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        if (role == Role.AUTHORITY && !stopped && service != null) {
            d = nextTickAt;
        }
        if (snapshotStream != null) {
            d = Math.min(d, streamResumeAt);
        }
        if (!ackQueue.isEmpty()) {
            d = Math.min(d, ackQueue.peekFirst().ackDueAt);
        }
        if (sourcePhase == SourcePhase.REDIRECTING && !toMove.isEmpty() && !suspended) {
            // The instant the pace allows the next MOVE (rounded up, so that it is allowed then). The wait
            // for attachments needs no timer of its own: cutover is decided right after a tick.
            long rate = redirectRate;
            d = Math.min(d, redirectStartedAt + (redirectPaced * 1_000_000_000L + rate - 1) / rate);
        } else if (sourcePhase == SourcePhase.CUTTING_OVER && cutoverSent) {
            d = Math.min(d, cutoverSentAt + cfg.cutoverTimeout());
        }
        if (awaitingAck()) {
            d = Math.min(d, appliedTime(releasedIndex + 1) + commitWait());
        } else if (sourcePhase == SourcePhase.DRAINING) {
            d = Math.min(d, drainDeadline);
        }
        if (role == Role.AUTHORITY && !sessions.isEmpty()) {
            d = Math.min(d, expiryCheckDue);
        }
        if (targetPhase == TargetPhase.AUTHENTICATING) {
            d = Math.min(d, authDeadline);
        }
        if ((targetPhase == TargetPhase.REPLICATING || targetPhase == TargetPhase.RECEIVING) && targetPeerConn >= 0) {
            d = Math.min(d, lastPeerHeard + PEER_SILENCE);
        }
        if (peerConn >= 0 && sourcePhase.active()) {
            d = Math.min(d, lastPeerHeard + PEER_SILENCE);
            if (sourcePhase.compareTo(SourcePhase.AUTHENTICATING) > 0) {
                d = Math.min(d, nextPeerPing);
            }
        }
        if (targetPhase == TargetPhase.ORPHANED) {
            d = Math.min(d, orphanedAt + ORPHAN_WAIT);
            for (Claim claim : claims.values()) {
                if (claim.since() + CLAIM_HOLD > lastPoll) {
                    d = Math.min(d, claim.since() + CLAIM_HOLD); // the next claim to ripen
                }
            }
        }
        if (!claims.isEmpty()) {
            d = Math.min(d, nextClaimPing);
        }
        if (fenceWatchUntil != 0) {
            d = Math.min(d, nextFenceCheck);
        }
        if (sourcePhase == SourcePhase.CATCHING_UP && hintsSentAt != 0) {
            d = Math.min(d, hintsSentAt + HINT_WAIT);
        }
        return d;
    }

    private long expiryCheckDue;

    /** Timers: ticks, paced redirects, snapshot streaming, timeouts, session expiry. */
    public void poll(long now) {
        ran(now);
        lastPoll = now;
        if (snapshotStream != null) {
            // A chunk goes out when the next tick is not imminent; and, on a server so loaded that its ticks
            // run into each other and that moment never comes, at least once a tick period, or the
            // transfer would wait for a lull (at 5,000 clients it took 4 s for 1 MB).
            if (stopped || role != Role.AUTHORITY || nextTickAt - now > STREAM_QUIET
                    || now - lastChunkAt >= tickPeriod) {
                streamSnapshot(now);
                lastChunkAt = now;
                streamResumeAt = Long.MIN_VALUE;
            } else {
                streamResumeAt = nextTickAt; // right after the tick, the window opens again
            }
        }
        if (sourcePhase == SourcePhase.REDIRECTING && !suspended) {
            redirect(now);
        }
        if (role == Role.AUTHORITY && !stopped && service != null) {
            int n = 0;
            while (now >= nextTickAt && n++ < MAX_CATCH_UP_TICKS && !stopped) {
                nextTickAt += tickPeriod;
                apply(Frame.EventKind.TICK, 0, tick + 1, EMPTY, now);
                afterTick(now);
            }
            if (!stopped && now >= nextTickAt) {
                out.note("tick schedule overrun; re-anchoring after " + (now - nextTickAt) / 1_000_000 + " ms");
                nextTickAt = now + tickPeriod;
            }
        }
        if (sourcePhase == SourcePhase.CUTTING_OVER && cutoverSent && now - cutoverSentAt >= cfg.cutoverTimeout()) {
            // The target may have taken authority and its answer be lost: resuming here could make two.
            fence("no answer to CUTOVER within " + cfg.cutoverTimeout() / 1_000_000 + " ms", now);
        }
        if (sourcePhase == SourcePhase.DRAINING && now >= drainDeadline) {
            finishDrain(now);
        }
        watchPeer(now); // first: a link silent for too long is lost, whatever else waited meanwhile
        if (awaitingAck() && now - appliedTime(releasedIndex + 1) >= commitWait()) {
            long waited = now - appliedTime(releasedIndex + 1);
            if (holdsMajority(now)) {
                suspendCommit(waited, now);
            } else {
                // Without a majority present the target may gather the claims it needs: letting out what it
                // lacks could fork the history. Give it up as a lost link (which fences us).
                sourcePeerLost("the target acknowledged nothing for " + waited / 1_000_000
                        + " ms, and no majority of clients is present", now);
                if (peerConn >= 0) {
                    out.close(peerConn);
                    conns.remove(peerConn);
                    peerConn = -1;
                }
            }
        }
        startCommitIfHinted(now);
        if (targetPhase == TargetPhase.ORPHANED) {
            takeOverIfClaimed(now);
        }
        if (!claims.isEmpty() && now >= nextClaimPing) {
            nextClaimPing = now + 300_000_000L;
            for (Claim claim : claims.values()) {
                out.send(claim.conn(), new Frame.Ping(now)); // keeps the waiting client from giving up
            }
        }
        if (fenceWatchUntil != 0) {
            watchMajority(now);
        }
        if (targetPhase == TargetPhase.AUTHENTICATING && now >= authDeadline && targetPeerConn >= 0) {
            reject(targetPeerConn, ErrorCode.AUTH_FAILED, "no proof of the peer secret within "
                    + AUTH_TIMEOUT / 1_000_000 + " ms");
        }
        if (role == Role.AUTHORITY && now >= expiryCheckDue) {
            expireSessions(now);
            expiryCheckDue = now + 1_000_000_000L;
        }
    }

    /**
     * End of a burst of calls. Inputs applied in it are acknowledged by the next OUTPUT to their session,
     * whose {@code ack} field carries it, or by an ACK frame a tick period later if no output went out
     * meanwhile: a separate ACK per input was a third of a busy server's writes (docs/performance.md).
     */
    public void flush(long now) {
        if (!ackDue.isEmpty()) {
            for (int i = 0; i < ackDue.size(); i++) {
                Session s = ackDue.get(i);
                s.inAckDue = false;
                if (s.ackDueAt == 0 && ackOwed(s)) {
                    s.ackDueAt = now + tickPeriod;
                    ackQueue.add(s); // in due order: every session waits the same delay
                }
            }
            ackDue.clear();
        }
        while (!ackQueue.isEmpty() && ackQueue.peekFirst().ackDueAt <= now) {
            Session s = ackQueue.pollFirst();
            s.ackDueAt = 0;
            if (ackOwed(s)) {
                s.inputAckSent = s.inputReleased;
                out.send(s.conn, new Frame.Ack(s.inputReleased));
            }
        }
        if (!trimDue.isEmpty()) {
            if (shipping && peerConn >= 0) {
                for (Session s : trimDue) {
                    ship(new Frame.Trim(s.id, s.outputAcked));
                }
            }
            trimDue.clear();
        }
        if (targetPeerConn >= 0 && targetPhase == TargetPhase.REPLICATING && appliedIndex > replicaAckSent) {
            replicaAckSent = appliedIndex;
            out.send(targetPeerConn, new Frame.ReplicaAck(appliedIndex));
        }
    }

    /** An operator asks this server to hand off. Returns why not, if it cannot start. */
    public Optional<String> startHandoff(HandoffRequest req, long now) {
        if (saved) {
            return Optional.of("this server saved its state and stopped for good: restore the save elsewhere");
        }
        if (role != Role.AUTHORITY || service == null) {
            return Optional.of("this server is " + role + ", not the authority: it has nothing to hand off");
        }
        if (targetPhase == TargetPhase.AUTHORITY && targetPeerConn >= 0) {
            return Optional.of("this server is still receiving stragglers from its own source; try again shortly");
        }
        if (sourcePhase.active()) {
            return Optional.of("a handoff is already under way (phase " + sourcePhase + ")");
        }
        if (sourcePhase == SourcePhase.FENCED) {
            return Optional.of("this server is fenced: it lost its target after catch-up and handed its clients on");
        }
        if (fenceWatchUntil != 0) {
            return Optional.of("the last target may still take over until " + (fenceWatchUntil - now) / 1_000_000
                    + " ms from now; try again then");
        }
        request = req;
        handoffId = randomId();
        clientsMoved = clientsAttached = clientsSwitched = 0;
        cutIndex = cutDigest = stoppedAt = 0;
        longestCommitWait = 0;
        fastestAck = Long.MAX_VALUE;
        suspended = false;
        commitShipped = false;
        rearmIndex = 0;
        suspensions = 0;
        lastError = "";
        moveSource(SourcePhase.CONNECTING, now);
        lastPeerHeard = now;
        hintsSentAt = 0;
        peerConn = out.connect(req.peerHost(), req.peerPort());
        out.note("handoff " + Long.toHexString(handoffId) + " to " + req.peerHost() + ":" + req.peerPort() + " ("
                + req.mode() + "), clients will use " + req.clientHost() + ":" + req.clientPort());
        return Optional.empty();
    }

    /** An operator aborts the handoff under way; possible until cutover. Returns why not, if it cannot. */
    public Optional<String> abortHandoff(long now) {
        if (!sourcePhase.active()) {
            return Optional.of("no handoff is under way");
        }
        if (sourcePhase == SourcePhase.CUTTING_OVER || sourcePhase == SourcePhase.DRAINING) {
            return Optional.of("too late to abort: phase " + sourcePhase);
        }
        abort("aborted by the operator", now);
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
        if (saved) {
            // Already stopped at this state (an earlier save could not be written): the same state again.
            return saveFile(RuntimeState.write(appliedIndex, tick, nextSessionId, sessions.values()), service.snapshot());
        }
        if (role != Role.AUTHORITY || service == null || stopped) {
            throw new IllegalStateException("this server is " + role + (stopped ? ", stopped" : "")
                    + ": only a running authority can save its state");
        }
        if (sourcePhase.active() || (targetPhase == TargetPhase.AUTHORITY && targetPeerConn >= 0)) {
            throw new IllegalStateException("a handoff is under way (phase " + sourcePhase + "); save after it");
        }
        if (fenceWatchUntil != 0) {
            throw new IllegalStateException("the last target may still take over; save in "
                    + Math.max(0, fenceWatchUntil - now) / 1_000_000 + " ms");
        }
        // Everything that can fail comes before anything changes.
        byte[] runtime = RuntimeState.write(appliedIndex, tick, nextSessionId, sessions.values());
        Snapshot snap = service.snapshot();
        long digest = stateDigest();
        saved = true;
        stopped = true;
        stoppedAt = now;
        cutIndex = appliedIndex;
        cutDigest = digest;
        for (Session s : sessions.values()) {
            if (s.conn >= 0) {
                out.close(s.conn);
                conns.remove(s.conn);
                s.conn = -1;
            }
        }
        out.note("saved state at index " + cutIndex + " (digest " + Long.toHexString(cutDigest) + ") and stopped");
        return saveFile(runtime, snap);
    }

    private InputStream saveFile(byte[] runtime, Snapshot snap) {
        return SaveFile.write(new SaveFile.Header(cfg.factory().name(), cfg.service().tickHz(),
                service.schemaVersion(), cutIndex, cutDigest), runtime, snap.open());
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
        if (role != Role.STANDBY || targetPhase != TargetPhase.STANDBY || targetPeerConn >= 0) {
            throw new IllegalStateException("this server is " + role + " in target phase " + targetPhase
                    + ": only an idle standby can load a saved state");
        }
        DataInputStream data = new DataInputStream(in);
        SaveFile.Header h = SaveFile.readHeader(data);
        if (!h.service().equals(cfg.factory().name()) || h.tickHz() != cfg.service().tickHz()) {
            throw new IOException("the save is of service '" + h.service() + "' at " + h.tickHz()
                    + " Hz; this server hosts '" + cfg.factory().name() + "' at " + cfg.service().tickHz() + " Hz");
        }
        byte[] runtime = SaveFile.readRuntime(data);
        try {
            loadState(runtime, h.index(), h.schemaVersion(), data);
            long digest = stateDigest();
            if (h.schemaVersion() == service.schemaVersion() && digest != h.digest()) {
                throw new IOException("the restored state hashes to " + Long.toHexString(digest)
                        + ", the save says " + Long.toHexString(h.digest()));
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            resetState(); // a clean standby again, whatever the file did
            throw e instanceof IOException io ? io : new IOException("cannot restore the save: " + e, e);
        }
        role = Role.AUTHORITY;
        authorityAt = now;
        cutIndex = appliedIndex;
        cutDigest = stateDigest();
        nextTickAt = now + tickPeriod;
        becomeAuthority(now);
        out.note("restored a saved state at index " + appliedIndex + " (" + sessions.size() + " sessions) and took authority");
    }

    /**
     * The last log index whose effects this server has let out as an authority (0 if it never was one):
     * observation for checks that two servers never release different events at one index.
     */
    public long visibleIndex() {
        return role == Role.AUTHORITY || role == Role.RETIRED ? releasedIndex : 0;
    }

    public ServerStatus status() {
        int connected = 0;
        for (Session s : sessions.values()) {
            if (s.conn >= 0) {
                connected++;
            }
        }
        long lag = shipping ? Math.max(0, appliedIndex - replicaAcked) : 0;
        return new ServerStatus(role, sourcePhase, targetPhase, handoffId != 0 ? handoffId : targetHandoffId,
                sessions.size(), connected, appliedIndex, tick, lag, clientsMoved, clientsAttached, clientsSwitched,
                cutIndex, cutDigest, service == null ? 0 : stateDigest(), stoppedAt, authorityAt, firstEventAt,
                lastError, releasedIndex, failedOver, eligible(), longestCommitWait, sourcePhaseSince, suspensions);
    }

    // ---------------------------------------------------------------- applying events

    private final class Ctx implements Context {
        long index;

        @Override
        public long logIndex() {
            return index;
        }

        @Override
        public long tick() {
            return tick;
        }

        @Override
        public int tickHz() {
            return cfg.service().tickHz();
        }

        @Override
        public long timeMillis() {
            return tick * 1000L / cfg.service().tickHz();
        }

        @Override
        public RandomGenerator random() {
            return new SplittableRandom(Hash64.mix(0xBA70_0000L, index));
        }

        @Override
        public void send(long sessionId, byte[] payload) {
            Session s = sessions.get(sessionId);
            if (s == null) {
                return;
            }
            sessionsSum -= s.digestTerm();
            s.outputSeq++;
            sessionsSum += s.digestTerm();
            s.unacked.add(new Session.Out(s.outputSeq, index, payload));
            if (commit) {
                unreleased.add(s);
            } else {
                pump(s);
            }
        }
    }

    /** Applies one event: the single path for the authority and for a replica, so both compute the same. */
    private void apply(Frame.EventKind kind, long sessionId, long seq, byte[] payload, long now) {
        long index = ++appliedIndex;
        ctx.index = index;
        if (!commit) {
            releasedIndex = index; // no replica to wait for: what this event emits goes out at once
        }
        switch (kind) {
            case OPEN -> {
                Session s = new Session(sessionId, payload);
                sessions.put(sessionId, s);
                nextSessionId = Math.max(nextSessionId, sessionId + 1);
                sessionsSum += s.digestTerm();
                service.onSessionOpened(sessionId, ctx);
            }
            case INPUT -> {
                Session s = sessions.get(sessionId);
                sessionsSum -= s.digestTerm();
                s.inputApplied = seq;
                sessionsSum += s.digestTerm();
                if (commit) {
                    s.unreleasedInputs.add(new long[] {index, seq});
                    unreleased.add(s);
                } else {
                    s.inputReleased = seq;
                    markAckDue(s);
                }
                service.onInput(sessionId, payload, ctx);
            }
            case TICK -> {
                tick = seq;
                lastTickIndex = index;
                service.onTick(ctx);
                if (role == Role.STANDBY) {
                    pingAttached();
                }
            }
            case CLOSE -> {
                Session s = sessions.remove(sessionId);
                sessionsSum -= s.digestTerm();
                unreleased.remove(s);
                service.onSessionClosed(sessionId, ctx);
            }
        }
        out.applied(index, kind, sessionId, seq, payload);
        if (shipping) {
            if (appliedAt == null) {
                appliedAt = new long[APPLIED_RING];
            }
            appliedAt[(int) (index & (APPLIED_RING - 1))] = now;
            ship(new Frame.Event(index, kind, sessionId, seq, payload));
        }
        if (role == Role.AUTHORITY && authorityAt != 0 && firstEventAt == 0) {
            firstEventAt = now;
        }
    }

    private long stateDigest() {
        long h = Hash64.mix(Hash64.mix(Hash64.mix(0xD16E57L, appliedIndex), tick), nextSessionId);
        return Hash64.mix(Hash64.mix(h, sessionsSum), service.digest());
    }

    /** Sends a session's released outputs that its connection has not carried yet. */
    private void pump(Session s) {
        if (role != Role.AUTHORITY || s.conn < 0 || !isBound(s) || s.welcomeHeldAt != 0) {
            return;
        }
        for (Session.Out o : s.unacked) {
            if (o.seq() <= s.sentSeq) {
                continue;
            }
            if (o.index() > releasedIndex) {
                break;
            }
            out.send(s.conn, new Frame.Output(o.seq(), s.inputReleased, o.payload()));
            if (commitShipped && !commit && o.index() > replicaAcked) {
                s.unsafeUpTo = Math.max(s.unsafeUpTo, o.index());
            }
            s.sentSeq = o.seq();
            s.inputAckSent = s.inputReleased;
        }
        if (s.unacked.size() > cfg.maxUnackedOutputs()) {
            long conn = s.conn;
            reject(conn, ErrorCode.PROTOCOL_VIOLATION, "client acknowledged no output for "
                    + s.unacked.size() + " outputs");
        }
    }

    /** Notes that the session has inputs released in this burst, for {@link #flush} to acknowledge. */
    private void markAckDue(Session s) {
        if (!s.inAckDue) {
            s.inAckDue = true;
            ackDue.add(s);
        }
    }

    /**
     * A resend of input {@code seq}, already applied: the client has not seen our acknowledgement, whatever
     * we think we sent. Owe it again.
     */
    private void oweAckAgain(Session s, long seq) {
        s.inputAckSent = Math.min(s.inputAckSent, seq - 1);
        markAckDue(s);
    }

    /** Whether the session's client has inputs released that no frame has acknowledged yet. */
    private boolean ackOwed(Session s) {
        return role == Role.AUTHORITY && s.conn >= 0 && s.inputReleased > s.inputAckSent && isBound(s)
                && sessions.get(s.id) == s; // not a session closed, or forgotten, since it was queued
    }

    /** Whether outputs may flow on the session's connection now (not during a source's cutover pause). */
    private boolean isBound(Session s) {
        Conn c = conns.get(s.conn);
        return c != null && c.kind == ConnKind.CLIENT;
    }

    /** The target acknowledged the log up to {@code index}: release what waited for it. */
    private void release(long index) {
        releasedIndex = Math.max(releasedIndex, Math.min(index, appliedIndex));
        if (unreleased.isEmpty()) {
            return;
        }
        var it = unreleased.iterator();
        while (it.hasNext()) {
            Session s = it.next();
            if (s.welcomeHeldAt != 0 && s.welcomeHeldAt <= releasedIndex) {
                s.welcomeHeldAt = 0;
                if (s.conn >= 0) {
                    greet(s);
                }
            }
            while (!s.unreleasedInputs.isEmpty() && s.unreleasedInputs.peekFirst()[0] <= releasedIndex) {
                s.inputReleased = s.unreleasedInputs.pollFirst()[1];
                markAckDue(s);
            }
            pump(s);
            Session.Out last = s.unacked.peekLast();
            if (s.unreleasedInputs.isEmpty() && s.welcomeHeldAt == 0 && (last == null || last.index() <= releasedIndex)) {
                it.remove();
            }
        }
    }

    private void setCommit(boolean on) {
        if (commit && !on) {
            commit = false;
            release(appliedIndex);
            unreleased.clear();
        }
        commit = on;
    }

    // ---------------------------------------------------------------- client connections

    private void hello(long conn, Conn c, Frame.Hello h, long now) {
        if (h.version() != Frame.VERSION) {
            reject(conn, ErrorCode.UNSUPPORTED_VERSION,
                    "this server speaks protocol version " + Frame.VERSION + ", the client sent " + h.version());
            return;
        }
        switch (h.kind()) {
            case NEW -> {
                if (role == Role.RETIRED && request != null) {
                    // Sent on, like the sessions were: a client that arrives late still finds the game.
                    out.send(conn, new Frame.TargetHint(request.clientHost(), request.clientPort()));
                }
                if (role != Role.AUTHORITY || stopped) {
                    reject(conn, ErrorCode.NOT_AUTHORITY, notAuthorityReason());
                    return;
                }
                long id = nextSessionId;
                byte[] secret = random(Frame.TOKEN_LENGTH);
                apply(Frame.EventKind.OPEN, id, 0, secret, now);
                Session s = sessions.get(id);
                bind(conn, c, s);
                s.lastHeard = now;
                if (commit) {
                    s.welcomeHeldAt = appliedIndex; // WELCOME is this OPEN's output: it waits like any other
                    unreleased.add(s);
                } else {
                    greet(s);
                }
            }
            case RESUME -> {
                Session s = sessions.get(h.sessionId());
                if (s == null || !Tokens.same(s.secret, h.token())) {
                    reject(conn, role == Role.AUTHORITY || role == Role.RETIRED ? ErrorCode.UNKNOWN_SESSION
                            : ErrorCode.NOT_AUTHORITY, role == Role.STANDBY ? notAuthorityReason()
                            : "no session " + h.sessionId() + " with that secret on this server");
                    return;
                }
                if (saved) {
                    reject(conn, ErrorCode.NOT_AUTHORITY, "this server saved its state and stopped; the game "
                            + "continues where the save is restored");
                    return;
                }
                if (role == Role.RETIRED && s.unsafeUpTo > replicaAcked) {
                    reject(conn, ErrorCode.SESSION_CLOSED, "session " + s.id + " saw events the target may not"
                            + " hold; it cannot move there without losing them");
                    return;
                }
                if (role == Role.RETIRED) {
                    // The session lives on the target now: point the client there.
                    out.send(conn, new Frame.Move(handoffId, tokens.ticket(handoffId, s.id), request.clientHost(),
                            request.clientPort()));
                    out.send(conn, new Frame.Switch(handoffId, s.outputSeq));
                    out.close(conn);
                    return;
                }
                if (role != Role.AUTHORITY) {
                    if (eligible()) {
                        claim(conn, c, s, h.outputAck(), now);
                    } else {
                        reject(conn, ErrorCode.NOT_AUTHORITY, notAuthorityReason());
                    }
                    return;
                }
                resume(conn, c, s, h.outputAck());
                s.lastHeard = now;
                if (!suspended && hintsSentAt != 0 && (sourcePhase == SourcePhase.CATCHING_UP
                        || sourcePhase == SourcePhase.REDIRECTING)) {
                    hint(s);
                }
                if (sourcePhase == SourcePhase.REDIRECTING && !s.attached) {
                    // Its MOVE may have been lost with the old connection: send it again on this one.
                    if (s.moveSent) {
                        s.moveSent = false;
                        clientsMoved--;
                    }
                    toMove.add(s.id);
                }
            }
            case ATTACH -> attach(conn, c, h, now);
        }
    }

    private void resume(long conn, Conn c, Session s, long outputAck) {
        if (s.conn >= 0 && s.conn != conn) {
            long old = s.conn;
            conns.remove(old);
            out.send(old, new Frame.Error(ErrorCode.PROTOCOL_VIOLATION, "session resumed on another connection"));
            out.close(old);
        }
        bind(conn, c, s);
        s.trimTo(outputAck);
        s.sentSeq = Math.max(outputAck, s.outputAcked);
        out.send(conn, new Frame.Welcome(Frame.VERSION, s.id, NO_TOKEN, s.inputReleased));
        if (s.withdrawPending || suspended) {
            out.send(conn, Frame.TargetHint.WITHDRAWN); // before any output the target may not hold
            s.withdrawPending = false;
        }
        s.inputAckSent = s.inputReleased;
        pump(s);
    }

    private void bind(long conn, Conn c, Session s) {
        c.kind = ConnKind.CLIENT;
        c.sessionId = s.id;
        s.conn = conn;
        s.sentSeq = s.outputSeq;
    }

    private void attach(long conn, Conn c, Frame.Hello h, long now) {
        boolean replica = role == Role.STANDBY && targetPhase != TargetPhase.STANDBY
                && targetPhase != TargetPhase.AUTHENTICATING;
        boolean lateAttach = targetPhase == TargetPhase.AUTHORITY && role == Role.AUTHORITY;
        if (!replica && !lateAttach) {
            reject(conn, ErrorCode.BAD_TICKET, "no handoff to this server is under way");
            return;
        }
        if (!Tokens.same(h.token(), tokens.ticket(targetHandoffId, h.sessionId()))) {
            reject(conn, ErrorCode.BAD_TICKET, "ticket not issued for session " + h.sessionId() + " in this handoff");
            return;
        }
        if (!usedTickets.add(h.sessionId())) {
            reject(conn, ErrorCode.TICKET_REUSED, "ticket for session " + h.sessionId() + " was already used");
            return;
        }
        if (now > ticketsValidUntil) {
            reject(conn, ErrorCode.TICKET_EXPIRED, "ticket for session " + h.sessionId() + " expired");
            return;
        }
        if (lateAttach) {
            Session s = sessions.get(h.sessionId());
            if (s == null) {
                reject(conn, ErrorCode.UNKNOWN_SESSION, "session " + h.sessionId() + " is not known here");
                return;
            }
            resume(conn, c, s, h.outputAck());
            return;
        }
        c.kind = ConnKind.ATTACHED;
        c.sessionId = h.sessionId();
        Long previous = attachedConns.put(h.sessionId(), conn);
        if (previous != null) {
            out.close(previous);
        }
        Session s = sessions.get(h.sessionId());
        out.send(conn, new Frame.Welcome(Frame.VERSION, h.sessionId(), NO_TOKEN, s == null ? 0 : s.inputApplied));
    }

    private void clientFrame(long conn, Session s, Frame f, long now) {
        if (s == null) {
            reject(conn, ErrorCode.SESSION_CLOSED, "the session has ended");
            return;
        }
        s.lastHeard = now;
        if (f instanceof Frame.Input in) {
            acked(s, in.ack());
            input(conn, s, in.seq(), in.payload(), now);
        } else if (f instanceof Frame.Ack a) {
            acked(s, a.ack());
        } else if (f instanceof Frame.Attached a) {
            if (a.handoffId() == handoffId && sourcePhase == SourcePhase.REDIRECTING && s.moveSent && !s.attached) {
                s.attached = true;
                clientsAttached++;
            }
        } else if (f instanceof Frame.Ping p) {
            out.send(conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Pong) {
            // nothing to do
        } else if (f instanceof Frame.Close) {
            if (role == Role.AUTHORITY && !stopped) {
                conns.remove(conn);
                s.conn = -1;
                apply(Frame.EventKind.CLOSE, s.id, 0, EMPTY, now);
                out.close(conn);
            } else {
                out.close(conn);
            }
        } else {
            reject(conn, ErrorCode.PROTOCOL_VIOLATION,
                f.getClass().getSimpleName() + " is not allowed from a client");
        }
    }

    private void input(long conn, Session s, long seq, byte[] payload, long now) {
        if (role == Role.RETIRED) {
            if (peerConn >= 0) {
                out.send(peerConn, new Frame.Forward(s.id, seq, payload));
            }
            return;
        }
        if (stopped) {
            held.add(new Frame.Forward(s.id, seq, payload));
            return;
        }
        if (seq <= s.inputApplied && !cfg.defects().contains(Defect.APPLY_DUPLICATE_INPUTS)) {
            oweAckAgain(s, seq);
            return;
        }
        if (seq > s.inputApplied + 1) {
            reject(conn, ErrorCode.PROTOCOL_VIOLATION, "input " + seq + " skips ahead of " + (s.inputApplied + 1));
            return;
        }
        apply(Frame.EventKind.INPUT, s.id, seq, payload, now);
    }

    private void acked(Session s, long ack) {
        if (ack > s.outputAcked) {
            s.trimTo(ack);
            if (hintsSentAt != 0 && sourcePhase == SourcePhase.CATCHING_UP && ack > s.hintedAt) {
                startCommitIfHinted(lastPoll);
            }
            if (shipping || role == Role.RETIRED) {
                trimDue.add(s);
            }
        }
    }

    /** Frames on a pre-connection to this target: only liveness until the switch. */
    private void attachedFrame(long conn, Conn c, Frame f, long now) {
        if (f instanceof Frame.Ping p) {
            out.send(conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Pong) {
            // nothing to do
        } else if (f instanceof Frame.Ack a) {
            // nothing to do
        } else {
            reject(conn, ErrorCode.NOT_AUTHORITY,
                f.getClass().getSimpleName() + " before the switch: " + notAuthorityReason());
        }
    }

    private void expireSessions(long now) {
        List<Long> expired = null;
        for (Session s : sessions.values()) {
            if (s.conn < 0 && now - s.disconnectedAt > cfg.resumeWindow() && s.disconnectedAt != 0) {
                (expired == null ? expired = new ArrayList<>() : expired).add(s.id);
            }
        }
        if (expired != null && !stopped) {
            for (long id : expired) {
                apply(Frame.EventKind.CLOSE, id, 0, EMPTY, now);
            }
            out.note(expired.size() + " session(s) expired after the resume window");
        }
    }

    private String notAuthorityReason() {
        return switch (role) {
            case STANDBY -> "this server is a standby target; it serves clients only after a handoff";
            case RETIRED -> "this server handed its sessions to " + request.clientHost() + ":" + request.clientPort();
            case AUTHORITY -> "this server is pausing for cutover; retry in a moment";
        };
    }

    private void reject(long conn, ErrorCode code, String message) {
        out.send(conn, new Frame.Error(code, message));
        out.close(conn);
        if (conn == targetPeerConn && targetPhase != TargetPhase.AUTHORITY) {
            discardReplica("peer link refused: " + message, 0);
        }
        Conn c = conns.remove(conn);
        if (c != null && c.kind == ConnKind.CLIENT) {
            Session s = sessions.get(c.sessionId);
            if (s != null && s.conn == conn) {
                s.conn = -1;
                s.disconnectedAt = Math.max(1, s.disconnectedAt);
            }
        }
    }

    // ---------------------------------------------------------------- source side of a handoff

    private void moveSource(SourcePhase next, long now) {
        if (!sourcePhase.canMoveTo(next)) {
            throw new IllegalStateException("source phase " + sourcePhase + " cannot move to " + next);
        }
        sourcePhase = next;
        sourcePhaseSince = now;
        out.note("source phase " + next);
    }

    private void sourceFrame(Frame f, long now) {
        lastPeerHeard = now;
        if (f instanceof Frame.PeerChallenge ch) {
            if (sourcePhase != SourcePhase.AUTHENTICATING) {
                abort("unexpected PEER_CHALLENGE in phase " + sourcePhase, now);
                return;
            }
            if (!Tokens.same(ch.mac(), tokens.targetProof(sourceNonce, ch.nonce()))) {
                abort("authentication failed: the target could not prove it knows the peer secret; no state was sent", now);
                return;
            }
            out.send(peerConn, new Frame.PeerAuth(tokens.sourceProof(sourceNonce, ch.nonce())));
            if (request.mode() == Frame.Mode.LIVE) {
                moveSource(SourcePhase.TRANSFERRING, now);
                shipping = true;
                shipBacklog = new ArrayList<>();
                beginSnapshot(now);
            } else {
                startRedirect(now);
            }
        } else if (f instanceof Frame.ReplicaAck a) {
            if (a.index() > replicaAcked && a.index() > backlogEnd && a.index() <= appliedIndex && appliedAt != null) {
                fastestAck = Math.min(fastestAck, now - appliedTime(a.index()));
            }
            if (commit && a.index() > releasedIndex && appliedAt != null) {
                longestCommitWait = Math.max(longestCommitWait, now - appliedTime(releasedIndex + 1));
            }
            replicaAcked = Math.max(replicaAcked, a.index());
            // Caught up means holding every event that queued behind the snapshot, not merely the
            // snapshot: output commit then costs one round trip, never the replay of a backlog.
            if (sourcePhase == SourcePhase.CATCHING_UP && replicaAcked >= backlogEnd && hintsSentAt == 0) {
                // Caught up. Before the target may take over, every client must know where it is: hint them,
                // and start output commit once each has acknowledged an output sent after its hint.
                hintsSentAt = now;
                for (Session s : sessions.values()) {
                    hint(s);
                }
            }
            startCommitIfHinted(now);
            if (commit) {
                release(replicaAcked);
            }
            if (suspended && sourcePhase == SourcePhase.REDIRECTING) {
                rearm(now);
            }
            if (commit) {
                cutoverIfReplicated(now);
            }
        } else if (f instanceof Frame.Pong p) {
            if (p.value() > 0 && p.value() <= now) {
                fastestAck = Math.min(fastestAck, now - p.value()); // our own ping's clock, echoed
            }
        } else if (f instanceof Frame.CutoverResult r) {
            cutoverResult(r, now);
        } else if (f instanceof Frame.PeerAbort a) {
            abort("the target gave up: " + a.reason(), now);
        } else if (f instanceof Frame.Error e) {
            abort("the target refused: " + e.code() + " " + e.message(), now);
        } else {
            abort("unexpected " + f.getClass().getSimpleName() + " on the peer link", now);
        }
    }

    private void beginSnapshot(long now) {
        lastChunkAt = now; // the first chunk, too, waits for a quiet moment: up to a tick period
        byte[] runtime = RuntimeState.write(appliedIndex, tick, nextSessionId, sessions.values());
        Snapshot snap = service.snapshot();
        snapshotIndex = appliedIndex;
        snapshotDigest = stateDigest();
        long total = snap.size() < 0 ? -1 : 4L + runtime.length + snap.size();
        byte[] prefix = java.nio.ByteBuffer.allocate(4).putInt(runtime.length).array();
        snapshotStream = new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(prefix),
                new ByteArrayInputStream(runtime)), snap.open());
        out.send(peerConn, new Frame.SnapshotBegin(snapshotIndex, tick, service.schemaVersion(), total,
                cfg.service().tickHz(), cfg.factory().name()));
    }

    private void streamSnapshot(long now) {
        try {
            int sent = 0;
            int budget = stopped ? SNAPSHOT_BUDGET : FrameCodec.SNAPSHOT_CHUNK_BYTES;
            while (sent < budget) {
                byte[] chunk = snapshotStream.readNBytes(FrameCodec.SNAPSHOT_CHUNK_BYTES);
                if (chunk.length == 0) {
                    snapshotStream.close();
                    snapshotStream = null;
                    snapshotDone(now);
                    return;
                }
                out.send(peerConn, new Frame.SnapshotChunk(chunk));
                sent += chunk.length;
            }
        } catch (IOException e) {
            snapshotStream = null;
            abort("could not read the snapshot: " + e.getMessage(), now);
        }
    }

    private void snapshotDone(long now) {
        out.send(peerConn, new Frame.SnapshotEnd(snapshotDigest));
        if (sourcePhase == SourcePhase.TRANSFERRING) {
            List<Frame> backlog = shipBacklog;
            shipBacklog = null;
            for (Frame f : backlog) {
                out.send(peerConn, f);
            }
            backlogEnd = appliedIndex;
            moveSource(SourcePhase.CATCHING_UP, now);
        } else {
            sendCutover(now);
        }
    }

    private void ship(Frame f) {
        if (shipBacklog != null) {
            shipBacklog.add(f);
        } else if (peerConn >= 0) {
            out.send(peerConn, f);
        }
    }

    private void startRedirect(long now) {
        moveSource(SourcePhase.REDIRECTING, now);
        redirectStartedAt = now;
        redirectPaced = 0;
        // Spread the MOVEs over half a second at least, so that the burst of pre-connections (on the
        // target, and in the clients' own processes) never lands inside one tick; never faster than the
        // configured pace, which bounds the load on the target.
        redirectRate = Math.max(1, Math.min(cfg.redirectPerSecond(), sessions.size() * 2));
        toMove.clear();
        toMove.addAll(sessions.keySet());
        attachDeadline = Long.MAX_VALUE;
    }

    /** Sends MOVE to as many clients as the pace allows by now. */
    private void redirect(long now) {
        long allowed = (now - redirectStartedAt) * redirectRate / 1_000_000_000L + 1;
        while (!toMove.isEmpty() && redirectPaced < allowed) {
            Session s = sessions.get(toMove.pollFirst());
            if (s == null || s.moveSent || s.conn < 0 || !isBound(s)) {
                continue;
            }
            s.moveSent = true;
            s.attached = false;
            clientsMoved++;
            redirectPaced++;
            out.send(s.conn, new Frame.Move(handoffId, tokens.ticket(handoffId, s.id), request.clientHost(),
                    request.clientPort()));
        }
        if (toMove.isEmpty() && attachDeadline == Long.MAX_VALUE) {
            attachDeadline = now + cfg.attachTimeout();
        }
    }

    /** Cut over right after a tick, so the whole tick period is there to hide the round trip. */
    private void afterTick(long now) {
        if (sourcePhase != SourcePhase.REDIRECTING || !toMove.isEmpty()) {
            return;
        }
        boolean allAttached = true;
        for (Session s : sessions.values()) {
            if (s.conn >= 0 && !s.attached) {
                allAttached = false;
                break;
            }
        }
        if (allAttached || now >= attachDeadline) {
            if (!allAttached) {
                out.note("cutting over with clients still unattached; they will resume on the target");
            }
            if (!cutoverDue) {
                cutoverDue = true;
                cutoverAfter = lastTickIndex; // later ticks, if the round trip is longer than a tick, join L
            }
            cutoverIfReplicated(now);
        }
    }

    /**
     * Cuts over once the target holds the tick just applied, so that tick's outputs go out at their usual
     * time and the round trip of the cutover falls in the quiet middle of the tick period.
     */
    private void cutoverIfReplicated(long now) {
        if (cutoverDue && !suspended && sourcePhase == SourcePhase.REDIRECTING
                && (!commit || replicaAcked >= cutoverAfter)) {
            cutoverDue = false;
            cutover(now);
        }
    }

    private void cutover(long now) {
        cutoverSent = false;
        moveSource(SourcePhase.CUTTING_OVER, now);
        stopped = true;
        stoppedAt = now;
        cutIndex = appliedIndex;
        if (request.mode() == Frame.Mode.LIVE) {
            sendCutover(now);
        } else {
            beginSnapshot(now);
            streamSnapshot(now);
        }
    }

    private void sendCutover(long now) {
        cutDigest = stateDigest();
        cutoverSentAt = now;
        cutoverSent = true;
        if (!commit) {
            out.send(peerConn, new Frame.Commit(cutIndex)); // stop-and-copy: the target holds L, we are stopped at L
        }
        out.send(peerConn, new Frame.Cutover(cutIndex, cutDigest, Math.max(0, nextTickAt - now)));
    }

    private void cutoverResult(Frame.CutoverResult r, long now) {
        if (sourcePhase != SourcePhase.CUTTING_OVER) {
            abort("unexpected CUTOVER_RESULT in phase " + sourcePhase, now);
            return;
        }
        if (!r.ok()) {
            abort("the target's digest " + Long.toHexString(r.digest()) + " differs from the source's "
                    + Long.toHexString(cutDigest) + " at index " + cutIndex, now);
            return;
        }
        // The target holds the log up to L: release everything, then tell every client where to go.
        setCommit(false);
        role = Role.RETIRED;
        shipping = false;
        moveSource(SourcePhase.DRAINING, now);
        for (Session s : sessions.values()) {
            if (s.conn >= 0) {
                if (!s.attached) {
                    // A client that never attached may never have heard where to go: tell it with the switch.
                    out.send(s.conn, new Frame.Move(handoffId, tokens.ticket(handoffId, s.id), request.clientHost(),
                            request.clientPort()));
                }
                out.send(s.conn, new Frame.Switch(handoffId, s.outputSeq));
                clientsSwitched++;
            }
        }
        for (Frame.Forward f : held) {
            out.send(peerConn, f);
        }
        held.clear();
        drainDeadline = now + cfg.drainTimeout();
        out.note("cutover at index " + cutIndex + " confirmed; " + clientsSwitched + " clients told to switch");
        finishDrainIfEmpty(now);
    }

    private void finishDrainIfEmpty(long now) {
        for (Session s : sessions.values()) {
            if (s.conn >= 0) {
                return;
            }
        }
        finishDrain(now);
    }

    private void finishDrain(long now) {
        for (Session s : sessions.values()) {
            if (s.conn >= 0) {
                out.close(s.conn);
                s.conn = -1;
            }
        }
        if (peerConn >= 0) {
            out.close(peerConn);
        }
        moveSource(SourcePhase.DONE, now);
        out.note("drained; this server is retired");
    }

    private void sourcePeerLost(String reason, long now) {
        switch (sourcePhase) {
            case CONNECTING, AUTHENTICATING, TRANSFERRING, CATCHING_UP -> abort(reason, now);
            case REDIRECTING -> {
                if (!commitShipped) {
                    abort(reason, now);
                } else if (holdsMajority(now)) {
                    // The target may be alive and cut off from us: it takes over only with a majority of
                    // our clients, which we hold; keep checking that we do for as long as it may wait.
                    abort(reason, now);
                    // Only the sessions there are now can be the target's: sessions opened from here on
                    // are unknown to it and never count towards its majority, nor do they towards ours.
                    watchedSessions = java.util.Set.copyOf(sessions.keySet());
                    if (!watchedSessions.isEmpty()) {
                        fenceWatchUntil = now + ORPHAN_WAIT + CLAIM_HOLD;
                        nextFenceCheck = now;
                    }
                } else {
                    fence(reason + ", without a majority of clients present", now);
                }
            }
            case CUTTING_OVER -> {
                if (cutoverSent) {
                    // The target may already hold authority: never resume; send everyone there.
                    fence(reason + " after CUTOVER was sent", now);
                } else {
                    abort(reason, now);
                }
            }
            default -> { }
        }
    }

    /**
     * The target acknowledged nothing for the commit wait: dead, cut off, or only busy, it must not hold the
     * clients up longer. Every client is told to forget the target (in the same stream, before anything it
     * has not acknowledged), then what waited goes out. A target that died is given up when its link drops
     * or falls silent; one that answers again is trusted again once it holds all that went out meanwhile.
     * Called only while a majority of clients is present: those are the ones told to forget, so the target
     * can never gather the majority of claims it would need to take over without what went out.
     */
    private void suspendCommit(long waited, long now) {
        out.note("the target acknowledged nothing for " + waited / 1_000_000 + " ms (the commit wait is "
                + commitWait() / 1_000_000 + " ms): clients forget it until it catches up, and outputs go out");
        for (Session s : sessions.values()) {
            if (s.conn >= 0 && isBound(s) && s.welcomeHeldAt == 0) {
                out.send(s.conn, Frame.TargetHint.WITHDRAWN);
            } else if (s.conn < 0) {
                s.withdrawPending = true;
            }
            s.hintedAt = Long.MAX_VALUE;
        }
        suspended = true;
        rearmIndex = 0;
        suspensions++;
        setCommit(false);
    }

    /**
     * During a suspension: the first acknowledgement turns output commit back on (from here, outputs wait
     * for the target again); once the target holds everything released meanwhile, the hints go out again
     * and the redirect and cutover carry on.
     */
    private void rearm(long now) {
        if (!commit) {
            setCommit(true);
            rearmIndex = appliedIndex;
        }
        if (releasedIndex >= rearmIndex) {
            suspended = false;
            rearmIndex = 0;
            hintsSentAt = now;
            for (Session s : sessions.values()) {
                hint(s);
            }
            out.note("the target caught up: output commit and the redirect resume");
        }
    }

    /**
     * Whether clients' outputs wait on the target's acknowledgement right now, while clients are redirected
     * (the cutover is decided only once the deciding tick is acknowledged, and CUTOVER's answer has its own
     * timeout).
     */
    private boolean awaitingAck() {
        return commit && peerConn >= 0 && !cfg.defects().contains(Defect.NO_COMMIT_WAIT)
                && releasedIndex < appliedIndex && appliedAt != null && sourcePhase == SourcePhase.REDIRECTING;
    }

    /**
     * How long an output may wait for the target before the source gives the target up: the configured
     * wait plus two of the fastest round trips seen in this handoff, so that a slow link is not taken for
     * a dead one (a busy moment raises the slowest round trip, not the fastest).
     */
    private long commitWait() {
        return cfg.commitWait() + (fastestAck == Long.MAX_VALUE ? 0 : 2 * fastestAck);
    }

    /** When the event at {@code index} was applied (shipping only); see {@link #appliedAt}. */
    private long appliedTime(long index) {
        long oldest = appliedIndex - APPLIED_RING + 1;
        return appliedAt[(int) (Math.max(index, oldest) & (APPLIED_RING - 1))];
    }

    private void ran(long now) {
        if (lastRan != 0 && now - lastRan >= PAUSED) {
            wokeAt = now;
            out.note("this server did not run for " + (now - lastRan) / 1_000_000 + " ms (paused or starved)");
        }
        lastRan = now;
    }

    /**
     * Whether more than half of the sessions have been heard from lately (or there are none). Not within a
     * second of waking from a pause: frames that waited in the socket through it look fresh when read, but
     * their clients may have left since.
     */
    private boolean holdsMajority(long now) {
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

    /** The sessions the last target may know, while it may still take over: our majority is counted among them. */
    private java.util.Set<Long> watchedSessions = java.util.Set.of();

    /** After an abort that lost the target: while it may still take over, a lost majority fences us. */
    private void watchMajority(long now) {
        if (now >= fenceWatchUntil) {
            fenceWatchUntil = 0;
            nextFenceCheck = Long.MAX_VALUE;
            return;
        }
        nextFenceCheck = now + 50_000_000L;
        int present = 0;
        for (long id : watchedSessions) {
            Session s = sessions.get(id);
            if (s != null && present(s, now)) {
                present++;
            }
        }
        if (present * 2 <= watchedSessions.size()) {
            fenceWatchUntil = 0;
            nextFenceCheck = Long.MAX_VALUE;
            fence("lost the majority of clients while the last target could still take over", now);
        }
    }

    /** Peer links that went silent are as good as lost; a source keeps its own link talking. */
    private void watchPeer(long now) {
        if (peerConn >= 0 && sourcePhase.compareTo(SourcePhase.AUTHENTICATING) > 0 && sourcePhase.active()
                && now >= nextPeerPing) {
            nextPeerPing = now + PEER_SILENCE / 4;
            out.send(peerConn, new Frame.Ping(now));
        }
        if (peerConn >= 0 && sourcePhase.active() && now - lastPeerHeard >= PEER_SILENCE) {
            long conn = peerConn;
            out.close(conn);
            disconnected(conn, now);
        }
        if (targetPeerConn >= 0 && (targetPhase == TargetPhase.REPLICATING || targetPhase == TargetPhase.RECEIVING)
                && now - lastPeerHeard >= PEER_SILENCE) {
            long conn = targetPeerConn;
            out.close(conn);
            disconnected(conn, now);
        }
    }

    /**
     * Gives up authority for good: the target may hold it (or take it with our clients' claims). Applies
     * nothing more, releases nothing more, and sends every client to the target.
     */
    private void fence(String reason, long now) {
        lastError = reason;
        out.note("fenced: " + reason);
        moveSource(SourcePhase.FENCED, now);
        role = Role.RETIRED;
        stopped = true;
        held.clear();
        shipping = false;
        for (Session s : sessions.values()) {
            if (s.conn >= 0 && s.welcomeHeldAt != 0) {
                // Never welcomed: the target may not know this session, and its client knows no id to resume
                // (it starts afresh, and this retired server sends it on).
                out.close(s.conn);
                s.conn = -1;
            } else if (s.conn >= 0 && s.unsafeUpTo > replicaAcked) {
                // It saw what the target may lack: sending it there could roll its history back.
                out.send(s.conn, new Frame.Error(ErrorCode.SESSION_CLOSED, "this server was fenced and session "
                        + s.id + " cannot move to the target without losing what it saw"));
                out.close(s.conn);
                s.conn = -1;
            } else if (s.conn >= 0) {
                out.send(s.conn, new Frame.Move(handoffId, tokens.ticket(handoffId, s.id), request.clientHost(),
                        request.clientPort()));
                out.send(s.conn, new Frame.Switch(handoffId, s.sentSeq));
                out.close(s.conn);
                s.conn = -1;
            }
        }
    }

    /** Welcomes a new session's client and, mid-handoff, tells it where the target is. */
    private void greet(Session s) {
        out.send(s.conn, new Frame.Welcome(Frame.VERSION, s.id, s.secret, 0));
        if (sourcePhase == SourcePhase.REDIRECTING) {
            toMove.add(s.id);
        }
        if (!suspended && hintsSentAt != 0 && (sourcePhase == SourcePhase.CATCHING_UP
                || sourcePhase == SourcePhase.REDIRECTING || sourcePhase == SourcePhase.CUTTING_OVER)) {
            hint(s);
        }
    }

    /** Tells a client where to resume should this server die during the handoff. */
    private void hint(Session s) {
        if (s.conn >= 0 && isBound(s)) {
            out.send(s.conn, new Frame.TargetHint(request.clientHost(), request.clientPort()));
            s.hintedAt = s.outputSeq; // an acknowledged output after this one proves the hint arrived
        }
    }

    /**
     * Output commit (and with it the target's right to take over) starts once every connected client has
     * acknowledged an output sent after its hint, so no client is stranded without knowing the target;
     * after {@link #HINT_WAIT}, clients that acknowledge nothing are not waited for.
     */
    private void startCommitIfHinted(long now) {
        if (sourcePhase != SourcePhase.CATCHING_UP || hintsSentAt == 0) {
            return;
        }
        if (now - hintsSentAt < HINT_WAIT) {
            for (Session s : sessions.values()) {
                if (s.conn >= 0 && s.outputAcked <= s.hintedAt) {
                    return;
                }
            }
        }
        setCommit(true);
        ship(new Frame.Commit(appliedIndex));
        commitShipped = true;
        startRedirect(now);
    }

    /** Gives up the handoff before cutover: the source carries on as if nothing had happened. */
    private void abort(String reason, long now) {
        if (!sourcePhase.active() || sourcePhase == SourcePhase.DRAINING) {
            return;
        }
        lastError = reason;
        out.note("handoff aborted: " + reason);
        if (peerConn >= 0) {
            out.send(peerConn, new Frame.PeerAbort(reason));
            out.close(peerConn);
            conns.remove(peerConn);
            peerConn = -1;
        }
        shipping = false;
        shipBacklog = null;
        if (snapshotStream != null) {
            try {
                snapshotStream.close();
            } catch (IOException ignored) {
                // Nothing to recover: the stream only reads memory.
            }
            snapshotStream = null;
        }
        // Every client forgets the target before it sees anything the target may not hold: a MOVE_ABORTED
        // for those told to move, a withdrawn hint for those only hinted.
        for (Session s : sessions.values()) {
            if (s.moveSent && s.conn >= 0) {
                out.send(s.conn, new Frame.MoveAborted(handoffId));
            } else if (s.hintedAt != Long.MAX_VALUE && s.conn >= 0 && isBound(s)) {
                out.send(s.conn, Frame.TargetHint.WITHDRAWN);
            } else if (s.conn < 0) {
                s.withdrawPending = true;
            }
            s.moveSent = false;
            s.attached = false;
            s.hintedAt = Long.MAX_VALUE;
        }
        setCommit(false);
        suspended = false;
        rearmIndex = 0;
        toMove.clear();
        cutoverDue = false;
        moveSource(SourcePhase.ABORTED, now);
        if (stopped) {
            stopped = false;
            List<Frame.Forward> pending = new ArrayList<>(held);
            held.clear();
            for (Frame.Forward f : pending) {
                Session s = sessions.get(f.sessionId());
                if (s != null && s.conn >= 0) {
                    input(s.conn, s, f.seq(), f.payload(), now);
                }
            }
        }
    }

    // ---------------------------------------------------------------- target side of a handoff

    private void moveTarget(TargetPhase next, long now) {
        if (!targetPhase.canMoveTo(next)) {
            throw new IllegalStateException("target phase " + targetPhase + " cannot move to " + next);
        }
        targetPhase = next;
        out.note("target phase " + next);
    }

    private void targetFrame(long conn, Frame f, long now) {
        if (conn == targetPeerConn) {
            lastPeerHeard = now;
        }
        if (f instanceof Frame.PeerHello h) {
            peerHello(conn, h, now);
            return;
        }
        if (conn != targetPeerConn) {
            reject(conn, ErrorCode.PROTOCOL_VIOLATION, "expected PEER_HELLO");
            return;
        }
        if (targetPhase == TargetPhase.AUTHENTICATING) {
            authenticate(conn, f, now);
            return;
        }
        try {
            if (f instanceof Frame.SnapshotBegin b) {
                snapshotBegin(b);
            } else if (f instanceof Frame.SnapshotChunk c) {
                snapshotChunk(c);
            } else if (f instanceof Frame.SnapshotEnd e) {
                snapshotEnd(e, now);
            } else if (f instanceof Frame.Event e) {
                replicate(e, now);
            } else if (f instanceof Frame.Trim t) {
                Session s = sessions.get(t.sessionId());
                if (s != null) {
                    s.trimTo(t.outputAck());
                }
            } else if (f instanceof Frame.Ping p) {
                out.send(conn, new Frame.Pong(p.value()));
            } else if (f instanceof Frame.Commit cm) {
                committedFrom = cm.index();
            } else if (f instanceof Frame.Cutover c) {
                takeAuthority(c, now);
            } else if (f instanceof Frame.Forward fw) {
                forwarded(fw, now);
            } else if (f instanceof Frame.PeerAbort a) {
                discardReplica("the source aborted: " + a.reason(), now);
            } else {
                throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    f.getClass().getSimpleName() + " is not allowed on the peer link");
            }
        } catch (ProtocolException e) {
            reject(conn, e.code(), e.getMessage()); // before authority this also discards the replica
        }
    }

    private void peerHello(long conn, Frame.PeerHello h, long now) {
        if (h.version() != Frame.VERSION) {
            reject(conn, ErrorCode.UNSUPPORTED_VERSION,
                    "this server speaks protocol version " + Frame.VERSION + ", the source sent " + h.version());
            return;
        }
        if (role != Role.STANDBY || targetPhase != TargetPhase.STANDBY) {
            reject(conn, ErrorCode.BUSY, "this server is " + role + " in phase " + targetPhase
                    + "; it accepts a handoff only in standby");
            return;
        }
        targetPeerConn = conn;
        lastPeerHeard = now;
        committedFrom = -1;
        targetHandoffId = h.handoffId();
        targetLive = h.mode() == Frame.Mode.LIVE;
        byte[] nonce = random(Frame.TOKEN_LENGTH);
        targetNonces = new byte[32];
        System.arraycopy(h.nonce(), 0, targetNonces, 0, 16);
        System.arraycopy(nonce, 0, targetNonces, 16, 16);
        moveTarget(TargetPhase.AUTHENTICATING, now);
        authDeadline = now + AUTH_TIMEOUT;
        out.send(conn, new Frame.PeerChallenge(nonce, tokens.targetProof(h.nonce(), nonce)));
    }

    /** The first frame after PEER_CHALLENGE must be the source's proof; anything else ends the link. */
    private void authenticate(long conn, Frame f, long now) {
        byte[] srcNonce = java.util.Arrays.copyOfRange(targetNonces, 0, 16);
        byte[] tgtNonce = java.util.Arrays.copyOfRange(targetNonces, 16, 32);
        if (f instanceof Frame.PeerAuth a && Tokens.same(a.mac(), tokens.sourceProof(srcNonce, tgtNonce))) {
            ticketsValidUntil = now + cfg.ticketTtl();
            usedTickets.clear();
            moveTarget(TargetPhase.RECEIVING, now);
            return;
        }
        out.note("refused a source that failed authentication");
        reject(conn, ErrorCode.AUTH_FAILED, "the source could not prove it knows the peer secret");
    }

    private void snapshotBegin(Frame.SnapshotBegin b) throws ProtocolException {
        if (targetPhase != TargetPhase.RECEIVING && targetPhase != TargetPhase.REPLICATING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "SNAPSHOT_BEGIN in phase " + targetPhase);
        }
        if (!b.service().equals(cfg.factory().name())) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    "source runs service '" + b.service() + "', this server hosts '" + cfg.factory().name() + "'");
        }
        if (b.tickHz() != cfg.service().tickHz()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    "source ticks at " + b.tickHz() + " Hz, this server at " + cfg.service().tickHz() + " Hz");
        }
        snapshotBegin = b;
        snapshotChunks = new ArrayList<>();
        snapshotReceived = 0;
    }

    private void snapshotChunk(Frame.SnapshotChunk c) throws ProtocolException {
        if (snapshotChunks == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "SNAPSHOT_CHUNK outside a snapshot");
        }
        snapshotReceived += c.data().length;
        if (snapshotBegin.totalBytes() >= 0 && snapshotReceived > snapshotBegin.totalBytes()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "snapshot longer than announced");
        }
        snapshotChunks.add(c.data());
    }

    private void snapshotEnd(Frame.SnapshotEnd e, long now) throws ProtocolException {
        if (snapshotChunks == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "SNAPSHOT_END outside a snapshot");
        }
        List<InputStream> parts = new ArrayList<>(snapshotChunks.size());
        for (byte[] chunk : snapshotChunks) {
            parts.add(new ByteArrayInputStream(chunk));
        }
        snapshotChunks = null;
        try (DataInputStream in = new DataInputStream(new SequenceInputStream(java.util.Collections.enumeration(parts)))) {
            int runtimeLength = in.readInt();
            loadState(in.readNBytes(runtimeLength), snapshotBegin.index(), snapshotBegin.schemaVersion(), in);
        } catch (IOException ex) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "cannot restore the snapshot: " + ex.getMessage());
        }
        long digest = stateDigest();
        if (snapshotBegin.schemaVersion() == service.schemaVersion() && digest != e.digest()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "snapshot digest " + Long.toHexString(digest)
                    + " differs from the source's " + Long.toHexString(e.digest()));
        }
        releasedIndex = appliedIndex;
        replicaAckSent = 0;
        if (targetPhase == TargetPhase.RECEIVING) {
            moveTarget(TargetPhase.REPLICATING, now);
        }
        if (cfg.defects().contains(Defect.TAKE_AUTHORITY_EARLY)) {
            role = Role.AUTHORITY; // broken on purpose: now two servers create events
            nextTickAt = now + tickPeriod;
        }
        out.note("restored snapshot at index " + appliedIndex + " (" + snapshotReceived + " bytes, "
                + sessions.size() + " sessions)");
        out.stateRestored(!targetLive);
    }

    /**
     * Replaces this server's state with a captured one (a handoff's snapshot, or a save): the runtime's
     * sessions from {@code runtime}, then the service from {@code serviceBytes}.
     */
    private void loadState(byte[] runtime, long index, int schemaVersion, InputStream serviceBytes) throws IOException {
        resetState();
        RuntimeState r = RuntimeState.read(new DataInputStream(new ByteArrayInputStream(runtime)), sessions, index);
        appliedIndex = r.appliedIndex;
        tick = r.tick;
        nextSessionId = r.nextSessionId;
        for (Session s : sessions.values()) {
            sessionsSum += s.digestTerm();
        }
        service = cfg.factory().restore(cfg.service(), schemaVersion, serviceBytes);
    }

    private void replicate(Frame.Event e, long now) throws ProtocolException {
        if (targetPhase != TargetPhase.REPLICATING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "EVENT in phase " + targetPhase);
        }
        if (e.index() != appliedIndex + 1) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    "event " + e.index() + " does not follow " + appliedIndex);
        }
        if (e.kind() != Frame.EventKind.OPEN && e.kind() != Frame.EventKind.TICK && !sessions.containsKey(e.sessionId())) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "event for unknown session " + e.sessionId());
        }
        apply(e.kind(), e.sessionId(), e.seq(), e.payload(), now);
    }

    private void takeAuthority(Frame.Cutover c, long now) throws ProtocolException {
        if (targetPhase != TargetPhase.REPLICATING || service == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "CUTOVER in phase " + targetPhase);
        }
        long digest = stateDigest();
        if (appliedIndex != c.index() || digest != c.digest()) {
            out.send(targetPeerConn, new Frame.CutoverResult(false, digest));
            discardReplica("digest at index " + appliedIndex + " is " + Long.toHexString(digest)
                    + ", the source's at " + c.index() + " is " + Long.toHexString(c.digest()), now);
            return;
        }
        role = Role.AUTHORITY;
        moveTarget(TargetPhase.AUTHORITY, now);
        authorityAt = now;
        cutIndex = appliedIndex;
        cutDigest = digest;
        nextTickAt = now + c.nextTickInNanos();
        out.send(targetPeerConn, new Frame.CutoverResult(true, digest));
        becomeAuthority(now);
        out.note("took authority at index " + appliedIndex + " (digest " + Long.toHexString(digest) + ")");
    }

    /**
     * A replica pings the clients attached to it, 32 per replicated tick in rotation (a ping to every
     * client every tick doubled the traffic of a handoff and added to its stalls): their
     * pre-connections prove alive, and the target's write path is exercised before its first real tick
     * has to go out to every client at once.
     */
    private void pingAttached() {
        if (attachedConns.isEmpty()) {
            return;
        }
        int budget = Math.min(attachedConns.size(), PINGS_PER_TICK);
        for (long conn : attachedConns.values()) {
            if (pingCursor++ % attachedConns.size() < budget) {
                out.send(conn, new Frame.Ping(tick));
            }
        }
    }

    /** A replica that holds everything any client has seen may take over, if it comes to that. */
    private boolean eligible() {
        return role == Role.STANDBY && service != null && committedFrom >= 0 && appliedIndex >= committedFrom
                && (targetPhase == TargetPhase.REPLICATING || targetPhase == TargetPhase.ORPHANED);
    }

    /** A client resumes here while the source still holds authority, or is gone: hold it as a claim. */
    private void claim(long conn, Conn c, Session s, long outputAck, long now) {
        Claim previous = claims.put(s.id, new Claim(conn, outputAck, now));
        if (previous != null && previous.conn() != conn) {
            conns.remove(previous.conn());
            out.close(previous.conn());
        }
        c.kind = ConnKind.CLAIM;
        c.sessionId = s.id;
        nextClaimPing = Math.min(nextClaimPing, now + 300_000_000L);
        takeOverIfClaimed(now);
    }

    private void targetPeerLost(String reason, long now) {
        if (targetPhase == TargetPhase.AUTHORITY || targetPhase == TargetPhase.STANDBY
                || targetPhase == TargetPhase.ORPHANED) {
            return;
        }
        if (eligible()) {
            moveTarget(TargetPhase.ORPHANED, now);
            orphanedAt = now;
            out.note(reason + " after output commit: waiting up to " + ORPHAN_WAIT / 1_000_000
                    + " ms for a majority of " + sessions.size() + " sessions to claim the source is gone");
            takeOverIfClaimed(now);
        } else {
            discardReplica(reason + " before the replica could take over", now);
        }
    }

    /** An orphaned replica takes authority once more than half of the sessions have claimed, held long enough. */
    private void takeOverIfClaimed(long now) {
        if (targetPhase != TargetPhase.ORPHANED) {
            return;
        }
        int ripe = 0;
        for (Claim claim : claims.values()) {
            if (now - claim.since() >= CLAIM_HOLD) {
                ripe++;
            }
        }
        if (!sessions.isEmpty() && ripe * 2 > sessions.size()) {
            failOver(ripe, now);
        } else if (now - orphanedAt >= ORPHAN_WAIT) {
            discardReplica("no majority of sessions claimed the source is gone within " + ORPHAN_WAIT / 1_000_000
                    + " ms", now);
        }
    }

    private void failOver(int claimed, long now) {
        role = Role.AUTHORITY;
        moveTarget(TargetPhase.AUTHORITY, now);
        failedOver = true;
        authorityAt = now;
        cutIndex = appliedIndex;
        cutDigest = stateDigest();
        nextTickAt = now + tickPeriod;
        becomeAuthority(now);
        out.note("failed over: took authority at index " + appliedIndex + " with " + claimed + " of "
                + sessions.size() + " sessions claiming the source is gone");
    }

    /** What a target does on taking authority, by cutover or by failover: serve who is waiting. */
    private void becomeAuthority(long now) {
        releasedIndex = appliedIndex;
        for (Map.Entry<Long, Long> a : attachedConns.entrySet()) {
            Session s = sessions.get(a.getKey());
            Conn conn = conns.get(a.getValue());
            if (s != null && conn != null) {
                bind(a.getValue(), conn, s);
            }
        }
        attachedConns.clear();
        for (Session s : sessions.values()) {
            s.inputReleased = s.inputApplied;
            s.inputAckSent = s.inputApplied;
            if (s.conn < 0) {
                s.disconnectedAt = now;
            }
        }
        for (Map.Entry<Long, Claim> e : claims.entrySet()) {
            Session s = sessions.get(e.getKey());
            Conn conn = conns.get(e.getValue().conn());
            if (s != null && conn != null) {
                resume(e.getValue().conn(), conn, s, e.getValue().outputAck());
            }
        }
        claims.clear();
    }

    private void forwarded(Frame.Forward f, long now) throws ProtocolException {
        if (targetPhase != TargetPhase.AUTHORITY) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "FORWARD before cutover");
        }
        Session s = sessions.get(f.sessionId());
        if (s != null && (f.seq() == s.inputApplied + 1 || cfg.defects().contains(Defect.APPLY_DUPLICATE_INPUTS))) {
            apply(Frame.EventKind.INPUT, s.id, f.seq(), f.payload(), now);
        } else if (s != null && f.seq() <= s.inputApplied) {
            oweAckAgain(s, f.seq());
        }
        // A forwarded input that skips ahead is dropped: the client still holds it and resends it here.
    }

    /** Forgets a replica whose handoff failed; this server is a clean standby again. */
    private void discardReplica(String reason, long now) {
        out.note("replica discarded: " + reason);
        lastError = reason;
        if (targetPeerConn >= 0) {
            out.close(targetPeerConn);
            conns.remove(targetPeerConn);
            targetPeerConn = -1;
        }
        for (long conn : attachedConns.values()) {
            out.send(conn, new Frame.MoveAborted(targetHandoffId));
            out.close(conn);
            conns.remove(conn);
        }
        attachedConns.clear();
        for (Claim claim : claims.values()) {
            out.send(claim.conn(), new Frame.Error(ErrorCode.NOT_AUTHORITY, "the handoff to this server failed: " + reason));
            out.close(claim.conn());
            conns.remove(claim.conn());
        }
        claims.clear();
        committedFrom = -1;
        resetState();
        snapshotChunks = null;
        targetPhase = TargetPhase.STANDBY;
    }

    private void resetState() {
        service = null;
        sessions.clear();
        appliedIndex = tick = 0;
        nextSessionId = 1;
        sessionsSum = 0;
        releasedIndex = 0;
    }

    // ---------------------------------------------------------------- helpers

    private byte[] random(int n) {
        byte[] b = new byte[n];
        entropy.nextBytes(b);
        return b;
    }

    private long randomId() {
        long id = 0;
        while (id == 0) {
            id = java.nio.ByteBuffer.wrap(random(8)).getLong();
        }
        return id;
    }
}
