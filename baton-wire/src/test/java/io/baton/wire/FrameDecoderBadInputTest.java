package io.baton.wire;

import static io.baton.wire.DecoderHarness.decode;
import static io.baton.wire.DecoderHarness.onlyBadFrame;
import static io.baton.wire.WireFixtures.concat;
import static io.baton.wire.WireFixtures.encode;
import static io.baton.wire.WireFixtures.hex;
import static io.baton.wire.WireFixtures.rawFrame;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoder on streams that break the protocol: one BadFrame with the right code, then silence. */
class FrameDecoderBadInputTest {

    private static final int MAX = FrameCodec.DEFAULT_MAX_FRAME;

    /** The smallest body each type accepts, from the diagrams in {@link Frame}. */
    private static final Map<Integer, Integer> MIN_BODY = new LinkedHashMap<>();

    /** Types whose body ends in a payload that runs to the end of the frame, so extra bytes are data. */
    private static final Set<Integer> OPEN_ENDED = Set.of(FrameType.INPUT, FrameType.OUTPUT,
            FrameType.SNAPSHOT_CHUNK, FrameType.EVENT, FrameType.FORWARD);

    static {
        MIN_BODY.put(FrameType.HELLO, 1 + 1 + 1 + 8 + 16 + 8);
        MIN_BODY.put(FrameType.WELCOME, 2 + 8 + 16 + 8);
        MIN_BODY.put(FrameType.INPUT, 8 + 8);
        MIN_BODY.put(FrameType.OUTPUT, 8 + 8);
        MIN_BODY.put(FrameType.ACK, 8);
        MIN_BODY.put(FrameType.MOVE, 8 + 16 + 2 + 2 + 2);
        MIN_BODY.put(FrameType.ATTACHED, 8);
        MIN_BODY.put(FrameType.SWITCH, 8 + 8);
        MIN_BODY.put(FrameType.MOVE_ABORTED, 8);
        MIN_BODY.put(FrameType.TARGET_HINT, 2 + 2 + 2);
        MIN_BODY.put(FrameType.COMMIT, 12); // index and an electorate count of 0
        MIN_BODY.put(FrameType.PING, 8);
        MIN_BODY.put(FrameType.PONG, 8);
        MIN_BODY.put(FrameType.CLOSE, 0);
        MIN_BODY.put(FrameType.ERROR, 2 + 2);
        MIN_BODY.put(FrameType.PEER_HELLO, 1 + 1 + 8 + 1 + 16 + 2 + 4);
        MIN_BODY.put(FrameType.PEER_CHALLENGE, 2 + 16 + 32 + 2 + 2 + 2 + 1);
        MIN_BODY.put(FrameType.PROBE, 8 + 16);
        MIN_BODY.put(FrameType.PROBE_PROOF, 8 + 32);
        MIN_BODY.put(FrameType.PEER_AUTH, 32);
        MIN_BODY.put(FrameType.SNAPSHOT_BEGIN, 8 + 8 + 4 + 8 + 2 + 2);
        MIN_BODY.put(FrameType.SNAPSHOT_CHUNK, 0);
        MIN_BODY.put(FrameType.SNAPSHOT_END, 8);
        MIN_BODY.put(FrameType.EVENT, 8 + 1 + 8 + 8);
        MIN_BODY.put(FrameType.TRIM, 8 + 8);
        MIN_BODY.put(FrameType.REPLICA_ACK, 8);
        MIN_BODY.put(FrameType.CUTOVER, 8 + 8 + 8);
        MIN_BODY.put(FrameType.CUTOVER_RESULT, 1 + 8);
        MIN_BODY.put(FrameType.FORWARD, 8 + 8);
        MIN_BODY.put(FrameType.PEER_ABORT, 2);
    }

    static Stream<Arguments> allTypes() {
        return MIN_BODY.entrySet().stream().map(e -> Arguments.of(FrameType.name(e.getKey()), e.getKey(), e.getValue()));
    }

    static Stream<Arguments> typesWithAMinimum() {
        return allTypes().filter(a -> (int) a.get()[2] > 0);
    }

    static Stream<Arguments> closedTypes() {
        return allTypes().filter(a -> !OPEN_ENDED.contains((int) a.get()[1]));
    }

    // ---------------------------------------------------------------- length prefix

