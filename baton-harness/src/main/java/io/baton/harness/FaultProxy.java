package io.baton.harness;

import io.baton.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy that injects faults between two endpoints, since {@code tc netem} is not available here:
 * a fixed delay each way, refusing every k-th connection, cutting every relayed connection at once, and a
 * blackhole (every byte dropped both ways, neither side closed: a peer that vanished without FIN or RST).
 * Used by the demo's faults; listens on loopback only.
 */
final class FaultProxy implements AutoCloseable {

    private final EventLoopGroup group = Transport.group(1, "baton-proxy", Thread.NORM_PRIORITY);
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Channel listener;
    private volatile long delayNanos;
    private volatile int refuseEvery;
    private volatile boolean blackholed;
    /** This proxy closes connections itself from now on ({@link #cutAll}, {@link #close}). */
    private volatile boolean cut;
    private final AtomicInteger upstreamClosed = new AtomicInteger();
    private volatile long lastUpstreamClosedAt;

    private FaultProxy(String upstreamHost, int upstreamPort) throws InterruptedException {
        listener = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel inbound) {
                        int k = refuseEvery;
                        if (k > 0 && accepted.incrementAndGet() % k == 0) {
                            inbound.close();
                            return;
                        }
                        open.add(inbound);
                        inbound.closeFuture().addListener(f -> open.remove(inbound));
                        new Bootstrap().group(inbound.eventLoop()).channel(Transport.channel())
                                .option(ChannelOption.TCP_NODELAY, true)
                                .handler(new Relay(inbound, true))
                                .connect(upstreamHost, upstreamPort)
                                .addListener((ChannelFutureListener) f -> {
                                    if (!f.isSuccess()) {
                                        inbound.close();
                                        return;
                                    }
                                    Channel outbound = f.channel();
                                    open.add(outbound);
                                    outbound.closeFuture().addListener(x -> open.remove(outbound));
                                    inbound.pipeline().addLast(new Relay(outbound, false));
                                    inbound.config().setAutoRead(true);
                                });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** A proxy to upstream, listening on a free loopback port. */
    static FaultProxy to(String upstreamHost, int upstreamPort) throws InterruptedException {
        return new FaultProxy(upstreamHost, upstreamPort);
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Every byte waits this long before it is passed on, each way; order is kept. */
    void delay(long millis) {
        delayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** From now on every k-th new connection is closed as soon as it is accepted (0: none). */
    void refuseEvery(int k) {
        refuseEvery = k;
    }

    /**
     * From now on every byte is dropped, both ways, and a side that closes is not closed on the other: each
     * end sees a connection that has gone silent, as when a peer's machine or network vanishes.
     */
    void blackhole() {
        blackholed = true;
    }

    /** How many upstream connections the upstream side closed (not this proxy). */
    int upstreamClosedByServer() {
        return upstreamClosed.get();
    }

    /** When the upstream side last closed one (System.nanoTime), 0 if never. */
    long lastUpstreamClosedAt() {
        return lastUpstreamClosedAt;
    }

    /** Resets every connection relayed so far, both sides. */
    void cutAll() {
        cut = true;
        for (Channel ch : open) {
            ch.close();
        }
    }

    @Override
    public void close() {
        cut = true;
        listener.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Passes what one side reads to the other, after the configured delay. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel other;
        /** This relay reads the upstream connection (and its close is the upstream's doing, unless ours). */
        private final boolean upstream;

        Relay(Channel other, boolean upstream) {
            this.other = other;
            this.upstream = upstream;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            if (blackholed) {
                bytes.release();
                return;
            }
            long delay = delayNanos;
            if (delay == 0) {
                other.writeAndFlush(bytes);
            } else {
                ctx.executor().schedule(() -> other.writeAndFlush(bytes), delay, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (upstream && !cut) {
                upstreamClosed.incrementAndGet();
                lastUpstreamClosedAt = System.nanoTime();
            }
            if (blackholed) {
                return; // no FIN crosses a blackhole
            }
            long delay = delayNanos;
            if (delay == 0) {
                other.close();
            } else {
                ctx.executor().schedule(() -> other.close(), delay, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
