package io.baton.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Shared test data: one or more samples of every frame, byte helpers, and a seeded random frame generator. */
final class WireFixtures {

    /** Longest string field in bytes, as the protocol documents it. */
    static final int MAX_STRING = 4096;

    private WireFixtures() {
    }

    // ---------------------------------------------------------------- samples

    /** A named frame sample; the name is what a parameterized test shows. */
    record Sample(String name, Frame frame) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Samples of every frame type, with edge values: 0, Long.MAX_VALUE, -1 as u64, empty and max strings. */
    static List<Sample> samples() {
        List<Sample> s = new ArrayList<>();
        byte[] zeros16 = new byte[Frame.TOKEN_LENGTH];
        byte[] ones16 = filled(Frame.TOKEN_LENGTH, 0xFF);
        byte[] seq16 = sequence(Frame.TOKEN_LENGTH, 0x10);
        byte[] seq32 = sequence(Frame.MAC_LENGTH, 0x40);
        byte[] allBytes = sequence(256, 0);

        s.add(new Sample("HELLO new zeros", new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, zeros16, 0)));
        s.add(new Sample("HELLO resume max", new Frame.Hello(4, 0xFF, Frame.HelloKind.RESUME, Long.MAX_VALUE, seq16, -1L)));
        s.add(new Sample("HELLO attach -1", new Frame.Hello(3, Frame.HelloKind.ATTACH, -1L, ones16, Long.MIN_VALUE)));

        s.add(new Sample("WELCOME zeros", new Frame.Welcome(Frame.VERSION, 0, zeros16, 0)));
        s.add(new Sample("WELCOME max", new Frame.Welcome(3, -1L, ones16, Long.MAX_VALUE)));
        s.add(new Sample("WELCOME version 5", new Frame.Welcome(5, -1L, ones16, Long.MAX_VALUE, 0xFFFF)));

        s.add(new Sample("INPUT empty", new Frame.Input(1, 0, new byte[0])));
        s.add(new Sample("INPUT all bytes", new Frame.Input(Long.MAX_VALUE, -1L, allBytes)));
        s.add(new Sample("INPUT 70k", new Frame.Input(-1L, Long.MAX_VALUE, randomBytes(new SplittableRandom(1), 70_000))));

        s.add(new Sample("OUTPUT empty", new Frame.Output(1, 0, new byte[0])));
        s.add(new Sample("OUTPUT all bytes", new Frame.Output(-1L, Long.MAX_VALUE, allBytes)));

        s.add(new Sample("ACK 0", new Frame.Ack(0)));
        s.add(new Sample("ACK -1", new Frame.Ack(-1L)));
        s.add(new Sample("ACK max", new Frame.Ack(Long.MAX_VALUE)));

        s.add(new Sample("MOVE empty host port 0", new Frame.Move(0, zeros16, "", 0)));
        s.add(new Sample("MOVE ascii max host", new Frame.Move(-1L, seq16, "h".repeat(MAX_STRING), 0xFFFF)));
        s.add(new Sample("MOVE non-ascii host", new Frame.Move(Long.MAX_VALUE, ones16, "bücher.例え.テスト", 443)));
        s.add(new Sample("MOVE max 3-byte chars", new Frame.Move(7, seq16, maxMultiByteString(), 9000)));

        s.add(new Sample("ATTACHED 0", new Frame.Attached(0)));
        s.add(new Sample("ATTACHED -1", new Frame.Attached(-1L)));
        s.add(new Sample("SWITCH 0", new Frame.Switch(0, 0)));
        s.add(new Sample("SWITCH max", new Frame.Switch(Long.MAX_VALUE, -1L)));
        s.add(new Sample("TARGET_HINT", new Frame.TargetHint("target.example.net", 7000)));
        s.add(new Sample("TARGET_HINT empty host port max", new Frame.TargetHint("", 0xFFFF)));
        s.add(new Sample("COMMIT 0", new Frame.Commit(0, new long[0])));
        s.add(new Sample("COMMIT max", new Frame.Commit(Long.MAX_VALUE, new long[] {1, Long.MAX_VALUE})));
        s.add(new Sample("MOVE_ABORTED max", new Frame.MoveAborted(Long.MAX_VALUE)));
        s.add(new Sample("MOVE_ABORTED 0", new Frame.MoveAborted(0)));
        s.add(new Sample("PING -1", new Frame.Ping(-1L)));
        s.add(new Sample("PING min", new Frame.Ping(Long.MIN_VALUE)));
        s.add(new Sample("PONG 0", new Frame.Pong(0)));
        s.add(new Sample("PONG max", new Frame.Pong(Long.MAX_VALUE)));
        s.add(new Sample("CLOSE", new Frame.Close()));

