package io.baton.client;

import io.baton.core.ClientCore;
import io.baton.transport.FrameBatcher;
import io.baton.transport.Transport;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link ClientCore} on one Netty event loop and is the application's {@link BatonClient}.
 * Application threads only enqueue tasks onto the loop; the core is touched from the loop alone.
 */
final class SessionDriver implements BatonClient, ClientCore.Outbox {

    private static final Logger LOG = LoggerFactory.getLogger("baton.client");
    /** Largest input payload: a frame's maximum less the INPUT header. */
    static final int MAX_PAYLOAD = FrameCodec.DEFAULT_MAX_FRAME - 17;

    private final EventLoop loop;
    private final java.util.concurrent.Executor connector;
    private final ClientOptions options;
    private final MessageListener listener;
    private final CompletableFuture<BatonClient> established;
    private final ClientCore core;
    private final Map<Long, Channel> channels = new HashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final FrameBatcher batcher = new FrameBatcher();
    /** Inputs handed to {@link #trySend} and not yet to the core, in order; drained on the loop. */
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> outgoing = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean drainScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int corePending;
    private volatile long sessionId;
    private volatile boolean closed;
    private long nextConn = 1;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    /** TLS for every connection of this session, to whichever server; null in the clear. */
    private final io.netty.handler.ssl.SslContext tls;

    /**
     * One context per set of trusted certificates, shared by every session of the process: a fleet of a
     * thousand sessions builds one, not a thousand (each holds its trust store and, for OpenSSL, native state).
     */
    private static final Map<java.util.List<java.security.cert.X509Certificate>, io.netty.handler.ssl.SslContext>
            CONTEXTS = new java.util.concurrent.ConcurrentHashMap<>();

    SessionDriver(EventLoop loop, java.util.concurrent.Executor connector, ClientOptions options,
                  MessageListener listener, CompletableFuture<BatonClient> established) {
        this.loop = loop;
        this.connector = connector;
        this.options = options;
        this.listener = listener;
        this.established = established;
        this.tls = options.tls() ? CONTEXTS.computeIfAbsent(options.trust(), io.baton.transport.Tls::client) : null;
        this.core = new ClientCore(options.server().getHostString(), options.server().getPort(),
                ClientCore.Timing.defaults(options.resumeWindow().toNanos()), this, java.util.Set.of(), options.versions());
    }

    private static long now() {
        return System.nanoTime();
    }

    /** The time of the burst under way on the loop (a read's frames, a listener's sends); afterBatch ends it. */
    private final io.baton.transport.BurstClock burstClock = new io.baton.transport.BurstClock();

    void start() {
        loop.execute(() -> {
            core.start(now());
            afterBatch();
        });
    }

    // ---------------------------------------------------------------- BatonClient

    @Override
    public long sessionId() {
        return sessionId;
    }

    @Override
    public void send(byte[] payload) {
        if (!trySend(payload)) {
            throw new SendBufferFullException(options.maxPendingInputs());
        }
    }

