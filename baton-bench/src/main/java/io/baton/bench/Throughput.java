package io.baton.bench;

import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.core.ServerConfig;
import io.baton.server.BatonServer;
import io.baton.service.ServiceConfig;
import io.baton.transport.Tls;
import io.baton.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Messages per second through an echo, two ways on the same machine in the same run: a Baton session
 * (client SDK, sequenced inputs and outputs, acknowledgements, resend buffers, the service's thread) and
 * a plain Netty length-framed echo written for the comparison; and the same two over WebSocket (Baton on its
 * client port's {@code /baton}, against a plain Netty WebSocket echo of binary messages). Both servers have one event loop thread
 * and both clients one; each connection keeps {@code window} messages in flight, so the figure is the
 * rate a pipelined client sees, not one round trip at a time.
 */
public final class Throughput {

    /**
     * What one timed run measured: messages echoed in {@code seconds}, and the CPU time the server's and the
     * client's event loop threads spent in that interval, per message. Both loops of each system are one
     * thread, so the busier of the two bounds the rate, and the pair says which one does.
     */
    public record Result(String system, long messages, double seconds, double serverCpuNanosPerMessage,
                         double clientCpuNanosPerMessage) {
        public double perSecond() {
            return messages / seconds;
        }
    }

    /** The names the threads of each end begin with ({@link Transport#group}): how a result finds their CPU. */
    private static final String ECHO_SERVER = "echo-server";
    private static final String ECHO_CLIENT = "echo-client";
    private static final String BATON_SERVER = "baton-io";
    private static final String BATON_CLIENT = ClientRuntime.THREAD_NAME;

    /** The shape of the load: connections, messages in flight on each, payload bytes, and the timings. */
    public record Load(int connections, int window, int payloadBytes, Duration warmup, Duration measure) {
        public Load {
            if (connections < 1 || window < 1 || payloadBytes < 1) {
                throw new IllegalArgumentException("connections, window and payload must be positive");
            }
        }
    }

    private static final byte[] SECRET = "throughput-bench-peer-secret-0123".getBytes(StandardCharsets.US_ASCII);

    private Throughput() {
    }

    /** The plain Netty echo: {@code [u32 length][payload]} frames written back as they come. */
    public static Result plainNetty(Load load) throws InterruptedException {
        return plainNetty(load, null);
    }

    /**
     * The plain Netty echo over TLS 1.3 when {@code tls} is given: the same {@link Tls} contexts (so the same
     * provider) as Baton's server and SDK, an {@link io.netty.handler.ssl.SslHandler} first in both pipelines.
     */
    public static Result plainNetty(Load load, Tls.CertificateFiles tls) throws InterruptedException {
        io.netty.handler.ssl.SslContext serverTls = tls == null ? null : Tls.server(tls.cert(), tls.key(), null);
        io.netty.handler.ssl.SslContext clientTls = tls == null ? null : Tls.client(Tls.certificates(tls.ca()));
        EventLoopGroup serverLoop = Transport.group(1, ECHO_SERVER, Thread.NORM_PRIORITY);
        EventLoopGroup clientLoop = Transport.group(1, ECHO_CLIENT, Thread.NORM_PRIORITY);
        List<Channel> open = new ArrayList<>();
        try {
            Channel server = listen(serverLoop, ch -> {
                if (serverTls != null) {
                    ch.pipeline().addLast(serverTls.newHandler(ch.alloc()));
                }
                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0), EchoHandler.INSTANCE);
            });
            open.add(server);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            LongAdder echoed = new LongAdder();
            byte[] payload = new byte[load.payloadBytes()];
            for (int i = 0; i < load.connections(); i++) {
                open.add(connect(clientLoop, port, ch -> {
                    if (clientTls != null) {
                        ch.pipeline().addLast(clientTls.newHandler(ch.alloc(), "127.0.0.1", port));
                    }
                    ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0),
                            new EchoLoad(load.window(), echoed, alloc -> frame(alloc, payload), false));
                }));
            }
            return timed(tls == null ? "plain Netty echo" : "plain Netty TLS echo", echoed, load, ECHO_SERVER,
                    ECHO_CLIENT);
        } finally {
            for (Channel ch : open) {
                ch.close();
            }
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * The plain Netty WebSocket echo: each binary message written back as it comes, with Netty's own WebSocket
     * handlers on both ends (a client masks what it sends, as RFC 6455 requires, and as Baton's client does).
     */
    public static Result plainNettyWebSocket(Load load) throws Exception {
        EventLoopGroup serverLoop = Transport.group(1, ECHO_SERVER, Thread.NORM_PRIORITY);
        EventLoopGroup clientLoop = Transport.group(1, ECHO_CLIENT, Thread.NORM_PRIORITY);
        List<Channel> open = new ArrayList<>();
        try {
            Channel server = listen(serverLoop, ch -> ch.pipeline().addLast(new HttpServerCodec(),
                    new HttpObjectAggregator(8192), new WebSocketServerProtocolHandler("/echo", null, false, 1 << 20),
                    EchoHandler.INSTANCE));
            open.add(server);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            LongAdder echoed = new LongAdder();
            byte[] payload = new byte[load.payloadBytes()];
            java.net.URI uri = java.net.URI.create("ws://127.0.0.1:" + port + "/echo");
            List<EchoLoad> loads = new ArrayList<>();
            for (int i = 0; i < load.connections(); i++) {
                EchoLoad l = new EchoLoad(load.window(), echoed,
                        alloc -> new BinaryWebSocketFrame(alloc.ioBuffer().writeBytes(payload)), true);
                loads.add(l);
                open.add(connect(clientLoop, port, ch -> ch.pipeline().addLast(new HttpClientCodec(),
                        new HttpObjectAggregator(8192),
                        new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                .webSocketUri(uri).maxFramePayloadLength(1 << 20).build()),
                        l)));
            }
            for (EchoLoad l : loads) {
                l.started().get(10, TimeUnit.SECONDS);
            }
            return timed("plain Netty WebSocket echo", echoed, load, ECHO_SERVER, ECHO_CLIENT);
        } finally {
            for (Channel ch : open) {
                ch.close();
            }
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A plain echo's server: one event loop, {@code pipeline} on each accepted connection, any free port. */
    private static Channel listen(EventLoopGroup loop, Consumer<SocketChannel> pipeline) throws InterruptedException {
        return new ServerBootstrap()
                .group(loop)
                .channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer(pipeline))
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** One connection of a plain echo's client to {@code port}, {@code pipeline} on it, once it is connected. */
    private static Channel connect(EventLoopGroup loop, int port, Consumer<SocketChannel> pipeline)
            throws InterruptedException {
        return new Bootstrap()
                .group(loop)
                .channel(Transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(initializer(pipeline))
                .connect("127.0.0.1", port).sync().channel();
    }

    private static ChannelInitializer<SocketChannel> initializer(Consumer<SocketChannel> pipeline) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                pipeline.accept(ch);
            }
        };
    }

    private static ByteBuf frame(ByteBufAllocator alloc, byte[] payload) {
        ByteBuf b = alloc.ioBuffer(4 + payload.length);
        return b.writeInt(payload.length).writeBytes(payload);
    }

    /** A Baton server hosting {@code echo}, and Baton clients over the client SDK, over TCP. */
    public static Result baton(Load load) throws Exception {
        return baton(load, false, null);
    }

    /** As {@link #baton(Load)}, the clients over WebSocket at the client port's {@code /baton} if {@code webSocket}. */
    public static Result baton(Load load, boolean webSocket) throws Exception {
        return baton(load, webSocket, null);
    }

    /** As {@link #baton(Load)}, over TLS 1.3 when {@code tls} is given (the server's client port, the SDK's trust). */
    public static Result baton(Load load, Tls.CertificateFiles tls) throws Exception {
        return baton(load, false, tls);
    }

    /** Over WebSocket if {@code webSocket} (wss with {@code tls}), else TCP; TLS 1.3 when {@code tls} is given. */
    public static Result baton(Load load, boolean webSocket, Tls.CertificateFiles tls) throws Exception {
        ServerConfig cfg = ServerConfig.defaults(new EchoFactory(), new ServiceConfig(30, Map.of()), SECRET);
        List<java.security.cert.X509Certificate> trust = tls == null ? List.of() : Tls.certificates(tls.ca());
        try (BatonServer server = BatonServer.start(cfg,
                new BatonServer.Options("127.0.0.1", 0, -1, "127.0.0.1", -1, null, false)
                        .withTls(tls == null ? null : new BatonServer.TlsFiles(tls.cert(), tls.key(), null)));
             ClientRuntime runtime = ClientRuntime.create(1)) {
            LongAdder echoed = new LongAdder();
            java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
            byte[] payload = new byte[load.payloadBytes()];
            List<BatonClient> clients = new ArrayList<>();
            for (int i = 0; i < load.connections(); i++) {
                AtomicReference<BatonClient> self = new AtomicReference<>();
                int[] owed = {0}; // sends the bounded buffer refused, made up on the next echo
                ClientOptions.Builder options = webSocket
                        ? ClientOptions.builder((tls == null ? "ws://" : "wss://") + "127.0.0.1:" + server.clientPort() + "/baton")
                        : ClientOptions.builder("127.0.0.1", server.clientPort());
                BatonClient c = runtime.connect(options.trust(trust)
                        .maxPendingInputs(Math.max(4096, 4 * load.window())).build(), message -> {
                            echoed.increment();
                            owed[0]++;
                            BatonClient me = self.get();
                            while (owed[0] > 0 && me != null && !stopped.get() && me.trySend(payload)) {
                                owed[0]--;
                            }
                        }).get(10, TimeUnit.SECONDS);
                self.set(c);
                clients.add(c);
            }
            for (BatonClient c : clients) {
                for (int k = 0; k < load.window(); k++) {
                    c.send(payload);
                }
            }
            Result r = timed((webSocket ? "Baton session over WebSocket" : "Baton session")
                    + (tls == null ? "" : " over TLS"), echoed, load, BATON_SERVER, BATON_CLIENT);
            stopped.set(true); // echoes still on their way are not answered: a closed client refuses sends
            for (BatonClient c : clients) {
                c.close();
            }
            return r;
        }
    }

    private static Result timed(String system, LongAdder echoed, Load load, String serverThreads,
                                String clientThreads) throws InterruptedException {
        Thread.sleep(load.warmup().toMillis()); // the load runs for this long before it is counted
        long before = echoed.sum();
        Map<Long, Long> serverCpu = cpuOf(serverThreads);
        Map<Long, Long> clientCpu = cpuOf(clientThreads);
        long t0 = System.nanoTime();
        Thread.sleep(load.measure().toMillis()); // the measured interval itself
        long n = echoed.sum() - before;
        double seconds = (System.nanoTime() - t0) / 1e9;
        long server = cpuSince(serverThreads, serverCpu);
        long client = cpuSince(clientThreads, clientCpu);
        return new Result(system, n, seconds, n == 0 ? 0 : (double) server / n, n == 0 ? 0 : (double) client / n);
    }

    /** The CPU time so far of each live thread whose name begins with {@code prefix}, by thread id. */
    private static Map<Long, Long> cpuOf(String prefix) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                cpu.put(t.getId(), mx.getThreadCpuTime(t.getId()));
            }
        }
        return cpu;
    }

    /** The CPU time those threads spent since {@code before} (a thread started since counts from zero). */
    private static long cpuSince(String prefix, Map<Long, Long> before) {
        long spent = 0;
        for (Map.Entry<Long, Long> now : cpuOf(prefix).entrySet()) {
            if (now.getValue() >= 0) {
                spent += now.getValue() - Math.max(0, before.getOrDefault(now.getKey(), 0L));
            }
        }
        return spent;
    }
}