        for (ErrorCode code : ErrorCode.values()) {
            s.add(new Sample("ERROR " + code + " empty", new Frame.Error(code, "")));
        }
        s.add(new Sample("ERROR max message", new Frame.Error(ErrorCode.BUSY, "m".repeat(MAX_STRING))));
        s.add(new Sample("ERROR emoji message", new Frame.Error(ErrorCode.AUTH_FAILED, emojiString())));

        s.add(new Sample("PEER_HELLO live zeros", new Frame.PeerHello(Frame.VERSION, 0, Frame.Mode.LIVE, zeros16, "", 0)));
        s.add(new Sample("PEER_HELLO stopcopy max", new Frame.PeerHello(4, 0xFF, -1L, Frame.Mode.STOPCOPY, seq16, "arena", -1)));
        s.add(new Sample("PEER_HELLO before ranges", new Frame.PeerHello(1, 7, Frame.Mode.LIVE, seq16, "", 0)));

        s.add(new Sample("PEER_CHALLENGE", new Frame.PeerChallenge(seq16, seq32, "target.example.net", 7000)));
        s.add(new Sample("PEER_CHALLENGE zeros, no endpoint",
                new Frame.PeerChallenge(zeros16, new byte[Frame.MAC_LENGTH], "", 0)));
        s.add(new Sample("PEER_CHALLENGE non-ascii max port", new Frame.PeerChallenge(0xFFFF, seq16, seq32, "bücher.例え", 0xFFFF, "",
                Frame.SchemaPath.SAME)));
        for (Frame.SchemaPath path : Frame.SchemaPath.values()) {
            s.add(new Sample("PEER_CHALLENGE path " + path, new Frame.PeerChallenge(Frame.PEER_VERSION, seq16, seq32, "t", 1, "",
                    path)));
        }
        s.add(new Sample("PROBE", new Frame.Probe(-1L, seq16)));
        s.add(new Sample("PROBE zeros", new Frame.Probe(0, zeros16)));
        s.add(new Sample("PROBE_PROOF", new Frame.ProbeProof(Long.MAX_VALUE, seq32)));
        s.add(new Sample("PEER_AUTH", new Frame.PeerAuth(seq32)));
        s.add(new Sample("PEER_AUTH ones", new Frame.PeerAuth(filled(Frame.MAC_LENGTH, 0xFF))));

        s.add(new Sample("SNAPSHOT_BEGIN zeros", new Frame.SnapshotBegin(0, 0, 0, 0, 0, "")));
        s.add(new Sample("SNAPSHOT_BEGIN max", new Frame.SnapshotBegin(Long.MAX_VALUE, -1L, -1, -1L, 0xFFFF,
                "s".repeat(MAX_STRING))));
        s.add(new Sample("SNAPSHOT_BEGIN non-ascii", new Frame.SnapshotBegin(1, 2, Integer.MIN_VALUE, Long.MAX_VALUE, 60,
                "arène-ü-例")));

        s.add(new Sample("SNAPSHOT_CHUNK empty", new Frame.SnapshotChunk(new byte[0])));
        s.add(new Sample("SNAPSHOT_CHUNK full", new Frame.SnapshotChunk(
                randomBytes(new SplittableRandom(2), FrameCodec.SNAPSHOT_CHUNK_BYTES))));
        s.add(new Sample("SNAPSHOT_END 0", new Frame.SnapshotEnd(0)));
        s.add(new Sample("SNAPSHOT_END -1", new Frame.SnapshotEnd(-1L)));