    @Override
    public boolean trySend(byte[] payload) {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalStateException("payload of " + payload.length + " bytes exceeds the maximum of "
                    + MAX_PAYLOAD);
        }
        if (queued.get() + corePending >= options.maxPendingInputs()) {
            return false;
        }
        if (loop.inEventLoop()) {
            // A listener answering on the client's own thread: straight to the core, behind anything sent
            // earlier from other threads, and flushed with the rest of the burst by one drain.
            drainQueued();
            if (!core.isClosed()) {
                core.send(payload, burstClock.now());
                corePending = core.pendingInputs();
            }
            scheduleDrain();
            return true;
        }
        queued.incrementAndGet();
        outgoing.add(payload);
        scheduleDrain();
        return true;
    }

    /**
     * One task drains whatever piled up, with one flush: a listener that answers each message it gets
     * sends all its answers to a burst in one write, not one write (and one task) per message.
     */
    private void scheduleDrain() {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            loop.execute(this::drain);
        }
    }

    /** On the loop: hands every queued input to the core, then flushes once. */
    private void drain() {
        drainScheduled.set(false);
        drainQueued();
        afterBatch();
    }

    private void drainQueued() {
        if (outgoing.isEmpty()) {
            return;
        }
        long now = now();
        for (byte[] p = outgoing.poll(); p != null; p = outgoing.poll()) {
            queued.decrementAndGet();
            if (!core.isClosed()) {
                core.send(p, now);
            }
        }
    }

    @Override
    public int pendingInputs() {
        return queued.get() + corePending;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.execute(() -> {
            core.close(now());
            afterBatch();
        });
    }

    // ---------------------------------------------------------------- ClientCore.Outbox

    @Override
    public long connect(String host, int port) {
        return connect(host, port, "");
    }

    /**
     * Over TCP to host:port; over WebSocket to the URL the server named ({@code webSocket}), or, if it named
     * none, to host:port with the scheme, path and query of the URL this client was given.
     */
    @Override
    public long connect(String host, int port, String webSocket) {
        long id = nextConn++;
        java.util.function.BiConsumer<Channel, Throwable> done = (ch, cause) -> {
            if (ch != null) {
                channels.put(id, ch);
                core.connected(id, now());
            } else {
                if (cause instanceof javax.net.ssl.SSLException || cause != null
                        && cause.getCause() instanceof javax.net.ssl.SSLException) {
                    LOG.warn("TLS to {}:{} failed: {}; retrying within the resume window (does the trusted CA, "
                            + "ClientOptions.trust or --tls-ca, sign this server's certificate, and does that "
                            + "certificate name {}?)", host, port, cause.getMessage(), host);
                } else {
                    LOG.debug("cannot connect to {}:{}: {}", host, port, String.valueOf(cause));
                }
                core.disconnected(id, now());
            }
            afterBatch();
        };
        java.net.URI ws = options.webSocket();
        if (ws == null) {
            Transport.connect(loop, FrameCodec.DEFAULT_MAX_FRAME, new Inbound(id), host, port, options.bindAddress(),
                    tls, connector, done);
        } else {
            try {
                java.net.URI url = webSocket.isEmpty()
                        ? new java.net.URI(ws.getScheme(), null, host, port, ws.getPath(), ws.getQuery(), null)
                        : new java.net.URI(webSocket);
                Transport.connectWebSocket(loop, FrameCodec.DEFAULT_MAX_FRAME, new Inbound(id), url,
                        options.bindAddress(), tls, connector, done);
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                LOG.warn("cannot connect over WebSocket to {}: {}", webSocket.isEmpty()
                        ? host + ":" + port + " (with the scheme and path of " + ws + ")"
                        : webSocket + " (the URL the server named)", e.getMessage());
                loop.execute(() -> done.accept(null, e));
            }
        }
        return id;
    }

    @Override
    public void send(long conn, Frame frame) {
        Channel ch = channels.get(conn);
        if (ch != null) {
            batcher.add(ch, frame);
        }
    }

    @Override
    public void close(long conn) {
        Channel ch = channels.get(conn);
        if (ch != null) {
            batcher.flush(ch);
            // Closed after the reads already waiting on this loop: a switch lets go of the source this way, so
            // that a loop serving many sessions delivers every session's next output before it pays for any
            // teardown (a close costs both ends' FIN processing on this thread).
            loop.execute(() -> closeAfterWrites(ch));
        }
    }

    /**
     * The source's connection after a switch: closed later, at a random moment between {@link #RELEASE_MIN_MS}
     * and {@link #RELEASE_MAX_MS} from now. A fleet of sessions on one loop switches together, within the
     * SWITCH pace; closing each at once put every teardown (both ends' FIN processing, 60-75 µs each on this
     * thread) into the very ticks the sessions first hear from the target. The source drains until the last
     * one closes.
     */
    @Override
    public void release(long conn) {
        Channel ch = channels.get(conn);
        if (ch == null) {
            return;
        }
        batcher.flush(ch);
        long delay = RELEASE_MIN_MS + java.util.concurrent.ThreadLocalRandom.current().nextLong(RELEASE_MAX_MS - RELEASE_MIN_MS);
        loop.schedule(() -> closeAfterWrites(ch), delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Closes {@code ch} once what was written to it has gone out. */
    private static void closeAfterWrites(Channel ch) {
        ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The window a switched session's old connection is closed in, after its switch (see {@link #release}). */
    static final long RELEASE_MIN_MS = 50;
    static final long RELEASE_MAX_MS = 300;

    @Override
    public void deliver(byte[] payload) {
        try {
            listener.onMessage(payload);
        } catch (RuntimeException e) {
            LOG.warn("message listener of session {} threw; the message counts as delivered", sessionId, e);
        }
    }

    @Override
    public void event(ClientCore.Event event, String detail) {
        try {
            options.lifecycle().onEvent(LifecycleListener.Event.valueOf(event.name()), detail);
        } catch (RuntimeException e) {
            LOG.warn("lifecycle listener threw", e);
        }
    }

    @Override
    public void established(long id) {
        sessionId = id;
        established.complete(this);
    }

    @Override
    public void lost(String reason) {
        closed = true;
        established.completeExceptionally(new SessionLostException(reason));
    }

    // ---------------------------------------------------------------- loop plumbing

    private final class Inbound extends ChannelInboundHandlerAdapter {
        private final long conn;

        Inbound(long conn) {
            this.conn = conn;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame f) {
                core.frame(conn, f, burstClock.now());
            } else if (msg instanceof FrameDecoder.BadFrame bad) {
                LOG.warn("server sent a bad frame: {}", bad.cause().getMessage());
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            afterBatch();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (channels.remove(conn) != null) {
                core.disconnected(conn, now());
                afterBatch();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void afterBatch() {
        burstClock.end();
        long now = now();
        core.flush(now);
        batcher.flush();
        corePending = core.pendingInputs();
        long deadline = core.nextDeadline();
        if (deadline == Long.MAX_VALUE || (timer != null && timerAt <= deadline && !timer.isDone())) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = deadline;
        timer = loop.schedule(() -> {
            timer = null;
            timerAt = Long.MAX_VALUE;
            core.poll(now());
            afterBatch();
        }, deadline <= now ? 0 : deadline - now, TimeUnit.NANOSECONDS);
    }
}
