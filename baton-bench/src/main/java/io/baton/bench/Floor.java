package io.baton.bench;

import io.baton.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor under any protocol: what this machine spends to give N TCP connections one small frame per
 * tick, with nothing else. The server is a single Netty event loop that writes a 36-byte frame
 * ({@code [u32 length][i64 tick][24 bytes]}) to every connection each tick, the way a game server's tick
 * loop does; the clients are Netty event loops that read them and note, per connection, the longest gap
 * between two frames. No sessions, acknowledgements, inputs, game or verification: whatever a real
 * protocol costs comes on top of this. {@code ./baton bench floor} runs the two sides in separate
 * processes and reads their CPU time.
 */
public final class Floor {

    /** Frame payload after the length prefix: the tick number and padding to the size of an arena update. */
    public static final int PAYLOAD = 32;

    private Floor() {
    }

    /** The tick loop: one event loop thread writing to every accepted connection each tick. */
    public static final class Server implements AutoCloseable {
        private final EventLoopGroup loop = Transport.group(1, "floor-server", Thread.MAX_PRIORITY);
        private final List<Channel> clients = new ArrayList<>();
        private final Channel listener;
        private final ScheduledFuture<?> ticker;
        private long tick;

        /** Binds {@code host} on an ephemeral port and ticks at {@code tickHz}. */
        public Server(String host, int tickHz) throws InterruptedException {
            listener = new ServerBootstrap()
                    .group(loop)
                    .channel(Transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            clients.add(ch); // on the one loop: the ticker reads this list on the same thread
                            ch.closeFuture().addListener(f -> clients.remove(ch));
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ((ByteBuf) msg).release(); // the clients send nothing; drop whatever comes
                                }
                            });
                        }
                    })
                    .bind(host, 0).sync().channel();
            long period = 1_000_000_000L / tickHz;
            ticker = loop.next().scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
        }

        private void tick() {
            tick++;
            for (Channel ch : clients) {
                ByteBuf b = ch.alloc().ioBuffer(4 + PAYLOAD);
                b.writeInt(PAYLOAD).writeLong(tick).writeZero(PAYLOAD - 8);
                ch.writeAndFlush(b, ch.voidPromise());
            }
        }

        public int port() {
            return ((InetSocketAddress) listener.localAddress()).getPort();
        }

        @Override
        public void close() {
            ticker.cancel(false);
            listener.close().syncUninterruptibly();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** What a fleet of floor clients saw over the measured interval. */
    public record Result(int connections, long frames, double seconds, long[] worstGapNanos) {
        public double framesPerSecond() {
            return frames / seconds;
        }
    }

    /** N connections on one event loop thread, each noting its longest gap between two frames. */
    public static final class Clients implements AutoCloseable {
        private final EventLoopGroup loop = Transport.group(1, "floor-clients", Thread.MAX_PRIORITY);
        private final AtomicLong frames = new AtomicLong();
        private final long[] worstGap;
        private final List<Channel> channels = new ArrayList<>();

        /** Connects {@code n} connections to {@code host:port} from {@code bindHost}, one at a time. */
        public Clients(String host, int port, int n, String bindHost) throws InterruptedException {
            worstGap = new long[n];
            Bootstrap b = new Bootstrap().group(loop).channel(Transport.channel())
                    .option(ChannelOption.TCP_NODELAY, true);
            for (int i = 0; i < n; i++) {
                int k = i;
                long[] last = {0};
                b.handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 16, 0, 4, 0, 4),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        long now = System.nanoTime();
                                        ((ByteBuf) msg).release();
                                        if (last[0] != 0 && now - last[0] > worstGap[k]) {
                                            worstGap[k] = now - last[0];
                                        }
                                        last[0] = now;
                                        frames.incrementAndGet();
                                    }
                                });
                    }
                });
                channels.add(b.connect(new InetSocketAddress(host, port), new InetSocketAddress(bindHost, 0))
                        .sync().channel());
            }
        }

        /** Lets the load run for {@code warmup}, then measures for {@code measure}. */
        public Result measure(Duration warmup, Duration measure) throws InterruptedException {
            Thread.sleep(warmup.toMillis()); // the load runs unmeasured for this long: not a wait for a condition
            loop.submit(() -> Arrays.fill(worstGap, 0)).sync(); // on the loop that writes them
            long before = frames.get();
            long t0 = System.nanoTime();
            Thread.sleep(measure.toMillis()); // the measured interval itself
            long n = frames.get() - before;
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] gaps = loop.submit(worstGap::clone).sync().getNow();
            return new Result(channels.size(), n, seconds, gaps);
        }

        @Override
        public void close() {
            for (Channel ch : channels) {
                ch.close();
            }
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