        s.add(new Sample("EVENT open", new Frame.Event(0, Frame.EventKind.OPEN, 5, 0, seq16)));
        s.add(new Sample("EVENT input max", new Frame.Event(Long.MAX_VALUE, Frame.EventKind.INPUT, -1L, Long.MAX_VALUE,
                allBytes)));
        s.add(new Sample("EVENT tick empty", new Frame.Event(-1L, Frame.EventKind.TICK, 0, 0, new byte[0])));
        s.add(new Sample("EVENT close", new Frame.Event(3, Frame.EventKind.CLOSE, 9, -1L, new byte[0])));

        s.add(new Sample("TRIM 0", new Frame.Trim(0, 0)));
        s.add(new Sample("TRIM max", new Frame.Trim(-1L, Long.MAX_VALUE)));
        s.add(new Sample("REPLICA_ACK 0", new Frame.ReplicaAck(0)));
        s.add(new Sample("REPLICA_ACK -1", new Frame.ReplicaAck(-1L)));
        s.add(new Sample("CUTOVER 0", new Frame.Cutover(0, 0, 0)));
        s.add(new Sample("CUTOVER max", new Frame.Cutover(Long.MAX_VALUE, -1L, Long.MIN_VALUE)));
        s.add(new Sample("CUTOVER version 5", new Frame.Cutover(1, 2, 3, Long.MAX_VALUE)));
        s.add(new Sample("CUTOVER_RESULT ok", new Frame.CutoverResult(true, -1L)));
        s.add(new Sample("CUTOVER_RESULT refused", new Frame.CutoverResult(false, 0)));

        s.add(new Sample("FORWARD empty", new Frame.Forward(0, 0, new byte[0])));
        s.add(new Sample("FORWARD max", new Frame.Forward(-1L, Long.MAX_VALUE, allBytes)));

