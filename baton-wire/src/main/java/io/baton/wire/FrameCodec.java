package io.baton.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Maps frames to bytes and back. Stateless; {@link FrameDecoder} and {@link FrameEncoder} wrap it for
 * Netty, and tests and the simulator call it directly. Every frame is
 * <pre>
 *  0        4      5
 *  +--------+------+-------------------------------------+
 *  | u32    | u8   | body (length - 1 bytes), laid out   |
 *  | length | type | as its record in {@link Frame} draws |
 *  +--------+------+-------------------------------------+
 * </pre>
 * where length counts the type byte and the body. Each field is written and read at its record's
 * {@code *_FIELD_OFFSET} from the start of the body; a string or payload, whose length varies, follows
 * the fixed fields in order.
 */
public final class FrameCodec {

    /** Bytes of the length prefix. */
    public static final int LENGTH_FIELD = 4;
    static final int LENGTH_FIELD_OFFSET = 0;
    static final int TYPE_FIELD_OFFSET = 4;
    /** Where a frame's body starts; the offsets in {@link Frame}'s records count from here. */
    public static final int BODY_OFFSET = 5;
    /** Default maximum of {@code length} (type byte + body) on a client connection. */
    public static final int DEFAULT_MAX_FRAME = 1 << 20;
    /** Largest snapshot chunk a source sends; well below any sane maximum frame. */
    public static final int SNAPSHOT_CHUNK_BYTES = 256 * 1024;
    /** Bytes of a string's length prefix: {@code str} is {@code [u16 n][n bytes UTF-8]}. */
    static final int STRING_LENGTH_FIELD = 2;
    /** Longest string field. */
    private static final int MAX_STRING = 4096;

    private FrameCodec() {
    }

    /** Appends {@code [u32 length][u8 type][body]} to {@code out}. */
    public static void encode(Frame frame, ByteBuf out) {
        int start = out.writerIndex();
        try {
            reserve(out, BODY_OFFSET);
            out.setByte(start + TYPE_FIELD_OFFSET, frame.type());
            writeBody(frame, out);
        } catch (RuntimeException e) {
            out.writerIndex(start); // never leave half a frame in a buffer others may batch into
            throw e;
        }
        out.setInt(start + LENGTH_FIELD_OFFSET, out.writerIndex() - start - LENGTH_FIELD);
    }

    /** The exact encoded size of a frame, prefix included; for sizing buffers and batching. */
    public static int encodedSize(Frame frame) {
        return BODY_OFFSET + switch (frame.type()) {
            case FrameType.HELLO -> Frame.Hello.BODY_LENGTH;
            case FrameType.WELCOME -> ((Frame.Welcome) frame).bodyLength();
            case FrameType.INPUT -> Frame.Input.HEADER_LENGTH + ((Frame.Input) frame).payload().length;
            case FrameType.OUTPUT -> Frame.Output.HEADER_LENGTH + ((Frame.Output) frame).payload().length;
            case FrameType.ACK -> Frame.Ack.BODY_LENGTH;
            case FrameType.MOVE -> Frame.Move.HEADER_LENGTH + stringSize(((Frame.Move) frame).host())
                    + Frame.Move.PORT_FIELD_LENGTH + stringSize(((Frame.Move) frame).webSocket());
            case FrameType.ATTACHED -> Frame.Attached.BODY_LENGTH;
            case FrameType.SWITCH -> Frame.Switch.BODY_LENGTH;
            case FrameType.MOVE_ABORTED -> Frame.MoveAborted.BODY_LENGTH;
            case FrameType.PING -> Frame.Ping.BODY_LENGTH;
            case FrameType.PONG -> Frame.Pong.BODY_LENGTH;
            case FrameType.CLOSE -> Frame.Close.BODY_LENGTH;
            case FrameType.ERROR -> Frame.Error.HEADER_LENGTH + stringSize(((Frame.Error) frame).message());
            case FrameType.TARGET_HINT -> stringSize(((Frame.TargetHint) frame).host())
                    + Frame.TargetHint.PORT_FIELD_LENGTH + stringSize(((Frame.TargetHint) frame).webSocket());
            case FrameType.COMMIT -> Frame.Commit.HEADER_LENGTH + 8 * ((Frame.Commit) frame).electorate().length;
            case FrameType.PEER_HELLO -> Frame.PeerHello.HEADER_LENGTH + stringSize(((Frame.PeerHello) frame).service())
                    + Frame.PeerHello.SCHEMA_VERSION_FIELD_LENGTH;
            case FrameType.PEER_CHALLENGE -> Frame.PeerChallenge.HEADER_LENGTH
                    + stringSize(((Frame.PeerChallenge) frame).host()) + Frame.PeerChallenge.PORT_FIELD_LENGTH
                    + stringSize(((Frame.PeerChallenge) frame).webSocket()) + Frame.PeerChallenge.PATH_FIELD_LENGTH;
            case FrameType.PROBE -> Frame.Probe.BODY_LENGTH;
            case FrameType.PROBE_PROOF -> Frame.ProbeProof.BODY_LENGTH;
            case FrameType.PEER_AUTH -> Frame.PeerAuth.BODY_LENGTH;
            case FrameType.SNAPSHOT_BEGIN -> Frame.SnapshotBegin.HEADER_LENGTH
                    + stringSize(((Frame.SnapshotBegin) frame).service());
            case FrameType.SNAPSHOT_CHUNK -> ((Frame.SnapshotChunk) frame).data().length;
            case FrameType.SNAPSHOT_END -> Frame.SnapshotEnd.BODY_LENGTH;
            case FrameType.EVENT -> Frame.Event.HEADER_LENGTH + ((Frame.Event) frame).payload().length;
            case FrameType.TRIM -> Frame.Trim.BODY_LENGTH;
            case FrameType.REPLICA_ACK -> Frame.ReplicaAck.BODY_LENGTH;
            case FrameType.CUTOVER -> ((Frame.Cutover) frame).bodyLength();
            case FrameType.CUTOVER_RESULT -> Frame.CutoverResult.BODY_LENGTH;
            case FrameType.FORWARD -> Frame.Forward.HEADER_LENGTH + ((Frame.Forward) frame).payload().length;
            case FrameType.PEER_ABORT -> stringSize(((Frame.PeerAbort) frame).reason());
            default -> throw new IllegalArgumentException("no encoder for " + frame);
        };
    }

