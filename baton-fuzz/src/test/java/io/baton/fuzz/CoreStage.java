package io.baton.fuzz;

import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.ServerCore;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.wire.Frame;
import io.baton.wire.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One server core on a fake clock, with honest clients and one stranger around it, driven only through
 * the core's public API as a driver would: each call is followed by {@link #settle}, which flushes the
 * core, hands every frame to its addressee (honest clients answer at once) and reports each close back
 * as a disconnect; {@link #advance} moves the clock, polling the core at each of its deadlines.
 */
final class CoreStage {

    static final long MS = 1_000_000L;
    static final int TICK_HZ = 10;
    static final byte[] PEER_SECRET = "the peer secret of the fuzz targets".getBytes(StandardCharsets.US_ASCII);
    /** Honest clients ping this often: a live client is never idle in the server's eyes. */
    private static final long CLIENT_PING = 200 * MS;
    /** Calls to poll at one instant after which a deadline that stays due is a core that would spin. */
    private static final int MAX_POLLS_AT_ONCE = 100;

    final Wire wire = new Wire();
    final ServerCore core;
    long now = 1_000_000 * MS;
    private final List<HonestClient> honest = new ArrayList<>();
    private final boolean strangerOnPeerPort;
    private long strangerConn = -1;
    private long strangerSession = -1;
    private byte[] strangerSecret;
    private long lastPing = now;

    private final ServiceFactory factory;

    private CoreStage(ServerConfig cfg, boolean authority, boolean strangerOnPeerPort) {
        this.strangerOnPeerPort = strangerOnPeerPort;
        this.factory = cfg.factory();
        // Seeded: a fuzz input must replay the same way; the stranger cannot read the seed off the wire.
        SplittableRandom entropy = new SplittableRandom(0x5EED);
        core = authority ? ServerCore.authority(cfg, wire, entropy::nextBytes, now)
                : ServerCore.standby(cfg, wire, entropy::nextBytes);
    }

    /** The service this stage's core hosts: what a PEER_HELLO names to be challenged rather than refused. */
    ServiceFactory factory() {
        return factory;
    }

    static ServerConfig config(ServiceFactory factory) {
        return ServerConfig.defaults(factory, new ServiceConfig(TICK_HZ, Map.of()), PEER_SECRET);
    }

    /** An authority whose honest clients were welcomed and had two inputs each applied before the stranger came. */
    static CoreStage authority(ServiceFactory factory, int clients, boolean strangerOnPeerPort) {
        CoreStage stage = new CoreStage(config(factory), true, strangerOnPeerPort);
        for (int i = 0; i < clients; i++) {
            HonestClient c = new HonestClient(i, stage);
            stage.honest.add(c);
            c.open();
            stage.settle();
        }
        for (int round = 0; round < 2; round++) {
            for (HonestClient c : stage.honest) {
                c.sendInput();
                stage.settle();
            }
        }
        return stage;
    }

    static CoreStage standby(ServiceFactory factory, boolean strangerOnPeerPort) {
        return new CoreStage(config(factory), false, strangerOnPeerPort);
    }

    HonestClient honest(int which) {
        return honest.get(which % honest.size());
    }

    boolean hasHonest() {
        return !honest.isEmpty();
    }

    // ---------------------------------------------------------------- the stranger

    /** The stranger sends a frame, connecting first if it has no connection. */
    void strangerSends(Frame f) {
        core.frame(strangerConnection(), f, now);
        settle();
    }

    /** The stranger's bytes did not decode: what the decoder in front of the core reports. */
    void strangerSendsGarbage(ProtocolException e) {
        core.badFrame(strangerConnection(), e, now);
        settle();
    }

    void strangerLeaves() {
        if (strangerConn >= 0) {
            long conn = strangerConn;
            strangerConn = -1;
            core.disconnected(conn, now);
            settle();
        }
    }

    /** The stranger resumes, on a new connection, the last session it opened itself (it holds the secret). */
    void strangerResumesOwnSession(long outputAck) {
        if (strangerSecret == null) {
            return;
        }
        strangerLeaves();
        strangerSends(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, strangerSession, strangerSecret, outputAck));
    }

    private long strangerConnection() {
        if (strangerConn < 0) {
            strangerConn = wire.open();
            if (strangerOnPeerPort) {
                core.peerAccepted(strangerConn, now);
                core.peerSecured(strangerConn, new byte[0]); // a link in the clear, as the driver reports it
            } else {
                core.clientConnected(strangerConn, "stranger", now);
            }
        }
        return strangerConn;
    }

    private boolean strangerReads() {
        if (strangerConn < 0) {
            return false;
        }
        List<Frame> frames = wire.take(strangerConn);
        for (Frame f : frames) {
            if (f instanceof Frame.Welcome w && !Arrays.equals(w.secret(), new byte[Frame.TOKEN_LENGTH])) {
                strangerSession = w.sessionId();
                strangerSecret = w.secret();
            }
        }
        return !frames.isEmpty();
    }

    // ---------------------------------------------------------------- time and delivery

    /** Flushes the core and delivers until nothing moves; closes come back as disconnects. */
    void settle() {
        for (int round = 0; ; round++) {
            if (round > 10_000) {
                throw new AssertionError("the core and its clients never fell quiet");
            }
            core.flush(now);
            boolean moved = strangerReads();
            for (HonestClient c : honest) {
                moved |= c.read();
            }
            for (long conn : wire.takeClosed()) {
                moved = true;
                if (conn == strangerConn) {
                    strangerConn = -1;
                }
                for (HonestClient c : honest) {
                    if (c.conn() == conn) {
                        c.closedByServer();
                    }
                }
                core.disconnected(conn, now);
            }
            if (!moved) {
                return;
            }
        }
    }

    /** Moves the clock on by {@code nanos}, polling the core at every deadline on the way; honest clients ping. */
    void advance(long nanos) {
        long until = now + nanos;
        while (true) {
            now = Math.max(now, Math.min(until, Math.min(core.nextDeadline(), lastPing + CLIENT_PING)));
            if (now >= lastPing + CLIENT_PING) {
                lastPing = now;
                for (HonestClient c : honest) {
                    c.ping();
                }
            }
            for (int polls = 0; core.nextDeadline() <= now; polls++) {
                if (polls == MAX_POLLS_AT_ONCE) {
                    throw new AssertionError("deadline " + core.nextDeadline() + " stays due at " + now
                            + " after " + polls + " polls: a driver would spin");
                }
                core.poll(now);
                settle();
            }
            settle();
            if (now >= until) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- what must hold

    /**
     * Each honest client sends once more and acknowledges; three tick periods later (an ACK waits one)
     * all must be applied and answered.
     */
    void checkHonest(Ledger ledger) {
        for (HonestClient c : honest) {
            c.sendInput();
            settle();
        }
        advance(300 * MS);
        for (HonestClient c : honest) {
            c.acknowledge();
        }
        settle();
        for (HonestClient c : honest) {
            c.check(ledger);
        }
    }

    /** An authority stays one, and no stranger starts or steers a handoff on it. */
    void checkStillAuthority() {
        ServerStatus s = core.status();
        expect(s.role() == Role.AUTHORITY && s.sourcePhase() == SourcePhase.IDLE,
                "the authority became " + s.role() + " in source phase " + s.sourcePhase());
    }

    /** A standby holds nothing a stranger gave it: at most a handshake the stranger cannot finish. */
    void checkStandbyUntouched() {
        ServerStatus s = core.status();
        expect(s.role() == Role.STANDBY && s.sessions() == 0
                        && (s.targetPhase() == TargetPhase.STANDBY || s.targetPhase() == TargetPhase.AUTHENTICATING),
                "a stranger's peer link left the standby " + s.role() + " in target phase " + s.targetPhase()
                        + " with " + s.sessions() + " sessions");
    }

    /** Once the stranger is gone, a source that knows the secret is challenged and accepted. */
    void checkHonestSourceAccepted() {
        strangerLeaves();
        advance(6_000 * MS); // past any handshake deadline the stranger left running
        long conn = honestSourceConnects();
        expect(!wire.isClosed(conn) && core.status().targetPhase() == TargetPhase.RECEIVING,
                "an honest source was not accepted after the stranger left: target phase "
                        + core.status().targetPhase() + ", its link " + (wire.isClosed(conn) ? "closed" : "open"));
    }

    /**
     * A source that knows the peer secret opens a peer link to this standby and proves itself, checking
     * the standby's proof on the way; returns the link's connection.
     */
    long honestSourceConnects() {
        long conn = wire.open();
        byte[] nonce = "honest src nonce".getBytes(StandardCharsets.US_ASCII);
        core.peerAccepted(conn, now);
        core.peerSecured(conn, new byte[0]);
        String service = factory.name();
        int schema = factory.schemaVersion();
        core.frame(conn, new Frame.PeerHello(Frame.PEER_VERSION, 42, Frame.Mode.LIVE, nonce, service, schema), now);
        core.flush(now);
        List<Frame> answer = wire.take(conn);
        expect(answer.size() == 1 && answer.get(0) instanceof Frame.PeerChallenge,
                "an honest source's PEER_HELLO was answered " + answer);
        Frame.PeerChallenge ch = (Frame.PeerChallenge) answer.get(0);
        int v = Frame.PEER_VERSION; // the range offered is v..v, so the version chosen is v
        expect(ch.version() == v, "the standby chose peer-link version " + ch.version() + " from the range " + v + ".." + v);
        expect(ch.path() == Frame.SchemaPath.SAME, "an honest source of the standby's own version was answered "
                + ch.path());
        expect(Arrays.equals(ch.mac(), PeerProof.target(PEER_SECRET, 42, 0, v, v, v, nonce, ch.nonce(), service, schema,
                0, ch.host(), ch.port(), ch.webSocket())),
                "the standby's challenge does not prove the peer secret");
        core.frame(conn, new Frame.PeerAuth(PeerProof.source(PEER_SECRET, 42, 0, v, v, v, nonce, ch.nonce(), service,
                schema, 0)), now);
        core.flush(now);
        return conn;
    }

    private static void expect(boolean holds, String violation) {
        if (!holds) {
            throw new AssertionError(violation);
        }
    }
}
