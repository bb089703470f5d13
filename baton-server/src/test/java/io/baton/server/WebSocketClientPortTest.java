package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.arena.ArenaProtocol;
import io.baton.client.ClientRuntime;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Baton over WebSocket on the client port, over real sockets (docs/protocol.md, "WebSocket"): the SDK plays
 * over it; each Baton frame is one binary message; every message that is not one frame, and framing that breaks
 * RFC 6455, gets its ERROR and closes only that connection, while a bystander over WebSocket notices nothing;
 * HTTP that is not the upgrade is answered and closed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebSocketClientPortTest {

    private static final long HELLO_MS = 600;
    private static final long IDLE_MS = 1_500;
    private static final byte[] ZERO_TOKEN = new byte[Frame.TOKEN_LENGTH];

    private final TestServers env = new TestServers();
    private BatonServer server;
    private Bystander bystander;

    @BeforeEach
    void startServerAndBystander() throws Exception {
        ServerConfig d = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        server = env.start(d.withLimits(d.limits().withHelloTimeout(TimeUnit.MILLISECONDS.toNanos(HELLO_MS))
                .withIdleTimeout(TimeUnit.MILLISECONDS.toNanos(IDLE_MS))), false);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        bystander = env.add(Bystander.connectWebSocket(runtime, server.clientPort()));
        bystander.awaitUpdatesBeyond(0, 3);
    }

    @AfterEach
    void stop() {
        env.close();
    }

    @Test
    void theSdkPlaysOverWebSocketTickByTickAndItsInputsAreApplied() throws Exception {
        bystander.sendMove();
        bystander.sendMove();
        bystander.awaitInputsApplied(2);
        bystander.awaitUpdatesBeyond(bystander.updateCount(), 5);
        bystander.assertConsecutiveTicks();
        assertThat(bystander.appliedInputIds()).containsExactly(1L, 2L);
    }

    @Test
    void aHelloInOneBinaryMessageIsWelcomedAndEveryOutputIsOneBinaryMessage() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            assertThat(ws.read()).isInstanceOf(Frame.Welcome.class);
            for (int i = 0; i < 3; i++) { // RawWebSocket.read checks: binary, unfragmented, one whole frame
                Frame f = ws.read();
                assertThat(f).isInstanceOf(Frame.Output.class);
                ArenaProtocol.decodeUpdate(((Frame.Output) f).payload());
            }
        }
        assertBystanderUnharmed();
    }

    @Test
    void aFrameSplitOverFragmentsIsOneFrame() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            byte[] hello = RawConnection.encode(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            ws.sendFrame(RawWebSocket.BINARY, false, Arrays.copyOfRange(hello, 4, 10));
            ws.sendFrame(RawWebSocket.PING, true, new byte[] {7}); // a control frame may come between fragments
            ws.sendFrame(RawWebSocket.CONTINUATION, true, Arrays.copyOfRange(hello, 10, hello.length));
            RawWebSocket.Message pong = ws.readMessage();
            assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(pong.payload()).containsExactly(7);
            assertThat(ws.read()).isInstanceOf(Frame.Welcome.class);
        }
    }

    @Test
    void aTextMessageGetsMalformedFrameAndClosesOnlyItsConnection() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.sendFrame(RawWebSocket.TEXT, true, "{\"hello\":1}".getBytes(StandardCharsets.UTF_8));
            Frame.Error e = expectErrorThenClose(ws, ErrorCode.MALFORMED_FRAME, 1003);
            assertThat(e.message()).contains("text").contains("binary");
        }
        assertBystanderUnharmed();
    }

    @Test
    void aMessageThatDoesNotParseGetsMalformedFrame() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.sendFrame(RawWebSocket.BINARY, true, new byte[] {0x7F});
            assertThat(expectErrorThenClose(ws, ErrorCode.MALFORMED_FRAME, 1002).message()).contains("0x7f");
        }
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.sendFrame(RawWebSocket.BINARY, true, new byte[0]);
            assertThat(expectErrorThenClose(ws, ErrorCode.MALFORMED_FRAME, 1002).message()).contains("empty");
        }
        assertBystanderUnharmed();
    }

    @Test
    void aMessageAboveTheLargestFrameIsRefusedOnItsHeaderAlone() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            // The header announces one byte more than a frame may hold; only 9 bytes of it ever come.
            int tooLong = FrameCodec.DEFAULT_MAX_FRAME + 1;
            ByteBuffer header = ByteBuffer.allocate(2 + 8 + 4 + 9).put((byte) 0x82).put((byte) (0x80 | 127))
                    .putLong(tooLong).putInt(0x11223344).put(new byte[9]);
            ws.sendRaw(header.array());
            Frame.Error e = expectErrorThenClose(ws, ErrorCode.FRAME_TOO_LARGE, 1009);
            assertThat(e.message()).contains(Integer.toString(FrameCodec.DEFAULT_MAX_FRAME));
        }
        assertBystanderUnharmed();
    }

    @Test
    void fragmentsThatTogetherExceedTheLargestFrameAreRefused() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            byte[] half = new byte[FrameCodec.DEFAULT_MAX_FRAME / 2 + 1];
            half[0] = 0x03; // an INPUT's type byte: each fragment alone is within the limit
            ws.sendFrame(RawWebSocket.BINARY, false, half);
            ws.sendFrame(RawWebSocket.CONTINUATION, true, new byte[FrameCodec.DEFAULT_MAX_FRAME / 2 + 1]);
            assertThat(expectErrorThenClose(ws, ErrorCode.FRAME_TOO_LARGE, 1009).message()).contains("fragmented");
        }
        assertBystanderUnharmed();
    }

    @Test
    void aSecondUpgradeOnAnUpgradedConnectionIsBrokenFramingAndClosesIt() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.sendRaw(RawWebSocket.upgradeRequest("/baton").getBytes(StandardCharsets.US_ASCII));
            assertThat(expectErrorThenClose(ws, ErrorCode.MALFORMED_FRAME, 1002).message()).contains("RFC 6455");
        }
        assertBystanderUnharmed();
    }

    @Test
    void aWebSocketCloseEndsTheConnectionAndTheSessionResumesOnAnother() throws Exception {
        Frame.Welcome welcome;
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            welcome = (Frame.Welcome) ws.read();
            ws.sendFrame(RawWebSocket.CLOSE, true, new byte[] {0x03, (byte) 0xE8}); // 1000
            RawWebSocket.Message m;
            do {
                m = ws.readMessage(); // outputs that were on their way, then the answer to the close
            } while (m.opcode() == RawWebSocket.BINARY);
            assertThat(m.opcode()).isEqualTo(RawWebSocket.CLOSE);
            ws.expectEof();
        }
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, welcome.sessionId(), welcome.secret(), 0));
            Frame.Welcome again = (Frame.Welcome) ws.read();
            assertThat(again.sessionId()).isEqualTo(welcome.sessionId());
            assertThat(ws.read()).as("outputs resent from the first").isInstanceOf(Frame.Output.class);
        }
    }

    @Test
    void anUpgradedConnectionThatSendsNoHelloIsClosedWithHelloTimeout() throws Exception {
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            expectErrorThenClose(ws, ErrorCode.HELLO_TIMEOUT, 1000);
        }
        try (RawWebSocket http = env.add(RawWebSocket.connect(server.clientPort()))) {
            http.sendRaw("GET /baton HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII)); // never ends
            http.expectEof();
        }
        assertThat(TestServers.status(server).refusals()).containsEntry("hello-timeout", 2L);
    }

    @Test
    void aWebSocketClientThatFallsSilentIsPingedThenClosedWithIdleTimeoutAndCanResume() throws Exception {
        Frame.Welcome welcome;
        boolean pinged = false;
        long t;
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            welcome = (Frame.Welcome) ws.read();
            t = System.nanoTime();
            Frame f;
            do { // ticks' outputs and the server's pings, until it gives up on the silence
                f = ws.read();
                pinged |= f instanceof Frame.Ping;
            } while (!(f instanceof Frame.Error));
            assertThat(((Frame.Error) f).code()).isEqualTo(ErrorCode.IDLE_TIMEOUT);
            assertThat((System.nanoTime() - t) / 1_000_000).isGreaterThanOrEqualTo(IDLE_MS - 100);
            RawWebSocket.Message close = ws.readMessage();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeCode()).isEqualTo(1000);
            ws.expectEof();
        }
        assertThat(pinged).as("the server pinged the silent client first").isTrue();
        try (RawWebSocket ws = env.add(RawWebSocket.open(server.clientPort()))) {
            ws.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, welcome.sessionId(), welcome.secret(), 0));
            assertThat(((Frame.Welcome) ws.read()).sessionId()).isEqualTo(welcome.sessionId());
        }
        assertBystanderUnharmed();
    }

    @Test
    void httpForAnotherPathGets404AndBatonWithoutAnUpgradeGets426() throws Exception {
        try (RawWebSocket http = env.add(RawWebSocket.connect(server.clientPort()))) {
            http.sendRaw("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(http.readHead()).startsWith("HTTP/1.1 404").containsIgnoringCase("connection: close");
            assertThat(http.readToEnd()).contains("/index.html").contains("/baton");
        }
        try (RawWebSocket http = env.add(RawWebSocket.connect(server.clientPort()))) {
            http.sendRaw("GET /baton HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(http.readHead()).startsWith("HTTP/1.1 426");
            assertThat(http.readToEnd()).contains("Upgrade: websocket");
        }
        try (RawWebSocket http = env.add(RawWebSocket.connect(server.clientPort()))) {
            assertThat(http.upgrade("/other")).startsWith("HTTP/1.1 404");
        }
        assertBystanderUnharmed();
    }

    @Test
    void aRegisteredPageIsServedAndEveryOtherPathIsStill404() throws Exception {
        byte[] page = "<!doctype html><title>arena</title>".getBytes(StandardCharsets.UTF_8);
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        BatonServer withPage = env.add(BatonServer.start(cfg,
                new BatonServer.Options("127.0.0.1", 0, -1, "127.0.0.1", -1, null, false),
                BatonServer.Diagnostics.NONE,
                HttpRoutes.of(Map.of("/", new HttpRoutes.Content("text/html; charset=utf-8", page)))));
        try (RawWebSocket http = env.add(RawWebSocket.connect(withPage.clientPort()))) {
            http.sendRaw("GET /?bot=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(http.readHead()).startsWith("HTTP/1.1 200").contains("text/html")
                    .contains("content-length: " + page.length);
            assertThat(http.readToEnd()).isEqualTo(new String(page, StandardCharsets.UTF_8));
        }
        try (RawWebSocket http = env.add(RawWebSocket.connect(withPage.clientPort()))) {
            http.sendRaw("GET /arena/x.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(http.readHead()).startsWith("HTTP/1.1 404");
        }
        try (RawWebSocket ws = env.add(RawWebSocket.open(withPage.clientPort()))) {
            ws.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            assertThat(ws.read()).isInstanceOf(Frame.Welcome.class);
        }
    }

    /**
     * The next message must be a binary ERROR with {@code code} and a readable reason, then the server's
     * WebSocket close with {@code closeCode}, then the end of the stream.
     */
    private static Frame.Error expectErrorThenClose(RawWebSocket ws, ErrorCode code, int closeCode)
            throws IOException, io.baton.wire.ProtocolException {
        Frame f = ws.read();
        assertThat(f).as("first frame the server sends back").isInstanceOf(Frame.Error.class);
        Frame.Error e = (Frame.Error) f;
        assertThat(e.code()).as("error code (message: %s)", e.message()).isEqualTo(code);
        assertThat(e.message()).isNotBlank().doesNotContainPattern("\\p{Cntrl}");
        RawWebSocket.Message close = ws.readMessage();
        assertThat(close.opcode()).as("the server's WebSocket close").isEqualTo(RawWebSocket.CLOSE);
        assertThat(close.closeCode()).isEqualTo(closeCode);
        ws.expectEof();
        return e;
    }

    private void assertBystanderUnharmed() {
        bystander.awaitUpdatesBeyond(bystander.updateCount(), 3);
        long sent = bystander.sendMove();
        bystander.awaitInputsApplied(sent);
        bystander.assertConsecutiveTicks();
    }
}
