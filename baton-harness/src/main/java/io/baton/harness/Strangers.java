package io.baton.harness;

import io.baton.transport.Transport;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The strangers of the hostile faults: connections a server must bound in time and memory, from a client
 * that never reads to 3,000 that send nothing, played against real server processes from the demo's own
 * process. They run on one event loop of their own, open at most {@link #IDLE_CONNECTIONS} connections,
 * stop by themselves {@link #LIFETIME_MS} after they started (or when the demo closes them), and
 * {@link #report} tells what the servers did to them and whether that is what docs/faults.md promises.
 */
final class Strangers implements AutoCloseable {

    private static final io.baton.service.ServiceFactory ARENA = new io.baton.arena.ArenaFactory();

    /** How long any act lasts at most, and how long the demo waits for a server to close its connections. */
    static final long LIFETIME_MS = 20_000;
    static final int IDLE_CONNECTIONS = 3000;
    static final int SLOW_LORIS_CONNECTIONS = 50;
    /**
     * Twice the default burst of new sessions (1,000, then 500 a second): a flood the HELLO NEW rate limit must
     * refuse part of, opened before the command so that it meets an authority (not a retired source).
     */
    static final int HELLO_FLOOD = 2000;
    static final long HELLO_FLOOD_MS = 400;
    static final long SQUAT_EVERY_MS = 2000;
    static final long HUGE_INPUT_EVERY_MS = 200;
    static final int HUGE_INPUTS_AT_MOST = 50;
    /**
     * The largest INPUT payload the client link allows: a frame's length (type, seq, outputAck, payload) at
     * the client link's maximum frame.
     */
    static final int HUGE_INPUT_PAYLOAD = FrameCodec.DEFAULT_MAX_FRAME - 1 - 16;
    /**
     * How long a vanished client's server has to notice, before the operator's command is given anyway: the
     * client's own bound on a silent connection (1.5 s) with a wide margin.
     */
    static final long VANISH_NOTICE_MS = 10_000;
    /** Sessions opened and left before the handoff: as many as the demo's 100 players. */
    static final int ABANDONED_SESSIONS = 100;
    /**
     * How long the abandoned sessions have been quiet when the command is given: longer than a server counts
     * a client present (1 s), so they are absent when COMMIT goes out, as sessions left before a handoff are.
     */
    static final long ABANDONED_QUIET_MS = 1_500;
    /** How long a squatter may take to be answered by the target before the command is given anyway. */
    static final long SQUAT_IN_PLACE_MS = 5_000;
    /**
     * The slow reader's PINGs stop here even if the server never stops reading them. A server that stops
     * reading it at its high water mark takes what the kernel buffers on both sides hold (6-8 MB measured
     * here; tcp_rmem allows up to 32 MiB), so reaching this many means the server kept reading and
     * answering (251 MB in 9 s without the bound, and +1,240 MiB of RSS).
     */
    static final long SLOW_READER_BYTES_AT_MOST = 64L << 20;
    /** Any frame a server sends a stranger larger than this is not read but ends the connection. */
    private static final int MAX_INBOUND = FrameCodec.DEFAULT_MAX_FRAME + 4096;

    private final Fault.Action act;
    private final EventLoopGroup group = Transport.group(1, "baton-strangers", Thread.NORM_PRIORITY);
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final long startedAt = System.nanoTime();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger connectFailures = new AtomicInteger();
    /** Why the first connection that could not be opened failed (a file limit, say), or null. */
    private volatile String firstConnectFailure;
    private final AtomicInteger welcomed = new AtomicInteger();
    /** Connections that had their first answer (WELCOME or ERROR), or were closed before one. */
    private final AtomicInteger answered = new AtomicInteger();
    /** When the flood sent its first HELLO NEW and heard its last answer (System.nanoTime), 0 before. */
    private final AtomicLong floodFirstSentAt = new AtomicLong();
    private final AtomicLong floodLastAnsweredAt = new AtomicLong();
    private final AtomicInteger challenged = new AtomicInteger();
    private final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final AtomicLong lastClosedAt = new AtomicLong();
    /** When a stranger last closed a connection of its own (System.nanoTime), 0 if none did. */
    private final AtomicLong lastLeftAt = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicInteger framesSent = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    private FaultProxy proxy;
    private volatile boolean stopping;
    /** When the operator's command was given (System.nanoTime), once {@link #awaitInPlace} returned. */
    private volatile long commandAt;

    /**
     * TLS when the cluster runs it: a stranger completes the handshake any client may (trusting the CA, presenting
     * no certificate), so its act reaches the protocol behind TLS; on the peer port it is refused at the handshake.
     */
    private io.netty.handler.ssl.SslContext tls;

    private Strangers(Fault.Action act) {
        this.act = act;
    }

    /** As {@link #start(Fault.Action, int, int)}, over TLS with {@code tls} (null: in the clear). */
    static Strangers start(Fault.Action act, int sourceClientPort, int targetPeerPort,
                           io.netty.handler.ssl.SslContext tls) throws InterruptedException {
        Strangers s = new Strangers(act);
        s.tls = tls;
        return s.begin(sourceClientPort, targetPeerPort);
    }

    /**
     * Starts the strangers of {@code act} against a source's client port, or a target's peer port
     * ({@link Fault.Action#SQUAT_STANDBY}).
     */
    static Strangers start(Fault.Action act, int sourceClientPort, int targetPeerPort) throws InterruptedException {
        return new Strangers(act).begin(sourceClientPort, targetPeerPort);
    }

    private Strangers begin(int sourceClientPort, int targetPeerPort) throws InterruptedException {
        Strangers s = this;
        switch (act) {
            case HUGE_INPUT -> s.hugeInput(sourceClientPort);
            case SLOW_READER -> s.slowReader(sourceClientPort);
            case IDLE_CONNECTIONS -> s.idle(sourceClientPort);
            case SLOW_LORIS -> s.slowLoris(sourceClientPort);
            case HELLO_FLOOD -> s.helloFlood(sourceClientPort);
            case SQUAT_STANDBY -> s.squat(targetPeerPort);
            case VANISH_CLIENT -> s.vanish(sourceClientPort);
            case ABANDON_SESSIONS_KILL_TARGET -> s.abandon(sourceClientPort);
            default -> throw new IllegalArgumentException(act + " has no strangers");
        }
        return s;
    }

    // ---------------------------------------------------------------- the acts

    /** One session that sends the largest INPUT allowed every 200 ms, and reads (and drops) what comes. */
    private void hugeInput(int port) {
        connect(port, true, false, new Frames() {
            long seq;

            @Override
            void active(Channel ch) {
                send(ch, hello());
                byte[] payload = new byte[HUGE_INPUT_PAYLOAD];
                random.nextBytes(payload); // whatever a client may send: the arena ignores what it cannot parse
                ch.eventLoop().scheduleAtFixedRate(() -> {
                    if (ch.isActive() && !stopping && seq < HUGE_INPUTS_AT_MOST && ch.isWritable()) {
                        send(ch, new Frame.Input(++seq, 0, payload));
                    }
                }, HUGE_INPUT_EVERY_MS, HUGE_INPUT_EVERY_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** One session that sends PINGs as fast as its socket takes them and never reads a byte. */
    private void slowReader(int port) {
        byte[] ping = encode(new Frame.Ping(7));
        ByteBuf burst = Unpooled.buffer(ping.length * 4096);
        for (int i = 0; i < 4096; i++) {
            burst.writeBytes(ping);
        }
        connect(port, false, true, new Frames() {
            @Override
            void active(Channel ch) {
                send(ch, hello());
                pour(ch);
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                pour(ctx.channel());
            }

            /** As many PINGs as the socket takes now; more when it is writable again. */
            private void pour(Channel ch) {
                while (ch.isActive() && ch.isWritable() && !stopping && bytesSent.get() < SLOW_READER_BYTES_AT_MOST) {
                    ch.writeAndFlush(burst.retainedDuplicate(), ch.voidPromise());
                    bytesSent.addAndGet(burst.readableBytes());
                    framesSent.addAndGet(4096);
                }
            }
        });
        // It never reads, so it cannot see the server's FIN: a PING now and then finds out whether the
        // connection was reset (the server closed it with our bytes unread).
        group.next().scheduleAtFixedRate(() -> open.forEach(ch -> {
            if (ch.isActive()) {
                ch.writeAndFlush(Unpooled.wrappedBuffer(ping));
            }
        }), 250, 250, TimeUnit.MILLISECONDS);
    }

    /** 3,000 connections that send nothing at all. */
    private void idle(int port) {
        for (int i = 0; i < IDLE_CONNECTIONS; i++) {
            connect(port, true, false, new Frames());
        }
    }

    /** 50 connections that each send a HELLO NEW one byte a second. */
    private void slowLoris(int port) {
        byte[] hello = encode(hello());
        for (int i = 0; i < SLOW_LORIS_CONNECTIONS; i++) {
            connect(port, true, false, new Frames() {
                int next;

                @Override
                void active(Channel ch) {
                    ch.eventLoop().scheduleAtFixedRate(() -> {
                        if (ch.isActive() && !stopping && next < hello.length) {
                            ch.writeAndFlush(Unpooled.wrappedBuffer(hello, next++, 1), ch.voidPromise());
                            bytesSent.incrementAndGet();
                        }
                    }, 0, 1, TimeUnit.SECONDS);
                }
            });
        }
    }

    /** 1,000 connections, each sending HELLO NEW, opened evenly over 0.4 s; each reads what comes. */
    private void helloFlood(int port) {
        if (tls != null) {
            floodAfterHandshakes(port);
            return;
        }
        int batches = 40;
        for (int b = 0; b < batches; b++) {
            group.next().schedule(() -> {
                for (int i = 0; i < HELLO_FLOOD / batches; i++) {
                    connect(port, true, false, new Frames() {
                        @Override
                        void active(Channel ch) {
                            floodFirstSentAt.compareAndSet(0, System.nanoTime());
                            send(ch, hello());
                        }
                    });
                }
            }, b * HELLO_FLOOD_MS / batches, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The flood over TLS: 2,000 handshakes take the server (and this process) seconds on a small machine, and
     * HELLOs sent as each completes would trickle in at the handshakes' pace, under the rate limit. So every
     * connection completes its handshake first, and then all of them send {@code HELLO NEW} at once: the same
     * flood the limit meets in the clear, behind TLS.
     */
    private void floodAfterHandshakes(int port) {
        java.util.List<Channel> ready = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger handshakes = new AtomicInteger();
        for (int i = 0; i < HELLO_FLOOD; i++) {
            connect(port, true, false, new Frames() {
                @Override
                void active(Channel ch) {
                    ch.pipeline().get(io.netty.handler.ssl.SslHandler.class).handshakeFuture().addListener(f -> {
                        if (f.isSuccess()) {
                            ready.add(ch);
                        }
                        if (handshakes.incrementAndGet() == HELLO_FLOOD) {
                            floodFirstSentAt.compareAndSet(0, System.nanoTime());
                            for (Channel c : ready) {
                                c.eventLoop().execute(() -> send(c, hello()));
                            }
                        }
                    });
                }
            });
        }
    }

    /**
     * One unauthenticated connection to the target's peer port that sends PEER_HELLO every 2 s, and opens a
     * new one when the target closes it, until the demo is done with it.
     */
    private void squat(int port) {
        connect(port, true, false, new Frames() {
            @Override
            void active(Channel ch) {
                ch.eventLoop().scheduleAtFixedRate(() -> {
                    if (ch.isActive() && !stopping) {
                        byte[] nonce = new byte[Frame.TOKEN_LENGTH];
                        random.nextBytes(nonce);
                        // Naming the demo's service and version, as the real source does: it gets a challenge.
                        send(ch, new Frame.PeerHello(Frame.PEER_VERSION, random.nextLong() & Long.MAX_VALUE,
                                Frame.Mode.LIVE, nonce, ARENA.name(), ARENA.schemaVersion()));
                    }
                }, 0, SQUAT_EVERY_MS, TimeUnit.MILLISECONDS);
            }

            @Override
            void closedByServer(Channel ch) {
                ch.eventLoop().schedule(() -> {
                    if (!stopping && alive()) {
                        squat(port);
                    }
                }, SQUAT_EVERY_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * A session whose connection runs through a proxy that, once the session is welcomed, drops every byte
     * both ways and never closes either side: a client that vanished without FIN or RST. What counts is
     * whether the server closes its side (the proxy sees it).
     */
    private void vanish(int port) throws InterruptedException {
        proxy = FaultProxy.to("127.0.0.1", port);
        connect(proxy.port(), true, false, new Frames() {
            @Override
            void active(Channel ch) {
                send(ch, hello());
            }

            @Override
            void welcomed(Channel ch) {
                proxy.blackhole();
            }
        });
    }

    /**
     * {@link #ABANDONED_SESSIONS} sessions, each closed by the stranger (no CLOSE frame, so the session waits out
     * its resume window) as soon as it is welcomed.
     */
    private void abandon(int port) {
        for (int i = 0; i < ABANDONED_SESSIONS; i++) {
            connect(port, true, false, new Frames() {
                @Override
                void active(Channel ch) {
                    send(ch, hello());
                }

                @Override
                void welcomed(Channel ch) {
                    leaves(ch);
                }
            });
        }
    }

    // ---------------------------------------------------------------- plumbing

    /** A stranger's handler: counts what the server answers and how the connection ends. */
    private class Frames extends ChannelInboundHandlerAdapter {
        private boolean answered;
        /** The stranger closed this connection itself: not the server's doing. */
        private boolean left;

        /** Closes the connection from the stranger's side. */
        void leaves(Channel ch) {
            left = true;
            lastLeftAt.set(System.nanoTime());
            ch.close();
        }

        private void answered() {
            if (!answered) {
                answered = true;
                Strangers.this.answered.incrementAndGet();
                floodLastAnsweredAt.set(System.nanoTime());
            }
        }

        void active(Channel ch) {
        }

        void welcomed(Channel ch) {
        }

        void closedByServer(Channel ch) {
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Frame.Welcome && !answered) {
                    answered();
                    welcomed.incrementAndGet();
                    welcomed(ctx.channel());
                } else if (msg instanceof Frame.PeerChallenge) {
                    challenged.incrementAndGet();
                } else if (msg instanceof Frame.Error e) {
                    answered();
                    errors.computeIfAbsent(e.code().name(), k -> new AtomicInteger()).incrementAndGet();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.remove(ctx.channel());
            answered();
            if (!stopping && !left) {
                closedByServer.incrementAndGet();
                lastClosedAt.set(System.nanoTime());
                closedByServer(ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset: counted as the server's close in channelInactive
        }
    }

    private void connect(int port, boolean read, boolean smallWindow, Frames frames) {
        if (stopping) {
            return;
        }
        Bootstrap b = new Bootstrap().group(group).channel(Transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, read)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                        }
                        ch.pipeline().addLast(new FrameDecoder(MAX_INBOUND), FrameEncoder.INSTANCE, frames);
                    }
                });
        if (smallWindow) {
            b.option(ChannelOption.SO_RCVBUF, 4096); // what it does not read fills the server's side sooner
        }
        b.connect("127.0.0.1", port).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                connections.incrementAndGet();
                open.add(f.channel());
                if (stopping) {
                    f.channel().close();
                }
            } else if (connectFailures.incrementAndGet() == 1) {
                firstConnectFailure = "127.0.0.1:" + port + ": " + f.cause() + (String.valueOf(f.cause().getMessage())
                        .contains("open files") ? " (raise this process's file limit: ulimit -n)" : "");
            }
        });
    }

    private void send(Channel ch, Frame frame) {
        ch.writeAndFlush(frame, ch.voidPromise());
        bytesSent.addAndGet(FrameCodec.encodedSize(frame));
        framesSent.incrementAndGet();
    }

    private static Frame.Hello hello() {
        return new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0);
    }

    private static byte[] encode(Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameCodec.encode(frame, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private boolean alive() {
        return System.nanoTime() - startedAt < TimeUnit.MILLISECONDS.toNanos(LIFETIME_MS);
    }

    // ---------------------------------------------------------------- the outcome

    /**
     * Whether the servers did to these strangers what docs/faults.md promises, as far as the strangers can
     * tell (the handoff's own outcome is the demo's): every connection closed by the server for the acts the
     * server must cut, and the slow reader's before it could send {@link #SLOW_READER_BYTES_AT_MOST}; the vanished client's connection closed by its server before the operator's command
     * (not by the handoff's drain); every HELLO of the flood answered and no more welcomed than the rate limit allows over the time they took; every huge INPUT taken without an ERROR;
     * the squatter in place (answered by the target) before the command; every abandoned session welcomed and
     * none closed by the server before the demo ends.
     */
    boolean kept() {
        return switch (act) {
            case SLOW_READER -> connections.get() == 1 && closedByServer.get() == 1
                    && bytesSent.get() < SLOW_READER_BYTES_AT_MOST;
            case IDLE_CONNECTIONS, SLOW_LORIS -> connections.get() == intended() && closedByServer.get() == intended();
            case VANISH_CLIENT -> welcomed.get() == 1 && proxy.upstreamClosedByServer() == 1
                    && (commandAt == 0 || proxy.lastUpstreamClosedAt() < commandAt);
            case HELLO_FLOOD -> answered.get() + connectFailures.get() >= HELLO_FLOOD && floodWithinRate();
            case HUGE_INPUT -> welcomed.get() == 1 && errors.isEmpty() && framesSent.get() > 1;
            // Over TLS the squatter has no certificate from the CA: the peer port refuses it at the handshake,
            // every time, and it never reaches PEER_HELLO's challenge.
            case SQUAT_STANDBY -> tls != null
                    ? connections.get() > 0 && closedByServer.get() == connections.get() && challenged.get() == 0
                    : challenged.get() + errors.size() > 0;
            case ABANDON_SESSIONS_KILL_TARGET -> welcomed.get() == ABANDONED_SESSIONS && errors.isEmpty()
                    && closedByServer.get() == 0;
            default -> false;
        };
    }

    /**
     * Whether the server welcomed no more of the flood than the HELLO NEW limit allows over the longest time it
     * could have taken them in: a full bucket (the default burst) plus the default rate for the time from the
     * first HELLO sent to the last answer heard. A fast flood must meet HELLO_RATE refusals by this; a flood that
     * a starved machine delivers slowly may rightly be welcomed whole, and is not a failure of the server's.
     */
    private boolean floodWithinRate() {
        io.baton.core.ServerConfig.Limits limits = io.baton.core.ServerConfig.Limits.defaults();
        long first = floodFirstSentAt.get();
        double seconds = first == 0 ? 0 : Math.max(0, floodLastAnsweredAt.get() - first) / 1e9;
        return welcomed.get() <= limits.helloNewBurst() + Math.ceil(limits.helloNewPerSecond() * seconds);
    }

    /** The connections the act opens at first (the squatter opens more, one after the other). */
    private int intended() {
        return switch (act) {
            case IDLE_CONNECTIONS -> IDLE_CONNECTIONS;
            case SLOW_LORIS -> SLOW_LORIS_CONNECTIONS;
            case HELLO_FLOOD -> HELLO_FLOOD;
            case ABANDON_SESSIONS_KILL_TARGET -> ABANDONED_SESSIONS;
            default -> 1;
        };
    }

    /**
     * Returns once the strangers are in place for the operator's command: the squatter answered by the target
     * (at most 5 s), the vanished client noticed by its server (at most 10 s after it vanished); at once for
     * the others, whose act runs during the handoff.
     */
    void awaitInPlace() throws InterruptedException {
        if (act == Fault.Action.SQUAT_STANDBY) {
            waitFor(() -> tls != null ? closedByServer.get() > 0 : challenged.get() + errors.size() > 0,
                    SQUAT_IN_PLACE_MS);
        } else if (act == Fault.Action.VANISH_CLIENT) {
            waitFor(() -> welcomed.get() == 1, SQUAT_IN_PLACE_MS);
            waitFor(() -> proxy.upstreamClosedByServer() > 0, VANISH_NOTICE_MS);
        } else if (act == Fault.Action.HELLO_FLOOD) {
            waitFor(() -> answered.get() + connectFailures.get() >= HELLO_FLOOD, SQUAT_IN_PLACE_MS);
        } else if (act == Fault.Action.ABANDON_SESSIONS_KILL_TARGET) {
            waitFor(() -> welcomed.get() + errors.size() + connectFailures.get() >= ABANDONED_SESSIONS,
                    SQUAT_IN_PLACE_MS);
            long quietFor = ABANDONED_QUIET_MS - (System.nanoTime() - lastLeftAt.get()) / 1_000_000;
            if (quietFor > 0) {
                Thread.sleep(quietFor); // a fixed span of the scenario, not a wait for something to happen
            }
        }
        commandAt = System.nanoTime();
    }

    /**
     * Waits, at most until {@link #LIFETIME_MS} after the start, for the act to be over: for the acts whose
     * promise is the server's doing, until it holds; for the flood, until each HELLO was answered or its
     * connection closed; the others are over when the demo is.
     */
    void awaitDone() throws InterruptedException {
        long left = LIFETIME_MS - (System.nanoTime() - startedAt) / 1_000_000;
        switch (act) {
            case SLOW_READER, IDLE_CONNECTIONS, SLOW_LORIS -> waitFor(this::kept, left);
            case HELLO_FLOOD -> waitFor(() -> answered.get() + connectFailures.get() >= intended(), left);
            default -> { }
        }
    }

    /** Polls counters the event loop updates, every 50 ms, for at most {@code millis}. */
    private static void waitFor(java.util.function.BooleanSupplier done, long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
    }

    /** What happened to the strangers, for the demo's report: counts, then whether the promise held. */
    Map<String, Object> report() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("act", act.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        r.put("connections", connections.get());
        r.put("connect_failures", connectFailures.get());
        if (firstConnectFailure != null) {
            r.put("first_connect_failure", firstConnectFailure);
        }
        r.put("welcomed", welcomed.get());
        r.put("answered", answered.get());
        r.put("challenged", challenged.get());
        Map<String, Integer> e = new TreeMap<>();
        errors.forEach((k, v) -> e.put(k, v.get()));
        r.put("errors", e);
        r.put("frames_sent", framesSent.get());
        r.put("bytes_sent", bytesSent.get());
        r.put("closed_by_server", act == Fault.Action.VANISH_CLIENT ? proxy.upstreamClosedByServer()
                : closedByServer.get());
        long last = act == Fault.Action.VANISH_CLIENT ? proxy.lastUpstreamClosedAt() : lastClosedAt.get();
        r.put("last_closed_by_server_ms", last == 0 ? null : Demo.round((last - startedAt) / 1e6));
        r.put("kept", kept());
        return r;
    }

    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        for (Channel ch : open) {
            ch.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (proxy != null) {
            proxy.close();
        }
    }
}
