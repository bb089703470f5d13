package io.baton.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Maps frames to bytes and back. Stateless; {@link FrameDecoder} and {@link FrameEncoder} wrap it for
 * Netty, and tests and the simulator call it directly.
 */
public final class FrameCodec {

    /** Bytes of the length prefix. */
    public static final int LENGTH_FIELD = 4;
    /** Default maximum of {@code length} (type byte + body) on a client connection. */
    public static final int DEFAULT_MAX_FRAME = 1 << 20;
    /** Largest snapshot chunk a source sends; well below any sane maximum frame. */
    public static final int SNAPSHOT_CHUNK_BYTES = 256 * 1024;
    /** Longest string field. */
    private static final int MAX_STRING = 4096;

    private FrameCodec() {
    }

    /** Appends {@code [u32 length][u8 type][body]} to {@code out}. */
    public static void encode(Frame frame, ByteBuf out) {
        int start = out.writerIndex();
        try {
            out.writeInt(0);
            out.writeByte(frame.type());
            writeBody(frame, out);
        } catch (RuntimeException e) {
            out.writerIndex(start); // never leave half a frame in a buffer others may batch into
            throw e;
        }
        out.setInt(start, out.writerIndex() - start - LENGTH_FIELD);
    }

    private static void writeU16(ByteBuf out, int value, String field) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(field + " must fit 16 bits unsigned, was " + value);
        }
        out.writeShort(value);
    }

    /** The exact encoded size of a frame, prefix included; for sizing buffers and batching. */
    public static int encodedSize(Frame frame) {
        return LENGTH_FIELD + 1 + switch (frame.type()) {
            case FrameType.HELLO -> 2 + 1 + 8 + Frame.TOKEN_LENGTH + 8;
            case FrameType.WELCOME -> 2 + 8 + Frame.TOKEN_LENGTH + 8;
            case FrameType.INPUT -> 16 + ((Frame.Input) frame).payload().length;
            case FrameType.OUTPUT -> 16 + ((Frame.Output) frame).payload().length;
            case FrameType.ACK, FrameType.ATTACHED, FrameType.MOVE_ABORTED, FrameType.PING, FrameType.PONG,
                    FrameType.SNAPSHOT_END, FrameType.REPLICA_ACK -> 8;
            case FrameType.MOVE -> 8 + Frame.TOKEN_LENGTH + stringSize(((Frame.Move) frame).host()) + 2;
            case FrameType.SWITCH, FrameType.TRIM -> 16;
            case FrameType.CLOSE -> 0;
            case FrameType.ERROR -> 2 + stringSize(((Frame.Error) frame).message());
            case FrameType.TARGET_HINT -> stringSize(((Frame.TargetHint) frame).host()) + 2;
            case FrameType.COMMIT -> 8;
            case FrameType.PEER_HELLO -> 2 + 8 + 1 + Frame.TOKEN_LENGTH;
            case FrameType.PEER_CHALLENGE -> Frame.TOKEN_LENGTH + Frame.MAC_LENGTH;
            case FrameType.PEER_AUTH -> Frame.MAC_LENGTH;
            case FrameType.SNAPSHOT_BEGIN -> 30 + stringSize(((Frame.SnapshotBegin) frame).service());
            case FrameType.SNAPSHOT_CHUNK -> ((Frame.SnapshotChunk) frame).data().length;
            case FrameType.EVENT -> 25 + ((Frame.Event) frame).payload().length;
            case FrameType.CUTOVER -> 24;
            case FrameType.CUTOVER_RESULT -> 9;
            case FrameType.FORWARD -> 16 + ((Frame.Forward) frame).payload().length;
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
        return 2 + n;
    }

    private static void writeBody(Frame frame, ByteBuf out) {
        switch (frame.type()) {
            case FrameType.HELLO -> {
                Frame.Hello h = (Frame.Hello) frame;
                writeU16(out, h.version(), "version");
                out.writeByte(h.kind().ordinal());
                out.writeLong(h.sessionId());
                writeToken(out, h.token(), Frame.TOKEN_LENGTH);
                out.writeLong(h.outputAck());
            }
            case FrameType.WELCOME -> {
                Frame.Welcome w = (Frame.Welcome) frame;
                writeU16(out, w.version(), "version");
                out.writeLong(w.sessionId());
                writeToken(out, w.secret(), Frame.TOKEN_LENGTH);
                out.writeLong(w.inputAck());
            }
            case FrameType.INPUT -> {
                Frame.Input i = (Frame.Input) frame;
                out.writeLong(i.seq());
                out.writeLong(i.ack());
                out.writeBytes(i.payload());
            }
            case FrameType.OUTPUT -> {
                Frame.Output o = (Frame.Output) frame;
                out.writeLong(o.seq());
                out.writeLong(o.ack());
                out.writeBytes(o.payload());
            }
            case FrameType.ACK -> out.writeLong(((Frame.Ack) frame).ack());
            case FrameType.MOVE -> {
                Frame.Move m = (Frame.Move) frame;
                out.writeLong(m.handoffId());
                writeToken(out, m.ticket(), Frame.TOKEN_LENGTH);
                writeString(out, m.host());
                writeU16(out, m.port(), "port");
            }
            case FrameType.ATTACHED -> out.writeLong(((Frame.Attached) frame).handoffId());
            case FrameType.SWITCH -> {
                Frame.Switch s = (Frame.Switch) frame;
                out.writeLong(s.handoffId());
                out.writeLong(s.lastOutputSeq());
            }
            case FrameType.MOVE_ABORTED -> out.writeLong(((Frame.MoveAborted) frame).handoffId());
            case FrameType.PING -> out.writeLong(((Frame.Ping) frame).value());
            case FrameType.PONG -> out.writeLong(((Frame.Pong) frame).value());
            case FrameType.CLOSE -> { }
            case FrameType.ERROR -> {
                Frame.Error e = (Frame.Error) frame;
                out.writeShort(e.code().code());
                writeString(out, e.message());
            }
            case FrameType.TARGET_HINT -> {
                Frame.TargetHint t = (Frame.TargetHint) frame;
                writeString(out, t.host());
                writeU16(out, t.port(), "port");
            }
            case FrameType.COMMIT -> out.writeLong(((Frame.Commit) frame).index());
            case FrameType.PEER_HELLO -> {
                Frame.PeerHello h = (Frame.PeerHello) frame;
                writeU16(out, h.version(), "version");
                out.writeLong(h.handoffId());
                out.writeByte(h.mode().ordinal());
                writeToken(out, h.nonce(), Frame.TOKEN_LENGTH);
            }
            case FrameType.PEER_CHALLENGE -> {
                Frame.PeerChallenge c = (Frame.PeerChallenge) frame;
                writeToken(out, c.nonce(), Frame.TOKEN_LENGTH);
                writeToken(out, c.mac(), Frame.MAC_LENGTH);
            }
            case FrameType.PEER_AUTH -> writeToken(out, ((Frame.PeerAuth) frame).mac(), Frame.MAC_LENGTH);
            case FrameType.SNAPSHOT_BEGIN -> {
                Frame.SnapshotBegin b = (Frame.SnapshotBegin) frame;
                out.writeLong(b.index());
                out.writeLong(b.tick());
                out.writeInt(b.schemaVersion());
                out.writeLong(b.totalBytes());
                writeU16(out, b.tickHz(), "tickHz");
                writeString(out, b.service());
            }
            case FrameType.SNAPSHOT_CHUNK -> out.writeBytes(((Frame.SnapshotChunk) frame).data());
            case FrameType.SNAPSHOT_END -> out.writeLong(((Frame.SnapshotEnd) frame).digest());
            case FrameType.EVENT -> {
                Frame.Event e = (Frame.Event) frame;
                out.writeLong(e.index());
                out.writeByte(e.kind().ordinal());
                out.writeLong(e.sessionId());
                out.writeLong(e.seq());
                out.writeBytes(e.payload());
            }
            case FrameType.TRIM -> {
                Frame.Trim t = (Frame.Trim) frame;
                out.writeLong(t.sessionId());
                out.writeLong(t.outputAck());
            }
            case FrameType.REPLICA_ACK -> out.writeLong(((Frame.ReplicaAck) frame).index());
            case FrameType.CUTOVER -> {
                Frame.Cutover c = (Frame.Cutover) frame;
                out.writeLong(c.index());
                out.writeLong(c.digest());
                out.writeLong(c.nextTickInNanos());
            }
            case FrameType.CUTOVER_RESULT -> {
                Frame.CutoverResult r = (Frame.CutoverResult) frame;
                out.writeByte(r.ok() ? 1 : 0);
                out.writeLong(r.digest());
            }
            case FrameType.FORWARD -> {
                Frame.Forward f = (Frame.Forward) frame;
                out.writeLong(f.sessionId());
                out.writeLong(f.seq());
                out.writeBytes(f.payload());
            }
            case FrameType.PEER_ABORT -> writeString(out, ((Frame.PeerAbort) frame).reason());
            default -> throw new IllegalArgumentException("no encoder for " + frame);
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
                need(in, 35, type);
                yield new Frame.Hello(in.readUnsignedShort(), Frame.HelloKind.of(in.readUnsignedByte()),
                        in.readLong(), readToken(in, Frame.TOKEN_LENGTH), in.readLong());
            }
            case FrameType.WELCOME -> {
                need(in, 34, type);
                yield new Frame.Welcome(in.readUnsignedShort(), in.readLong(), readToken(in, Frame.TOKEN_LENGTH),
                        in.readLong());
            }
            case FrameType.INPUT -> {
                need(in, 16, type);
                yield new Frame.Input(in.readLong(), in.readLong(), rest(in));
            }
            case FrameType.OUTPUT -> {
                need(in, 16, type);
                yield new Frame.Output(in.readLong(), in.readLong(), rest(in));
            }
            case FrameType.ACK -> new Frame.Ack(fixedLong(in, type));
            case FrameType.MOVE -> {
                need(in, 8 + Frame.TOKEN_LENGTH, type);
                long id = in.readLong();
                byte[] ticket = readToken(in, Frame.TOKEN_LENGTH);
                String host = readString(in, type);
                need(in, 2, type);
                yield new Frame.Move(id, ticket, host, in.readUnsignedShort());
            }
            case FrameType.ATTACHED -> new Frame.Attached(fixedLong(in, type));
            case FrameType.SWITCH -> {
                need(in, 16, type);
                yield new Frame.Switch(in.readLong(), in.readLong());
            }
            case FrameType.MOVE_ABORTED -> new Frame.MoveAborted(fixedLong(in, type));
            case FrameType.PING -> new Frame.Ping(fixedLong(in, type));
            case FrameType.PONG -> new Frame.Pong(fixedLong(in, type));
            case FrameType.CLOSE -> new Frame.Close();
            case FrameType.ERROR -> {
                need(in, 2, type);
                yield new Frame.Error(ErrorCode.of(in.readUnsignedShort()), readString(in, type));
            }
            case FrameType.TARGET_HINT -> {
                String host = readString(in, type);
                need(in, 2, type);
                yield new Frame.TargetHint(host, in.readUnsignedShort());
            }
            case FrameType.COMMIT -> new Frame.Commit(fixedLong(in, type));
            case FrameType.PEER_HELLO -> {
                need(in, 11 + Frame.TOKEN_LENGTH, type);
                yield new Frame.PeerHello(in.readUnsignedShort(), in.readLong(), Frame.Mode.of(in.readUnsignedByte()),
                        readToken(in, Frame.TOKEN_LENGTH));
            }
            case FrameType.PEER_CHALLENGE -> {
                need(in, Frame.TOKEN_LENGTH + Frame.MAC_LENGTH, type);
                yield new Frame.PeerChallenge(readToken(in, Frame.TOKEN_LENGTH), readToken(in, Frame.MAC_LENGTH));
            }
            case FrameType.PEER_AUTH -> {
                need(in, Frame.MAC_LENGTH, type);
                yield new Frame.PeerAuth(readToken(in, Frame.MAC_LENGTH));
            }
            case FrameType.SNAPSHOT_BEGIN -> {
                need(in, 30, type);
                long index = in.readLong();
                long tick = in.readLong();
                int schema = in.readInt();
                long total = in.readLong();
                int hz = in.readUnsignedShort();
                yield new Frame.SnapshotBegin(index, tick, schema, total, hz, readString(in, type));
            }
            case FrameType.SNAPSHOT_CHUNK -> new Frame.SnapshotChunk(rest(in));
            case FrameType.SNAPSHOT_END -> new Frame.SnapshotEnd(fixedLong(in, type));
            case FrameType.EVENT -> {
                need(in, 25, type);
                yield new Frame.Event(in.readLong(), Frame.EventKind.of(in.readUnsignedByte()), in.readLong(),
                        in.readLong(), rest(in));
            }
            case FrameType.TRIM -> {
                need(in, 16, type);
                yield new Frame.Trim(in.readLong(), in.readLong());
            }
            case FrameType.REPLICA_ACK -> new Frame.ReplicaAck(fixedLong(in, type));
            case FrameType.CUTOVER -> {
                need(in, 24, type);
                yield new Frame.Cutover(in.readLong(), in.readLong(), in.readLong());
            }
            case FrameType.CUTOVER_RESULT -> {
                need(in, 9, type);
                int ok = in.readUnsignedByte();
                if (ok > 1) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "CUTOVER_RESULT ok must be 0 or 1");
                }
                yield new Frame.CutoverResult(ok == 1, in.readLong());
            }
            case FrameType.FORWARD -> {
                need(in, 16, type);
                yield new Frame.Forward(in.readLong(), in.readLong(), rest(in));
            }
            case FrameType.PEER_ABORT -> new Frame.PeerAbort(readString(in, type));
            default -> throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown frame type " + FrameType.name(type));
        };
    }

    private static void need(ByteBuf in, int n, int type) throws ProtocolException {
        if (in.readableBytes() < n) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    FrameType.name(type) + " body too short: " + in.readableBytes() + " < " + n + " bytes");
        }
    }

    private static long fixedLong(ByteBuf in, int type) throws ProtocolException {
        need(in, 8, type);
        return in.readLong();
    }

    private static byte[] rest(ByteBuf in) {
        byte[] b = new byte[in.readableBytes()];
        in.readBytes(b);
        return b;
    }

    private static byte[] readToken(ByteBuf in, int len) {
        byte[] b = new byte[len];
        in.readBytes(b);
        return b;
    }

    private static void writeToken(ByteBuf out, byte[] token, int len) {
        if (token == null) {
            out.writeZero(len);
        } else if (token.length != len) {
            throw new IllegalArgumentException("token must be " + len + " bytes, was " + token.length);
        } else {
            out.writeBytes(token);
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
        need(in, 2, type);
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
