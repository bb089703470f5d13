package io.baton.server;

import io.baton.core.ServerCore;
import io.baton.core.ServerOutbox;
import io.baton.wire.Frame;
import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.baton.wire.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link ServerCore} from Netty. Every channel of the server lives on the one event loop that
 * owns the core, so the core is only ever touched from that thread and needs no locks. Writes are
 * batched: frames are written as the core asks and flushed once per burst of inbound frames or timer.
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
    private final int peerMaxFrame;
    private ServerCore core;
    private final Map<Long, Channel> channels = new HashMap<>();
    private final List<Channel> dirty = new ArrayList<>();
    private long nextConn = 1;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;

    CoreDriver(EventLoop loop, int peerMaxFrame) {
        this.loop = loop;
        this.peerMaxFrame = peerMaxFrame;
    }

    void core(ServerCore core) {
        this.core = core;
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

    /** The handler at the end of each connection's pipeline: frames in, core calls out. */
    ChannelInboundHandlerAdapter handler(boolean peerPort) {
        return new ChannelInboundHandlerAdapter() {
            private long conn;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                conn = register(ctx.channel());
                if (peerPort) {
                    core.peerAccepted(conn, now());
                } else {
                    core.clientConnected(conn, now());
                }
                afterBatch();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                long t = now();
                dispatch(conn, msg);
                if (SLOW && now() - t > 2_000_000L) {
                    LOG.info("slow frame {}: {} us", msg.getClass().getSimpleName(), (now() - t) / 1000);
                }
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                long t = now();
                afterBatch();
                if (SLOW && now() - t > 2_000_000L) {
                    LOG.info("slow flush: {} us", (now() - t) / 1000);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                closed(conn);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.debug("connection {} failed: {}", conn, cause.toString());
                ctx.close();
            }
        };
    }

    private void dispatch(long conn, Object msg) {
        long now = now();
        if (msg instanceof Frame f) {
            core.frame(conn, f, now);
        } else if (msg instanceof FrameDecoder.BadFrame bad) {
            LOG.info("connection {} sent a bad frame: {}", conn, bad.cause().getMessage());
            core.badFrame(conn, bad.cause(), now);
        }
    }

    private long register(Channel ch) {
        long id = nextConn++;
        channels.put(id, ch);
        return id;
    }

    private void closed(long conn) {
        if (channels.remove(conn) != null) {
            core.disconnected(conn, now());
            afterBatch();
        }
    }

    /** After any burst of core calls: batched acks, one flush per written channel, the next timer. */
    void afterBatch() {
        long now = now();
        core.flush(now);
        for (Channel ch : dirty) {
            ch.flush();
        }
        dirty.clear();
        schedule(core.nextDeadline(), now);
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
        timer = null;
        timerAt = Long.MAX_VALUE;
        long t = now();
        core.poll(t);
        afterBatch();
        if (SLOW && now() - t > 2_000_000L) {
            LOG.info("slow poll: {} us", (now() - t) / 1000);
        }
    }

    private static final boolean SLOW = Boolean.getBoolean("baton.slow");

    // ---------------------------------------------------------------- ServerOutbox

    @Override
    public void send(long conn, Frame frame) {
        Channel ch = channels.get(conn);
        if (ch != null) {
            ch.write(frame, ch.voidPromise());
            if (dirty.isEmpty() || dirty.get(dirty.size() - 1) != ch) {
                dirty.add(ch);
            }
        }
    }

    @Override
    public void close(long conn) {
        Channel ch = channels.get(conn);
        if (ch != null) {
            ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public long connect(String host, int port) {
        long id = nextConn++;
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(peerMaxFrame), FrameEncoder.INSTANCE,
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        dispatch(id, msg);
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        afterBatch();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        closed(id);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                });
        // Name resolution and the first use of the connect path (class loading) can take many
        // milliseconds: do them on the connector thread, never on the loop that ticks the service.
        CONNECTOR.execute(() -> {
            java.net.InetSocketAddress address;
            try {
                address = new java.net.InetSocketAddress(java.net.InetAddress.getByName(host), port);
            } catch (java.net.UnknownHostException e) {
                loop.execute(() -> {
                    LOG.warn("cannot resolve the peer host {}", host);
                    core.disconnected(id, now());
                    afterBatch();
                });
                return;
            }
            b.connect(address).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    channels.put(id, f.channel());
                    core.peerConnected(id, now());
                } else {
                    LOG.warn("cannot reach the peer at {}:{}: {}", host, port, f.cause().getMessage());
                    core.disconnected(id, now());
                }
                afterBatch();
            });
        });
        return id;
    }

    @Override
    public void note(String message) {
        LOG.info(message);
    }
}
