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
 * first. A server's end ({@link #forServer}) writes those messages itself, header and payload into one buffer per
 * write, since a server's messages are never masked (RFC 6455, 5.1): one buffer down the pipeline per flush, as on
 * TCP, instead of a message object, a pipeline write and a copy in Netty's encoder for each frame (a third of the
 * gap between Baton over WebSocket and a plain Netty WebSocket echo in {@code bench throughput}; docs/performance.md).
 * A client's end masks each message with a fresh key, which Netty's encoder does. Until the opening handshake has
 * completed nothing is written (a server may time a connection out before
 * it upgrades; that answer is the close itself). A close asked for by this side sends a WebSocket close first,
 * with status 1000, or the status of the violation that caused it.
 *
 * <p>One instance per channel.
 */
public final class WebSocketFrames extends ChannelDuplexHandler {

    /** The largest payload a two-byte header gives its length to; above it, a 16-bit length follows. */
    private static final int SHORT_LENGTH = 125;

    private final int maxFrame;
    /** Whether this end frames its messages itself (a server's end: unmasked) or leaves it to Netty's encoder. */
    private final boolean framesItself;
    private boolean open;
    private boolean bad;
    private boolean closeSent;
    private WebSocketCloseStatus closeStatus = WebSocketCloseStatus.NORMAL_CLOSURE;

    /**
     * A client's end: each message goes to Netty's encoder as a {@link BinaryWebSocketFrame}, which masks it.
     *
     * @param maxFrame the largest message accepted: the link's largest frame (type byte and body)
     */
    public WebSocketFrames(int maxFrame) {
        this(maxFrame, false);
    }

    private WebSocketFrames(int maxFrame, boolean framesItself) {
        this.maxFrame = maxFrame;
        this.framesItself = framesItself;
    }

    /** A server's end: it writes its (unmasked) binary messages itself, every frame of a write in one buffer. */
    public static WebSocketFrames forServer(int maxFrame) {
        return new WebSocketFrames(maxFrame, true);
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
        if (framesItself) {
            ByteBuf messages;
            try {
                messages = framed(ctx, frames);
            } finally {
                frames.release();
            }
            ctx.write(messages, promise);
            return;
        }
        try {
            int at = frames.readerIndex();
            int end = frames.writerIndex();
            while (at < end) {
                int length = frameLength(frames, at, end);
                int next = at + FrameCodec.LENGTH_FIELD + length;
                BinaryWebSocketFrame message = new BinaryWebSocketFrame(
                        frames.retainedSlice(at + FrameCodec.LENGTH_FIELD, length));
                ctx.write(message, next == end ? promise : ctx.voidPromise());
                at = next;
            }
        } finally {
            frames.release();
        }
    }

    /**
     * The frames of {@code frames} as final, unmasked binary messages back to back in a new buffer: per frame a
     * header ({@code 0x82}, then the length in 7 bits, or 126 and 16 bits, or 127 and 64 bits) and the frame
     * without its 4-byte length.
     */
    private static ByteBuf framed(ChannelHandlerContext ctx, ByteBuf frames) {
        int at = frames.readerIndex();
        int end = frames.writerIndex();
        int size = 0;
        while (at < end) {
            int length = frameLength(frames, at, end);
            size += header(length) + length;
            at += FrameCodec.LENGTH_FIELD + length;
        }
        ByteBuf out = ctx.alloc().ioBuffer(size);
        at = frames.readerIndex();
        while (at < end) {
            int length = (int) frames.getUnsignedInt(at);
            out.writeByte(0x82); // FIN, binary
            if (length <= SHORT_LENGTH) {
                out.writeByte(length);
            } else if (length <= 0xFFFF) {
                out.writeByte(126).writeShort(length);
            } else {
                out.writeByte(127).writeLong(length);
            }
            out.writeBytes(frames, at + FrameCodec.LENGTH_FIELD, length);
            at += FrameCodec.LENGTH_FIELD + length;
        }
        return out;
    }

    /** The length of the frame at {@code at}, checked to lie whole before {@code end}. */
    private static int frameLength(ByteBuf frames, int at, int end) {
        long length = frames.getUnsignedInt(at);
        if (length < 1 || at + FrameCodec.LENGTH_FIELD + length > end) {
            // Only this process's encoder fills these buffers: a partial frame is a bug, never the peer's.
            throw new IllegalStateException("a buffer of encoded frames ends inside a frame at byte " + at);
        }
        return (int) length;
    }

    /** The bytes of an unmasked message's header for a payload of {@code length}. */
    private static int header(int length) {
        return length <= SHORT_LENGTH ? 2 : length <= 0xFFFF ? 4 : 10;
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
