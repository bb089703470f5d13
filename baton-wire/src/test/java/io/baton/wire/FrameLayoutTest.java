package io.baton.wire;

import static io.baton.wire.WireFixtures.assertSameFrame;
import static io.baton.wire.WireFixtures.decodeOne;
import static io.baton.wire.WireFixtures.encode;
import static io.baton.wire.WireFixtures.hex;
import static io.baton.wire.WireFixtures.sequence;
import static io.baton.wire.WireFixtures.toHex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the byte layout of frames against the diagrams in {@link Frame}'s javadoc. The expected bytes are
 * written by hand, field by field, so any change to the order, width or signedness of a field fails here.
 */
class FrameLayoutTest {

    private static final long A = 0x0102030405060708L;
    private static final long B = 0xA1A2A3A4A5A6A7A8L;
    private static final long C = 0xB1B2B3B4B5B6B7B8L;
    private static final byte[] TOKEN = sequence(Frame.TOKEN_LENGTH, 0x10);   // 10 11 .. 1f
    private static final byte[] MAC = sequence(Frame.MAC_LENGTH, 0x40);       // 40 41 .. 5f
    private static final String TOKEN_HEX = "101112131415161718191a1b1c1d1e1f";
    private static final String MAC_HEX = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";

    static Stream<Arguments> layouts() {
        return Stream.of(
                // min(u8) max(u8) kind(u8) session(u64) token(16) outputAck(u64): body offsets 0, 1, 2, 3, 11, 27, 35
                layout("HELLO", new Frame.Hello(4, 5, Frame.HelloKind.RESUME, A, TOKEN, B),
                        "00000024 | 01 | 04 05 | 01 | 0102030405060708 | " + TOKEN_HEX + " | a1a2a3a4a5a6a7a8"),
                // a build before ranges: its one version as a u16, so the first byte is 0; the rest is laid out alike
                layout("HELLO before ranges", new Frame.Hello(3, Frame.HelloKind.RESUME, A, TOKEN, B),
                        "00000024 | 01 | 0003 | 01 | 0102030405060708 | " + TOKEN_HEX + " | a1a2a3a4a5a6a7a8"),
                // ver(u16) session(u64) secret(16) inputAck(u64): body offsets 0, 2, 10, 26, 34
                layout("WELCOME", new Frame.Welcome(4, A, TOKEN, B),
                        "00000023 | 02 | 0004 | 0102030405060708 | " + TOKEN_HEX + " | a1a2a3a4a5a6a7a8"),
                // version 5 (the test version) adds tickHz(u16) at 34
                layout("WELCOME version 5", new Frame.Welcome(5, A, TOKEN, B, 60),
                        "00000025 | 02 | 0005 | 0102030405060708 | " + TOKEN_HEX + " | a1a2a3a4a5a6a7a8 | 003c"),
                layout("INPUT", new Frame.Input(A, B, hex("deadbeef")),
                        "00000015 | 03 | 0102030405060708 | a1a2a3a4a5a6a7a8 | deadbeef"),
                layout("OUTPUT", new Frame.Output(A, B, hex("deadbeef")),
                        "00000015 | 04 | 0102030405060708 | a1a2a3a4a5a6a7a8 | deadbeef"),
                layout("ACK", new Frame.Ack(A), "00000009 | 05 | 0102030405060708"),
                // handoff(u64) ticket(16) host(str: u16 n + UTF-8) port(u16) webSocket(str); "hé" is 68 c3 a9,
                // "ws://x" 77 73 3a 2f 2f 78: 1 + 24 + 5 + 2 + 8 = 40 = 0x28
                layout("MOVE", new Frame.Move(A, TOKEN, "hé", 8080, "ws://x"),
                        "00000028 | 06 | 0102030405060708 | " + TOKEN_HEX + " | 0003 68c3a9 | 1f90 | 0006 77733a2f2f78"),
                layout("MOVE no WebSocket URL", new Frame.Move(A, TOKEN, "hé", 8080),
                        "00000022 | 06 | 0102030405060708 | " + TOKEN_HEX + " | 0003 68c3a9 | 1f90 | 0000"),
                layout("ATTACHED", new Frame.Attached(A), "00000009 | 07 | 0102030405060708"),
                layout("SWITCH", new Frame.Switch(A, -1L), "00000011 | 08 | 0102030405060708 | ffffffffffffffff"),
                layout("MOVE_ABORTED", new Frame.MoveAborted(A), "00000009 | 09 | 0102030405060708"),
                layout("TARGET_HINT", new Frame.TargetHint("hé", 8080, "ws://x"),
                        "00000010 | 0e | 0003 68c3a9 | 1f90 | 0006 77733a2f2f78"),
                layout("TARGET_HINT withdrawn", Frame.TargetHint.WITHDRAWN, "00000007 | 0e | 0000 | 0000 | 0000"),
                layout("PING", new Frame.Ping(A), "00000009 | 0a | 0102030405060708"),
                layout("PONG", new Frame.Pong(B), "00000009 | 0b | a1a2a3a4a5a6a7a8"),
                layout("CLOSE", new Frame.Close(), "00000001 | 0c"),
                // code(u16) message(str); "nö" is 6e c3 b6
                layout("ERROR", new Frame.Error(ErrorCode.UNKNOWN_SESSION, "nö"), "00000008 | 0d | 0007 | 0003 6ec3b6"),
                // min(u8) max(u8) handoff(u64) mode(u8) nonce(16) service(str) schema(u32): 1 + 27 + 7 + 4 = 39 = 0x27
                layout("PEER_HELLO", new Frame.PeerHello(4, 5, A, Frame.Mode.STOPCOPY, TOKEN, "arena", 0x01020304),
                        "00000027 | 20 | 04 05 | 0102030405060708 | 01 | " + TOKEN_HEX + " | 0005 6172656e61 | 01020304"),
                layout("PEER_HELLO before ranges", new Frame.PeerHello(3, A, Frame.Mode.LIVE, TOKEN, "", 0),
                        "00000022 | 20 | 0003 | 0102030405060708 | 00 | " + TOKEN_HEX + " | 0000 | 00000000"),
                // ver(u16) targetNonce(16) mac(32) host(str) port(u16) webSocket(str) path(u8): 1 + 50 + 5 + 2 + 8 + 1 = 67 = 0x43
                layout("PEER_CHALLENGE", new Frame.PeerChallenge(5, TOKEN, MAC, "hé", 8080, "ws://x",
                                Frame.SchemaPath.STOP_AND_COPY),
                        "00000043 | 21 | 0005 | " + TOKEN_HEX + " | " + MAC_HEX + " | 0003 68c3a9 | 1f90 | 0006 77733a2f2f78 | 02"),
                layout("PEER_CHALLENGE no endpoint", new Frame.PeerChallenge(TOKEN, MAC, "", 0),
                        "0000003a | 21 | 0004 | " + TOKEN_HEX + " | " + MAC_HEX + " | 0000 | 0000 | 0000 | 00"),
                // handoff(u64) nonce(16): 1 + 24 = 25 = 0x19
                layout("PROBE", new Frame.Probe(A, TOKEN), "00000019 | 0f | 0102030405060708 | " + TOKEN_HEX),
                // handoff(u64) mac(32): 1 + 40 = 41 = 0x29
                layout("PROBE_PROOF", new Frame.ProbeProof(B, MAC), "00000029 | 10 | a1a2a3a4a5a6a7a8 | " + MAC_HEX),
                layout("PEER_AUTH", new Frame.PeerAuth(MAC), "00000021 | 22 | " + MAC_HEX),
                // index(u64) tick(u64) schema(u32) bytes(u64) tickHz(u16) service(str)
                layout("SNAPSHOT_BEGIN", new Frame.SnapshotBegin(A, 0x1112131415161718L, 0x21222324,
                                0x3132333435363738L, 60, "arena"),
                        "00000026 | 23 | 0102030405060708 | 1112131415161718 | 21222324 | 3132333435363738 | 003c"
                                + " | 0005 6172656e61"),
                layout("SNAPSHOT_CHUNK", new Frame.SnapshotChunk(hex("010203")), "00000004 | 24 | 010203"),
                layout("SNAPSHOT_END", new Frame.SnapshotEnd(A), "00000009 | 25 | 0102030405060708"),
                // index(u64) kind(u8) session(u64) seq(u64) payload
                layout("EVENT", new Frame.Event(A, Frame.EventKind.INPUT, B, C, hex("cafe")),
                        "0000001c | 26 | 0102030405060708 | 01 | a1a2a3a4a5a6a7a8 | b1b2b3b4b5b6b7b8 | cafe"),
                layout("TRIM", new Frame.Trim(A, B), "00000011 | 27 | 0102030405060708 | a1a2a3a4a5a6a7a8"),
                layout("REPLICA_ACK", new Frame.ReplicaAck(A), "00000009 | 28 | 0102030405060708"),
                // index(u64) digest(u64) nextTickInNanos(u64); 1e9 ns is 3b9aca00
                layout("CUTOVER", new Frame.Cutover(A, B, 1_000_000_000L),
                        "00000019 | 29 | 0102030405060708 | a1a2a3a4a5a6a7a8 | 000000003b9aca00"),
                // peer-link version 5 (the test version) adds tick(u64) at 24
                layout("CUTOVER version 5", new Frame.Cutover(A, B, 1_000_000_000L, C & Long.MAX_VALUE),
                        "00000021 | 29 | 0102030405060708 | a1a2a3a4a5a6a7a8 | 000000003b9aca00 | 31b2b3b4b5b6b7b8"),
                layout("CUTOVER_RESULT ok", new Frame.CutoverResult(true, A), "0000000a | 2a | 01 | 0102030405060708"),
                layout("CUTOVER_RESULT refused", new Frame.CutoverResult(false, B),
                        "0000000a | 2a | 00 | a1a2a3a4a5a6a7a8"),
                layout("FORWARD", new Frame.Forward(A, B, hex("99")),
                        "00000012 | 2b | 0102030405060708 | a1a2a3a4a5a6a7a8 | 99"),
                layout("PEER_ABORT", new Frame.PeerAbort("x"), "00000004 | 2c | 0001 78"),
                // index(u64), then the electorate: a count (u32) and that many session ids (u64)
                layout("COMMIT", new Frame.Commit(A, new long[] {B, C}),
                        "0000001d | 2d | 0102030405060708 | 00000002 | a1a2a3a4a5a6a7a8 | b1b2b3b4b5b6b7b8"),
                layout("COMMIT no electorate", new Frame.Commit(A, new long[0]),
                        "0000000d | 2d | 0102030405060708 | 00000000"));
    }