    private static int stringSize(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return STRING_LENGTH_FIELD + n;
    }

    private static void writeBody(Frame frame, ByteBuf out) {
        switch (frame.type()) {
            case FrameType.HELLO -> {
                Frame.Hello h = (Frame.Hello) frame;
                int at = reserve(out, Frame.Hello.BODY_LENGTH);
                putVersions(out, at + Frame.Hello.MIN_VERSION_FIELD_OFFSET, h.minVersion(), h.maxVersion());
                out.setByte(at + Frame.Hello.KIND_FIELD_OFFSET, h.kind().ordinal());
                out.setLong(at + Frame.Hello.SESSION_ID_FIELD_OFFSET, h.sessionId());
                putToken(out, at + Frame.Hello.TOKEN_FIELD_OFFSET, h.token(), Frame.TOKEN_LENGTH);
                out.setLong(at + Frame.Hello.OUTPUT_ACK_FIELD_OFFSET, h.outputAck());
            }
            case FrameType.WELCOME -> {
                Frame.Welcome w = (Frame.Welcome) frame;
                int at = reserve(out, w.bodyLength());
                putU16(out, at + Frame.Welcome.VERSION_FIELD_OFFSET, w.version(), "version");
                out.setLong(at + Frame.Welcome.SESSION_ID_FIELD_OFFSET, w.sessionId());
                putToken(out, at + Frame.Welcome.SECRET_FIELD_OFFSET, w.secret(), Frame.TOKEN_LENGTH);
                out.setLong(at + Frame.Welcome.INPUT_ACK_FIELD_OFFSET, w.inputAck());
                if (w.bodyLength() == Frame.Welcome.BODY_LENGTH) {
                    putU16(out, at + Frame.Welcome.TICK_HZ_FIELD_OFFSET, w.tickHz(), "tickHz");
                } else if (w.tickHz() != 0) {
                    throw new IllegalArgumentException("a version " + w.version() + " WELCOME has no tick rate; "
                            + "only version 5 carries one");
                }
            }
            case FrameType.INPUT -> {
                Frame.Input i = (Frame.Input) frame;
                int at = reserve(out, Frame.Input.HEADER_LENGTH);
                out.setLong(at + Frame.Input.SEQ_FIELD_OFFSET, i.seq());
                out.setLong(at + Frame.Input.ACK_FIELD_OFFSET, i.ack());
                out.writeBytes(i.payload());
            }
            case FrameType.OUTPUT -> {
                Frame.Output o = (Frame.Output) frame;
                int at = reserve(out, Frame.Output.HEADER_LENGTH);
                out.setLong(at + Frame.Output.SEQ_FIELD_OFFSET, o.seq());
                out.setLong(at + Frame.Output.ACK_FIELD_OFFSET, o.ack());
                out.writeBytes(o.payload());
            }
            case FrameType.ACK -> out.setLong(reserve(out, Frame.Ack.BODY_LENGTH) + Frame.Ack.ACK_FIELD_OFFSET,
                    ((Frame.Ack) frame).ack());
            case FrameType.MOVE -> {
                Frame.Move m = (Frame.Move) frame;
                int at = reserve(out, Frame.Move.HEADER_LENGTH);
                out.setLong(at + Frame.Move.HANDOFF_ID_FIELD_OFFSET, m.handoffId());
                putToken(out, at + Frame.Move.TICKET_FIELD_OFFSET, m.ticket(), Frame.TOKEN_LENGTH);
                writeString(out, m.host());
                writeU16(out, m.port(), "port");
                writeString(out, m.webSocket());
            }
            case FrameType.ATTACHED -> out.setLong(reserve(out, Frame.Attached.BODY_LENGTH)
                    + Frame.Attached.HANDOFF_ID_FIELD_OFFSET, ((Frame.Attached) frame).handoffId());
            case FrameType.SWITCH -> {
                Frame.Switch s = (Frame.Switch) frame;
                int at = reserve(out, Frame.Switch.BODY_LENGTH);
                out.setLong(at + Frame.Switch.HANDOFF_ID_FIELD_OFFSET, s.handoffId());
                out.setLong(at + Frame.Switch.LAST_OUTPUT_SEQ_FIELD_OFFSET, s.lastOutputSeq());
            }
            case FrameType.MOVE_ABORTED -> out.setLong(reserve(out, Frame.MoveAborted.BODY_LENGTH)
                    + Frame.MoveAborted.HANDOFF_ID_FIELD_OFFSET, ((Frame.MoveAborted) frame).handoffId());
            case FrameType.PING -> out.setLong(reserve(out, Frame.Ping.BODY_LENGTH) + Frame.Ping.VALUE_FIELD_OFFSET,
                    ((Frame.Ping) frame).value());
            case FrameType.PONG -> out.setLong(reserve(out, Frame.Pong.BODY_LENGTH) + Frame.Pong.VALUE_FIELD_OFFSET,
                    ((Frame.Pong) frame).value());
            case FrameType.CLOSE -> { }
            case FrameType.ERROR -> {
                Frame.Error e = (Frame.Error) frame;
                out.setShort(reserve(out, Frame.Error.HEADER_LENGTH) + Frame.Error.CODE_FIELD_OFFSET, e.code().code());
                writeString(out, e.message());
            }
            case FrameType.TARGET_HINT -> {
                Frame.TargetHint t = (Frame.TargetHint) frame;
                writeString(out, t.host());
                writeU16(out, t.port(), "port");
                writeString(out, t.webSocket());
            }
            case FrameType.COMMIT -> {
                Frame.Commit c = (Frame.Commit) frame;
                long[] electorate = c.electorate();
                int at = reserve(out, Frame.Commit.HEADER_LENGTH + 8 * electorate.length);
                out.setLong(at + Frame.Commit.INDEX_FIELD_OFFSET, c.index());
                out.setInt(at + Frame.Commit.ELECTORATE_FIELD_OFFSET, electorate.length);
                for (int i = 0; i < electorate.length; i++) {
                    out.setLong(at + Frame.Commit.HEADER_LENGTH + 8 * i, electorate[i]);
                }
            }
            case FrameType.PEER_HELLO -> {
                Frame.PeerHello h = (Frame.PeerHello) frame;
                int at = reserve(out, Frame.PeerHello.HEADER_LENGTH);
                putVersions(out, at + Frame.PeerHello.MIN_VERSION_FIELD_OFFSET, h.minVersion(), h.maxVersion());
                out.setLong(at + Frame.PeerHello.HANDOFF_ID_FIELD_OFFSET, h.handoffId());
                out.setByte(at + Frame.PeerHello.MODE_FIELD_OFFSET, h.mode().ordinal());
                putToken(out, at + Frame.PeerHello.NONCE_FIELD_OFFSET, h.nonce(), Frame.TOKEN_LENGTH);
                writeString(out, h.service());
                out.writeInt(h.schemaVersion());
            }
            case FrameType.PEER_CHALLENGE -> {
                Frame.PeerChallenge c = (Frame.PeerChallenge) frame;
                int at = reserve(out, Frame.PeerChallenge.HEADER_LENGTH);
                putU16(out, at + Frame.PeerChallenge.VERSION_FIELD_OFFSET, c.version(), "version");
                putToken(out, at + Frame.PeerChallenge.NONCE_FIELD_OFFSET, c.nonce(), Frame.TOKEN_LENGTH);
                putToken(out, at + Frame.PeerChallenge.MAC_FIELD_OFFSET, c.mac(), Frame.MAC_LENGTH);
                writeString(out, c.host());
                writeU16(out, c.port(), "port");
                writeString(out, c.webSocket());
                out.writeByte(c.path().ordinal());
            }
            case FrameType.PROBE -> {
                Frame.Probe p = (Frame.Probe) frame;
                int at = reserve(out, Frame.Probe.BODY_LENGTH);
                out.setLong(at + Frame.Probe.HANDOFF_ID_FIELD_OFFSET, p.handoffId());
                putToken(out, at + Frame.Probe.NONCE_FIELD_OFFSET, p.nonce(), Frame.TOKEN_LENGTH);
            }
            case FrameType.PROBE_PROOF -> {
                Frame.ProbeProof p = (Frame.ProbeProof) frame;
                int at = reserve(out, Frame.ProbeProof.BODY_LENGTH);
                out.setLong(at + Frame.ProbeProof.HANDOFF_ID_FIELD_OFFSET, p.handoffId());
                putToken(out, at + Frame.ProbeProof.MAC_FIELD_OFFSET, p.mac(), Frame.MAC_LENGTH);
            }
            case FrameType.PEER_AUTH -> putToken(out, reserve(out, Frame.PeerAuth.BODY_LENGTH)
                    + Frame.PeerAuth.MAC_FIELD_OFFSET, ((Frame.PeerAuth) frame).mac(), Frame.MAC_LENGTH);
            case FrameType.SNAPSHOT_BEGIN -> {
                Frame.SnapshotBegin b = (Frame.SnapshotBegin) frame;
                int at = reserve(out, Frame.SnapshotBegin.HEADER_LENGTH);
                out.setLong(at + Frame.SnapshotBegin.INDEX_FIELD_OFFSET, b.index());
                out.setLong(at + Frame.SnapshotBegin.TICK_FIELD_OFFSET, b.tick());
                out.setInt(at + Frame.SnapshotBegin.SCHEMA_VERSION_FIELD_OFFSET, b.schemaVersion());
                out.setLong(at + Frame.SnapshotBegin.TOTAL_BYTES_FIELD_OFFSET, b.totalBytes());
                putU16(out, at + Frame.SnapshotBegin.TICK_HZ_FIELD_OFFSET, b.tickHz(), "tickHz");
                writeString(out, b.service());
            }
            case FrameType.SNAPSHOT_CHUNK -> out.writeBytes(((Frame.SnapshotChunk) frame).data());
            case FrameType.SNAPSHOT_END -> out.setLong(reserve(out, Frame.SnapshotEnd.BODY_LENGTH)
                    + Frame.SnapshotEnd.DIGEST_FIELD_OFFSET, ((Frame.SnapshotEnd) frame).digest());
            case FrameType.EVENT -> {
                Frame.Event e = (Frame.Event) frame;
                int at = reserve(out, Frame.Event.HEADER_LENGTH);
                out.setLong(at + Frame.Event.INDEX_FIELD_OFFSET, e.index());
                out.setByte(at + Frame.Event.KIND_FIELD_OFFSET, e.kind().ordinal());
                out.setLong(at + Frame.Event.SESSION_ID_FIELD_OFFSET, e.sessionId());
                out.setLong(at + Frame.Event.SEQ_FIELD_OFFSET, e.seq());
                out.writeBytes(e.payload());
            }
            case FrameType.TRIM -> {
                Frame.Trim t = (Frame.Trim) frame;
                int at = reserve(out, Frame.Trim.BODY_LENGTH);
                out.setLong(at + Frame.Trim.SESSION_ID_FIELD_OFFSET, t.sessionId());
                out.setLong(at + Frame.Trim.OUTPUT_ACK_FIELD_OFFSET, t.outputAck());
            }
            case FrameType.REPLICA_ACK -> out.setLong(reserve(out, Frame.ReplicaAck.BODY_LENGTH)
                    + Frame.ReplicaAck.INDEX_FIELD_OFFSET, ((Frame.ReplicaAck) frame).index());
            case FrameType.CUTOVER -> {
                Frame.Cutover c = (Frame.Cutover) frame;
                int at = reserve(out, c.bodyLength());
                out.setLong(at + Frame.Cutover.INDEX_FIELD_OFFSET, c.index());
                out.setLong(at + Frame.Cutover.DIGEST_FIELD_OFFSET, c.digest());
                out.setLong(at + Frame.Cutover.NEXT_TICK_IN_NANOS_FIELD_OFFSET, c.nextTickInNanos());
                if (c.bodyLength() == Frame.Cutover.BODY_LENGTH) {
                    if (c.tick() < 0) {
                        throw new IllegalArgumentException("CUTOVER tick must be 0 or more, was " + c.tick());
                    }
                    out.setLong(at + Frame.Cutover.TICK_FIELD_OFFSET, c.tick());
                }
            }
            case FrameType.CUTOVER_RESULT -> {
                Frame.CutoverResult r = (Frame.CutoverResult) frame;
                int at = reserve(out, Frame.CutoverResult.BODY_LENGTH);
                out.setByte(at + Frame.CutoverResult.OK_FIELD_OFFSET, r.ok() ? 1 : 0);
                out.setLong(at + Frame.CutoverResult.DIGEST_FIELD_OFFSET, r.digest());
            }
            case FrameType.FORWARD -> {
                Frame.Forward f = (Frame.Forward) frame;
                int at = reserve(out, Frame.Forward.HEADER_LENGTH);
                out.setLong(at + Frame.Forward.SESSION_ID_FIELD_OFFSET, f.sessionId());
                out.setLong(at + Frame.Forward.SEQ_FIELD_OFFSET, f.seq());
                out.writeBytes(f.payload());
            }
            case FrameType.PEER_ABORT -> writeString(out, ((Frame.PeerAbort) frame).reason());
            default -> throw new IllegalArgumentException("no encoder for " + frame);
        }
    }

