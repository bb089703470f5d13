package io.baton.fuzz;

import io.baton.arena.ArenaFactory;
import io.baton.core.HandoffRequest;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed inputs of the fuzz targets into their Jazzer input directories, from which a normal
 * test run replays them (regression mode) and a fuzzing run starts. Run from the module directory after
 * a change of format: {@code java -cp target/test-classes:$(cat cp.txt) io.baton.fuzz.SeedCorpus}
 * (docs/fuzzing.md). Seeds are valid inputs of every kind the target knows, so that mutation starts
 * from deep inside the code rather than at its first check.
 */
final class SeedCorpus {

    private static final Path ROOT = Path.of("src/test/resources/io/baton/fuzz");

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, byte[]> decoder = new LinkedHashMap<>();
        ByteBuf all = Unpooled.buffer();
        all.writeByte(3); // the default limit, the stream cut into reads at random
        for (Frame f : everyFrame()) {
            ByteBuf one = Unpooled.buffer();
            one.writeByte(3);
            FrameCodec.encode(f, one);
            decoder.put(f.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT), ByteBufUtil.getBytes(one));
            FrameCodec.encode(f, all);
        }
        // The layouts that depend on a version: the test version 5's WELCOME and CUTOVER, a 4..5 range, and the
        // hello of a build before ranges (first byte 0), which decodes as its one version to be refused.
        Map<String, Frame> versioned = new LinkedHashMap<>();
        versioned.put("welcome-version5", new Frame.Welcome(5, 7, new byte[Frame.TOKEN_LENGTH], 2, 30));
        versioned.put("cutover-version5", new Frame.Cutover(101, 0x1234_5678_9ABCL, 40_000_000L, 77));
        versioned.put("hello-range", new Frame.Hello(4, 5, Frame.HelloKind.NEW, 0, null, 0));
        versioned.put("hello-before-ranges", new Frame.Hello(3, Frame.HelloKind.NEW, 0, null, 0));
        versioned.put("peerhello-before-ranges", new Frame.PeerHello(3, 11, Frame.Mode.LIVE, new byte[16], "arena", 2));
        for (Map.Entry<String, Frame> v : versioned.entrySet()) {
            ByteBuf one = Unpooled.buffer();
            one.writeByte(3);
            FrameCodec.encode(v.getValue(), one);
            decoder.put(v.getKey(), ByteBufUtil.getBytes(one));
            FrameCodec.encode(v.getValue(), all);
        }
        decoder.put("every-frame", ByteBufUtil.getBytes(all));
        write("FrameDecoderFuzzTest", "decodesOrRejects", decoder);
        write("ServerCoreFuzzTest", "clientConnection", clientScripts());
        write("ServerCoreFuzzTest", "peerConnection", peerScripts());
        byte[] save = CoreStage.authority(new ArenaFactory(), 2, false).core.saveAndStop(0).readAllBytes();
        write("RestoreFuzzTest", "saveFile", Map.of("arena-two-sessions", save));
        // Byte 0 is the schema version the arena writes now, so that the seed restores rather than being refused.
        int schema = new ArenaFactory().create(new io.baton.service.ServiceConfig(30, Map.of())).schemaVersion();
        ByteBuf arena = Unpooled.buffer().writeByte(schema).writeBytes(Layouts.serviceOfSave(save));
        write("RestoreFuzzTest", "arenaSnapshot", Map.of("two-players", ByteBufUtil.getBytes(arena)));
        write("RestoreFuzzTest", "handoffSnapshot", Map.of("arena-two-sessions", handoffSnapshot()));
    }

    /**
     * What a real source sends a target it authenticated: {@code [u64 index][u64 digest]} of its
     * SNAPSHOT_BEGIN and SNAPSHOT_END, then the bytes of its chunks (RestoreFuzzTest#handoffSnapshot).
     */
    private static byte[] handoffSnapshot() {
        CoreStage source = CoreStage.authority(new ArenaFactory(), 2, false);
        source.core.startHandoff(new HandoffRequest("target", 7001, "target", 7000, Frame.Mode.LIVE), source.now)
                .ifPresent(why -> {
                    throw new IllegalStateException(why);
                });
        long link = source.wire.lastConnect();
        source.core.peerSecured(link, new byte[0]);
        source.core.peerConnected(link, source.now);
        Frame.PeerHello hello = (Frame.PeerHello) source.wire.take(link).get(0);
        byte[] nonce = new byte[Frame.TOKEN_LENGTH];
        source.core.frame(link, new Frame.PeerChallenge(nonce,
                PeerProof.target(CoreStage.PEER_SECRET, hello.handoffId(), hello.mode().ordinal(), hello.minVersion(),
                        hello.maxVersion(), Frame.PEER_VERSION, hello.nonce(), nonce,
                        hello.service(), hello.schemaVersion(), 0, "", 0, ""), "", 0, ""), source.now);
        source.advance(500 * CoreStage.MS);
        ByteBuf seed = Unpooled.buffer();
        ByteBuf stream = Unpooled.buffer();
        for (Frame f : source.wire.take(link)) {
            if (f instanceof Frame.SnapshotBegin begin) {
                seed.writeLong(begin.index());
            } else if (f instanceof Frame.SnapshotChunk chunk) {
                stream.writeBytes(chunk.data());
            } else if (f instanceof Frame.SnapshotEnd end) {
                seed.writeLong(end.digest());
            }
        }
        if (seed.readableBytes() != 16) {
            throw new IllegalStateException("the source sent no whole snapshot within 500 ms");
        }
        return ByteBufUtil.getBytes(seed.writeBytes(stream));
    }

    /** Scripts for a stranger on the client port (ServerCoreFuzzTest#play gives the operations). */
    private static Map<String, byte[]> clientScripts() {
        byte[] zeros = new byte[Frame.TOKEN_LENGTH];
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("session", new Script().op(7).frame(new Frame.Input(1, 0, new byte[] {'a'}))
                .frame(new Frame.Input(2, 1, new byte[] {'b'})).op(3).u8(10).frame(new Frame.Ack(2))
                .frame(new Frame.Ping(5)).op(5).u8(1).frame(new Frame.Input(3, 2, new byte[] {'c'})).op(2).u8(0)
                .op(6).u8(1).frame(new Frame.Close()).op(4).bytes());
        Script all = new Script().op(7);
        for (Frame f : everyFrame()) {
            all.frame(f);
        }
        seeds.put("every-frame", all.bytes());
        Script before = new Script();
        for (Frame f : everyFrame()) {
            before.frame(f).op(4);
        }
        seeds.put("every-frame-before-hello", before.bytes());
        seeds.put("guessed-credentials", new Script()
                .frame(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, 1, zeros, 0)).op(4)
                .frame(new Frame.Hello(Frame.VERSION, Frame.HelloKind.ATTACH, 2, zeros, 0)).op(4)
                .frame(new Frame.Hello(Frame.VERSION + 1, Frame.HelloKind.NEW, 0, zeros, 0)).op(4)
                .frame(new Frame.Hello(3, Frame.HelloKind.NEW, 0, zeros, 0)).bytes());
        seeds.put("inputs-out-of-order", new Script().op(7).frame(new Frame.Input(1, 0, new byte[] {'x'}))
                .frame(new Frame.Input(1, 0, new byte[] {'x'})).frame(new Frame.Input(5, 9, new byte[] {'y'})).bytes());
        seeds.put("garbage", new Script().op(7).raw(new byte[] {0x7F, 1, 2}).op(7)
                .raw(new byte[] {0x01, 0, 1, 9}).bytes());
        seeds.put("expired-then-resumed", new Script().op(7).frame(new Frame.Input(1, 0, new byte[] {'z'})).op(4)
                .op(3).u8(255).op(3).u8(255).op(3).u8(255).op(3).u8(255).op(3).u8(255).op(3).u8(255).op(3).u8(255)
                .op(5).u8(0).bytes());
        return seeds;
    }

    /** Scripts for a stranger on the peer port; byte 0 picks an authority (0) or a standby (1). */
    private static Map<String, byte[]> peerScripts() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("standby-handshake", new Script().u8(1).op(7).op(5).data(new byte[Frame.MAC_LENGTH]).bytes());
        Script all = new Script().u8(1).op(7);
        Script onAuthority = new Script().u8(0).op(7);
        for (Frame f : everyFrame()) {
            all.frame(f);
            onAuthority.frame(f);
        }
        seeds.put("standby-every-frame", all.bytes());
        seeds.put("authority-every-frame", onAuthority.bytes());
        seeds.put("standby-unauthenticated-state", new Script().u8(1).op(7)
                .frame(new Frame.SnapshotBegin(1, 1, 1, 8, 10, Ledger.NAME)).frame(new Frame.SnapshotChunk(new byte[8]))
                .frame(new Frame.SnapshotEnd(0)).frame(new Frame.Event(2, Frame.EventKind.TICK, 0, 2, new byte[0]))
                .frame(new Frame.Cutover(2, 0, 0)).bytes());
        seeds.put("standby-handshake-times-out", new Script().u8(1).op(7).op(3).u8(255).op(3).u8(255).op(7)
                .op(4).op(7).bytes());
        return seeds;
    }

    /** Builds a script in the operations of ServerCoreFuzzTest#play. */
    private static final class Script {
        private final ByteBuf out = Unpooled.buffer();

        Script op(int op) {
            out.writeByte(op);
            return this;
        }

        Script u8(int value) {
            out.writeByte(value);
            return this;
        }

        Script data(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        /** Operation 0: a frame as on the wire, with a two-byte length. */
        Script frame(Frame f) {
            ByteBuf wire = Unpooled.buffer();
            FrameCodec.encode(f, wire);
            wire.skipBytes(FrameCodec.LENGTH_FIELD);
            return raw(ByteBufUtil.getBytes(wire));
        }

        /** Operation 0 with bytes that need not decode: a type byte, then a body. */
        Script raw(byte[] typeAndBody) {
            out.writeByte(0).writeShort(typeAndBody.length).writeBytes(typeAndBody);
            return this;
        }

        byte[] bytes() {
            return ByteBufUtil.getBytes(out);
        }
    }

    /** One frame of each type, with every variable field non-empty. */
    static List<Frame> everyFrame() {
        byte[] token = new byte[Frame.TOKEN_LENGTH];
        byte[] mac = new byte[Frame.MAC_LENGTH];
        for (int i = 0; i < mac.length; i++) {
            mac[i] = (byte) (i * 7 + 1);
            token[i % token.length] = (byte) (i * 3 + 5);
        }
        byte[] payload = {1, 2, 3, 4, 5};
        return List.of(
                new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, 7, token, 3),
                new Frame.Welcome(Frame.VERSION, 7, token, 2),
                new Frame.Input(4, 3, payload),
                new Frame.Output(5, 4, payload),
                new Frame.Ack(9),
                new Frame.Move(11, token, "target.example", 7100),
                new Frame.Attached(11),
                new Frame.Switch(11, 5),
                new Frame.MoveAborted(11),
                new Frame.Ping(12),
                new Frame.Pong(12),
                new Frame.Close(),
                new Frame.Error(ErrorCode.BUSY, "busy: try again"),
                new Frame.TargetHint("target.example", 7100),
                new Frame.PeerHello(Frame.PEER_VERSION, 11, Frame.Mode.LIVE, token, "arena", new ArenaFactory().schemaVersion()),
                new Frame.PeerChallenge(token, mac, "target.example", 7100),
                new Frame.Probe(11, token),
                new Frame.ProbeProof(11, mac),
                new Frame.PeerAuth(mac),
                new Frame.SnapshotBegin(100, 50, 1, 64, 10, "arena"),
                new Frame.SnapshotChunk(payload),
                new Frame.SnapshotEnd(0x1234_5678_9ABCL),
                new Frame.Event(101, Frame.EventKind.INPUT, 7, 4, payload),
                new Frame.Trim(7, 5),
                new Frame.ReplicaAck(101),
                new Frame.Cutover(101, 0x1234_5678_9ABCL, 40_000_000L),
                new Frame.CutoverResult(true, 0x1234_5678_9ABCL),
                new Frame.Forward(7, 5, payload),
                new Frame.PeerAbort("operator abort"),
                new Frame.Commit(101, new long[] {1, 2, 3}));
    }

    static void write(String testClass, String method, Map<String, byte[]> seeds) throws IOException {
        Path dir = ROOT.resolve(testClass + "Inputs").resolve(method);
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve("seed-" + seed.getKey()), seed.getValue());
        }
    }
}
