package io.baton.core;

import io.baton.service.ServiceConfig;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * Server cores and hand-played clients on a fake network and a fake clock, for the server core's own
 * tests. Nothing moves until a test says so: {@link #pump} delivers what is in flight, in the order it was
 * sent, and flushes every core; {@link #advance} moves the clock, calling each core's {@code poll} at its
 * {@code nextDeadline()} on the way. Only the core's public API is used, so the tests survive any change of
 * its insides.
 */
final class Rig {

    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;
    static final int TICK_HZ = 10;
    static final long TICK = SECOND / TICK_HZ;
    static final byte[] PEER_SECRET = "the-peer-secret-of-the-tests".getBytes(StandardCharsets.US_ASCII);
    /** How long a target holds a client's claim before it counts (docs/faults.md: 1.3 s). */
    static final long CLAIM_HOLD = 1_300 * MS;
    /** How long an orphaned target waits for a majority of claims (docs/faults.md: 10 s). */
    static final long ORPHAN_WAIT = 10 * SECOND;
    /** How often a live client pings its server: well within the server's idea of presence (1 s). */
    static final long CLIENT_PING = 200 * MS;

    static final ProtocolException GARBLED = new ProtocolException(ErrorCode.MALFORMED_FRAME, "garbled on the wire");

    long now = 1_000 * SECOND;
    private long nextConn = 1;
    private final ArrayDeque<Runnable> wire = new ArrayDeque<>();
    private final Map<Long, End> ends = new HashMap<>();
    private final Map<String, Server> byHost = new HashMap<>();
    private final List<Server> servers = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    /** Hosts that accept connections and never answer (a blackholed address, a hung process). */
    private final java.util.Set<String> silentHosts = new java.util.HashSet<>();
    private boolean pumping;

    static ServerConfig config() {
        return ServerConfig.defaults(new TallyFactory(), new ServiceConfig(TICK_HZ, Map.of()), PEER_SECRET);
    }

    static ServerConfig config(Map<String, String> serviceOptions) {
        return ServerConfig.defaults(new TallyFactory(), new ServiceConfig(TICK_HZ, serviceOptions), PEER_SECRET);
    }

    /**
     * The defaults, with a wait for clients to attach and a commit wait chosen by the test: a long attach
     * wait keeps a source redirecting (and a target's claims unserved) for as long as a test needs.
     */
    static ServerConfig config(long attachTimeout, long commitWait) {
        ServerConfig d = config();
        return new ServerConfig(d.factory(), d.service(), d.peerSecret(), d.resumeWindow(), d.redirectPerSecond(),
                attachTimeout, d.ticketTtl(), d.drainTimeout(), d.cutoverTimeout(), commitWait, d.maxUnackedOutputs(),
                d.limits(), d.defects(), d.clientVersions(), d.peerVersions());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** One end of a connection: the server that holds it, and the server end or the client at the other. */
    private static final class End {
        final Server server;
        final long conn;
        End peer;
        Client client;
        boolean closed;
        /** Frames sent from this end wait here instead of travelling (a slow or stuck direction). */
        List<Frame> held;
        /** Frames sent from this end vanish (a partition). */
        boolean dropping;
        UnaryOperator<Frame> rewrite = UnaryOperator.identity();
        /** The next frame from this end arrives as bytes that break the protocol (the driver's decoder says so). */
        boolean garbleNext;

        End(Server server, long conn) {
            this.server = server;
            this.conn = conn;
        }
    }

    Server authority(String host) {
        return authority(host, config());
    }

    Server authority(String host, ServerConfig cfg) {
        Server s = new Server(host);
        s.core = ServerCore.authority(cfg, s, new SplittableRandom(host.hashCode())::nextBytes, now);
        s.core.advertise(host, s.clientPort);
        return s;
    }

    Server standby(String host) {
        return standby(host, config());
    }

    Server standby(String host, ServerConfig cfg) {
        Server s = standbyAdvertisingNothing(host, cfg);
        s.core.advertise(host, s.clientPort);
        return s;
    }

    /** A standby whose driver never said where its clients reach it. */
    Server standbyAdvertisingNothing(String host, ServerConfig cfg) {
        Server s = new Server(host);
        s.core = ServerCore.standby(cfg, s, new SplittableRandom(host.hashCode())::nextBytes);
        return s;
    }

    /** A client that opened a new session on {@code server} and was welcomed. */
    Client join(Server server) {
        Client c = new Client();
        c.open(server, new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
        return c;
    }

    /** A client that opens a session from {@code address}, which other clients may share. */
    Client join(Server server, String address) {
        Client c = new Client();
        c.address = address;
        c.open(server, new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
        return c;
    }

    Client newClient() {
        return new Client();
    }

    /** A client speaking the client-link versions {@code versions} that opened a new session on {@code server}. */
    Client join(Server server, io.baton.wire.VersionRange versions) {
        Client c = new Client();
        c.versions = versions;
        c.open(server, new Frame.Hello(versions, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
        return c;
    }

    /** Delivers everything in flight, flushing every core after each round, until nothing moves. */
    void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            int steps = 0;
            do {
                while (!wire.isEmpty()) {
                    wire.poll().run();
                    observe();
                    if (++steps > 1_000_000) {
                        throw new AssertionError("the servers never fell quiet");
                    }
                }
                for (Server s : servers) {
                    if (!s.dead) {
                        s.core.flush(now);
                    }
                }
            } while (!wire.isEmpty());
        } finally {
            pumping = false;
        }
    }

    private void observe() {
        for (Server s : servers) {
            s.observe();
        }
    }

    void advance(long nanos) {
        runUntil(now + nanos);
    }

    /** Moves the clock to {@code until}, polling each core at its deadlines and letting live clients ping. */
    void runUntil(long until) {
        pump();
        for (int steps = 0; ; steps++) {
            if (steps > 1_000_000) {
                throw new AssertionError("a deadline never moved on");
            }
            long next = until;
            for (Server s : servers) {
                if (!s.dead) {
                    next = Math.min(next, s.core.nextDeadline());
                }
            }
            for (Client c : clients) {
                if (c.live) {
                    next = Math.min(next, c.lastPing + CLIENT_PING);
                }
            }
            now = Math.max(now, next);
            boolean due = false;
            for (Server s : servers) {
                if (!s.dead && s.core.nextDeadline() <= now) {
                    s.core.poll(now);
                    due = true;
                }
            }
            for (Client c : clients) {
                if (c.live && c.lastPing + CLIENT_PING <= now) {
                    c.lastPing = now;
                    c.send(new Frame.Ping(now));
                }
            }
            observe();
            pump();
            if (now >= until && !due) {
                return;
            }
        }
    }

    /** Advances in small steps until the condition holds; fails after {@code limit}. */
    void runUntil(java.util.function.BooleanSupplier condition, long limit) {
        long end = now + limit;
        pump();
        while (!condition.getAsBoolean()) {
            if (now >= end) {
                throw new AssertionError("the condition did not hold within " + limit / MS + " ms");
            }
            advance(Math.min(10 * MS, end - now));
        }
    }

    /** Frames the server {@code from} sends on its peer links wait until {@link #release} (a stuck direction). */
    void hold(Server from) {
        for (End e : ends.values()) {
            if (e.server == from && e.peer != null && e.held == null) {
                e.held = new ArrayList<>();
            }
        }
    }

    void release(Server from) {
        for (End e : ends.values()) {
            if (e.server == from && e.held != null) {
                List<Frame> frames = e.held;
                e.held = null;
                for (Frame f : frames) {
                    travel(e, f);
                }
            }
        }
        pump();
    }

    /** Lets only the first frame held from {@code from} travel; the rest stay held. */
    void releaseFirst(Server from) {
        for (End e : ends.values()) {
            if (e.server == from && e.held != null && !e.held.isEmpty()) {
                Frame first = e.held.remove(0);
                List<Frame> rest = e.held;
                e.held = null;
                travel(e, first);
                e.held = rest;
            }
        }
        pump();
    }

    /** Connections to {@code host} are accepted from now on, and nothing ever comes back on them. */
    void silentHost(String host) {
        silentHosts.add(host);
    }

    /** Nothing runs for this long: every process was stopped, and the clock went on. */
    void freeze(long nanos) {
        pump();
        now += nanos;
    }

    /** The next frame {@code from} sends on its peer links arrives garbled. */
    void garbleNext(Server from) {
        for (End e : ends.values()) {
            if (e.server == from && e.peer != null) {
                e.garbleNext = true;
            }
        }
    }

    /** Frames between the two servers vanish from now on, in both directions; neither side sees a close. */
    void partition(Server a, Server b) {
        for (End e : ends.values()) {
            if (e.peer != null && (e.server == a && e.peer.server == b || e.server == b && e.peer.server == a)) {
                e.dropping = true;
            }
        }
    }

    /** Frames the server {@code from} sends on its peer links pass through {@code rewrite} (a forger). */
    void rewrite(Server from, UnaryOperator<Frame> rewrite) {
        for (End e : ends.values()) {
            if (e.server == from && e.peer != null) {
                e.rewrite = rewrite;
            }
        }
    }

    /**
     * The server's process is stopped (not ended): it runs no more and reads nothing, but its connections stay
     * open, so no reset tells the other side; only silence can.
     */
    void stop(Server s) {
        pump();
        s.dead = true;
    }

    /** The server's process ends: every connection it held is reset, and it runs no more. */
    void kill(Server s) {
        s.dead = true;
        for (End e : new ArrayList<>(ends.values())) {
            if (e.server == s && !e.closed) {
                e.closed = true;
                hangUp(e);
            }
        }
        pump();
    }

    private void travel(End from, Frame f) {
        if (from.closed || from.dropping) {
            return;
        }
        if (from.held != null) {
            from.held.add(f);
            return;
        }
        Frame sent = from.rewrite.apply(f);
        if (from.garbleNext && from.peer != null) {
            from.garbleNext = false;
            End to = from.peer;
            wire.add(() -> to.server.core.badFrame(to.conn, GARBLED, now));
        } else if (from.peer != null) {
            End to = from.peer;
            wire.add(() -> {
                if (!to.closed && !to.server.dead) {
                    to.server.core.frame(to.conn, sent, now);
                }
            });
        } else if (from.client != null) {
            Client c = from.client;
            wire.add(() -> c.received(from.conn, sent));
        }
    }

    /** Tells the other side of a closed end that the connection is gone. */
    private void hangUp(End e) {
        if (e.peer != null) {
            End other = e.peer;
            wire.add(() -> {
                if (!other.closed) {
                    other.closed = true;
                    if (!other.server.dead) {
                        other.server.core.disconnected(other.conn, now);
                    }
                }
            });
        } else if (e.client != null) {
            Client c = e.client;
            wire.add(() -> c.closed.add(e.conn));
        }
    }

    /** A server: the real core, its outbox wired to the fake network, and a record of what it asked for. */
    final class Server implements ServerOutbox {
        final String host;
        final int clientPort = 7000;
        final int peerPort = 7001;
        ServerCore core;
        boolean dead;
        /** What the core told its operator, in order: read it when a test fails. */
        final List<String> notes = new ArrayList<>();
        /** INPUT events applied, as "session:seq:payload", in log order. */
        final List<String> appliedInputs = new ArrayList<>();
        final List<Frame> sentToPeers = new ArrayList<>();
        final List<SourcePhase> sourcePhases = new ArrayList<>();
        final List<TargetPhase> targetPhases = new ArrayList<>();
        /**
         * What this server's driver reports as the channel binding of each peer connection (ServerCore
         * .peerSecured): empty, a link in the clear, unless a test sets it; null, it reports nothing (a driver
         * bug). Two servers with different bindings are not on one channel: a relay sits between them.
         */
        byte[] channelBinding = new byte[0];

        Server(String host) {
            this.host = host;
            byHost.put(host, this);
            servers.add(this);
        }

        /** A handoff whose clients go where the target advertises (its host and client port). */
        HandoffRequest handoffTo(Server target, Frame.Mode mode) {
            return HandoffRequest.toAdvertised(target.host, target.peerPort, mode);
        }

        /** A handoff whose client endpoint the operator gives: the source probes it before any client moves. */
        HandoffRequest handoffTo(Server target, String clientHost, int clientPort) {
            return new HandoffRequest(target.host, target.peerPort, clientHost, clientPort, Frame.Mode.LIVE);
        }

        ServerStatus status() {
            return core.status();
        }

        @Override
        public void send(long conn, Frame frame) {
            End e = ends.get(conn);
            if (e == null || e.server != this) {
                return;
            }
            if (e.peer != null) {
                sentToPeers.add(frame);
            }
            travel(e, frame);
        }

        @Override
        public void close(long conn) {
            End e = ends.get(conn);
            if (e == null || e.server != this || e.closed) {
                return;
            }
            e.closed = true;
            wire.add(() -> core.disconnected(conn, now));
            hangUp(e);
        }

        @Override
        public long connect(String host, int port) {
            long id = nextConn++;
            End mine = new End(this, id);
            ends.put(id, mine);
            if (silentHosts.contains(host)) {
                wire.add(() -> {
                    secure(core, id, channelBinding);
                    core.peerConnected(id, now); // what is sent on it goes nowhere
                });
                return id;
            }
            Server to = byHost.get(host);
            if (to == null || to.dead || port != to.peerPort && port != to.clientPort) {
                wire.add(() -> {
                    mine.closed = true;
                    core.disconnected(id, now);
                });
                return id;
            }
            long theirId = nextConn++;
            End theirs = new End(to, theirId);
            ends.put(theirId, theirs);
            mine.peer = theirs;
            theirs.peer = mine;
            wire.add(() -> {
                if (port == to.peerPort) {
                    to.core.peerAccepted(theirId, now);
                    secure(to.core, theirId, to.channelBinding);
                } else {
                    to.core.clientConnected(theirId, host, now); // the probe of a client endpoint
                }
                if (port == to.peerPort) {
                    secure(core, id, channelBinding);
                }
                core.peerConnected(id, now);
            });
            return id;
        }

        private static void secure(ServerCore core, long conn, byte[] binding) {
            if (binding != null) {
                core.peerSecured(conn, binding);
            }
        }

        @Override
        public void note(String message) {
            notes.add(message);
            observe();
        }

        /** Records the phases as they change (every call is observed, so none passes unseen between two). */
        void observe() {
            ServerStatus st = core == null ? null : core.status();
            if (st != null) {
                if (sourcePhases.isEmpty() || sourcePhases.get(sourcePhases.size() - 1) != st.sourcePhase()) {
                    sourcePhases.add(st.sourcePhase());
                }
                if (targetPhases.isEmpty() || targetPhases.get(targetPhases.size() - 1) != st.targetPhase()) {
                    targetPhases.add(st.targetPhase());
                }
            }
        }

        @Override
        public void applied(long index, Frame.EventKind kind, long sessionId, long seq, byte[] payload) {
            if (kind == Frame.EventKind.INPUT) {
                appliedInputs.add(sessionId + ":" + seq + ":" + text(payload));
            }
        }

        <T extends Frame> List<T> sentToPeers(Class<T> type) {
            return ofType(sentToPeers, type);
        }
    }

    static <T extends Frame> List<T> ofType(List<? extends Frame> frames, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Frame f : frames) {
            if (type.isInstance(f)) {
                found.add(type.cast(f));
            }
        }
        return found;
    }

    /**
     * A client played by the test: it sends what it is told to, records every frame it receives, and, while
     * {@link #live}, answers pings, pings its server and acknowledges each output at once.
     */
    final class Client {
        Server server;
        long conn = -1;
        long sessionId;
        byte[] secret;
        long inputSeq;
        long outputSeq;
        boolean live = true;
        /** Attaches to the target named by a MOVE at once, and carries on there at SWITCH, as a real client does. */
        boolean follows = true;
        long lastPing = now;
        /** The address this client connects from (each its own unless a test gives several one). */
        String address = "10.0.0." + (clients.size() + 1);
        long attachConn = -1;
        /** The client-link versions its RESUME and ATTACH hellos carry. */
        io.baton.wire.VersionRange versions = io.baton.wire.VersionRange.CLIENT_DEFAULT;
        final List<Frame> received = new ArrayList<>();
        /** When each frame of {@link #received} arrived, by position. */
        final List<Long> receivedAt = new ArrayList<>();
        final Map<Long, List<Frame>> receivedOn = new HashMap<>();
        final List<Long> closed = new ArrayList<>();

        Client() {
            clients.add(this);
        }

        private long dial(Server to) {
            long id = nextConn++;
            End e = new End(to, id);
            e.client = this;
            ends.put(id, e);
            to.core.clientConnected(id, address, now);
            return id;
        }

        /** Opens a connection to {@code to} and sends nothing on it (yet). */
        void connect(Server to) {
            server = to;
            conn = dial(to);
        }

        /** Opens a connection to {@code to} and sends {@code hello} as its first frame. */
        void open(Server to, Frame hello) {
            server = to;
            conn = dial(to);
            send(hello);
        }

        void resume(Server to) {
            open(to, new Frame.Hello(versions, Frame.HelloKind.RESUME, sessionId, secret, outputSeq));
        }

        /** Pre-connects to the target named by the last MOVE with its ticket, and tells the source. */
        void attach() {
            Frame.Move move = last(Frame.Move.class);
            Server target = byHost.get(move.host());
            attachConn = dial(target);
            sendOn(attachConn, new Frame.Hello(versions, Frame.HelloKind.ATTACH, sessionId, move.ticket(),
                    outputSeq));
            send(new Frame.Attached(move.handoffId()));
        }

        /** Carries on over the pre-connection, as after SWITCH. */
        void switchOver() {
            server = byHost.get(last(Frame.Move.class).host());
            End old = ends.get(conn);
            if (!old.closed) {
                old.closed = true;
                wire.add(() -> old.server.core.disconnected(old.conn, now));
            }
            conn = attachConn;
            attachConn = -1;
        }

        void input(String payload) {
            send(new Frame.Input(++inputSeq, outputSeq, bytes(payload)));
        }

        void send(Frame f) {
            sendOn(conn, f);
        }

        void sendOn(long on, Frame f) {
            End e = ends.get(on);
            if (e == null) {
                return;
            }
            wire.add(() -> {
                if (!e.closed && !e.server.dead) {
                    e.server.core.frame(on, f, now);
                }
            });
            pump();
        }

        /** Bytes that break the protocol arrive from this client. */
        void sendGarbage() {
            End e = ends.get(conn);
            wire.add(() -> e.server.core.badFrame(e.conn, GARBLED, now));
            pump();
        }

        /** The client hangs up its current connection. */
        void hangUp() {
            End e = ends.get(conn);
            if (!e.closed) {
                e.closed = true;
                wire.add(() -> e.server.core.disconnected(e.conn, now));
            }
            pump();
        }

        void received(long on, Frame f) {
            received.add(f);
            receivedAt.add(now);
            receivedOn.computeIfAbsent(on, k -> new ArrayList<>()).add(f);
            if (f instanceof Frame.Welcome w && on == conn) {
                sessionId = w.sessionId();
                if (!java.util.Arrays.equals(w.secret(), new byte[Frame.TOKEN_LENGTH])) {
                    secret = w.secret();
                }
            } else if (f instanceof Frame.Output o && on == conn) {
                outputSeq = Math.max(outputSeq, o.seq());
                if (live) {
                    sendOn(on, new Frame.Ack(o.seq()));
                }
            } else if (f instanceof Frame.Ping p && live) { // a client that is not live is frozen: it answers nothing
                sendOn(on, new Frame.Pong(p.value()));
            } else if (f instanceof Frame.Move && on == conn && follows && attachConn < 0) {
                attach();
            } else if (f instanceof Frame.Switch && on == conn && follows && attachConn >= 0) {
                switchOver();
            } else if (f instanceof Frame.MoveAborted && on == conn) {
                attachConn = -1;
            }
        }

        <T extends Frame> List<T> got(Class<T> type) {
            return ofType(received, type);
        }

        <T extends Frame> List<T> gotOn(long on, Class<T> type) {
            return ofType(receivedOn.getOrDefault(on, List.of()), type);
        }

        <T extends Frame> T last(Class<T> type) {
            List<T> all = got(type);
            if (all.isEmpty()) {
                throw new AssertionError("the client received no " + type.getSimpleName() + "; it got " + received);
            }
            return all.get(all.size() - 1);
        }

        /** The payloads of the outputs received, in arrival order, as text. */
        List<String> outputs() {
            List<String> texts = new ArrayList<>();
            for (Frame.Output o : got(Frame.Output.class)) {
                texts.add(text(o.payload()));
            }
            return texts;
        }

        /** When {@code f} (the first frame equal to it) arrived. */
        long arrivedAt(Frame f) {
            return receivedAt.get(received.indexOf(f));
        }

        boolean isClosed(long on) {
            return closed.contains(on);
        }
    }
}
