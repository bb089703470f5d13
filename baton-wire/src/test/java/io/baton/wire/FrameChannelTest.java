package io.baton.wire;

import static io.baton.wire.WireFixtures.assertSameFrame;
import static io.baton.wire.WireFixtures.assertSameFrames;
import static io.baton.wire.WireFixtures.encode;
import static io.baton.wire.WireFixtures.encodeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Netty handlers on well-formed traffic: framing across writes, and encoding outbound frames. */
class FrameChannelTest {

    @Test
    void framesWrittenOneByteAtATimeEachDecodeExactlyWhenTheirLastByteArrives() {
        List<Frame> frames = WireFixtures.smallSampleFrames();
        byte[] bytes = encodeAll(frames);
        int[] ends = new int[frames.size()];
        int at = 0;
        for (int i = 0; i < frames.size(); i++) {
            at += encode(frames.get(i)).length;
            ends[i] = at;
        }

        DecoderHarness h = new DecoderHarness(FrameCodec.DEFAULT_MAX_FRAME);
        List<Object> decoded = new ArrayList<>();
        int complete = 0;
        for (int i = 0; i < bytes.length; i++) {
            h.write(new byte[] {bytes[i]});
            decoded.addAll(h.read());
            while (complete < ends.length && ends[complete] <= i + 1) {
                complete++;
            }
            assertThat(decoded).as("frames decoded after byte %d", i).hasSize(complete);
        }

        assertThat(h.writes()).isEqualTo(bytes.length);
        assertSameFrames(decoded, frames);
        h.finishCleanly();
    }

    @Test
    void manyFramesInOneBufferAllDecodeInOrder() {
        List<Frame> frames = new ArrayList<>();
        WireFixtures.samples().forEach(s -> frames.add(s.frame()));

        List<Object> decoded = DecoderHarness.decode(FrameCodec.DEFAULT_MAX_FRAME, encodeAll(frames));

        assertSameFrames(decoded, frames);
    }

    @Test
    void framesSplitAtRandomPointsDecodeInOrder() {
        List<Frame> frames = new ArrayList<>();
        WireFixtures.samples().forEach(s -> frames.add(s.frame()));
        byte[] bytes = encodeAll(frames);
        SplittableRandom rnd = new SplittableRandom(42);

        DecoderHarness h = new DecoderHarness(FrameCodec.DEFAULT_MAX_FRAME);
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 7 : 5000));
            h.write(Arrays.copyOfRange(bytes, at, at + n));
            at += n;
        }

        assertSameFrames(h.read(), frames);
        h.finishCleanly();
    }

    @Test
    void aPartialFrameEmitsNothingUntilItCompletes() {
        byte[] bytes = encode(new Frame.Hello(4, Frame.HelloKind.RESUME, 9, WireFixtures.sequence(16, 0), 4));
        DecoderHarness h = new DecoderHarness(FrameCodec.DEFAULT_MAX_FRAME);

        h.write(Arrays.copyOf(bytes, bytes.length - 1));
        assertThat(h.read()).isEmpty();
        h.write(new byte[] {bytes[bytes.length - 1]});

        List<Object> out = h.read();
        assertThat(out).hasSize(1);
        assertSameFrame((Frame) out.get(0),
                new Frame.Hello(4, Frame.HelloKind.RESUME, 9, WireFixtures.sequence(16, 0), 4));
        h.finishCleanly();
    }

    @Test
    void aPartialFrameLeftAtCloseIsReleasedWithoutEmittingAnything() {
        byte[] bytes = encode(new Frame.Ping(5));
        DecoderHarness h = new DecoderHarness(FrameCodec.DEFAULT_MAX_FRAME);

        h.write(Arrays.copyOf(bytes, 6));

        assertThat(h.read()).isEmpty();
        h.finishCleanly();
    }

    @Test
    void aFrameOfExactlyTheMaximumLengthIsAccepted() {
        byte[] ping = encode(new Frame.Ping(77));   // length field 9
        byte[] close = encode(new Frame.Close());   // length field 1

        assertSameFrames(DecoderHarness.decode(9, ping), List.of(new Frame.Ping(77)));
        assertSameFrames(DecoderHarness.decode(1, close), List.of(new Frame.Close()));
    }

    @Test
    void aFrameOneByteOverTheMaximumIsTooLarge() {
        byte[] ping = encode(new Frame.Ping(77));   // length field 9

        ProtocolException cause = DecoderHarness.onlyBadFrame(DecoderHarness.decode(8, ping));

        assertThat(cause.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void decoderRejectsANonPositiveMaximum(int max) {
        assertThatThrownBy(() -> new FrameDecoder(max)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encoderWritesEachOutboundFrameAsItsCodecBytes() {
        List<Frame> frames = new ArrayList<>();
        WireFixtures.samples().forEach(s -> frames.add(s.frame()));
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);

        for (Frame f : frames) {
            assertThat(ch.writeOutbound(f)).isTrue();
        }

        for (Frame f : frames) {
            ByteBuf out = ch.readOutbound();
            assertThat(out).as("outbound for %s", f).isNotNull();
            try {
                assertThat(ByteBufUtil.getBytes(out)).containsExactly(encode(f));
            } finally {
                out.release();
            }
        }
        Object rest = ch.readOutbound();
        assertThat(rest).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void encoderOutputFedToADecoderGivesBackTheSameFrames() {
        List<Frame> frames = new ArrayList<>();
        WireFixtures.samples().forEach(s -> frames.add(s.frame()));
        EmbeddedChannel ch = new EmbeddedChannel(FrameEncoder.INSTANCE);
        for (Frame f : frames) {
            ch.writeOutbound(f);
        }
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ByteBuf out;
        while ((out = ch.readOutbound()) != null) {
            wire.writeBytes(ByteBufUtil.getBytes(out));
            out.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();

        assertSameFrames(DecoderHarness.decode(FrameCodec.DEFAULT_MAX_FRAME, wire.toByteArray()), frames);
    }

    @Test
    void oneEncoderInstanceServesTwoChannels() {
        EmbeddedChannel a = new EmbeddedChannel(FrameEncoder.INSTANCE);
        EmbeddedChannel b = new EmbeddedChannel(FrameEncoder.INSTANCE);

        a.writeOutbound(new Frame.Ping(1));
        b.writeOutbound(new Frame.Pong(2));

        ByteBuf fromA = a.readOutbound();
        ByteBuf fromB = b.readOutbound();
        try {
            assertThat(ByteBufUtil.getBytes(fromA)).containsExactly(encode(new Frame.Ping(1)));
            assertThat(ByteBufUtil.getBytes(fromB)).containsExactly(encode(new Frame.Pong(2)));
        } finally {
            fromA.release();
            fromB.release();
        }
        assertThat(a.finishAndReleaseAll()).isFalse();
        assertThat(b.finishAndReleaseAll()).isFalse();
    }

    @Test
    void decoderAndEncoderInOnePipelineHandleBothDirections() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(FrameCodec.DEFAULT_MAX_FRAME), FrameEncoder.INSTANCE);
        ByteBuf in = Unpooled.wrappedBuffer(encode(new Frame.Ping(31)));

        ch.writeInbound(in);
        ch.writeOutbound(new Frame.Pong(31));

        Object decoded = ch.readInbound();
        ByteBuf encoded = ch.readOutbound();
        try {
            assertSameFrame((Frame) decoded, new Frame.Ping(31));
            assertThat(ByteBufUtil.getBytes(encoded)).containsExactly(encode(new Frame.Pong(31)));
        } finally {
            encoded.release();
        }
        assertThat(in.refCnt()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
