package io.baton.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Arbitrary bytes into the frame decoder, as a TCP stream cut at arbitrary places. It must yield frames,
 * then at most one {@link FrameDecoder.BadFrame} carrying an error code and nothing after it; it must
 * split the stream exactly where the length prefixes say, refuse a length outside 1..max before it
 * waits for (or allocates) the frame, and every frame it yields must encode back to the very bytes it
 * came from (the format is canonical, but for an ERROR whose code this build does not know: it reads as
 * PROTOCOL_VIOLATION). Memory: a stream costs at most a fixed amount plus a small multiple of its own
 * length, whatever frame limit is configured.
 *
 * <p>Input: byte 0 picks the frame limit and how the stream is cut into reads; the rest is the stream.
 */
class FrameDecoderFuzzTest {

    private static final int[] LIMITS = {1, 64, 4096, FrameCodec.DEFAULT_MAX_FRAME, 16 << 20};
    /** Channel set-up, decoder state and a frame or two of bookkeeping; far below any limit above 4 KiB. */
    private static final long FIXED_BUDGET = 128 * 1024;
    private static final long BUDGET_PER_BYTE = 16;

    @FuzzTest
    void decodesOrRejects(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        int limit = LIMITS[(input[0] & 0xFF) % LIMITS.length];
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        List<Object> decoded = AllocationMeter.within(FIXED_BUDGET + BUDGET_PER_BYTE * stream.length, "decoding "
                + stream.length + " bytes with frame limit " + limit,
                () -> decodeAll(stream, limit, new SplittableRandom(input[0])));
        check(stream, limit, decoded);
    }

    /** Feeds the stream to a fresh decoder in reads of random sizes, then closes the channel. */
    private static List<Object> decodeAll(byte[] stream, int limit, SplittableRandom cuts) {
        EmbeddedChannel channel = new EmbeddedChannel();
        // Heap buffers, unpooled: every byte the decoder asks for is a byte the meter sees.
        channel.config().setAllocator(new UnpooledByteBufAllocator(false));
        channel.pipeline().addLast(new FrameDecoder(limit));
        int at = 0;
        while (at < stream.length) {
            int n = Math.min(stream.length - at, 1 + cuts.nextInt(Math.max(1, stream.length)));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, at, n)); // rethrows what the pipeline caught
            at += n;
        }
        channel.finish();
        List<Object> out = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            out.add(o);
        }
        return out;
    }

    /** Checks the decoder's output against the framing that the length prefixes alone dictate. */
    private static void check(byte[] stream, int limit, List<Object> decoded) {
        ByteBuffer in = ByteBuffer.wrap(stream);
        int i = 0;
        for (Object o : decoded) {
            if (o instanceof FrameDecoder.BadFrame bad) {
                expect(i == decoded.size() - 1, "a BadFrame is the decoder's last word, but output " + i
                        + " of " + decoded.size() + " is one");
                expect(bad.cause() != null && bad.cause().code() != null, "a BadFrame without an error code");
                checkBadFrame(in, limit, bad);
                return;
            }
            expect(o instanceof Frame, "the decoder emitted " + o.getClass().getName());
            expect(in.remaining() >= FrameCodec.LENGTH_FIELD, "a frame decoded past the end of the stream");
            long length = Integer.toUnsignedLong(in.getInt(in.position()));
            expect(length >= 1 && length <= limit, "a frame decoded from length " + length + " beyond 1.." + limit);
            expect(in.remaining() >= FrameCodec.LENGTH_FIELD + length, "a frame decoded from an incomplete one");
            byte[] wire = new byte[FrameCodec.LENGTH_FIELD + (int) length];
            in.get(wire);
            checkCanonical((Frame) o, wire);
            i++;
        }
        // No BadFrame: what is left must be an incomplete frame with an acceptable length, or nothing.
        if (in.remaining() >= FrameCodec.LENGTH_FIELD) {
            long length = Integer.toUnsignedLong(in.getInt(in.position()));
            expect(length >= 1 && length <= limit, "length " + length + " outside 1.." + limit + " was not refused");
            expect(in.remaining() < FrameCodec.LENGTH_FIELD + length, "a complete frame was left undecoded");
        }
    }

    /** A BadFrame stands where the length is out of range, or for a whole frame whose body is malformed. */
    private static void checkBadFrame(ByteBuffer in, int limit, FrameDecoder.BadFrame bad) {
        expect(in.remaining() >= FrameCodec.LENGTH_FIELD, "a BadFrame for a stream that ended cleanly");
        long length = Integer.toUnsignedLong(in.getInt(in.position()));
        ErrorCode code = bad.cause().code();
        if (length < 1) {
            expect(code == ErrorCode.MALFORMED_FRAME, "length 0 refused as " + code);
        } else if (length > limit) {
            expect(code == ErrorCode.FRAME_TOO_LARGE, "length " + length + " over " + limit + " refused as " + code);
        } else {
            expect(in.remaining() >= FrameCodec.LENGTH_FIELD + length,
                    "an incomplete frame of acceptable length " + length + " was refused: " + bad.cause().getMessage());
            expect(code == ErrorCode.MALFORMED_FRAME, "a malformed body refused as " + code);
        }
    }

    private static void checkCanonical(Frame frame, byte[] wire) {
        byte[] expected = wire.clone();
        if (frame instanceof Frame.Error e) {
            // The one lossy field: a code unknown to this build reads as PROTOCOL_VIOLATION.
            int body = FrameCodec.LENGTH_FIELD + 1;
            expected[body] = (byte) (e.code().code() >>> 8);
            expected[body + 1] = (byte) e.code().code();
        }
        ByteBuf out = Unpooled.buffer(wire.length);
        try {
            FrameCodec.encode(frame, out);
            byte[] again = ByteBufUtil.getBytes(out);
            expect(Arrays.equals(again, expected), frame + " decoded from " + ByteBufUtil.hexDump(wire)
                    + " encodes to " + ByteBufUtil.hexDump(again));
            expect(FrameCodec.encodedSize(frame) == again.length, "encodedSize(" + frame + ") is "
                    + FrameCodec.encodedSize(frame) + ", the encoding " + again.length + " bytes");
        } finally {
            out.release();
        }
    }

    private static void expect(boolean holds, String violation) {
        if (!holds) {
            throw new AssertionError(violation);
        }
    }
}
