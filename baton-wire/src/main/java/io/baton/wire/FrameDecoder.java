package io.baton.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a TCP stream into frames and decodes them. The length prefix is checked against the maximum
 * before anything is allocated for it. After the first bad frame the decoder discards all further bytes
 * and fires one {@link BadFrame}; the handler after it answers with an ERROR and closes the connection.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** What the decoder emits instead of a frame when the stream breaks the protocol. */
    public record BadFrame(ProtocolException cause) {
    }

    private final int maxFrameLength;
    private boolean bad;

    /** @param maxFrameLength the largest {@code length} accepted (type byte + body) */
    public FrameDecoder(int maxFrameLength) {
        if (maxFrameLength < 1) {
            throw new IllegalArgumentException("maxFrameLength must be positive");
        }
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (bad) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= FrameCodec.LENGTH_FIELD) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length < 1 || length > maxFrameLength) {
                fail(in, out, new ProtocolException(length < 1 ? ErrorCode.MALFORMED_FRAME : ErrorCode.FRAME_TOO_LARGE,
                        "frame length " + length + " outside 1.." + maxFrameLength));
                return;
            }
            if (in.readableBytes() < FrameCodec.LENGTH_FIELD + length) {
                return;
            }
            in.skipBytes(FrameCodec.LENGTH_FIELD);
            int type = in.readUnsignedByte();
            ByteBuf body = in.readSlice((int) length - 1);
            try {
                out.add(FrameCodec.decode(type, body));
            } catch (ProtocolException e) {
                fail(in, out, e);
                return;
            }
        }
    }

    private void fail(ByteBuf in, List<Object> out, ProtocolException e) {
        bad = true;
        in.skipBytes(in.readableBytes());
        out.add(new BadFrame(e));
    }
}
