package io.baton.wire;

import static io.baton.wire.WireFixtures.assertSameFrame;
import static io.baton.wire.WireFixtures.assertSameFrames;
import static io.baton.wire.WireFixtures.encode;
import static io.baton.wire.WireFixtures.encodeAll;
import static io.baton.wire.WireFixtures.randomBytes;
import static io.baton.wire.WireFixtures.rawFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property-style tests with a fixed seed, so a failure reproduces: garbage never makes the decoder throw,
 * everything it accepts re-encodes to the bytes it read, and random valid frames round trip.
 */
class FramePropertyTest {

    private static final long SEED = 0xBA7017L;
    private static final int[] TYPES = WireFixtures.frameTypeConstants().values().stream()
            .mapToInt(Integer::intValue).toArray();

    @Test
    void tenThousandGarbageInputsNeverMakeTheDecoderThrow() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        int badFrames = 0;
        int frames = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] input = switch (i % 3) {
                case 0 -> randomBytes(rnd, rnd.nextInt(300));
                case 1 -> frameShapedGarbage(rnd);
                default -> mutatedFrames(rnd);
            };
            int max = switch (rnd.nextInt(3)) {
                case 0 -> 64;
                case 1 -> 1024;
                default -> FrameCodec.DEFAULT_MAX_FRAME;
            };
            List<Object> out;
            try {
                out = feedInRandomChunks(rnd, max, input);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("input " + i + " (max " + max + "): " + WireFixtures.toHex(input), e);
            }
            checkAgainstInput(i, out, input, max);
            for (Object m : out) {
                if (m instanceof FrameDecoder.BadFrame) {
                    badFrames++;
                } else {
                    frames++;
                }
            }
        }
        // the generator must reach both outcomes, or the property says little
        assertThat(badFrames).isGreaterThan(1000);
        assertThat(frames).isGreaterThan(1000);
    }

    @Test
    void randomBodiesOfEveryTypeEitherDecodeCanonicallyOrThrowProtocolException() {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        int decoded = 0;
        for (int type : TYPES) {
            for (int i = 0; i < 400; i++) {
                byte[] body = randomBody(rnd, type);
                ByteBuf buf = Unpooled.wrappedBuffer(body);
                try {
                    Frame f = FrameCodec.decode(type, buf);
                    assertThat(buf.isReadable()).isFalse();
                    assertReencodes(f, rawFrame(type, body));
                    decoded++;
                } catch (ProtocolException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
                } catch (RuntimeException e) {
                    throw new AssertionError(FrameType.name(type) + " body " + WireFixtures.toHex(body), e);
                } finally {
                    buf.release();
                }
            }
        }
        assertThat(decoded).isGreaterThan(TYPES.length * 50);
    }

    @Test
    void randomValidFramesRoundTripThroughTheCodec() throws ProtocolException {
        SplittableRandom rnd = new SplittableRandom(SEED + 2);
        for (int i = 0; i < 10_000; i++) {
            Frame f = WireFixtures.randomFrame(rnd, TYPES[rnd.nextInt(TYPES.length)]);
            byte[] first = encode(f);
            Frame back = WireFixtures.decodeOne(first);

            assertSameFrame(back, f);
            assertThat(encode(back)).containsExactly(first);
        }
    }

    @Test
    void randomStreamsOfValidFramesDecodeWhateverTheSplit() {
        SplittableRandom rnd = new SplittableRandom(SEED + 3);
        for (int batch = 0; batch < 200; batch++) {
            List<Frame> frames = new ArrayList<>();
            int n = 1 + rnd.nextInt(60);
            for (int i = 0; i < n; i++) {
                frames.add(WireFixtures.randomFrame(rnd, TYPES[rnd.nextInt(TYPES.length)]));
            }

            List<Object> out = feedInRandomChunks(rnd, FrameCodec.DEFAULT_MAX_FRAME, encodeAll(frames));

            assertSameFrames(out, frames);
        }
    }

    @Test
    void theRandomFrameGeneratorKnowsEveryFrameType() {
        SplittableRandom rnd = new SplittableRandom(SEED + 4);
        for (int type : TYPES) {
            assertThat(WireFixtures.randomFrame(rnd, type).type()).isEqualTo(type);
        }
    }

    // ---------------------------------------------------------------- oracle

    /**
     * Walks the input as the protocol defines it and checks the decoder's output against it: every frame
     * re-encodes to its bytes in the input, a BadFrame (at most one, last) sits exactly where the first bad
     * frame starts, and without a BadFrame nothing complete was left undecoded.
     */
    private static void checkAgainstInput(int i, List<Object> out, byte[] input, int max) {
        int at = 0;
        for (int m = 0; m < out.size(); m++) {
            Object msg = out.get(m);
            assertThat(input.length - at).as("input %d: bytes left for message %d", i, m).isGreaterThanOrEqualTo(4);
            long length = Integer.toUnsignedLong(
                    ((input[at] & 0xFF) << 24) | ((input[at + 1] & 0xFF) << 16) | ((input[at + 2] & 0xFF) << 8)
                            | (input[at + 3] & 0xFF));
            if (msg instanceof FrameDecoder.BadFrame bad) {
                assertThat(m).as("input %d: BadFrame is the last message", i).isEqualTo(out.size() - 1);
                if (length < 1 || length > max) {
                    assertThat(bad.cause().code()).isEqualTo(length < 1 ? ErrorCode.MALFORMED_FRAME
                            : ErrorCode.FRAME_TOO_LARGE);
                } else {
                    assertThat(input.length - at).as("input %d: bad frame is complete", i)
                            .isGreaterThanOrEqualTo(4 + (int) length);
                    byte[] segment = Arrays.copyOfRange(input, at, at + 4 + (int) length);
                    try {
                        WireFixtures.decodeOne(segment);
                        fail("input %d: the decoder rejected a frame the codec accepts: %s", i,
                                WireFixtures.toHex(segment));
                    } catch (ProtocolException e) {
                        assertThat(bad.cause().code()).isEqualTo(e.code());
                    }
                }
                return;
            }
            assertThat(msg).as("input %d message %d", i, m).isInstanceOf(Frame.class);
            assertThat(length).isBetween(1L, (long) max);
            byte[] segment = Arrays.copyOfRange(input, at, at + 4 + (int) length);
            assertReencodes((Frame) msg, segment);
            at += 4 + (int) length;
        }
        int rest = input.length - at;
        if (rest >= 4) {
            long length = Integer.toUnsignedLong(
                    ((input[at] & 0xFF) << 24) | ((input[at + 1] & 0xFF) << 16) | ((input[at + 2] & 0xFF) << 8)
                            | (input[at + 3] & 0xFF));
            assertThat(length).as("input %d: an undecoded tail has a valid length", i).isBetween(1L, (long) max);
            assertThat((long) rest).as("input %d: an undecoded tail is incomplete", i).isLessThan(4 + length);
        }
    }

    /** The frame re-encodes to exactly the bytes it was read from (an unknown error code reads as another). */
    private static void assertReencodes(Frame f, byte[] wire) {
        byte[] again = encode(f);
        int code = wire.length >= 7 ? ((wire[5] & 0xFF) << 8) | (wire[6] & 0xFF) : -1;
        if (f instanceof Frame.Error && ErrorCode.of(code).code() != code) {
            assertThat(((Frame.Error) f).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            again[5] = wire[5];
            again[6] = wire[6];
        }
        assertThat(WireFixtures.toHex(again)).isEqualTo(WireFixtures.toHex(wire));
    }

    // ---------------------------------------------------------------- generators

    /**
     * Feeds the input in random chunks to a fresh decoder whose allocator refuses buffers over 4 MiB, so a
     * decoder that sizes a buffer by an untrusted length fails here instead of exhausting the heap.
     */
    private static List<Object> feedInRandomChunks(SplittableRandom rnd, int max, byte[] input) {
        DecoderHarness h = new DecoderHarness(max, new DecoderHarness.CappedAllocator(4 << 20));
        int at = 0;
        while (at < input.length) {
            int n = Math.min(input.length - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 200));
            h.write(Arrays.copyOfRange(input, at, at + n));
            at += n;
        }
        List<Object> out = h.read();
        h.finishCleanly();
        return out;
    }

    /** Length prefixes that are mostly plausible, known and unknown type ids, random bodies. */
    private static byte[] frameShapedGarbage(SplittableRandom rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int segments = 1 + rnd.nextInt(4);
        for (int s = 0; s < segments; s++) {
            int type = rnd.nextInt(5) == 0 ? rnd.nextInt(256) : TYPES[rnd.nextInt(TYPES.length)];
            byte[] frame = rawFrame(type, randomBody(rnd, type));
            switch (rnd.nextInt(10)) {
                case 0 -> frame = Arrays.copyOf(frame, rnd.nextInt(frame.length + 1));        // truncated
                case 1 -> frame[rnd.nextInt(4)] = (byte) rnd.nextInt(256);                    // odd length
                default -> { }
            }
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    /** Valid frames with a few bytes flipped, sometimes cut short or followed by junk. */
    private static byte[] mutatedFrames(SplittableRandom rnd) {
        List<Frame> frames = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            Frame f = WireFixtures.randomFrame(rnd, TYPES[rnd.nextInt(TYPES.length)]);
            if (encode(f).length < 2000) {
                frames.add(f);
            }
        }
        byte[] bytes = encodeAll(frames);
        if (bytes.length == 0) {
            return bytes;
        }
        int flips = rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return switch (rnd.nextInt(4)) {
            case 0 -> Arrays.copyOf(bytes, rnd.nextInt(bytes.length + 1));
            case 1 -> WireFixtures.concat(bytes, randomBytes(rnd, rnd.nextInt(20)));
            default -> bytes;
        };
    }

    /**
     * A random body for a type: near its valid size, with its enum and string fields sometimes valid, so
     * random input gets past the first checks often enough to exercise the later ones.
     */
    private static byte[] randomBody(SplittableRandom rnd, int type) {
        if (rnd.nextInt(3) == 0) {
            return randomBytes(rnd, rnd.nextInt(80));
        }
        // start from a valid body and disturb it
        byte[] valid;
        try {
            byte[] encoded = encode(WireFixtures.randomFrame(rnd, type));
            valid = Arrays.copyOfRange(encoded, 5, encoded.length);
        } catch (AssertionError unknownType) {
            return randomBytes(rnd, rnd.nextInt(80));
        }
        switch (rnd.nextInt(4)) {
            case 0 -> {
                if (valid.length > 0) {
                    valid[rnd.nextInt(valid.length)] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> valid = Arrays.copyOf(valid, rnd.nextInt(valid.length + 1));
            case 2 -> valid = WireFixtures.concat(valid, randomBytes(rnd, 1 + rnd.nextInt(4)));
            default -> { }
        }
        return valid;
    }
}
