package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.transport.Transport;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The strangers against scripted servers on loopback: what they count is what the server did. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StrangersTest {

    private final EventLoopGroup group = Transport.group(1, "stub-server", Thread.NORM_PRIORITY);
    private final AtomicInteger accepted = new AtomicInteger();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A server that closes each connection at once, or answers each HELLO with ERROR HELLO_RATE. */
    private int stub(boolean closeAtOnce) throws InterruptedException {
        return stub(closeAtOnce, false);
    }

    /** As above, or, with {@code welcomeAll}, a server with no rate limit: it welcomes every HELLO at once. */
    private int stub(boolean closeAtOnce, boolean welcomeAll) throws InterruptedException {
        Channel listener = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        if (closeAtOnce) {
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(new FrameDecoder(FrameCodec.DEFAULT_MAX_FRAME), FrameEncoder.INSTANCE,
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ReferenceCountUtil.release(msg);
                                        if (msg instanceof Frame.Hello && welcomeAll) {
                                            ctx.writeAndFlush(new Frame.Welcome(Frame.VERSION, accepted.get(),
                                                    new byte[Frame.TOKEN_LENGTH], 0));
                                        } else if (msg instanceof Frame.Hello) {
                                            ctx.writeAndFlush(new Frame.Error(ErrorCode.HELLO_RATE, "stub: too many new sessions"))
                                                    .addListener(ChannelFutureListener.CLOSE);
                                        }
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Test
    void everyRefusedHelloOfTheFloodIsCountedAndKeepsItsPromise() throws Exception {
        int port = stub(false);
        try (Strangers flood = Strangers.start(Fault.Action.HELLO_FLOOD, port, -1)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> closedByServer(flood) == Strangers.HELLO_FLOOD);
            Map<String, Object> r = flood.report();
            assertThat(r).containsEntry("connections", Strangers.HELLO_FLOOD).containsEntry("welcomed", 0)
                    .containsEntry("errors", Map.of("HELLO_RATE", Strangers.HELLO_FLOOD)).containsEntry("kept", true);
        }
    }

    @Test
    void aServerThatWelcomesTheWholeFloodAtOnceBreaksThePromise() throws Exception {
        int port = stub(false, true);
        try (Strangers flood = Strangers.start(Fault.Action.HELLO_FLOOD, port, -1)) {
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> (int) flood.report().get("welcomed") == Strangers.HELLO_FLOOD);
            // 2,000 welcomed within a few seconds at most: more than a burst of 1,000 and 500 a second allow.
            assertThat(flood.report()).containsEntry("kept", false);
        }
    }

    @Test
    void idleConnectionsKeepTheirPromiseOnlyOnceTheServerClosedEachOne() throws Exception {
        int closing = stub(true);
        try (Strangers idle = Strangers.start(Fault.Action.IDLE_CONNECTIONS, closing, -1)) {
            idle.awaitDone();
            assertThat(idle.report()).containsEntry("connections", Strangers.IDLE_CONNECTIONS)
                    .containsEntry("closed_by_server", Strangers.IDLE_CONNECTIONS).containsEntry("kept", true);
        }
        int keeping = stub(false);
        try (Strangers idle = Strangers.start(Fault.Action.IDLE_CONNECTIONS, keeping, -1)) {
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> (int) idle.report().get("connections") == Strangers.IDLE_CONNECTIONS);
            assertThat(idle.report()).containsEntry("closed_by_server", 0).containsEntry("kept", false);
        }
    }

    private static int closedByServer(Strangers s) {
        return (int) s.report().get("closed_by_server");
    }
}
