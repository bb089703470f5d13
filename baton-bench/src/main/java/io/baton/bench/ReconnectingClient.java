package io.baton.bench;

import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.LifecycleListener;
import io.baton.client.MessageListener;
import io.baton.transport.Transport;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The client games ship today, for the {@code restart} baseline of {@code ./baton bench handoff}: what
 * Baton is measured against, not a way to use it. One connection at a time. When it drops, the client
 * reconnects with exponential backoff from {@link #FIRST_BACKOFF_NANOS}, to the address the game lives at
 * now (after a restart elsewhere, a DNS or load-balancer change points it at the new machine), and logs
 * back in to its session there. Nothing is resent: an input given while disconnected, or one the old
 * server never applied, is gone, as with a typical game client. It knows nothing of handoffs.
 *
 * <p>It speaks Baton's wire protocol (HELLO, WELCOME, INPUT, OUTPUT, ACK) so that the same servers and
 * the same verifying bots measure both; every field of the session lives on its event loop.
 */
public final class ReconnectingClient implements BatonClient {

    /** The first wait after a disconnect; each failed attempt doubles it, up to {@link #MAX_BACKOFF_NANOS}. */
    public static final long FIRST_BACKOFF_NANOS = 100_000_000L;
    static final long MAX_BACKOFF_NANOS = 5_000_000_000L;
    /** How long a connection may go without WELCOME before the client gives it up and backs off. */
    private static final long WELCOME_TIMEOUT_NANOS = 3_000_000_000L;
    /** Acknowledge outputs at least this often, so the server can drop what the client has. */
    private static final int ACK_EVERY = 16;

    /** Event loops and a connector thread shared by every client of a fleet. */
    public static final class Runtime implements AutoCloseable {
        private final EventLoopGroup group;
        private final ExecutorService connector = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reconnecting-client-connector");
            t.setDaemon(true);
            return t;
        });
        private final String reconnectHost;
        private final int reconnectPort;

        /** Clients of this runtime reconnect to {@code reconnectHost:reconnectPort} after a disconnect. */
        public Runtime(int ioThreads, String reconnectHost, int reconnectPort) {
            this.group = Transport.group(ioThreads);
            this.reconnectHost = reconnectHost;
            this.reconnectPort = reconnectPort;
        }

        /** Opens a new session with {@code options.server()}; completes when the server welcomed it. */
        public CompletableFuture<BatonClient> connect(ClientOptions options, MessageListener listener) {
            ReconnectingClient c = new ReconnectingClient(this, group.next(), options, listener);
            c.loop.execute(() -> c.open(options.server().getHostString(), options.server().getPort()));
            return c.established;
        }

        @Override
        public void close() {
            connector.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private final Runtime runtime;
    private final EventLoop loop;
    private final ClientOptions options;
    private final MessageListener listener;
    private final CompletableFuture<BatonClient> established = new CompletableFuture<>();

    private Channel channel;
    private boolean ready;
    private volatile long sessionId;
    private byte[] secret;
    private long nextInputSeq = 1;
    private long delivered;
    private long ackSent;
    private int attempts;
    private boolean resuming;
    private volatile boolean closed;

    private ReconnectingClient(Runtime runtime, EventLoop loop, ClientOptions options, MessageListener listener) {
        this.runtime = runtime;
        this.loop = loop;
        this.options = options;
        this.listener = listener;
    }

    @Override
    public long sessionId() {
        return sessionId;
    }

    @Override
    public void send(byte[] payload) {
        trySend(payload);
    }

    /** Always accepts; the input is lost if there is no connection when the loop gets to it. */
    @Override
    public boolean trySend(byte[] payload) {
        if (closed) {
            throw new IllegalStateException("the session is closed");
        }
        loop.execute(() -> {
            if (ready) {
                channel.writeAndFlush(new Frame.Input(nextInputSeq++, delivered, payload));
                ackSent = delivered;
            }
        });
        return true;
    }

    /** Nothing waits: what could not go out is dropped. */
    @Override
    public int pendingInputs() {
        return 0;
    }

    @Override
    public void close() {
        closed = true;
        loop.execute(() -> {
            if (channel != null) {
                if (ready) {
                    channel.writeAndFlush(new Frame.Close());
                }
                channel.close();
            }
            ready = false;
            established.completeExceptionally(new IllegalStateException("closed before the server welcomed it"));
        });
    }

    /** One TLS context per set of trusted certificates, as the SDK keeps them; null for a client in the clear. */
    private static final java.util.Map<java.util.List<java.security.cert.X509Certificate>,
            io.netty.handler.ssl.SslContext> CONTEXTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The restart baseline's client speaks TLS when its options trust a CA, as the SDK's sessions do. */
    private static io.netty.handler.ssl.SslContext tls(ClientOptions options) {
        return options.tls() ? CONTEXTS.computeIfAbsent(options.trust(), io.baton.transport.Tls::client) : null;
    }

    private void open(String host, int port) {
        Transport.connect(loop, FrameCodec.DEFAULT_MAX_FRAME, new Handler(), host, port,
                options.bindAddress(), tls(options), runtime.connector, (ch, cause) -> {
                    if (ch == null) {
                        lost();
                    } else if (closed) {
                        ch.close();
                    } else if (!ch.isActive()) {
                        lost(); // closed before this callback ran: its channelInactive went unheard
                    } else {
                        channel = ch;
                        // A server that accepts but never answers must not hold the client forever.
                        loop.schedule(() -> {
                            if (channel == ch && !ready) {
                                ch.close();
                            }
                        }, WELCOME_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
                        boolean resume = secret != null;
                        ch.writeAndFlush(new Frame.Hello(Frame.VERSION, resume ? Frame.HelloKind.RESUME : Frame.HelloKind.NEW,
                                resume ? sessionId : 0, resume ? secret : new byte[Frame.TOKEN_LENGTH], delivered));
                    }
                });
    }

    /** Disconnected, refused or turned away: try again later, at the address the game lives at now. */
    private void lost() {
        boolean wasReady = ready;
        ready = false;
        channel = null;
        if (closed) {
            return;
        }
        if (wasReady) {
            options.lifecycle().onEvent(LifecycleListener.Event.DISCONNECTED, "connection lost");
            attempts = 0;
        }
        if (secret == null && attempts >= 6) {
            established.completeExceptionally(new IllegalStateException("could not open a session with "
                    + options.server()));
            closed = true;
            return;
        }
        resuming = secret != null;
        long backoff = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(attempts, 10));
        attempts++;
        loop.schedule(() -> {
            if (!closed) {
                if (secret == null) {
                    open(options.server().getHostString(), options.server().getPort());
                } else {
                    open(runtime.reconnectHost, runtime.reconnectPort);
                }
            }
        }, backoff, TimeUnit.NANOSECONDS);
    }

    private void frame(Frame f) {
        if (f instanceof Frame.Output o) {
            if (o.seq() > delivered) {
                delivered = o.seq(); // a typical client takes what comes; a gap is simply not seen
                listener.onMessage(o.payload());
                if (delivered - ackSent >= ACK_EVERY) {
                    channel.writeAndFlush(new Frame.Ack(delivered));
                    ackSent = delivered;
                }
            }
        } else if (f instanceof Frame.Welcome w) {
            ready = true;
            attempts = 0;
            // Inputs continue after the last one the server has: those it never got are not sent again.
            nextInputSeq = w.inputAck() + 1;
            if (secret == null) {
                secret = w.secret();
                sessionId = w.sessionId();
                options.lifecycle().onEvent(LifecycleListener.Event.CONNECTED, options.server().toString());
                established.complete(this);
            } else if (resuming) {
                resuming = false;
                options.lifecycle().onEvent(LifecycleListener.Event.RESUMED, runtime.reconnectHost + ":" + runtime.reconnectPort);
            }
        } else if (f instanceof Frame.Ping p) {
            channel.writeAndFlush(new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Error e && e.code() != ErrorCode.NOT_AUTHORITY) {
            if (e.code() == ErrorCode.UNKNOWN_SESSION || e.code() == ErrorCode.SESSION_CLOSED) {
                closed = true; // the session is gone for good
            }
        }
        // Anything else (hints, moves, switches) is Baton's, and this client ignores it.
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.channel() == channel && msg instanceof Frame f) {
                frame(f);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                lost();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
