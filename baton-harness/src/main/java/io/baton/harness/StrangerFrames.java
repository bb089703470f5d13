package io.baton.harness;

import io.baton.wire.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stranger's handler, one per connection: counts in its {@link Strangers} what the server answers and how
 * the connection ends. An act overrides the hooks ({@link #active}, {@link #welcomed}, {@link #closedByServer})
 * to behave as it does.
 */
class StrangerFrames extends ChannelInboundHandlerAdapter {
    final Strangers s;
    private boolean answered;
    /** The stranger closed this connection itself: not the server's doing. */
    private boolean left;

    StrangerFrames(Strangers s) {
        this.s = s;
    }

    /** Closes the connection from the stranger's side. */
    void leaves(Channel ch) {
        left = true;
        s.lastLeftAt.set(System.nanoTime());
        ch.close();
    }

    private void answered() {
        if (!answered) {
            answered = true;
            s.answered.incrementAndGet();
            s.floodLastAnsweredAt.set(System.nanoTime());
        }
    }

    void active(Channel ch) {
    }

    void welcomed(Channel ch) {
    }

    void closedByServer(Channel ch) {
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        active(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Frame.Welcome && !answered) {
                answered();
                s.welcomed.incrementAndGet();
                welcomed(ctx.channel());
            } else if (msg instanceof Frame.PeerChallenge) {
                s.challenged.incrementAndGet();
            } else if (msg instanceof Frame.Error e) {
                answered();
                s.errors.computeIfAbsent(e.code().name(), k -> new AtomicInteger()).incrementAndGet();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        s.open.remove(ctx.channel());
        answered();
        if (!s.stopping && !left) {
            s.closedByServer.incrementAndGet();
            s.lastClosedAt.set(System.nanoTime());
            closedByServer(ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset: counted as the server's close in channelInactive
    }
}