    /**
     * Makes room for a body's fixed fields, each then set at its offset from the index returned. Every
     * byte of the room is set by the caller (a pooled buffer's old bytes would otherwise go out).
     */
    private static int reserve(ByteBuf out, int length) {
        int at = out.writerIndex();
        out.ensureWritable(length);
        out.writerIndex(at + length);
        return at;
    }

    /**
     * The first two bytes of HELLO and PEER_HELLO: {@code [u8 min][u8 max]} for a range (min at least 4), or,
     * for the one version {@code v < 4} of a build before ranges (tests and strangers write it), that build's
     * {@code [u16 v]}, whose first byte is 0.
     */
    private static void putVersions(ByteBuf out, int index, int min, int max) {
        if (max < Frame.FIRST_RANGED_VERSION) {
            if (min != max || min < 0) {
                throw new IllegalArgumentException("a hello before version " + Frame.FIRST_RANGED_VERSION
                        + " carries one version, not the range " + min + ".." + max);
            }
            out.setShort(index, max);
        } else if (min < Frame.FIRST_RANGED_VERSION || min > max || max > 0xFF) {
            throw new IllegalArgumentException("a version range is min..max with " + Frame.FIRST_RANGED_VERSION
                    + " <= min <= max <= 255, was " + min + ".." + max);
        } else {
            out.setByte(index, min);
            out.setByte(index + 1, max);
        }
    }

