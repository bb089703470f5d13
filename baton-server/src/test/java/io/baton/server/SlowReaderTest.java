package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.client.ClientRuntime;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A session whose client sends PINGs as fast as it can and reads nothing, over a real socket: the server
 * stops reading it, closes its connection at the write stall limit, and the session resumes afterwards with
 * every output it had not read, from the first; a bystander notices nothing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SlowReaderTest {

    private static final long STALL_MS = 700;
    /** The flood stops by itself after this much, if the server never closes. */
    private static final long FLOOD_CAP_BYTES = 256L << 20;

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    @Test
    void aClientThatSendsPingsAndNeverReadsIsClosedAndResumesWithEveryOutput() throws Exception {
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        BatonServer server = env.add(BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1",
                -1, null, false, new BatonServer.SocketLimits(BatonServer.SocketLimits.MAX_OUTBOUND_BYTES, STALL_MS), null)));
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander bystander = env.add(Bystander.connect(runtime, server.clientPort()));
        bystander.awaitUpdatesBeyond(0, 3);

        Frame.Welcome welcome;
        AtomicLong flooded = new AtomicLong();
        Thread flood;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // before connect: the window it advertises stays small
            s.setTcpNoDelay(true);
            s.setSoTimeout(RawConnection.READ_TIMEOUT_MILLIS);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.clientPort()), 2000);
            OutputStream out = s.getOutputStream();
            out.write(RawConnection.encode(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0,
                    new byte[Frame.TOKEN_LENGTH], 0)));
            welcome = readWelcome(new DataInputStream(s.getInputStream()));
            byte[] pings = new byte[64 * 1024 / 13 * 13];
            byte[] ping = RawConnection.encode(new Frame.Ping(7));
            for (int i = 0; i < pings.length; i += ping.length) {
                System.arraycopy(ping, 0, pings, i, ping.length);
            }
            flood = new Thread(() -> {
                try {
                    while (flooded.get() < FLOOD_CAP_BYTES) {
                        out.write(pings);
                        flooded.addAndGet(pings.length);
                    }
                } catch (IOException closedByTheServer) {
                    // what the test waits for
                }
            }, "slow-reader");
            flood.start();
            TestServers.await(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(TestServers.status(server).connected()).as("the bystander alone is connected").isEqualTo(1));
            flood.join(10_000);
        }
        assertThat(flooded.get()).as("the server stopped reading long before the flood's own cap")
                .isLessThan(FLOOD_CAP_BYTES);
        assertThat(TestServers.status(server).sessions()).as("the slow reader's session outlives its connection")
                .isEqualTo(2);

        try (RawConnection again = RawConnection.open(server.clientPort())) {
            again.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, welcome.sessionId(), welcome.secret(), 0));
            again.readUntil(Frame.Welcome.class, 5000, f -> { });
            long expected = 1;
            while (expected <= 60) { // two seconds of ticks at least, the first ones never read before
                Frame f = again.read();
                if (f instanceof Frame.Output o) {
                    assertThat(o.seq()).as("outputs resent from the first, none missing").isEqualTo(expected);
                    expected++;
                }
            }
        }
        int seen = bystander.updateCount();
        bystander.awaitUpdatesBeyond(seen, 5);
        bystander.assertConsecutiveTicks();
    }

    @Test
    void aWebSocketClientThatSendsPingsAndNeverReadsIsClosedLikeATcpOneAndResumes() throws Exception {
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        BatonServer server = env.add(BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1",
                -1, null, false, new BatonServer.SocketLimits(BatonServer.SocketLimits.MAX_OUTBOUND_BYTES, STALL_MS), null)));
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander bystander = env.add(Bystander.connectWebSocket(runtime, server.clientPort()));
        bystander.awaitUpdatesBeyond(0, 3);

        Frame.Welcome welcome;
        AtomicLong flooded = new AtomicLong();
        Thread flood;
        try (RawWebSocket ws = RawWebSocket.open(server.clientPort())) {
            ws.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
            welcome = (Frame.Welcome) ws.read();
            flood = new Thread(() -> {
                try {
                    while (flooded.get() < FLOOD_CAP_BYTES) {
                        for (int i = 0; i < 1024; i++) { // a Baton PING per binary message, 15 bytes on the wire
                            ws.send(new Frame.Ping(7));
                        }
                        flooded.addAndGet(1024 * 15);
                    }
                } catch (IOException closedByTheServer) {
                    // what the test waits for
                }
            }, "slow-websocket-reader");
            flood.start();
            TestServers.await(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(TestServers.status(server).connected()).as("the bystander alone is connected").isEqualTo(1));
            flood.join(10_000);
        }
        assertThat(flooded.get()).as("the server stopped reading long before the flood's own cap")
                .isLessThan(FLOOD_CAP_BYTES);
        assertThat(TestServers.status(server).sessions()).as("the slow reader's session outlives its connection")
                .isEqualTo(2);
        try (RawWebSocket again = RawWebSocket.open(server.clientPort())) {
            again.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, welcome.sessionId(), welcome.secret(), 0));
            assertThat(again.read()).isInstanceOf(Frame.Welcome.class);
            long expected = 1;
            while (expected <= 60) {
                Frame f = again.read();
                if (f instanceof Frame.Output o) {
                    assertThat(o.seq()).as("outputs resent from the first, none missing").isEqualTo(expected);
                    expected++;
                }
            }
        }
        bystander.awaitUpdatesBeyond(bystander.updateCount(), 5);
        bystander.assertConsecutiveTicks();
    }

    private static Frame.Welcome readWelcome(DataInputStream in) throws Exception {
        int length = in.readInt();
        int type = in.readUnsignedByte();
        byte[] body = new byte[length - 1];
        in.readFully(body);
        Frame f = io.baton.wire.FrameCodec.decode(type, io.netty.buffer.Unpooled.wrappedBuffer(body));
        assertThat(f).isInstanceOf(Frame.Welcome.class);
        return (Frame.Welcome) f;
    }
}
