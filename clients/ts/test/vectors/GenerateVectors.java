import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes frames.json: byte vectors of every client-link frame, encoded by baton-wire's own FrameCodec, so
 * that the TypeScript codec is tested against the Java bytes rather than against itself. Run from the
 * repository root after `mvn -B -o -q compile -pl baton-wire`:
 *
 *   java -cp baton-wire/target/classes:$(netty-buffer and netty-common jars) \
 *       clients/ts/test/vectors/GenerateVectors.java > clients/ts/test/vectors/frames.json
 *
 * Each vector names the frame's fields as the TypeScript Frame type spells them (u64 values as decimal
 * strings: a JSON number cannot hold them exactly).
 */
public class GenerateVectors {

    private static final List<String> out = new ArrayList<>();

    public static void main(String[] args) {
        byte[] token = seq(16, 1);
        byte[] mac = seq(32, 0x40);
        long big = 0xF123456789ABCDEFL; // above 2^63: an unsigned u64 in meaning
        vector("HELLO NEW", new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, null, 0),
                "\"minVersion\":" + Frame.VERSION + ",\"maxVersion\":" + Frame.VERSION + ",\"kind\":0,\"sessionId\":\"0\",\"token\":\"" + hex(new byte[16]) + "\",\"outputAck\":\"0\"");
        vector("HELLO RESUME", new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, 42, token, 7),
                "\"minVersion\":" + Frame.VERSION + ",\"maxVersion\":" + Frame.VERSION + ",\"kind\":1,\"sessionId\":\"42\",\"token\":\"" + hex(token) + "\",\"outputAck\":\"7\"");
        vector("HELLO ATTACH 4..5", new Frame.Hello(4, 5, Frame.HelloKind.ATTACH, big, token, -1L),
                "\"minVersion\":4,\"maxVersion\":5,\"kind\":2,\"sessionId\":\"" + Long.toUnsignedString(big) + "\",\"token\":\"" + hex(token)
                        + "\",\"outputAck\":\"" + Long.toUnsignedString(-1L) + "\"");
        vector("WELCOME", new Frame.Welcome(Frame.VERSION, 42, token, 9),
                "\"version\":" + Frame.VERSION + ",\"sessionId\":\"42\",\"secret\":\"" + hex(token) + "\",\"inputAck\":\"9\"");
        vector("WELCOME version 5 (the test version)", new Frame.Welcome(5, 42, token, 9, 60),
                "\"version\":5,\"sessionId\":\"42\",\"secret\":\"" + hex(token) + "\",\"inputAck\":\"9\",\"tickHz\":60");
        vector("INPUT", new Frame.Input(7, 3, new byte[] {(byte) 0xAA, (byte) 0xBB}),
                "\"seq\":\"7\",\"ack\":\"3\",\"payload\":\"aabb\"");
        vector("INPUT empty", new Frame.Input(1, 0, new byte[0]), "\"seq\":\"1\",\"ack\":\"0\",\"payload\":\"\"");
        vector("OUTPUT", new Frame.Output(1000, 999, seq(5, 0x10)),
                "\"seq\":\"1000\",\"ack\":\"999\",\"payload\":\"" + hex(seq(5, 0x10)) + "\"");
        vector("ACK", new Frame.Ack(123456789012L), "\"ack\":\"123456789012\"");
        vector("MOVE", new Frame.Move(big, token, "target.example", 7100, ""),
                "\"handoffId\":\"" + Long.toUnsignedString(big) + "\",\"ticket\":\"" + hex(token)
                        + "\",\"host\":\"target.example\",\"port\":7100,\"webSocket\":\"\"");
        vector("MOVE utf8 with a WebSocket URL", new Frame.Move(5, token, "m\u00fcnchen-\u4e1c", 65535, "wss://edge.example:9443/baton"),
                "\"handoffId\":\"5\",\"ticket\":\"" + hex(token) + "\",\"host\":\"m\u00fcnchen-\u4e1c\",\"port\":65535,"
                        + "\"webSocket\":\"wss://edge.example:9443/baton\"");
        vector("ATTACHED", new Frame.Attached(5), "\"handoffId\":\"5\"");
        vector("SWITCH", new Frame.Switch(5, 77), "\"handoffId\":\"5\",\"lastOutputSeq\":\"77\"");
        vector("MOVE_ABORTED", new Frame.MoveAborted(5), "\"handoffId\":\"5\"");
        vector("PING", new Frame.Ping(big), "\"value\":\"" + Long.toUnsignedString(big) + "\"");
        vector("PONG", new Frame.Pong(1), "\"value\":\"1\"");
        vector("CLOSE", new Frame.Close(), "");
        vector("ERROR", new Frame.Error(ErrorCode.SESSIONS_FULL, "full: try later"),
                "\"code\":15,\"message\":\"full: try later\"");
        vector("TARGET_HINT", new Frame.TargetHint("127.0.0.1", 7000, "ws://127.0.0.1:7000/baton"),
                "\"host\":\"127.0.0.1\",\"port\":7000,\"webSocket\":\"ws://127.0.0.1:7000/baton\"");
        vector("TARGET_HINT withdrawn", Frame.TargetHint.WITHDRAWN, "\"host\":\"\",\"port\":0,\"webSocket\":\"\"");
        vector("PROBE", new Frame.Probe(5, token), "\"handoffId\":\"5\",\"nonce\":\"" + hex(token) + "\"");
        vector("PROBE_PROOF", new Frame.ProbeProof(5, mac), "\"handoffId\":\"5\",\"mac\":\"" + hex(mac) + "\"");
        System.out.println("[\n" + String.join(",\n", out) + "\n]");
    }

    private static void vector(String name, Frame f, String fields) {
        ByteBuf buf = Unpooled.buffer();
        FrameCodec.encode(f, buf);
        String sep = fields.isEmpty() ? "" : ",";
        out.add("  {\"name\":\"" + name + "\",\"frame\":{\"type\":" + f.type() + sep + fields + "},\"hex\":\""
                + ByteBufUtil.hexDump(buf) + "\"}");
    }

    private static byte[] seq(int n, int from) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }
}