    private static Arguments layout(String name, Frame frame, String expectedHex) {
        return Arguments.of(name, frame, expectedHex);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void encoderWritesTheDocumentedBytes(String name, Frame frame, String expectedHex) {
        assertThat(toHex(encode(frame))).as(name).isEqualTo(toHex(hex(expectedHex)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void decoderReadsTheDocumentedBytes(String name, Frame frame, String expectedHex) throws ProtocolException {
        assertSameFrame(decodeOne(hex(expectedHex)), frame);
    }

    @Test
    void everyFrameTypeHasAPinnedLayout() {
        var pinned = layouts().map(a -> ((Frame) a.get()[1]).type()).collect(java.util.stream.Collectors.toSet());

        assertThat(pinned).containsAll(WireFixtures.frameTypeConstants().values());
    }

    @Test
    void helloKindsHaveFixedWireValues() {
        assertThat(helloKindByte(Frame.HelloKind.NEW)).isEqualTo(0);
        assertThat(helloKindByte(Frame.HelloKind.RESUME)).isEqualTo(1);
        assertThat(helloKindByte(Frame.HelloKind.ATTACH)).isEqualTo(2);
        assertThat(Frame.HelloKind.values()).hasSize(3);
    }

    @Test
    void eventKindsHaveFixedWireValues() {
        assertThat(eventKindByte(Frame.EventKind.OPEN)).isEqualTo(0);
        assertThat(eventKindByte(Frame.EventKind.INPUT)).isEqualTo(1);
        assertThat(eventKindByte(Frame.EventKind.TICK)).isEqualTo(2);
        assertThat(eventKindByte(Frame.EventKind.CLOSE)).isEqualTo(3);
        assertThat(Frame.EventKind.values()).hasSize(4);
    }

    @Test
    void handoffModesHaveFixedWireValues() {
        assertThat(modeByte(Frame.Mode.LIVE)).isEqualTo(0);
        assertThat(modeByte(Frame.Mode.STOPCOPY)).isEqualTo(1);
        assertThat(Frame.Mode.values()).hasSize(2);
    }

    @Test
    void unsignedSixteenBitFieldsUseTheFullRange() {
        assertThat(toHex(encode(new Frame.Welcome(0xFFFF, 0, null, 0, 0xFFFF))).substring(10, 14)).isEqualTo("ffff");
        assertThat(toHex(encode(new Frame.Move(0, null, "", 0xFFFF)))).endsWith("0000ffff0000");
    }

    @Test
    void protocolConstantsAreAsDocumented() {
        assertThat(Frame.VERSION).isEqualTo(4);
        assertThat(Frame.PEER_VERSION).isEqualTo(4);
        assertThat(Frame.FIRST_RANGED_VERSION).isEqualTo(4);
        assertThat(Frame.NEWEST_KNOWN_VERSION).isEqualTo(5);
        assertThat(Frame.TOKEN_LENGTH).isEqualTo(16);
        assertThat(Frame.MAC_LENGTH).isEqualTo(32);
        assertThat(FrameCodec.LENGTH_FIELD).isEqualTo(4);
        assertThat(FrameCodec.DEFAULT_MAX_FRAME).isEqualTo(1 << 20);
        assertThat(FrameCodec.SNAPSHOT_CHUNK_BYTES + 1).isLessThanOrEqualTo(FrameCodec.DEFAULT_MAX_FRAME);
    }

    private static int helloKindByte(Frame.HelloKind kind) {
        return encode(new Frame.Hello(4, kind, 0, null, 0))[5 + 2] & 0xFF;
    }

    private static int eventKindByte(Frame.EventKind kind) {
        return encode(new Frame.Event(0, kind, 0, 0, new byte[0]))[5 + 8] & 0xFF;
    }

    private static int modeByte(Frame.Mode mode) {
        return encode(new Frame.PeerHello(4, 0, mode, null, "", 0))[5 + 10] & 0xFF;
    }
}