    /**
     * Reads the first two bytes of HELLO or PEER_HELLO as {@link #putVersions} wrote them. A first byte 0 is a
     * build before ranges (bytes 0-1 its u16 version), read as {@code v..v}; the rest of its body has the
     * same layout as this build's, so nothing after is misread. A single version outside 1..3, or a range
     * whose min is 1..3 or above its max, was never written by any build and is malformed.
     */
    private static int[] getVersions(ByteBuf in, int index, int type) throws ProtocolException {
        int first = in.getUnsignedByte(index);
        int second = in.getUnsignedByte(index + 1);
        if (first == 0) {
            if (second < 1 || second >= Frame.FIRST_RANGED_VERSION) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, FrameType.name(type) + " carries the single "
                        + "version " + second + ": only builds before version ranges send one version, and theirs "
                        + "were 1.." + (Frame.FIRST_RANGED_VERSION - 1));
            }
            return new int[] {second, second};
        }
        if (first < Frame.FIRST_RANGED_VERSION || second < first) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, FrameType.name(type) + " carries the version range "
                    + first + ".." + second + ": a range starts at " + Frame.FIRST_RANGED_VERSION
                    + " or above and ends at or above its start");
        }
        return new int[] {first, second};
    }

    private static void putU16(ByteBuf out, int index, int value, String field) {
        checkU16(value, field);
        out.setShort(index, value);
    }

    private static void writeU16(ByteBuf out, int value, String field) {
        checkU16(value, field);
        out.writeShort(value);
    }

    private static void checkU16(int value, String field) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(field + " must fit 16 bits unsigned, was " + value);
        }
    }

    /**
     * Decodes one frame body of the given type. {@code body} holds exactly the body (no prefix, no type)
     * and is consumed whole; trailing bytes after a fixed-size body are malformed, not ignored.
     */
    public static Frame decode(int type, ByteBuf body) throws ProtocolException {
        Frame f = decodeBody(type, body);
        if (body.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    FrameType.name(type) + " has " + body.readableBytes() + " trailing bytes");
        }
        return f;
    }

    private static Frame decodeBody(int type, ByteBuf in) throws ProtocolException {
        return switch (type) {
            case FrameType.HELLO -> {
                int at = fixed(in, Frame.Hello.BODY_LENGTH, type);
                int[] versions = getVersions(in, at + Frame.Hello.MIN_VERSION_FIELD_OFFSET, type);
                yield new Frame.Hello(versions[0], versions[1],
                        Frame.HelloKind.of(in.getUnsignedByte(at + Frame.Hello.KIND_FIELD_OFFSET)),
                        in.getLong(at + Frame.Hello.SESSION_ID_FIELD_OFFSET),
                        getToken(in, at + Frame.Hello.TOKEN_FIELD_OFFSET, Frame.TOKEN_LENGTH),
                        in.getLong(at + Frame.Hello.OUTPUT_ACK_FIELD_OFFSET));
            }
            case FrameType.WELCOME -> {
                need(in, Frame.Welcome.VERSION_FIELD_OFFSET + 2, type);
                int version = in.getUnsignedShort(in.readerIndex() + Frame.Welcome.VERSION_FIELD_OFFSET);
                if (version > Frame.NEWEST_KNOWN_VERSION) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "WELCOME in client-link version "
                            + version + ", which this build cannot read (it knows versions up to "
                            + Frame.NEWEST_KNOWN_VERSION + ")");
                }
                boolean v5 = version >= 5;
                int at = fixed(in, v5 ? Frame.Welcome.BODY_LENGTH : Frame.Welcome.V4_BODY_LENGTH, type);
                yield new Frame.Welcome(version,
                        in.getLong(at + Frame.Welcome.SESSION_ID_FIELD_OFFSET),
                        getToken(in, at + Frame.Welcome.SECRET_FIELD_OFFSET, Frame.TOKEN_LENGTH),
                        in.getLong(at + Frame.Welcome.INPUT_ACK_FIELD_OFFSET),
                        v5 ? in.getUnsignedShort(at + Frame.Welcome.TICK_HZ_FIELD_OFFSET) : 0);
            }
            case FrameType.INPUT -> {
                int at = fixed(in, Frame.Input.HEADER_LENGTH, type);
                yield new Frame.Input(in.getLong(at + Frame.Input.SEQ_FIELD_OFFSET),
                        in.getLong(at + Frame.Input.ACK_FIELD_OFFSET), rest(in));
            }
            case FrameType.OUTPUT -> {
                int at = fixed(in, Frame.Output.HEADER_LENGTH, type);
                yield new Frame.Output(in.getLong(at + Frame.Output.SEQ_FIELD_OFFSET),
                        in.getLong(at + Frame.Output.ACK_FIELD_OFFSET), rest(in));
            }
            case FrameType.ACK -> new Frame.Ack(
                    in.getLong(fixed(in, Frame.Ack.BODY_LENGTH, type) + Frame.Ack.ACK_FIELD_OFFSET));
            case FrameType.MOVE -> {
                int at = fixed(in, Frame.Move.HEADER_LENGTH, type);
                String host = readString(in, type);
                need(in, Frame.Move.PORT_FIELD_LENGTH, type);
                int port = in.readUnsignedShort();
                yield new Frame.Move(in.getLong(at + Frame.Move.HANDOFF_ID_FIELD_OFFSET),
                        getToken(in, at + Frame.Move.TICKET_FIELD_OFFSET, Frame.TOKEN_LENGTH), host, port,
                        readString(in, type));
            }
            case FrameType.ATTACHED -> new Frame.Attached(
                    in.getLong(fixed(in, Frame.Attached.BODY_LENGTH, type) + Frame.Attached.HANDOFF_ID_FIELD_OFFSET));
            case FrameType.SWITCH -> {
                int at = fixed(in, Frame.Switch.BODY_LENGTH, type);
                yield new Frame.Switch(in.getLong(at + Frame.Switch.HANDOFF_ID_FIELD_OFFSET),
                        in.getLong(at + Frame.Switch.LAST_OUTPUT_SEQ_FIELD_OFFSET));
            }
            case FrameType.MOVE_ABORTED -> new Frame.MoveAborted(in.getLong(
                    fixed(in, Frame.MoveAborted.BODY_LENGTH, type) + Frame.MoveAborted.HANDOFF_ID_FIELD_OFFSET));
            case FrameType.PING -> new Frame.Ping(
                    in.getLong(fixed(in, Frame.Ping.BODY_LENGTH, type) + Frame.Ping.VALUE_FIELD_OFFSET));
            case FrameType.PONG -> new Frame.Pong(
                    in.getLong(fixed(in, Frame.Pong.BODY_LENGTH, type) + Frame.Pong.VALUE_FIELD_OFFSET));
            case FrameType.CLOSE -> new Frame.Close();
            case FrameType.ERROR -> {
                int at = fixed(in, Frame.Error.HEADER_LENGTH, type);
                yield new Frame.Error(ErrorCode.of(in.getUnsignedShort(at + Frame.Error.CODE_FIELD_OFFSET)),
                        readString(in, type));
            }
            case FrameType.TARGET_HINT -> {
                String host = readString(in, type);
                need(in, Frame.TargetHint.PORT_FIELD_LENGTH, type);
                int port = in.readUnsignedShort();
                yield new Frame.TargetHint(host, port, readString(in, type));
            }
            case FrameType.COMMIT -> {
                int at = fixed(in, Frame.Commit.HEADER_LENGTH, type);
                long count = in.getUnsignedInt(at + Frame.Commit.ELECTORATE_FIELD_OFFSET);
                if (count * 8 != in.readableBytes()) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "COMMIT names " + count
                            + " sessions but carries " + in.readableBytes() + " bytes of them");
                }
                long[] electorate = new long[(int) count];
                for (int i = 0; i < electorate.length; i++) {
                    electorate[i] = in.readLong();
                }
                yield new Frame.Commit(in.getLong(at + Frame.Commit.INDEX_FIELD_OFFSET), electorate);
            }
            case FrameType.PEER_HELLO -> {
                int at = fixed(in, Frame.PeerHello.HEADER_LENGTH, type);
                // The range first: the hello of a build before ranges is refused as such, not as a short frame.
                int[] versions = getVersions(in, at + Frame.PeerHello.MIN_VERSION_FIELD_OFFSET, type);
                String service = readString(in, type);
                need(in, Frame.PeerHello.SCHEMA_VERSION_FIELD_LENGTH, type);
                yield new Frame.PeerHello(versions[0], versions[1],
                        in.getLong(at + Frame.PeerHello.HANDOFF_ID_FIELD_OFFSET),
                        Frame.Mode.of(in.getUnsignedByte(at + Frame.PeerHello.MODE_FIELD_OFFSET)),
                        getToken(in, at + Frame.PeerHello.NONCE_FIELD_OFFSET, Frame.TOKEN_LENGTH), service,
                        in.readInt());
            }
            case FrameType.PEER_CHALLENGE -> {
                int at = fixed(in, Frame.PeerChallenge.HEADER_LENGTH, type);
                String host = readString(in, type);
                need(in, Frame.PeerChallenge.PORT_FIELD_LENGTH, type);
                int port = in.readUnsignedShort();
                String webSocket = readString(in, type);
                need(in, Frame.PeerChallenge.PATH_FIELD_LENGTH, type);
                yield new Frame.PeerChallenge(in.getUnsignedShort(at + Frame.PeerChallenge.VERSION_FIELD_OFFSET),
                        getToken(in, at + Frame.PeerChallenge.NONCE_FIELD_OFFSET, Frame.TOKEN_LENGTH),
                        getToken(in, at + Frame.PeerChallenge.MAC_FIELD_OFFSET, Frame.MAC_LENGTH), host, port,
                        webSocket, Frame.SchemaPath.of(in.readUnsignedByte()));
            }
            case FrameType.PROBE -> {
                int at = fixed(in, Frame.Probe.BODY_LENGTH, type);
                yield new Frame.Probe(in.getLong(at + Frame.Probe.HANDOFF_ID_FIELD_OFFSET),
                        getToken(in, at + Frame.Probe.NONCE_FIELD_OFFSET, Frame.TOKEN_LENGTH));
            }
            case FrameType.PROBE_PROOF -> {
                int at = fixed(in, Frame.ProbeProof.BODY_LENGTH, type);
                yield new Frame.ProbeProof(in.getLong(at + Frame.ProbeProof.HANDOFF_ID_FIELD_OFFSET),
                        getToken(in, at + Frame.ProbeProof.MAC_FIELD_OFFSET, Frame.MAC_LENGTH));
            }
            case FrameType.PEER_AUTH -> new Frame.PeerAuth(getToken(in,
                    fixed(in, Frame.PeerAuth.BODY_LENGTH, type) + Frame.PeerAuth.MAC_FIELD_OFFSET, Frame.MAC_LENGTH));
            case FrameType.SNAPSHOT_BEGIN -> {
                int at = fixed(in, Frame.SnapshotBegin.HEADER_LENGTH, type);
                yield new Frame.SnapshotBegin(in.getLong(at + Frame.SnapshotBegin.INDEX_FIELD_OFFSET),
                        in.getLong(at + Frame.SnapshotBegin.TICK_FIELD_OFFSET),
                        in.getInt(at + Frame.SnapshotBegin.SCHEMA_VERSION_FIELD_OFFSET),
                        in.getLong(at + Frame.SnapshotBegin.TOTAL_BYTES_FIELD_OFFSET),
                        in.getUnsignedShort(at + Frame.SnapshotBegin.TICK_HZ_FIELD_OFFSET), readString(in, type));
            }
            case FrameType.SNAPSHOT_CHUNK -> new Frame.SnapshotChunk(rest(in));
            case FrameType.SNAPSHOT_END -> new Frame.SnapshotEnd(
                    in.getLong(fixed(in, Frame.SnapshotEnd.BODY_LENGTH, type) + Frame.SnapshotEnd.DIGEST_FIELD_OFFSET));
            case FrameType.EVENT -> {
                int at = fixed(in, Frame.Event.HEADER_LENGTH, type);
                yield new Frame.Event(in.getLong(at + Frame.Event.INDEX_FIELD_OFFSET),
                        Frame.EventKind.of(in.getUnsignedByte(at + Frame.Event.KIND_FIELD_OFFSET)),
                        in.getLong(at + Frame.Event.SESSION_ID_FIELD_OFFSET),
                        in.getLong(at + Frame.Event.SEQ_FIELD_OFFSET), rest(in));
            }
            case FrameType.TRIM -> {
                int at = fixed(in, Frame.Trim.BODY_LENGTH, type);
                yield new Frame.Trim(in.getLong(at + Frame.Trim.SESSION_ID_FIELD_OFFSET),
                        in.getLong(at + Frame.Trim.OUTPUT_ACK_FIELD_OFFSET));
            }
            case FrameType.REPLICA_ACK -> new Frame.ReplicaAck(
                    in.getLong(fixed(in, Frame.ReplicaAck.BODY_LENGTH, type) + Frame.ReplicaAck.INDEX_FIELD_OFFSET));
            case FrameType.CUTOVER -> {
                // The two layouts differ in length only: 24 bytes is version 4's, 32 version 5's (with the tick).
                boolean withTick = in.readableBytes() == Frame.Cutover.BODY_LENGTH;
                int at = fixed(in, withTick ? Frame.Cutover.BODY_LENGTH : Frame.Cutover.V4_BODY_LENGTH, type);
                long tick = withTick ? in.getLong(at + Frame.Cutover.TICK_FIELD_OFFSET) : Frame.Cutover.NO_TICK;
                if (withTick && tick < 0) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "CUTOVER tick " + tick + " is negative");
                }
                yield new Frame.Cutover(in.getLong(at + Frame.Cutover.INDEX_FIELD_OFFSET),
                        in.getLong(at + Frame.Cutover.DIGEST_FIELD_OFFSET),
                        in.getLong(at + Frame.Cutover.NEXT_TICK_IN_NANOS_FIELD_OFFSET), tick);
            }
            case FrameType.CUTOVER_RESULT -> {
                int at = fixed(in, Frame.CutoverResult.BODY_LENGTH, type);
                int ok = in.getUnsignedByte(at + Frame.CutoverResult.OK_FIELD_OFFSET);
                if (ok > 1) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "CUTOVER_RESULT ok must be 0 or 1");
                }
                yield new Frame.CutoverResult(ok == 1, in.getLong(at + Frame.CutoverResult.DIGEST_FIELD_OFFSET));
            }
            case FrameType.FORWARD -> {
                int at = fixed(in, Frame.Forward.HEADER_LENGTH, type);
                yield new Frame.Forward(in.getLong(at + Frame.Forward.SESSION_ID_FIELD_OFFSET),
                        in.getLong(at + Frame.Forward.SEQ_FIELD_OFFSET), rest(in));
            }
            case FrameType.PEER_ABORT -> new Frame.PeerAbort(readString(in, type));
            default -> throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown frame type " + FrameType.name(type));
        };
    }

    /**
     * Consumes a body's fixed fields, each then read at its offset from the index returned; a body too
     * short for them is malformed.
     */
    private static int fixed(ByteBuf in, int length, int type) throws ProtocolException {
        need(in, length, type);
        int at = in.readerIndex();
        in.skipBytes(length);
        return at;
    }

    private static void need(ByteBuf in, int n, int type) throws ProtocolException {
        if (in.readableBytes() < n) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    FrameType.name(type) + " body too short: " + in.readableBytes() + " < " + n + " bytes");
        }
    }

    private static byte[] rest(ByteBuf in) {
        byte[] b = new byte[in.readableBytes()];
        in.readBytes(b);
        return b;
    }

    private static byte[] getToken(ByteBuf in, int index, int len) {
        byte[] b = new byte[len];
        in.getBytes(index, b);
        return b;
    }

    private static void putToken(ByteBuf out, int index, byte[] token, int len) {
        if (token == null) {
            out.setZero(index, len);
        } else if (token.length != len) {
            throw new IllegalArgumentException("token must be " + len + " bytes, was " + token.length);
        } else {
            out.setBytes(index, token);
        }
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING) {
            throw new IllegalArgumentException("string longer than " + MAX_STRING + " bytes");
        }
        out.writeShort(b.length);
        out.writeBytes(b);
    }

    private static String readString(ByteBuf in, int type) throws ProtocolException {
        need(in, STRING_LENGTH_FIELD, type);
        int n = in.readUnsignedShort();
        if (n > MAX_STRING) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, FrameType.name(type) + " string of " + n + " bytes");
        }
        need(in, n, type);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in.readSlice(n).nioBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, FrameType.name(type) + " string is not UTF-8");
        }
    }
}
