package io.baton.server;

import io.baton.core.ServerCore;
import io.baton.core.ServerOutbox;
import io.baton.transport.FrameBatcher;
import io.baton.transport.Transport;
import io.baton.wire.Frame;
import io.baton.wire.FrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link ServerCore} from Netty. The core lives on one event loop, with the peer link, so it is only
 * ever touched from that thread and needs no locks. Client channels are spread over the {@code serve
 * --io-threads} loops, the core's among them (0 or 1: the core's alone). A channel of another loop is read
 * and framed there, and what that loop read in one pass over its ready connections reaches the core as one
 * task, each channel's frames behind its open and ahead of its close, so the core sees each channel's events
 * in order. Writes are batched: the frames the core asks for are encoded back to back per channel
 * ({@link FrameBatcher}) on the core's thread, and written and flushed once per burst of inbound frames or
 * timer by each channel's own loop: at once on the core's, in one task for each other loop.
 */
final class CoreDriver implements ServerOutbox {

    private static final Logger LOG = LoggerFactory.getLogger("baton.server");
    private static final java.util.concurrent.ExecutorService CONNECTOR =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "baton-connector");
                t.setDaemon(true);
                return t;
            });

    private final EventLoop loop;
    /** The peer link's own loop: snapshot bytes and event shipping are encoded and written off the core's loop. */
    private final EventLoop peerLoop;
    private final int peerMaxFrame;
    /** What an accepted connection may cost while it does not read: bounds {@link #close} too. */
    private final BatonServer.SocketLimits limits;
    private ServerCore core;
    private final Map<Long, Channel> channels = new HashMap<>();
    /** Carries the handoff's log tag to the I/O loops with the writes (their slow-reader cuts are logged there). */
    private final FrameBatcher batcher = new FrameBatcher(this::tagged);
    /** The handoff under way as of the last batch, for the I/O loops' log lines; core's loop only. */
    private long handoffTag;
    /**
     * Peer-link channels (one, rarely two), flushed before any client's: during output commit every
     * client's output waits for the target to acknowledge the events, so those events must not queue
     * behind a burst of writes to hundreds of clients (each of which may wake a reader on this CPU).
     */
    private final List<Channel> peerChannels = new ArrayList<>(2);
    private long nextConn = 1;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    private final EventJournal journal;
    private final ServerObserver observer;
    /** The index of a CUTOVER sent in this burst, for the observer once the burst is flushed; 0 if none. */
    private long cutoverUnflushed;
    private PollObserver polls = PollObserver.NONE;
    /** This server's TLS: what the peer link it dials presents and verifies ({@link Secured#OFF} in the clear). */
    private final Secured tls;

    CoreDriver(EventLoop loop, EventLoop peerLoop, int peerMaxFrame, BatonServer.SocketLimits limits,
               BatonServer.Diagnostics diagnostics, ServerObserver observer) {
        this(loop, peerLoop, peerMaxFrame, limits, diagnostics, observer, Secured.OFF);
    }

    CoreDriver(EventLoop loop, EventLoop peerLoop, int peerMaxFrame, BatonServer.SocketLimits limits,
               BatonServer.Diagnostics diagnostics, ServerObserver observer, Secured tls) {
        this.tls = tls;
        this.loop = loop;
        this.peerLoop = peerLoop;
        this.peerMaxFrame = peerMaxFrame;
        this.limits = limits;
        try {
            this.journal = diagnostics.journal() == null ? null : EventJournal.create(diagnostics.journal());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the event journal " + diagnostics.journal(), e);
        }
        this.observer = observer;
    }

    void core(ServerCore core) {
        this.core = core;
    }

    void observePolls(PollObserver observer) {
        polls = observer;
    }

    ServerCore core() {
        return core;
    }

    static long now() {
        return System.nanoTime();
    }

    EventLoop loop() {
        return loop;
    }

    EventLoop peerLoop() {
        return peerLoop;
    }

    /** Runs one call into the core on its loop, from any thread, and answers with its result. */
    <T> java.util.concurrent.CompletableFuture<T> call(java.util.function.Function<ServerCore, T> call) {
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(call.apply(core));
                afterBatch();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            } catch (Error e) {
                result.completeExceptionally(e); // the caller hears of it, and so does the loop
                throw e;
            }
        });
        return result;
    }

    /** Runs on the core's loop: at once if already there, else queued (keeping the order of calls). */
    private void onCore(Runnable r) {
        if (loop.inEventLoop()) {
            timed(r);
        } else {
            loop.execute(() -> timed(r));
        }
    }

    private void timed(Runnable r) {
        if (!CoreWatchdog.ON) {
            r.run();
            return;
        }
        watchdog.started(now());
        r.run();
        watchdog.ended();
    }

    /** The handler at the end of an accepted connection's pipeline: registered with the core when active. */
    ChannelInboundHandlerAdapter handler(boolean peerPort) {
        return new Inbound() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                Channel ch = ctx.channel();
                Runnable opened = () -> {
                    conn = register(ch);
                    if (peerPort) {
                        peerChannels.add(ch);
                        core.peerAccepted(conn, now());
                        if (!tls.on()) {
                            peerSecured(conn, Pipelines.NO_BINDING); // in the clear: TLS reports its binding once its handshake is done
                        }
                    } else {
                        core.clientConnected(conn, addressKey(ch), now());
                    }
                };
                if (loop.inEventLoop()) {
                    onCore(() -> {
                        opened.run();
                        afterBatch();
                    });
                } else {
                    handover(ctx).add(opened);
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                // A peer's handshake is done before any of its frames can be decoded: the binding reaches the
                // core ahead of PEER_HELLO. (Peer channels live on the core's loop.)
                byte[] binding = peerPort ? Pipelines.handshakeBinding(ctx, evt) : null;
                if (binding != null) {
                    onCore(() -> peerSecured(conn, binding));
                }
                ctx.fireUserEventTriggered(evt);
            }
        };
    }

    /**
     * A peer connection's TLS handshake completed ({@code binding}: {@link Pipelines#handshakeBinding} or
     * {@link Pipelines#peerBinding}), or, in the clear, the connection opened ({@code binding} empty): what the
     * peer link's proofs are to be bound to, told to the core before any PEER_HELLO on {@code conn} is handled
     * ({@link ServerCore#peerSecured}, which MACs the binding into the proofs and fails closed without it).
     */
    void peerSecured(long conn, byte[] binding) {
        core.peerSecured(conn, binding);
    }

    /**
     * Frames in, core calls out, for one connection; {@link #conn} is only read and written on the core's loop.
     * On the core's loop each frame goes straight to the core. On an I/O loop the frames of one read burst
     * (channelRead ... channelReadComplete) are collected, and the connection's open, bursts and close go to
     * its loop's {@link Handover}, which keeps their order.
     */
    private class Inbound extends ChannelInboundHandlerAdapter {
        long conn;
        /** Frames of the read burst under way on an I/O loop, not yet handed over; that loop only. */
        private List<Object> burst;
        private Handover handover;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (loop.inEventLoop()) {
                onCore(() -> dispatch(conn, msg));
                return;
            }
            if (burst == null) {
                burst = new ArrayList<>(4);
            }
            burst.add(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (loop.inEventLoop()) {
                onCore(CoreDriver.this::afterBatch);
            } else {
                handOverBurst(ctx);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (loop.inEventLoop()) {
                onCore(() -> {
                    closed(conn);
                    afterBatch();
                });
            } else {
                handOverBurst(ctx);
                handover(ctx).add(() -> closed(conn));
            }
        }

        private void handOverBurst(ChannelHandlerContext ctx) {
            List<Object> frames = burst;
            if (frames == null) {
                return;
            }
            burst = null;
            handover(ctx).add(() -> {
                for (int i = 0; i < frames.size(); i++) {
                    dispatch(conn, frames.get(i));
                }
            });
        }

        Handover handover(ChannelHandlerContext ctx) {
            if (handover == null) {
                handover = handovers.computeIfAbsent(ctx.channel().eventLoop(), Handover::new);
            }
            return handover;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("connection {} failed: {}", conn, cause.toString());
            ctx.close();
        }
    }

    /** One per I/O loop that carries client connections, created by the first of them. */
    private final Map<EventLoop, Handover> handovers = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * What one I/O loop has read from its connections (opens, read bursts, closes, in the order they happened)
     * and not yet handed to the core. The first event of a loop iteration queues a task on that loop, which
     * runs after the iteration's I/O and hands everything to the core as one task: one batch of the core for
     * all the connections that loop read at once, not one per connection. Touched on its loop only.
     */
    private final class Handover implements Runnable {
        private final EventLoop io;
        private List<Runnable> events = new ArrayList<>();
        private boolean queued;

        Handover(EventLoop io) {
            this.io = io;
        }

        void add(Runnable event) {
            events.add(event);
            if (!queued) {
                queued = true;
                io.execute(this); // from the loop itself: no wake-up, it runs once this iteration's reads are done
            }
        }

        @Override
        public void run() {
            queued = false;
            List<Runnable> batch = events;
            events = new ArrayList<>(Math.max(16, batch.size()));
            try {
                loop.execute(() -> timed(() -> {
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).run();
                    }
                    afterBatch();
                }));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The core's loop is shutting down: nothing it would do with these matters any more.
            }
        }
    }

    /** The time of the burst of frames under way on the core's loop; {@link #afterBatch} ends every burst. */
    private final io.baton.transport.BurstClock burstClock = new io.baton.transport.BurstClock();

    private void dispatch(long conn, Object msg) {
        long now = burstClock.now();
        if (msg instanceof Frame f) {
            core.frame(conn, f, now);
        } else if (msg instanceof FrameDecoder.BadFrame bad) {
            LOG.info("connection {} sent a bad frame: {}", conn, bad.cause().getMessage());
            core.badFrame(conn, bad.cause(), now);
        }
    }

    /**
     * The key a client's connection is counted under for the per-address session cap: its IP address
     * without the port (any two connections from one host share it), or the whole remote address of a
     * channel that is not IP.
     */
    static String addressKey(Channel ch) {
        java.net.SocketAddress remote = ch.remoteAddress();
        if (remote instanceof java.net.InetSocketAddress ip && ip.getAddress() != null) {
            return ip.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }

    private long register(Channel ch) {
        long id = nextConn++;
        channels.put(id, ch);
        return id;
    }

    /** A connection went inactive; the caller ends the batch. */
    private void closed(long conn) {
        Channel ch = channels.remove(conn);
        if (ch != null) {
            peerChannels.remove(ch);
            core.disconnected(conn, now());
        }
    }

    /** After any burst of core calls: batched acks, one flush per written channel, the next timer. */
    void afterBatch() {
        burstClock.end();
        long now = now();
        core.flush(now);
        for (int i = 0; i < peerChannels.size(); i++) {
            batcher.flush(peerChannels.get(i));
        }
        handoffTag = core.handoffUnderWay();
        if (cutoverUnflushed != 0 && observer != ServerObserver.NONE) {
            flushForObserver();
        } else {
            batcher.flush();
        }
        HandoffMdc.set(handoffTag);
        if (cutoverUnflushed != 0) {
            long index = cutoverUnflushed;
            cutoverUnflushed = 0;
            observer.cutoverFlushed(index);
        }
        if (journal != null) {
            journal.afterBatch(core.visibleIndex(), now);
        }
        schedule(core.nextDeadline(), now);
    }

    /**
     * The burst that carried CUTOVER, with an observer listening (a harness): the observer is told that every
     * client has each output up to the cut, so the core's loop waits, at most a second, for the other loops to
     * write this burst to their clients before telling it. Without an observer nothing waits.
     */
    private void flushForObserver() {
        try {
            if (!batcher.flushAndWait(TimeUnit.SECONDS.toNanos(1))) {
                LOG.warn("the client loops had not written the burst that carried CUTOVER within 1 s; telling the "
                        + "observer anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void schedule(long deadline, long now) {
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        if (timer != null && timerAt <= deadline && !timer.isDone()) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = deadline;
        long delay = deadline <= now ? 0 : deadline - now;
        timer = loop.schedule(this::fire, delay, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        long due = timerAt;
        timer = null;
        timerAt = Long.MAX_VALUE;
        long t = now();
        watchdog.started(t);
        polls.polling();
        core.poll(t);
        polls.polled(due, t);
        afterBatch();
        watchdog.ended();
        if (CoreWatchdog.ON && now() - t > 2_000_000L) {
            LOG.info("slow poll: {} us", (now() - t) / 1000);
        }
    }

    /** Diagnostics (-Dbaton.slow=true): samples the core's thread when one call into it runs long. */
    private final CoreWatchdog watchdog = new CoreWatchdog();

    void startWatchdog() {
        watchdog.start(loop);
    }

    // ---------------------------------------------------------------- ServerOutbox

    @Override
    public void send(long conn, Frame frame) {
        if (SecretLog.ON) {
            SecretLog.sent(frame);
        }
        Channel ch = channels.get(conn);
        if (frame instanceof Frame.Cutover c) {
            if (journal != null) {
                journal.cutover(c.index(), c.digest());
            }
            cutoverUnflushed = c.index();
        }
        if (ch != null && ch.isActive()) { // one cut for a slow reader is reported closed a moment later
            batcher.add(ch, frame);
        }
    }

    @Override
    public void stateRestored(boolean awaited, long bytes) {
        if (!awaited) {
            HeapSettling.afterRestore(bytes);
        }
    }

    /**
     * Closes after what was sent has left, so the peer reads its ERROR; but a peer that does not read would
     * keep the connection open forever that way, so an accepted connection that is unwritable is closed at
     * once, and any other at the latest after the write stall limit. The peer link this server dialled is
     * never closed at once: a snapshot keeps it above the high water mark while the target reads it fine, and
     * its last frame (a PEER_ABORT that lets the target discard its replica, the FORWARDs of a drain) must
     * arrive.
     */
    @Override
    public void close(long conn) {
        Channel ch = channels.get(conn);
        if (ch != null) {
            // On the channel's loop, after what was sent to it in this batch (at once if that is the core's loop).
            batcher.afterWrites(ch, () -> closeAfterSent(ch));
        }
    }

    /**
     * On the channel's loop, once what the core sent it is written: closes once that has left, or at once if
     * it is an accepted connection that cannot be written to. The writability read here is the loop's own.
     */
    private void closeAfterSent(Channel ch) {
        boolean dialled = ch.parent() == null; // accepted channels have their server channel as parent
        if (!ch.isWritable() && !dialled) {
            ch.close();
            return;
        }
        ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        ch.eventLoop().schedule(() -> {
            if (ch.isOpen()) {
                LOG.info("closing the connection from {} without waiting longer: what was sent to it had not "
                        + "left after {} ms (serve --write-stall-ms)", ch.remoteAddress(), limits.writeStallMillis());
                ch.close();
            }
        }, limits.writeStallMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A task for an I/O loop, tagged with the handoff under way when the core handed it over, so what that loop
     * logs about the writes (a slow reader cut) carries the handoff's id as the core's own lines do.
     */
    private Runnable tagged(Runnable writes) {
        long id = handoffTag;
        return () -> {
            HandoffMdc.set(id);
            writes.run();
        };
    }

    @Override
    public long connect(String host, int port) {
        long id = nextConn++;
        Inbound inbound = new Inbound();
        inbound.conn = id;
        if (tls.cannotDial()) {
            loop.execute(() -> timed(() -> {
                LOG.warn("not dialling the peer at {}:{}: this server has TLS on (--tls-cert) but no CA to verify the "
                        + "target with; give --tls-ca FILE, the CA that signed the target's certificate", host, port);
                core.disconnected(id, now());
                afterBatch();
            }));
            return id;
        }
        Transport.connect(peerLoop, peerMaxFrame, inbound, host, port, null, tls.dial(), CONNECTOR,
                (ch, cause) -> onCore(() -> {
            if (ch != null) {
                channels.put(id, ch);
                peerChannels.add(ch);
                peerSecured(id, Pipelines.peerBinding(ch));
                core.peerConnected(id, now());
            } else {
                LOG.warn("cannot reach the peer at {}:{}{}: {}", host, port, tls.on() ? " over TLS" : "",
                        cause.toString());
                core.disconnected(id, now());
            }
            afterBatch();
        }));
        return id;
    }

    /**
     * Opens a connection to {@code host:port} the way {@link #connect} opens one to a target, then closes
     * it: at start-up, so that a handoff's first connection does not load and interpret the connect path
     * (and start the connector thread) while the core's loop carries every client's ticks.
     */
    void connectAndClose(String host, int port) throws InterruptedException {
        java.util.concurrent.CompletableFuture<Channel> opened = new java.util.concurrent.CompletableFuture<>();
        Transport.connect(peerLoop, peerMaxFrame, new ChannelInboundHandlerAdapter(), host, port,
                null, tls.selfCheck(), CONNECTOR, (ch, cause) -> {
                    if (ch != null) {
                        opened.complete(ch);
                    } else {
                        opened.completeExceptionally(cause);
                    }
                });
        try {
            opened.get(10, TimeUnit.SECONDS).close().sync();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot connect to this server's own port " + port + ": " + e, e);
        }
    }

    @Override
    public void applied(long index, Frame.EventKind kind, long sessionId, long seq, byte[] payload) {
        if (journal != null) {
            journal.applied(index, kind, sessionId, seq, payload);
        }
    }

    /** Writes out what the journal still holds; on the core's loop. */
    void closeJournal() {
        if (journal != null) {
            try {
                journal.close();
            } catch (java.io.IOException e) {
                LOG.warn("cannot close the event journal: {}", e.toString());
            }
        }
    }

    @Override
    public void note(String message) {
        HandoffMdc.noted(core);
        LOG.info(message);
    }
}
