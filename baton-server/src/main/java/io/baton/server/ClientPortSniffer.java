package io.baton.server;

import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The first handler of a client-port connection: tells Baton over TCP from HTTP by the first bytes, puts the
 * handlers for one or the other behind itself, and leaves. A connection whose first four bytes are {@code GET }
 * is HTTP ({@link HttpFront}: a WebSocket, or a page); any other is Baton's framing, decided at the first byte
 * that differs, so a TCP client waits for nothing (its first byte, a length's highest, is 0, and a length
 * starting with 'G' would be far above the largest frame anyway). It reads the bytes the connection delivers
 * in the clear: an {@code SslHandler} in front of it puts both on TLS unchanged.
 */
final class ClientPortSniffer extends ByteToMessageDecoder {

    private static final byte[] GET = {'G', 'E', 'T', ' '};

    private final int maxFrame;
    private final HttpRoutes routes;

    ClientPortSniffer(int maxFrame, HttpRoutes routes) {
        this.maxFrame = maxFrame;
        this.routes = routes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int seen = Math.min(in.readableBytes(), GET.length);
        for (int i = 0; i < seen; i++) {
            if (in.getByte(in.readerIndex() + i) != GET[i]) {
                ctx.pipeline().addAfter(ctx.name(), "baton-frames", new FrameDecoder(maxFrame))
                        .addAfter("baton-frames", "baton-encoder", FrameEncoder.INSTANCE);
                ctx.pipeline().remove(this); // hands what it holds to the decoder
                return;
            }
        }
        if (seen == GET.length) {
            HttpFront.install(ctx.pipeline(), ctx.name(), maxFrame, routes);
            ctx.pipeline().remove(this);
        }
    }
}
