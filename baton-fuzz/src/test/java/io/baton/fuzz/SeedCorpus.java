package io.baton.fuzz;

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
        decoder.put("every-frame", ByteBufUtil.getBytes(all));
        write("FrameDecoderFuzzTest", "decodesOrRejects", decoder);
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
                new Frame.PeerHello(Frame.VERSION, 11, Frame.Mode.LIVE, token),
                new Frame.PeerChallenge(token, mac),
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
                new Frame.Commit(101));
    }

    static void write(String testClass, String method, Map<String, byte[]> seeds) throws IOException {
        Path dir = ROOT.resolve(testClass + "Inputs").resolve(method);
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve("seed-" + seed.getKey()), seed.getValue());
        }
    }
}
