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
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.security.SecureRandom;
import java.util.EnumMap;
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
 *
 * <p>This class is the registry and the runner: it picks the act of a {@link Fault.Action} (one
 * {@link StrangerAct} class each: {@link HugeInputs}, {@link SlowReader}, {@link IdleConnections},
 * {@link SlowLoris}, {@link HelloFlood}, {@link Squatter}, {@link VanishedClient}, {@link AbandonedSessions}),
 * owns the loop, the connections ({@link #connect}, each ending in a counting {@link StrangerFrames}) and the
 * counts, and reports; the act decides what its connections do and what the servers must have done to them.
 */
final class Strangers implements AutoCloseable {

    /** How long any act lasts at most, and how long the demo waits for a server to close its connections. */
    static final long LIFETIME_MS = 20_000;
    static final int IDLE_CONNECTIONS = 3000;
    /**
     * Twice the default burst of new sessions (1,000, then 500 a second): a flood the HELLO NEW rate limit must
     * refuse part of, opened before the command so that it meets an authority (not a retired source).
     */
    static final int HELLO_FLOOD = 2000;
    /** How long a squatter may take to be answered by the target before the command is given anyway. */
    static final long SQUAT_IN_PLACE_MS = 5_000;
    /** Any frame a server sends a stranger larger than this is not read but ends the connection. */
    private static final int MAX_INBOUND = FrameCodec.DEFAULT_MAX_FRAME + 4096;

    private final Fault.Action act;
    /** What the strangers of {@link #act} do and hold the servers to. */
    private final StrangerAct play;
    final EventLoopGroup group = Transport.group(1, "baton-strangers", Thread.NORM_PRIORITY);
    final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final long startedAt = System.nanoTime();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger connectFailures = new AtomicInteger();
    /** Why the first connection that could not be opened failed (a file limit, say), or null. */
    private volatile String firstConnectFailure;
    final AtomicInteger welcomed = new AtomicInteger();
    /** Connections that had their first answer (WELCOME or ERROR), or were closed before one. */
    final AtomicInteger answered = new AtomicInteger();
    /** When the flood sent its first HELLO NEW and heard its last answer (System.nanoTime), 0 before. */
    final AtomicLong floodFirstSentAt = new AtomicLong();
    final AtomicLong floodLastAnsweredAt = new AtomicLong();
    final AtomicInteger challenged = new AtomicInteger();
    final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    final AtomicInteger closedByServer = new AtomicInteger();
    final AtomicLong lastClosedAt = new AtomicLong();
    /** When a stranger last closed a connection of its own (System.nanoTime), 0 if none did. */
    final AtomicLong lastLeftAt = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicInteger framesSent = new AtomicInteger();
    final SecureRandom random = new SecureRandom();
    FaultProxy proxy;
    volatile boolean stopping;
    /** When the operator's command was given (System.nanoTime), once {@link #awaitInPlace} returned. */
    volatile long commandAt;

    /**
     * TLS when the cluster runs it: a stranger completes the handshake any client may (trusting the CA, presenting
     * no certificate), so its act reaches the protocol behind TLS; on the peer port it is refused at the handshake.
     */
    io.netty.handler.ssl.SslContext tls;

    private Strangers(Fault.Action act) {
        this.act = act;
        this.play = ACTS.get(act);
        if (play == null) {
            throw new IllegalArgumentException(act + " has no strangers");
        }
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

    /** The acts, one class each: how the strangers of each action behave and what they hold the servers to. */
    private static final Map<Fault.Action, StrangerAct> ACTS = new EnumMap<>(Map.of(
            Fault.Action.HUGE_INPUT, new HugeInputs(),
            Fault.Action.SLOW_READER, new SlowReader(),
            Fault.Action.IDLE_CONNECTIONS, new IdleConnections(),
            Fault.Action.SLOW_LORIS, new SlowLoris(),
            Fault.Action.HELLO_FLOOD, new HelloFlood(),
            Fault.Action.SQUAT_STANDBY, new Squatter(),
            Fault.Action.VANISH_CLIENT, new VanishedClient(),
            Fault.Action.ABANDON_SESSIONS_KILL_TARGET, new AbandonedSessions()));

    private Strangers begin(int sourceClientPort, int targetPeerPort) throws InterruptedException {
        play.begin(this, sourceClientPort, targetPeerPort);
        return this;
    }

    /**
     * Opens one stranger's connection to {@code port} on the strangers' loop (TLS first when the cluster runs it),
     * {@code frames} at its end; {@code read}: whether it reads at all; {@code smallWindow}: a small receive
     * buffer, so what it does not read fills the server's side sooner. Counted whether it opens or not.
     */
    void connect(int port, boolean read, boolean smallWindow, StrangerFrames frames) {
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

    /** Sends {@code frame} and counts it. */
    void send(Channel ch, Frame frame) {
        ch.writeAndFlush(frame, ch.voidPromise());
        bytesSent.addAndGet(FrameCodec.encodedSize(frame));
        framesSent.incrementAndGet();
    }

    /** A HELLO NEW, as a new client sends. */
    static Frame.Hello hello() {
        return new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0);
    }

    static byte[] encode(Frame frame) {
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

    /** Whether the act opened {@code intended} connections and the server closed every one of them. */
    boolean everyConnectionClosedByServer(int intended) {
        return connections.get() == intended && closedByServer.get() == intended;
    }

    /** Whether the strangers are still within their {@link #LIFETIME_MS}. */
    boolean alive() {
        return System.nanoTime() - startedAt < TimeUnit.MILLISECONDS.toNanos(LIFETIME_MS);
    }

    // ---------------------------------------------------------------- the outcome

    /**
     * Whether the servers did to these strangers what docs/faults.md promises, as far as the strangers can
     * tell (the handoff's own outcome is the demo's): each act's {@link StrangerAct#kept}.
     */
    boolean kept() {
        return play.kept(this);
    }

    /**
     * Returns once the strangers are in place for the operator's command: the squatter answered by the target
     * (at most 5 s), the vanished client noticed by its server (at most 10 s after it vanished); at once for
     * the others, whose act runs during the handoff.
     */
    void awaitInPlace() throws InterruptedException {
        play.awaitInPlace(this);
        commandAt = System.nanoTime();
    }

    /**
     * Waits, at most until {@link #LIFETIME_MS} after the start, for the act to be over: for the acts whose
     * promise is the server's doing, until it holds; for the flood, until each HELLO was answered or its
     * connection closed; the others are over when the demo is.
     */
    void awaitDone() throws InterruptedException {
        play.awaitDone(this, LIFETIME_MS - (System.nanoTime() - startedAt) / 1_000_000);
    }

    /** Polls counters the event loop updates, every 50 ms, for at most {@code millis}. */
    static void waitFor(java.util.function.BooleanSupplier done, long millis) throws InterruptedException {
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
        // The vanished client's connection is closed on the far side of its proxy, where the proxy sees it.
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