        s.add(new Sample("PEER_ABORT empty", new Frame.PeerAbort("")));
        s.add(new Sample("PEER_ABORT max", new Frame.PeerAbort("r".repeat(MAX_STRING))));
        s.add(new Sample("PEER_ABORT emoji max", new Frame.PeerAbort(emojiString())));
        return s;
    }

    /** Samples whose encoding is small, for tests that feed bytes one at a time. */
    static List<Frame> smallSampleFrames() {
        List<Frame> out = new ArrayList<>();
        for (Sample s : samples()) {
            if (FrameCodec.encodedSize(s.frame()) <= 2 * MAX_STRING + 100) {
                out.add(s.frame());
            }
        }
        return out;
    }

    /** Exactly {@value #MAX_STRING} bytes of UTF-8 made of 3-byte characters plus one ASCII byte. */
    static String maxMultiByteString() {
        String s = "€".repeat(MAX_STRING / 3) + "a";
        assertThat(s.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_STRING);
        return s;
    }

    /** Exactly {@value #MAX_STRING} bytes of UTF-8 made of 4-byte characters (surrogate pairs in Java). */
    static String emojiString() {
        String s = "😀".repeat(MAX_STRING / 4);
        assertThat(s.getBytes(StandardCharsets.UTF_8)).hasSize(MAX_STRING);
        return s;
    }

    // ---------------------------------------------------------------- frame types

    /** Every {@code public static final int} constant of {@link FrameType}, by name, in declaration order. */
    static Map<String, Integer> frameTypeConstants() {
        Map<String, Integer> out = new TreeMap<>();
        for (Field f : FrameType.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == int.class) {
                try {
                    out.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- comparison

    /**
     * Asserts two frames are the same record type with equal components, comparing {@code byte[]} components
     * by content (records compare arrays by identity).
     */
    static void assertSameFrame(Frame actual, Frame expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        assertThat(actual.type()).isEqualTo(expected.type());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            Object a = component(c, actual);
            Object e = component(c, expected);
            if (c.getType() == byte[].class) {
                assertThat((byte[]) a).as(c.getName()).containsExactly((byte[]) e);
            } else {
                assertThat(a).as(c.getName()).isEqualTo(e);
            }
        }
    }

    static void assertSameFrames(List<?> actual, List<Frame> expected) {
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("message %d", i).isInstanceOf(Frame.class);
            assertSameFrame((Frame) actual.get(i), expected.get(i));
        }
    }

    private static Object component(RecordComponent c, Frame f) {
        try {
            return c.getAccessor().invoke(f);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- bytes

    /** Encodes one frame with {@link FrameCodec#encode} and returns the bytes. */
    static byte[] encode(Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameCodec.encode(frame, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static byte[] encodeAll(List<Frame> frames) {
        ByteBuf buf = Unpooled.buffer();
        try {
            for (Frame f : frames) {
                FrameCodec.encode(f, buf);
            }
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /**
     * Decodes one whole encoded frame: checks the prefix counts exactly the bytes after it, then hands the
     * body to {@link FrameCodec#decode}.
     */
    static Frame decodeOne(byte[] encoded) throws ProtocolException {
        ByteBuf buf = Unpooled.wrappedBuffer(encoded);
        try {
            long length = buf.readUnsignedInt();
            assertThat(length).as("length prefix").isEqualTo(encoded.length - 4L);
            int type = buf.readUnsignedByte();
            return FrameCodec.decode(type, buf.readSlice((int) length - 1));
        } finally {
            buf.release();
        }
    }

    /** {@code [u32 length][u8 type][body]} for a raw body. */
    static byte[] rawFrame(int type, byte[] body) {
        byte[] out = new byte[5 + body.length];
        int length = 1 + body.length;
        out[0] = (byte) (length >>> 24);
        out[1] = (byte) (length >>> 16);
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        out[4] = (byte) type;
        System.arraycopy(body, 0, out, 5, body.length);
        return out;
    }

    /** Parses hex, ignoring whitespace, {@code |} and {@code _}, so expected bytes can be laid out by field. */
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("[\\s|_]", ""));
    }

    static String toHex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** n bytes counting up from start (wrapping at 256). */
    static byte[] sequence(int n, int start) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (start + i);
        }
        return b;
    }

    static byte[] randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    // ---------------------------------------------------------------- random frames

    /** A hello's versions: a range (4..255), or the one version (1..3) of a build before ranges. */
    private static VersionRange randomVersions(SplittableRandom r) {
        if (r.nextInt(4) == 0) {
            int v = 1 + r.nextInt(3);
            return new VersionRange(v, v);
        }
        int min = 4 + r.nextInt(252);
        return new VersionRange(min, min + r.nextInt(256 - min));
    }

    /** A random valid frame of the given type; fails for a type the generator does not know. */
    static Frame randomFrame(SplittableRandom r, int type) {
        return switch (type) {
            case FrameType.HELLO -> new Frame.Hello(randomVersions(r), pick(r, Frame.HelloKind.values()),
                    randomLong(r), randomBytes(r, Frame.TOKEN_LENGTH), randomLong(r));
            case FrameType.WELCOME -> r.nextBoolean()
                    ? new Frame.Welcome(r.nextInt(5), randomLong(r), randomBytes(r, Frame.TOKEN_LENGTH), randomLong(r))
                    : new Frame.Welcome(5, randomLong(r), randomBytes(r, Frame.TOKEN_LENGTH), randomLong(r),
                            r.nextInt(0x10000));
            case FrameType.INPUT -> new Frame.Input(randomLong(r), randomLong(r), randomBytes(r, r.nextInt(300)));
            case FrameType.OUTPUT -> new Frame.Output(randomLong(r), randomLong(r), randomBytes(r, r.nextInt(300)));
            case FrameType.ACK -> new Frame.Ack(randomLong(r));
            case FrameType.MOVE -> new Frame.Move(randomLong(r), randomBytes(r, Frame.TOKEN_LENGTH),
                    randomString(r, r.nextInt(4) == 0 ? MAX_STRING : 64), r.nextInt(0x10000));
            case FrameType.ATTACHED -> new Frame.Attached(randomLong(r));
            case FrameType.SWITCH -> new Frame.Switch(randomLong(r), randomLong(r));
            case FrameType.MOVE_ABORTED -> new Frame.MoveAborted(randomLong(r));
            case FrameType.TARGET_HINT -> new Frame.TargetHint(randomString(r, 64), r.nextInt(0x10000));
            case FrameType.COMMIT -> new Frame.Commit(randomLong(r), r.longs(r.nextInt(20)).toArray());
            case FrameType.PING -> new Frame.Ping(randomLong(r));
            case FrameType.PONG -> new Frame.Pong(randomLong(r));
            case FrameType.CLOSE -> new Frame.Close();
            case FrameType.ERROR -> new Frame.Error(pick(r, ErrorCode.values()), randomString(r, 200));
            case FrameType.PEER_HELLO -> new Frame.PeerHello(randomVersions(r), randomLong(r),
                    pick(r, Frame.Mode.values()), randomBytes(r, Frame.TOKEN_LENGTH), randomString(r, 64), r.nextInt());
            case FrameType.PEER_CHALLENGE -> new Frame.PeerChallenge(r.nextInt(0x10000), randomBytes(r, Frame.TOKEN_LENGTH),
                    randomBytes(r, Frame.MAC_LENGTH), randomString(r, 64), r.nextInt(0x10000), randomString(r, 64),
                    pick(r, Frame.SchemaPath.values()));
            case FrameType.PROBE -> new Frame.Probe(randomLong(r), randomBytes(r, Frame.TOKEN_LENGTH));
            case FrameType.PROBE_PROOF -> new Frame.ProbeProof(randomLong(r), randomBytes(r, Frame.MAC_LENGTH));
            case FrameType.PEER_AUTH -> new Frame.PeerAuth(randomBytes(r, Frame.MAC_LENGTH));
            case FrameType.SNAPSHOT_BEGIN -> new Frame.SnapshotBegin(randomLong(r), randomLong(r), r.nextInt(),
                    randomLong(r), r.nextInt(0x10000), randomString(r, 100));
            case FrameType.SNAPSHOT_CHUNK -> new Frame.SnapshotChunk(randomBytes(r, r.nextInt(2000)));
            case FrameType.SNAPSHOT_END -> new Frame.SnapshotEnd(randomLong(r));
            case FrameType.EVENT -> new Frame.Event(randomLong(r), pick(r, Frame.EventKind.values()), randomLong(r),
                    randomLong(r), randomBytes(r, r.nextInt(100)));
            case FrameType.TRIM -> new Frame.Trim(randomLong(r), randomLong(r));
            case FrameType.REPLICA_ACK -> new Frame.ReplicaAck(randomLong(r));
            case FrameType.CUTOVER -> new Frame.Cutover(randomLong(r), randomLong(r), randomLong(r),
                    r.nextBoolean() ? Frame.Cutover.NO_TICK : randomLong(r) & Long.MAX_VALUE);
            case FrameType.CUTOVER_RESULT -> new Frame.CutoverResult(r.nextBoolean(), randomLong(r));
            case FrameType.FORWARD -> new Frame.Forward(randomLong(r), randomLong(r), randomBytes(r, r.nextInt(300)));
            case FrameType.PEER_ABORT -> new Frame.PeerAbort(randomString(r, 300));
            default -> throw new AssertionError("no random generator for frame type " + FrameType.name(type));
        };
    }

    /** Longs biased towards the edges (0, -1, min, max) as well as uniform values. */
    static long randomLong(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0L;
            case 1 -> -1L;
            case 2 -> Long.MAX_VALUE;
            case 3 -> Long.MIN_VALUE;
            case 4 -> r.nextLong(1000);
            default -> r.nextLong();
        };
    }

    /** A random string of valid code points (any plane, no lone surrogates) of at most maxBytes UTF-8 bytes. */
    static String randomString(SplittableRandom r, int maxBytes) {
        int target = r.nextInt(maxBytes + 1);
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (true) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(0x20, 0x7F);
                case 1 -> r.nextInt(0x80, 0x800);
                case 2 -> r.nextInt(0x800, 0xD800);
                default -> r.nextInt(0x10000, 0x110000);
            };
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > target) {
                return sb.toString();
            }
            sb.appendCodePoint(cp);
            bytes += n;
        }
    }

    static <T> T pick(SplittableRandom r, T[] values) {
        return values[r.nextInt(values.length)];
    }
}
