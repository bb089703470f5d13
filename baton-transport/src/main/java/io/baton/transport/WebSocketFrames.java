package io.baton.transport;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.baton.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * Baton frames over WebSocket: one frame per binary message, the message being the frame without its 4-byte
 * length (the type byte, then the body), so that the same {@link FrameCodec} reads and writes both links and
 * the WebSocket's own length takes the place of Baton's. Sits where {@link FrameDecoder} and the encoder sit on
 * TCP, behind Netty's WebSocket handlers and a {@code WebSocketFrameAggregator} (which joins a fragmented
 * message, up to the same limit).
 *
 * <p>Inbound, a binary message becomes a {@link Frame}; anything that is not one Baton frame becomes one
 * {@link FrameDecoder.BadFrame}, as on TCP, and everything after it is dropped: a text message, an empty one, one
 * that does not parse, one above the largest frame (fragments counted together), or WebSocket framing that
 * breaks RFC 6455. Outbound, a buffer of frames encoded back to back (what {@link FrameBatcher} writes) is split
 * into one binary message per frame, each a slice of that buffer, all written before the caller's one flush: the
 * batching of TCP is kept, and only the WebSocket headers are added. A {@link Frame} written directly is encoded
 * first. Until the opening handshake has completed nothing is written (a server may time a connection out before
 * it upgrades; that answer is the close itself). A close asked for by this side sends a WebSocket close first,
 * with status 1000, or the status of the violation that caused it.
 *
 * <p>One instance per channel.
 */
public final class WebSocketFrames extends ChannelDuplexHandler {

    private final int maxFrame;
    private boolean open;
    private boolean bad;
    private boolean closeSent;
    private WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NORMAL_CLOSURE;

    /** @param maxFrame the largest message accepted: the link's largest frame (type byte and body) */
    public WebSocketFrames(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete
                || evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            open = true;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (bad) {
                return;
            }
            if (frame instanceof BinaryWebSocketFrame) {
                ByteBuf body = frame.content();
                if (!body.isReadable()) {
                    fail(ctx, ErrorCode.MALFORMED_FRAME, WebSocketCloseStatus.PROTOCOL_ERROR,
                            "an empty binary WebSocket message: a Baton frame has at least its type byte");
                    return;
                }
                int type = body.readUnsignedByte();
                try {
                    ctx.fireChannelRead(FrameCodec.decode(type, body));
                } catch (ProtocolException e) {
                    fail(ctx, e.code(), WebSocketCloseStatus.PROTOCOL_ERROR, e.getMessage());
                }
            } else if (frame instanceof TextWebSocketFrame) {
                fail(ctx, ErrorCode.MALFORMED_FRAME, WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                        "a text WebSocket message: Baton frames travel in binary messages, one frame each");
            }
            // Ping, pong and close are Netty's WebSocket handlers' business; none reaches here in practice.
        } finally {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupt) {
            boolean tooBig = corrupt.closeStatus() != null
                    && corrupt.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
            fail(ctx, tooBig ? ErrorCode.FRAME_TOO_LARGE : ErrorCode.MALFORMED_FRAME,
                    tooBig ? WebSocketCloseStatus.MESSAGE_TOO_BIG : WebSocketCloseStatus.PROTOCOL_ERROR,
                    (tooBig ? "a WebSocket frame above the largest Baton frame (" + maxFrame + " bytes): "
                            : "WebSocket framing that breaks RFC 6455: ") + corrupt.getMessage());
        } else if (cause instanceof TooLongFrameException tooLong) {
            fail(ctx, ErrorCode.FRAME_TOO_LARGE, WebSocketCloseStatus.MESSAGE_TOO_BIG,
                    "a fragmented WebSocket message above the largest Baton frame (" + maxFrame + " bytes): "
                            + tooLong.getMessage());
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** The first violation: told once, as a bad frame; what follows is dropped. */
    private void fail(ChannelHandlerContext ctx, ErrorCode code, WebSocketCloseStatus status, String message) {
        if (bad) {
            return;
        }
        bad = true;
        closeStatus = status;
        ctx.fireChannelRead(new FrameDecoder.BadFrame(new ProtocolException(code, message)));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ByteBuf frames;
        if (msg instanceof Frame f) {
            frames = ctx.alloc().ioBuffer(FrameCodec.encodedSize(f));
            FrameCodec.encode(f, frames);
        } else if (msg instanceof ByteBuf buf && buf.isReadable()) {
            frames = buf;
        } else {
            ctx.write(msg, promise); // an empty buffer (a flush before a close), a WebSocket frame, HTTP
            return;
        }
        if (!open) {
            frames.release();
            promise.trySuccess();
            return;
        }
        try {
            int at = frames.readerIndex();
            int end = frames.writerIndex();
            while (at < end) {
                int length = (int) frames.getUnsignedInt(at);
                int next = at + FrameCodec.LENGTH_FIELD + length;
                if (length < 1 || next > end) {
                    // Only this process's encoder fills these buffers: a partial frame is a bug, never the peer's.
                    throw new IllegalStateException("a buffer of encoded frames ends inside a frame at byte " + at);
                }
                BinaryWebSocketFrame message = new BinaryWebSocketFrame(
                        frames.retainedSlice(at + FrameCodec.LENGTH_FIELD, length));
                ctx.write(message, next == end ? promise : ctx.voidPromise());
                at = next;
            }
        } finally {
            frames.release();
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (open && !closeSent && ctx.channel().isActive()) {
            closeSent = true;
            ctx.writeAndFlush(new CloseWebSocketFrame(closeStatus), ctx.voidPromise());
        }
        ctx.close(promise);
    }
}
