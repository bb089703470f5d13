package io.baton.harness;

import io.baton.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * {@link Fault.Action#SLOW_READER}: one session that sends PINGs as fast as its socket takes them and never reads
 * a byte.
 */
final class SlowReader implements StrangerAct {
    /**
     * The slow reader's PINGs stop here even if the server never stops reading them. A server that stops
     * reading it at its high water mark takes what the kernel buffers on both sides hold (6-8 MB measured
     * here; tcp_rmem allows up to 32 MiB), so reaching this many means the server kept reading and
     * answering (251 MB in 9 s without the bound, and +1,240 MiB of RSS).
     */
    static final long SLOW_READER_BYTES_AT_MOST = 64L << 20;

    @Override
    public void begin(Strangers s, int port, int targetPeerPort) {
        byte[] ping = Strangers.encode(new Frame.Ping(7));
        ByteBuf burst = Unpooled.buffer(ping.length * 4096);
        for (int i = 0; i < 4096; i++) {
            burst.writeBytes(ping);
        }
        s.connect(port, false, true, new StrangerFrames(s) {
            @Override
            void active(Channel ch) {
                s.send(ch, Strangers.hello());
                pour(ch);
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                pour(ctx.channel());
            }

            /** As many PINGs as the socket takes now; more when it is writable again. */
            private void pour(Channel ch) {
                while (ch.isActive() && ch.isWritable() && !s.stopping
                        && s.bytesSent.get() < SLOW_READER_BYTES_AT_MOST) {
                    ch.writeAndFlush(burst.retainedDuplicate(), ch.voidPromise());
                    s.bytesSent.addAndGet(burst.readableBytes());
                    s.framesSent.addAndGet(4096);
                }
            }
        });
        // It never reads, so it cannot see the server's FIN: a PING now and then finds out whether the
        // connection was reset (the server closed it with our bytes unread).
        s.group.next().scheduleAtFixedRate(() -> s.open.forEach(ch -> {
            if (ch.isActive()) {
                ch.writeAndFlush(Unpooled.wrappedBuffer(ping));
            }
        }), 250, 250, TimeUnit.MILLISECONDS);
    }

    /** Its connection closed by the server before it could send {@link #SLOW_READER_BYTES_AT_MOST}. */
    @Override
    public boolean kept(Strangers s) {
        return s.connections.get() == 1 && s.closedByServer.get() == 1
                && s.bytesSent.get() < SLOW_READER_BYTES_AT_MOST;
    }

    @Override
    public void awaitDone(Strangers s, long millis) throws InterruptedException {
        Strangers.waitFor(() -> kept(s), millis);
    }
}
