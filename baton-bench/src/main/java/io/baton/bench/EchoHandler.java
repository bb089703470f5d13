package io.baton.bench;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The server end of {@link Throughput}'s plain Netty echoes, over TCP, TLS and WebSocket alike: each message
 * the pipeline decoded is written back as it is (a length-framed buffer, or the binary WebSocket message
 * itself), and flushed once per read burst, as a tuned Netty server does. It holds no state, so one instance
 * serves every connection.
 */
@ChannelHandler.Sharable
final class EchoHandler extends ChannelInboundHandlerAdapter {

    static final EchoHandler INSTANCE = new EchoHandler();

    private EchoHandler() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /**
     * A connection reset as a round's connections close ends that connection and is not news: closed quietly.
     * Anything else (a TLS handshake that failed, say) is said, since the round's figure would be wrong.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeQuietly(ctx, cause);
    }

    /** Both ends of the echo: closes the connection, and says {@code cause} unless it is a reset (an I/O error). */
    static void closeQuietly(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof java.io.IOException)) {
            System.err.println("bench: an echo connection failed: " + cause);
        }
        ctx.close();
    }
}
