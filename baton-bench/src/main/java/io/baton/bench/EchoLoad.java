package io.baton.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The client end of {@link Throughput}'s plain Netty echoes: keeps {@code window} messages in flight on its
 * connection, sending a new one for each that comes back (counted in {@code echoed}) and flushing once per
 * read burst. Over TCP (and TLS) it starts when the connection is active; over WebSocket once the upgrade's
 * handshake is complete, which {@link #started} tells.
 */
final class EchoLoad extends ChannelInboundHandlerAdapter {

    private final int window;
    private final LongAdder echoed;
    /** A new message to send: a length-framed buffer, or a binary WebSocket message. */
    private final Function<ByteBufAllocator, Object> message;
    private final boolean webSocket;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    EchoLoad(int window, LongAdder echoed, Function<ByteBufAllocator, Object> message, boolean webSocket) {
        this.window = window;
        this.echoed = echoed;
        this.message = message;
        this.webSocket = webSocket;
    }

    /** Completes when the load starts: as the first {@code window} messages are written. */
    CompletableFuture<Void> started() {
        return started;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!webSocket) {
            start(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (webSocket && evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            start(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void start(ChannelHandlerContext ctx) {
        started.complete(null);
        for (int k = 0; k < window; k++) {
            ctx.write(message.apply(ctx.alloc()), ctx.voidPromise());
        }
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        echoed.increment();
        ctx.write(message.apply(ctx.alloc()), ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /** As the echo's server end does ({@link EchoHandler#closeQuietly}). */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        EchoHandler.closeQuietly(ctx, cause);
    }
}