    @Test
    void lengthPrefixZeroIsMalformed() {
        ProtocolException cause = onlyBadFrame(decode(MAX, hex("00000000 0c")));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void aTwoGibLengthIsRejectedAsTooLargeFromTheFourBytePrefixAlone() {
        DecoderHarness.CappedAllocator alloc = new DecoderHarness.CappedAllocator(4096);
        DecoderHarness h = new DecoderHarness(MAX, alloc);

        h.writeByteByByte(hex("800000"));
        assertThat(h.read()).isEmpty();
        h.write(hex("00"));   // only now is the length 0x80000000 known; nothing after it was sent

        ProtocolException cause = onlyBadFrame(h.read());
        assertThat(cause.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(alloc.largestRequest()).isLessThanOrEqualTo(4096);
        h.finishCleanly();
    }

    /** 16 MiB, max + 1, 2 GiB - 1 and 4 GiB - 1: each rejected as the fourth byte arrives, with nothing sized by it. */
    @ParameterizedTest
    @ValueSource(strings = {"01000000", "00100001", "7fffffff", "ffffffff"})
    void anOversizedLengthIsRejectedFromItsPrefixWithoutSizingABufferByIt(String prefix) {
        DecoderHarness.CappedAllocator alloc = new DecoderHarness.CappedAllocator(4096);
        DecoderHarness h = new DecoderHarness(MAX, alloc);
        byte[] bytes = hex(prefix);

        h.writeByteByByte(java.util.Arrays.copyOf(bytes, 3));
        assertThat(h.read()).isEmpty();
        h.write(new byte[] {bytes[3]});

        assertThat(onlyBadFrame(h.read()).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(alloc.largestRequest()).isLessThanOrEqualTo(4096);
        h.finishCleanly();
    }

    @Test
    void aTwoGibLengthPrefixInOneBufferIsTooLarge() {
        ProtocolException cause = onlyBadFrame(decode(MAX, hex("80000000")));

        assertThat(cause.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void aLengthWithTheTopBitSetIsTooLargeNotNegative() {
        ProtocolException cause = onlyBadFrame(decode(Integer.MAX_VALUE, hex("ffffffff 01")));

        assertThat(cause.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void aLengthOneOverTheMaximumIsTooLargeBeforeItsBodyArrives() {
        ProtocolException cause = onlyBadFrame(decode(1000, hex("000003e9 24")));

        assertThat(cause.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    // ---------------------------------------------------------------- type and size

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x11, 0x1F, 0x2E, 0x3F, 0x40, 0x80, 0xFF})
    void unknownTypeIdIsMalformed(int type) {
        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(type, new byte[8])));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void helloWithATenByteBodyIsMalformed() {
        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.HELLO, new byte[10])));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void helloWithTrailingBytesIsMalformed() {
        byte[] hello = encode(new Frame.Hello(4, Frame.HelloKind.NEW, 0, null, 0));
        byte[] body = concat(java.util.Arrays.copyOfRange(hello, 5, hello.length), hex("00"));

        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.HELLO, body)));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void commitWhoseElectorateCountDisagreesWithItsLengthIsMalformed() {
        byte[] commit = encode(new Frame.Commit(7, new long[] {1, 2}));
        byte[] body = java.util.Arrays.copyOfRange(commit, 5, commit.length - 8); // says 2 sessions, carries 1

        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.COMMIT, body)));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(cause.getMessage()).contains("names 2 sessions but carries 8 bytes");
    }

    @Test
    void minimumBodyTableCoversEveryFrameType() {
        assertThat(MIN_BODY.keySet()).containsExactlyInAnyOrderElementsOf(WireFixtures.frameTypeConstants().values());
    }

    @ParameterizedTest(name = "{0} with {2} zero bytes")
    @MethodSource("allTypes")
    void aBodyOfExactlyTheMinimumDecodes(String name, int type, int min) {
        byte[] body = new byte[min];
        if (type == FrameType.HELLO || type == FrameType.PEER_HELLO) {
            body[0] = 4; // the version range 4..4: a hello of all zeros names no version (below)
            body[1] = 4;
        }
        List<Object> out = decode(MAX, rawFrame(type, body));

        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isInstanceOf(Frame.class);
        assertThat(((Frame) out.get(0)).type()).isEqualTo(type);
    }

    @ParameterizedTest(name = "HELLO and PEER_HELLO starting {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"0000", "0004", "00ff", "0305", "0504", "0104"})
    void aHelloWhoseFirstBytesNameNoRangeAndNoVersionOfABuildBeforeRangesIsMalformed(String first) {
        for (int type : new int[] {FrameType.HELLO, FrameType.PEER_HELLO}) {
            byte[] body = new byte[MIN_BODY.get(type)];
            body[0] = (byte) Integer.parseInt(first.substring(0, 2), 16);
            body[1] = (byte) Integer.parseInt(first.substring(2), 16);

            ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(type, body)));

            assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(cause.getMessage()).containsAnyOf("single version", "version range");
        }
    }

    @ParameterizedTest(name = "a build before ranges speaking version {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3})
    void aHelloOfABuildBeforeRangesDecodesAsItsOneVersionWithTheRestReadAsItWrote(int version) {
        byte[] body = new byte[MIN_BODY.get(FrameType.HELLO)];
        body[1] = (byte) version; // [u16 version][u8 kind = RESUME][u64 session = 7]...
        body[2] = 1;
        body[10] = 7;

        Frame.Hello h = (Frame.Hello) decode(MAX, rawFrame(FrameType.HELLO, body)).get(0);

        assertThat(h.versions()).isEqualTo(new VersionRange(version, version));
        assertThat(h.versions().beforeRanges()).isTrue();
        assertThat(h.kind()).isEqualTo(Frame.HelloKind.RESUME);
        assertThat(h.sessionId()).isEqualTo(7);
    }

    @Test
    void aWelcomeInAVersionThisBuildCannotReadIsRefusedNotGuessedAt() {
        byte[] body = new byte[36];
        body[1] = 6;

        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.WELCOME, body)));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(cause.getMessage()).contains("version 6").contains("up to 5");
    }

    @Test
    void aVersion5WelcomeWithoutItsTickRateIsMalformed() {
        byte[] body = new byte[34];
        body[1] = 5;

        assertThat(onlyBadFrame(decode(MAX, rawFrame(FrameType.WELCOME, body))).code())
                .isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @ParameterizedTest(name = "{0} with {2} - 1 bytes")
    @MethodSource("typesWithAMinimum")
    void aBodyOneByteShortOfTheMinimumIsMalformed(String name, int type, int min) {
        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(type, new byte[min - 1])));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @ParameterizedTest(name = "{0} with {2} + 1 bytes")
    @MethodSource("closedTypes")
    void aByteAfterAClosedBodyIsMalformed(String name, int type, int min) {
        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(type, new byte[min + 1])));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    // ---------------------------------------------------------------- enums

    @ParameterizedTest
    @ValueSource(ints = {3, 7, 0xFF})
    void helloKindOutOfRangeIsMalformed(int kind) {
        byte[] bytes = encode(new Frame.Hello(4, Frame.HelloKind.NEW, 0, null, 0));
        bytes[5 + 2] = (byte) kind;

        assertThat(onlyBadFrame(decode(MAX, bytes)).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 9, 0xFF})
    void eventKindOutOfRangeIsMalformed(int kind) {
        byte[] bytes = encode(new Frame.Event(1, Frame.EventKind.TICK, 0, 0, new byte[3]));
        bytes[5 + 8] = (byte) kind;

        assertThat(onlyBadFrame(decode(MAX, bytes)).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 0xFF})
    void peerHelloModeOutOfRangeIsMalformed(int mode) {
        byte[] bytes = encode(new Frame.PeerHello(4, 1, Frame.Mode.LIVE, null, "tally", 1));
        bytes[5 + 10] = (byte) mode;

        assertThat(onlyBadFrame(decode(MAX, bytes)).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 0x80, 0xFF})
    void cutoverResultOkOtherThanZeroOrOneIsMalformed(int ok) {
        byte[] bytes = encode(new Frame.CutoverResult(true, 1));
        bytes[5] = (byte) ok;

        assertThat(onlyBadFrame(decode(MAX, bytes)).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void errorFrameWithAnUnknownCodeDecodesAsProtocolViolation() {
        List<Object> out = decode(MAX, rawFrame(FrameType.ERROR, hex("00c8 0002 6869")));

        assertThat(out).hasSize(1);
        WireFixtures.assertSameFrame((Frame) out.get(0), new Frame.Error(ErrorCode.PROTOCOL_VIOLATION, "hi"));
    }

    // ---------------------------------------------------------------- strings

    @Test
    void peerAbortStringLengthBeyondItsFrameIsMalformed() {
        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.PEER_ABORT, hex("000a 616263"))));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void moveHostLengthBeyondItsFrameIsMalformed() {
        // handoff, ticket, then a host of 0x0100 bytes of which only 4 are present, then a port
        byte[] body = concat(new byte[8], new byte[16], hex("0100 68 6f 73 74 1f90"));

        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.MOVE, body)));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void errorMessageLengthOfAllOnesIsMalformed() {
        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.ERROR, hex("0001 ffff 41"))));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void aStringOf4097BytesIsMalformedEvenWhenAllItsBytesArePresent() {
        byte[] body = concat(hex("1001"), "a".repeat(4097).getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.PEER_ABORT, body)));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void aStringOfExactly4096BytesDecodes() {
        byte[] body = concat(hex("1000"), "a".repeat(4096).getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        List<Object> out = decode(MAX, rawFrame(FrameType.PEER_ABORT, body));

        assertThat(out).hasSize(1);
        assertThat(((Frame.PeerAbort) out.get(0)).reason()).isEqualTo("a".repeat(4096));
    }

    /** Not UTF-8: bad continuation, a byte UTF-8 never uses, overlong '/', a surrogate, a cut sequence, > U+10FFFF. */
    @ParameterizedTest
    @ValueSource(strings = {"c328", "ff", "c0af", "eda080", "e282", "f4908080", "41 80 42"})
    void invalidUtf8InAPeerAbortReasonIsMalformed(String utf8) {
        byte[] s = hex(utf8);
        byte[] body = concat(new byte[] {0, (byte) s.length}, s);

        ProtocolException cause = onlyBadFrame(decode(MAX, rawFrame(FrameType.PEER_ABORT, body)));

        assertThat(cause.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void invalidUtf8InEveryStringFieldIsMalformed() {
        byte[] bad = hex("0002 c328");
        byte[] move = concat(new byte[8 + 16], bad, hex("0050 0000"));
        byte[] moveUrl = concat(new byte[8 + 16], hex("0000 0050"), bad);
        byte[] hintUrl = concat(hex("0000 0050"), bad);
        byte[] error = concat(hex("0001"), bad);
        byte[] begin = concat(new byte[8 + 8 + 4 + 8 + 2], bad);

        assertThat(onlyBadFrame(decode(MAX, rawFrame(FrameType.MOVE, move))).code())
                .isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(onlyBadFrame(decode(MAX, rawFrame(FrameType.MOVE, moveUrl))).code())
                .isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(onlyBadFrame(decode(MAX, rawFrame(FrameType.TARGET_HINT, hintUrl))).code())
                .isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(onlyBadFrame(decode(MAX, rawFrame(FrameType.ERROR, error))).code())
                .isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(onlyBadFrame(decode(MAX, rawFrame(FrameType.SNAPSHOT_BEGIN, begin))).code())
                .isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    // ---------------------------------------------------------------- after the first bad frame

    @Test
    void framesBeforeABadFrameAreEmittedAndEverythingAfterItIsDiscarded() {
        byte[] ping = encode(new Frame.Ping(1));
        byte[] pong = encode(new Frame.Pong(2));
        DecoderHarness h = new DecoderHarness(MAX);

        h.write(concat(ping, hex("00000000"), pong));          // valid, bad, valid in one buffer
        List<Object> first = h.read();
        h.write(encode(new Frame.Ack(3)));                       // a later valid frame, whole
        h.writeByteByByte(encode(new Frame.SnapshotEnd(4)));     // a later valid frame, byte by byte
        h.write(WireFixtures.encodeAll(List.of(new Frame.Close(), new Frame.Trim(5, 6))));
        List<Object> later = h.read();

        assertThat(first).hasSize(2);
        WireFixtures.assertSameFrame((Frame) first.get(0), new Frame.Ping(1));
        assertThat(first.get(1)).isInstanceOf(FrameDecoder.BadFrame.class);
        assertThat(later).isEmpty();
        h.finishCleanly();
    }

    @Test
    void aDecoderInTheBadStateEmitsNothingForLaterWrites() {
        DecoderHarness h = new DecoderHarness(MAX);

        h.write(rawFrame(0x11, new byte[0]));
        assertThat(onlyBadFrame(h.read()).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        for (WireFixtures.Sample s : WireFixtures.samples()) {
            h.write(encode(s.frame()));
        }
        h.write(hex("00000000"));                                // a second bad frame is not reported again
        h.write(hex("7fffffff"));

        assertThat(h.read()).isEmpty();
        h.finishCleanly();
    }

    @Test
    void aBadFrameSplitAcrossWritesIsReportedOnce() {
        DecoderHarness h = new DecoderHarness(MAX);

        h.writeByteByByte(rawFrame(FrameType.HELLO, new byte[10]));
        h.writeByteByByte(encode(new Frame.Ping(1)));

        assertThat(onlyBadFrame(h.read()).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        h.finishCleanly();
    }
}
