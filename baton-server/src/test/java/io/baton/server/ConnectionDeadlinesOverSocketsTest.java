package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.service.ServiceConfig;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hello and idle deadlines over real sockets, with short deadlines so the test is quick: a connection
 * that never completes its hello (silent, or one byte at a time) is closed with HELLO_TIMEOUT, and a bound
 * client that stops answering is pinged, then closed with IDLE_TIMEOUT while its session waits to be resumed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionDeadlinesOverSocketsTest {

    private static final long HELLO_MS = 400;
    private static final long IDLE_MS = 1_500;

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    private BatonServer server() throws InterruptedException {
        ServerConfig d = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        return env.start(d.withLimits(d.limits().withHelloTimeout(TimeUnit.MILLISECONDS.toNanos(HELLO_MS))
                .withIdleTimeout(TimeUnit.MILLISECONDS.toNanos(IDLE_MS))), false);
    }

    @Test
    void aConnectionThatSaysNothingIsClosedWithHelloTimeout() throws Exception {
        BatonServer server = server();
        try (RawConnection silent = env.add(RawConnection.open(server.clientPort()))) {
            long t = System.nanoTime();
            assertThat(silent.expectErrorThenEof(ErrorCode.HELLO_TIMEOUT).message()).contains("--hello-timeout-ms");
            assertThat((System.nanoTime() - t) / 1_000_000).isGreaterThanOrEqualTo(HELLO_MS - 50);
        }
        assertThat(TestServers.status(server).refusals()).containsEntry("hello-timeout", 1L);
    }

    @Test
    void aSlowLorisThatTricklesItsHelloIsCutAtTheSameDeadline() throws Exception {
        BatonServer server = server();
        byte[] hello = RawConnection.encode(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0,
                new byte[Frame.TOKEN_LENGTH], 0));
        RawConnection loris = env.add(RawConnection.open(server.clientPort()));
        long t = System.nanoTime();
        try {
            for (int i = 0; i < hello.length - 1; i++) { // never the last byte
                loris.sendBytes(new byte[] {hello[i]});
                if ((System.nanoTime() - t) / 1_000_000 > 3 * HELLO_MS) {
                    break;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // a byte every 20 ms, paced
            }
        } catch (java.io.IOException closed) {
            // the server closed it while we trickled: what we wait for below
        }
        loris.expectErrorThenEof(ErrorCode.HELLO_TIMEOUT);
    }

    @Test
    void aBoundClientThatStopsAnsweringIsPingedThenClosedAndItsSessionStaysResumable() throws Exception {
        BatonServer server = server();
        RawConnection c = env.add(RawConnection.open(server.clientPort()));
        c.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
        Frame.Welcome w = (Frame.Welcome) c.read();
        // From now on it reads what comes but never sends a frame, as a client that vanished without FIN.
        boolean pinged = false;
        while (true) {
            Frame f = c.read();
            if (f instanceof Frame.Ping) {
                pinged = true;
            } else if (f instanceof Frame.Error e) {
                assertThat(e.code()).as(e.message()).isEqualTo(ErrorCode.IDLE_TIMEOUT);
                break;
            }
        }
        c.expectEof();
        assertThat(pinged).as("the server pinged the silent client before it gave up").isTrue();
        ServerStatus s = TestServers.status(server);
        assertThat(s.sessions()).isEqualTo(1);
        assertThat(s.connected()).isZero();
        assertThat(s.refusals()).containsEntry("idle-timeout", 1L);

        RawConnection back = env.add(RawConnection.open(server.clientPort()));
        back.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, w.sessionId(), w.secret(), 0));
        assertThat(back.readUntil(Frame.Welcome.class, Duration.ofSeconds(5).toMillis(), f -> { }).sessionId())
                .isEqualTo(w.sessionId());
    }
}
