package io.baton.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what one accepted connection can make this server hold for it when its peer does not read. Above
 * the high water mark the channel is unwritable and this handler stops reading from it, so a client that
 * sends {@code PING}s without reading the {@code PONG}s stops producing them (TCP holds its further bytes in
 * the kernel); the outputs the core still sends it queue until either limit below, and then the connection
 * is closed without waiting for the queue to drain, which frees it. The session behind it is not harmed: the
 * core keeps every unacknowledged output and resends them when the client resumes.
 *
 * <ul>
 *   <li>more than {@link BatonServer.SocketLimits#maxOutboundBytes} queued: closed at once;</li>
 *   <li>unwritable for {@link BatonServer.SocketLimits#writeStallMillis} without once draining to the low
 *       water mark: closed (a peer that reads nothing at all may make the server queue only a few bytes per
 *       tick, which would take many minutes to reach the byte limit).</li>
 * </ul>
 * One instance per channel; it runs on that channel's event loop.
 */
final class OutboundLimit extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger("baton.server");

    /** Below this the channel is writable again (and read from); Netty's default. */
    static final int LOW_WATER = 32 * 1024;
    /** Above this the channel is unwritable: reading stops until the peer drains it to {@link #LOW_WATER}. */
    static final int HIGH_WATER = 64 * 1024;
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(LOW_WATER, HIGH_WATER);

    /** The limit a connection closed for queueing too much is counted under (the flag's name). */
    static final String BY_BYTES = "max-outbound-bytes";
    /** The limit a connection closed for staying unwritable is counted under (the flag's name, less its unit). */
    static final String BY_STALL = "write-stall";

    private final BatonServer.SocketLimits limits;
    /** Told the limit's name of every connection this handler closes: the server's refusal count. */
    private final java.util.function.Consumer<String> counted;
    private ScheduledFuture<?> stallCheck;
    private boolean cut;

    OutboundLimit(BatonServer.SocketLimits limits, java.util.function.Consumer<String> counted) {
        this.limits = limits;
        this.counted = counted;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        ChannelOutboundBuffer queued = ctx.channel().unsafe().outboundBuffer();
        if (!cut && queued != null && queued.totalPendingWriteBytes() > limits.maxOutboundBytes()) {
            cut(ctx, BY_BYTES, queued.totalPendingWriteBytes() + " bytes waited to be sent, above the limit of "
                    + limits.maxOutboundBytes() + " (serve --max-outbound-bytes)");
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        ctx.channel().config().setAutoRead(writable);
        if (!writable && stallCheck == null) {
            stallCheck = ctx.executor().schedule(() -> {
                stallCheck = null;
                if (!ctx.channel().isWritable()) {
                    ChannelOutboundBuffer queued = ctx.channel().unsafe().outboundBuffer();
                    cut(ctx, BY_STALL, "it read nothing for " + limits.writeStallMillis() + " ms while "
                            + (queued == null ? 0 : queued.totalPendingWriteBytes())
                            + " bytes waited to be sent (serve --write-stall-ms)");
                }
            }, limits.writeStallMillis(), TimeUnit.MILLISECONDS);
        } else if (writable && stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
        ctx.fireChannelInactive();
    }

    private void cut(ChannelHandlerContext ctx, String limit, String why) {
        cut = true;
        counted.accept(limit);
        LOG.warn("closing the connection from {}, a slow reader: {}; what it had not read is dropped, and its "
                + "session (if any) stays resumable with every unacknowledged output", ctx.channel().remoteAddress(), why);
        ctx.channel().close();
    }
}
