package io.baton.wire;

import static io.baton.wire.WireFixtures.assertSameFrame;
import static io.baton.wire.WireFixtures.decodeOne;
import static io.baton.wire.WireFixtures.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecRoundTripTest {

    static List<WireFixtures.Sample> samples() {
        return WireFixtures.samples();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void encodeDecodeEncodeGivesIdenticalBytesAndEqualFields(WireFixtures.Sample sample) throws ProtocolException {
        byte[] first = encode(sample.frame());
        Frame decoded = decodeOne(first);
        byte[] second = encode(decoded);

        assertSameFrame(decoded, sample.frame());
        assertThat(second).containsExactly(first);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void encodingStartsWithLengthOfTypeAndBodyThenTheTypeId(WireFixtures.Sample sample) {
        byte[] bytes = encode(sample.frame());

        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertThat(buf.readUnsignedInt()).isEqualTo(bytes.length - 4L);
        assertThat(buf.readUnsignedByte()).isEqualTo((short) sample.frame().type());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void encodeAppendsAfterExistingBytesWithoutTouchingThem(WireFixtures.Sample sample) throws ProtocolException {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeBytes(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
            FrameCodec.encode(sample.frame(), buf);

            assertThat(buf.readByte()).isEqualTo((byte) 0xAB);
            assertThat(buf.readByte()).isEqualTo((byte) 0xCD);
            assertThat(buf.readByte()).isEqualTo((byte) 0xEF);
            byte[] rest = new byte[buf.readableBytes()];
            buf.readBytes(rest);
            assertThat(rest).containsExactly(encode(sample.frame()));
            assertSameFrame(decodeOne(rest), sample.frame());
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void encodedSizeIsExactForSizedTypesAndNeverUnderestimatesOthers(WireFixtures.Sample sample) {
        int actual = encode(sample.frame()).length;
        int type = sample.frame().type();
        boolean sized = Set.of(FrameType.HELLO, FrameType.WELCOME, FrameType.INPUT, FrameType.OUTPUT,
                FrameType.EVENT, FrameType.SNAPSHOT_CHUNK, FrameType.FORWARD).contains(type);

        if (sized) {
            assertThat(FrameCodec.encodedSize(sample.frame())).isEqualTo(actual);
        } else {
            assertThat(FrameCodec.encodedSize(sample.frame())).isGreaterThanOrEqualTo(actual);
        }
    }

    @Test
    void everyFrameTypeConstantHasARoundTripSample() {
        Map<String, Integer> constants = WireFixtures.frameTypeConstants();
        Set<Integer> sampled = samples().stream().map(s -> s.frame().type()).collect(Collectors.toSet());

        assertThat(constants).as("FrameType constants found by reflection").hasSizeGreaterThanOrEqualTo(26);
        Set<String> missing = new TreeSet<>();
        constants.forEach((name, id) -> {
            if (!sampled.contains(id)) {
                missing.add(name);
            }
        });
        assertThat(missing).as("frame types without a round-trip sample").isEmpty();
    }

    @Test
    void everyFrameRecordHasARoundTripSample() {
        Set<Class<?>> sampled = samples().stream().map(s -> s.frame().getClass()).collect(Collectors.toSet());

        assertThat(Frame.class.getPermittedSubclasses()).isNotEmpty();
        for (Class<?> record : Frame.class.getPermittedSubclasses()) {
            assertThat(sampled).as("samples of %s", record.getSimpleName()).contains(record);
        }
    }

    @Test
    void everyFrameTypeIdIsDistinctAndInItsDocumentedRange() {
        Map<String, Integer> constants = WireFixtures.frameTypeConstants();
        Set<Integer> seen = new HashSet<>();
        constants.forEach((name, id) -> {
            assertThat(seen.add(id)).as("%s id 0x%02x is unique", name, id).isTrue();
            assertThat(id).as(name).satisfiesAnyOf(
                    v -> assertThat(v).isBetween(0x01, 0x1F),
                    v -> assertThat(v).isBetween(0x20, 0x3F));
        });
    }

    @Test
    void frameTypeNameIsTheConstantNameForEveryIdAndHexOtherwise() {
        WireFixtures.frameTypeConstants().forEach((name, id) -> assertThat(FrameType.name(id)).isEqualTo(name));
        assertThat(FrameType.name(0x1F)).isEqualTo("0x1f");
        assertThat(FrameType.name(0xFF)).isEqualTo("0xff");
    }

    @Test
    void everyRecordReportsTheTypeIdOfTheConstantNamedAfterIt() {
        Map<String, Integer> constants = WireFixtures.frameTypeConstants();
        for (WireFixtures.Sample s : samples()) {
            String constant = s.frame().getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2")
                    .toUpperCase(java.util.Locale.ROOT);
            assertThat(constants).as(s.name()).containsKey(constant);
            assertThat(s.frame().type()).as(s.name()).isEqualTo(constants.get(constant));
        }
    }

    @Test
    void frameComparisonDetectsArraysThatDifferOnlyInContent() {
        byte[] a = WireFixtures.sequence(Frame.MAC_LENGTH, 0);
        byte[] b = a.clone();
        b[31] ^= 1;

        assertSameFrame(new Frame.PeerAuth(a), new Frame.PeerAuth(a.clone()));
        assertThatThrownBy(() -> assertSameFrame(new Frame.PeerAuth(a), new Frame.PeerAuth(b)))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertSameFrame(new Frame.Ping(1), new Frame.Pong(1)))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> assertSameFrame(new Frame.Switch(1, 2), new Frame.Switch(1, 3)))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void nullTokensAreSentAsZeros() throws ProtocolException {
        Frame.Hello hello = (Frame.Hello) decodeOne(encode(new Frame.Hello(4, Frame.HelloKind.NEW, 0, null, 0)));
        Frame.Welcome welcome = (Frame.Welcome) decodeOne(encode(new Frame.Welcome(4, 5, null, 3)));

        assertThat(hello.token()).containsExactly(new byte[Frame.TOKEN_LENGTH]);
        assertThat(welcome.secret()).containsExactly(new byte[Frame.TOKEN_LENGTH]);
        assertThat(welcome.inputAck()).isEqualTo(3);
    }

    @Test
    void encoderRejectsTokensOfTheWrongLength() {
        assertThatThrownBy(() -> encode(new Frame.Hello(4, Frame.HelloKind.RESUME, 1, new byte[15], 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.Welcome(4, 1, new byte[17], 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.Move(1, new byte[0], "h", 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.PeerAuth(new byte[Frame.TOKEN_LENGTH])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.PeerChallenge(new byte[Frame.TOKEN_LENGTH], new byte[31], "", 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encoderRejectsStringsLongerThan4096Utf8BytesEvenWhenShorterInChars() {
        String ascii = "a".repeat(WireFixtures.MAX_STRING + 1);
        String euros = "€".repeat(1366);
        assertThat(euros.length()).isLessThan(WireFixtures.MAX_STRING);
        assertThat(euros.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(WireFixtures.MAX_STRING);

        assertThatThrownBy(() -> encode(new Frame.PeerAbort(ascii))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.PeerAbort(euros))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.Error(ErrorCode.BUSY, euros)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.Move(1, new byte[Frame.TOKEN_LENGTH], euros, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encode(new Frame.SnapshotBegin(0, 0, 0, 0, 0, euros)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodeRejectsTrailingBytesAfterAFixedBodyWithMalformedFrame() {
        ByteBuf body = Unpooled.wrappedBuffer(new byte[9]);
        try {
            assertThatThrownBy(() -> FrameCodec.decode(FrameType.PING, body))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME));
        } finally {
            body.release();
        }
    }

    @Test
    void decodeConsumesTheWholeBody() throws ProtocolException {
        ByteBuf body = Unpooled.wrappedBuffer(WireFixtures.sequence(40, 1));
        try {
            Frame f = FrameCodec.decode(FrameType.INPUT, body);
            assertThat(body.isReadable()).isFalse();
            assertThat(((Frame.Input) f).payload()).containsExactly(WireFixtures.sequence(24, 17));
        } finally {
            body.release();
        }
    }
}
