package io.baton.transport;

import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Native epoll where the platform has it, NIO elsewhere: one decision, made once. {@code
 * -Dbaton.transport=io_uring} chooses io_uring where the kernel allows it (measured against epoll in
 * docs/performance.md), {@code nio} forces NIO. Also where event loops are made, and so where a process
 * asks for its real-time loops to run under {@code SCHED_FIFO} ({@link #realtime}).
 */
public final class Transport {

    private enum Kind { EPOLL, IO_URING, NIO }

    private static final Kind KIND = choose(System.getProperty("baton.transport",
            Boolean.getBoolean("baton.nio") ? "nio" : "epoll"));

    private static volatile int realtimePriority;
    private static volatile Consumer<String> realtimeRefused = reason -> { };
    private static volatile String refusal;
    private static final AtomicBoolean REFUSAL_TOLD = new AtomicBoolean();

    private Transport() {
    }

    private static Kind choose(String wanted) {
        return switch (wanted) {
            case "io_uring" -> IoUring.isAvailable() ? Kind.IO_URING : Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO;
            case "nio" -> Kind.NIO;
            default -> Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO;
        };
    }

    public static String name() {
        return KIND.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * From now on, the event loops made for real-time work ({@link #group(int)}, and any group at
     * {@link Thread#MAX_PRIORITY}) switch their threads to {@code SCHED_FIFO} at {@code priority} (1 to 99)
     * as they start; 0, the default, leaves them to the normal scheduler. Where the OS refuses (no root or
     * {@code CAP_SYS_NICE}, no {@code chrt}, not Linux) the loops run as before and {@code refused} hears
     * why, once per process. Process-wide, like the choice of transport: set it before making loops.
     */
    public static void realtime(int priority, Consumer<String> refused) {
        if (priority < 0 || priority > 99) {
            throw new IllegalArgumentException("a SCHED_FIFO priority is 1 to 99 (0: off), was " + priority);
        }
        realtimeRefused = Objects.requireNonNull(refused);
        realtimePriority = priority;
    }

    /**
     * Puts the calling thread under the real-time setting of {@link #realtime}, if one is set, as the event
     * loops are: for a thread that keeps a tick's time outside an event loop (a bot fleet's pacer).
     */
    public static void enterRealtime() {
        enterRealtime(realtimePriority, Transport::refused);
    }

    /** Why the OS refused the first thread {@link #realtime} was asked for, or null if none was refused. */
    public static String realtimeRefusal() {
        return refusal;
    }

    private static void enterRealtime(int fifo, Consumer<String> refused) {
        if (fifo > 0) {
            String reason = SchedFifo.enter(fifo);
            if (reason != null) {
                refused.accept(reason);
            }
        }
    }

    /** The first refusal is kept and told; the same refusal from every further thread would only repeat it. */
    private static void refused(String reason) {
        if (REFUSAL_TOLD.compareAndSet(false, true)) {
            refusal = reason;
            realtimeRefused.accept(reason);
        }
    }

    /** Event loops whose threads run at the highest priority the OS grants (they carry the real-time work). */
    public static EventLoopGroup group(int threads) {
        return group(threads, "baton-io", Thread.MAX_PRIORITY);
    }

    /** Event loops with named threads at a given Java priority (honoured where the JVM maps priorities). */
    public static EventLoopGroup group(int threads, String name, int priority) {
        return group(threads, name, priority, priority == Thread.MAX_PRIORITY ? realtimePriority : 0, Transport::refused);
    }

    /** As {@link #group(int, String, int)}, each thread first entering {@code SCHED_FIFO} at {@code fifo} unless 0. */
    static EventLoopGroup group(int threads, String name, int priority, int fifo, Consumer<String> refused) {
        IoHandlerFactory factory = switch (KIND) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, false, priority) {
            @Override
            public Thread newThread(Runnable r) {
                return fifo == 0 ? super.newThread(r) : super.newThread(() -> {
                    enterRealtime(fifo, refused);
                    r.run();
                });
            }
        }, factory);
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return switch (KIND) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public static Class<? extends SocketChannel> channel() {
        return switch (KIND) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    /**
     * Opens a framed connection without blocking an event loop: the name is resolved, and the channel set
     * up, on the {@code connector} thread (a slow lookup or the first use of the connect code must never
     * stall a loop that carries real-time traffic). The channel lives on {@code loop}, with a frame decoder
     * of {@code maxFrame}, the encoder, then {@code handler}; {@code done} runs on {@code loop} with the
     * channel, or with the cause of the failure.
     */
    public static void connect(io.netty.channel.EventLoop loop, int maxFrame, io.netty.channel.ChannelHandler handler,
                               String host, int port, java.net.SocketAddress local,
                               java.util.concurrent.Executor connector,
                               java.util.function.BiConsumer<io.netty.channel.Channel, Throwable> done) {
        connect(loop, maxFrame, handler, host, port, local, null, connector, done);
    }

    /**
     * As {@link #connect(io.netty.channel.EventLoop, int, io.netty.channel.ChannelHandler, String, int,
     * java.net.SocketAddress, java.util.concurrent.Executor, java.util.function.BiConsumer)}, over TLS when
     * {@code tls} is not null: an {@link io.netty.handler.ssl.SslHandler} for {@code host} (its name checked
     * against the server's certificate) goes first, and {@code done} runs once the handshake completed, or
     * with why it failed (a refused certificate is a failed connection, as a refused connect is).
     */
    public static void connect(io.netty.channel.EventLoop loop, int maxFrame, io.netty.channel.ChannelHandler handler,
                               String host, int port, java.net.SocketAddress local,
                               io.netty.handler.ssl.SslContext tls,
                               java.util.concurrent.Executor connector,
                               java.util.function.BiConsumer<io.netty.channel.Channel, Throwable> done) {
        open(loop, ch -> ch.pipeline().addLast(new FrameDecoder(maxFrame), FrameEncoder.INSTANCE, handler),
                host, port, local, tls, connector, (ch, cause) -> loop.execute(() -> done.accept(ch, cause)));
    }

    /**
     * As {@link #connect}, but Baton over WebSocket ({@link WebSocketFrames}): connects to {@code host:port},
     * upgrades with a request for {@code url}'s path and query (its host and port go in the {@code Host}
     * header), and hands {@code done} the channel only once the server has accepted the upgrade, so the first
     * frame the caller writes is the first WebSocket message. A refused upgrade, or none within the connect
     * timeout, is a failed connect. {@code wss} is the same over TLS ({@code tls}, which it requires), the
     * upgrade sent once the TLS handshake completed.
     */
    public static void connectWebSocket(io.netty.channel.EventLoop loop, int maxFrame,
                                        io.netty.channel.ChannelHandler handler, java.net.URI url,
                                        java.net.SocketAddress local, io.netty.handler.ssl.SslContext tls,
                                        java.util.concurrent.Executor connector,
                                        java.util.function.BiConsumer<io.netty.channel.Channel, Throwable> done) {
        boolean secure = "wss".equals(url.getScheme());
        if (!secure && !"ws".equals(url.getScheme())) {
            throw new IllegalArgumentException("cannot connect to " + url + ": give ws://host:port/baton or "
                    + "wss://host:port/baton");
        }
        if (secure && tls == null) {
            throw new IllegalArgumentException("cannot connect to " + url + ": wss:// needs the certificates to "
                    + "trust (ClientOptions trust, --tls-ca)");
        }
        int port = url.getPort() > 0 ? url.getPort() : secure ? 443 : 80;
        io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig config =
                io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig.newBuilder()
                        .webSocketUri(url)
                        .maxFramePayloadLength(maxFrame)
                        .handshakeTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
                        .allowExtensions(false)
                        .dropPongFrames(true)
                        .build();
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.BiConsumer<io.netty.channel.Channel, Throwable> once = (ch, cause) -> {
            if (told.compareAndSet(false, true)) {
                if (loop.inEventLoop()) {
                    done.accept(ch, cause); // before anything else the channel reads or closes
                } else {
                    loop.execute(() -> done.accept(ch, cause));
                }
            }
        };
        open(loop, ch -> ch.pipeline().addLast(
                new io.netty.handler.codec.http.HttpClientCodec(),
                new io.netty.handler.codec.http.HttpObjectAggregator(HTTP_MAX_RESPONSE),
                new io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler(config),
                new io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator(maxFrame),
                new WebSocketFrames(maxFrame),
                new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                        if (evt == io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler
                                .ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                            ctx.pipeline().remove(this);
                            once.accept(ctx.channel(), null);
                        } else if (evt == io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler
                                .ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                            once.accept(null, new java.io.IOException("the server at " + url + " did not answer the "
                                    + "WebSocket upgrade within " + CONNECT_TIMEOUT_MILLIS + " ms"));
                            ctx.close();
                        }
                        ctx.fireUserEventTriggered(evt);
                    }

                    @Override
                    public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                        once.accept(null, cause); // e.g. a refused upgrade: not 101, or a wrong accept key
                        ctx.close();
                    }

                    @Override
                    public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
                        once.accept(null, new java.io.IOException("the server at " + url
                                + " closed the connection before accepting the WebSocket upgrade"));
                        ctx.fireChannelInactive();
                    }
                },
                handler), url.getHost(), port, local, secure ? tls : null, connector, (ch, cause) -> {
                    if (ch == null) {
                        once.accept(null, cause);
                    }
                });
    }

    /** How long a connect (and a WebSocket's upgrade after it) may take. */
    private static final int CONNECT_TIMEOUT_MILLIS = 3000;
    /** The largest upgrade answer a client reads: a 101 is a few hundred bytes. */
    private static final int HTTP_MAX_RESPONSE = 8192;

    /**
     * Resolves and connects on {@code connector}; {@code opened} runs with the connected channel (under TLS,
     * once the handshake completed), or with the cause of the failure, on whichever thread completed it. With
     * {@code tls}, an {@link io.netty.handler.ssl.SslHandler} for {@code host} goes first in the pipeline.
     */
    private static void open(io.netty.channel.EventLoop loop, java.util.function.Consumer<SocketChannel> pipeline,
                             String host, int port, java.net.SocketAddress local,
                             io.netty.handler.ssl.SslContext tls,
                             java.util.concurrent.Executor connector,
                             java.util.function.BiConsumer<io.netty.channel.Channel, Throwable> opened) {
        io.netty.bootstrap.Bootstrap bootstrap = new io.netty.bootstrap.Bootstrap()
                .group(loop)
                .channel(channel())
                .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new io.netty.channel.ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port));
                        }
                        pipeline.accept(ch);
                    }
                });
        connector.execute(() -> {
            java.net.InetSocketAddress address;
            try {
                address = new java.net.InetSocketAddress(java.net.InetAddress.getByName(host), port);
            } catch (java.net.UnknownHostException e) {
                opened.accept(null, e);
                return;
            }
            var future = local == null ? bootstrap.connect(address) : bootstrap.connect(address, local);
            future.addListener((io.netty.channel.ChannelFutureListener) f -> {
                if (!f.isSuccess() || tls == null) {
                    opened.accept(f.isSuccess() ? f.channel() : null, f.cause());
                    return;
                }
                io.netty.channel.Channel ch = f.channel();
                ch.pipeline().get(io.netty.handler.ssl.SslHandler.class).handshakeFuture().addListener(h -> {
                    if (!h.isSuccess()) {
                        ch.close();
                    }
                    loop.execute(() -> {
                        // Closed between the handshake and now (a TLS 1.3 server refuses a client's certificate
                        // after the client's side of the handshake ended): a failed connect, not an open one.
                        if (h.isSuccess() && !ch.isActive()) {
                            opened.accept(null, new java.nio.channels.ClosedChannelException());
                        } else {
                            opened.accept(h.isSuccess() ? ch : null, h.cause());
                        }
                    });
                });
            });
        });
    }
}
