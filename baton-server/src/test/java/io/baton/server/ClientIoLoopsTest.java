package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client connections spread over two event loops (serve --io-threads 2), the core's and one other, over real
 * sockets: what crosses between the other loop and the core's keeps each connection's order both ways, and a
 * close still comes after what was sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientIoLoopsTest {

    private static final byte[] ZERO_TOKEN = new byte[Frame.TOKEN_LENGTH];

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    private BatonServer start(int ioThreads) throws InterruptedException {
        ServerConfig cfg = ServerConfig.defaults(new Counter.Factory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        return env.add(BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", -1, null, false,
                BatonServer.SocketLimits.DEFAULTS, null, ioThreads)));
    }

    /**
     * 40 connections over two loops (20 of them cross to the core's loop and back), four threads sending 250 inputs on each in bursts of 1 to 9 frames per
     * write: an input that overtook another through the hop would skip ahead and be refused with an ERROR, and
     * an output that overtook another would arrive out of its sequence.
     */
    @Test
    void eachConnectionsFramesKeepTheirOrderThroughTheIoLoopsUnderLoad() throws Exception {
        BatonServer server = start(2);
        assertThat(server.otherIoLoops()).isEqualTo(1);
        int connections = 40;
        int inputs = 250;
        List<RawConnection> raws = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            RawConnection raw = env.add(RawConnection.open(server.clientPort()));
            raw.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            raws.add(raw);
        }
        long[] lastOutput = new long[connections];
        for (int i = 0; i < connections; i++) {
            Frame.Welcome w = raws.get(i).readUntil(Frame.Welcome.class, 5000, f -> { });
            assertThat(w.sessionId()).isPositive();
        }
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                sent.add(senders.submit(() -> {
                    java.util.SplittableRandom random = new java.util.SplittableRandom(first);
                    long[] next = new long[connections];
                    java.util.Arrays.fill(next, 1);
                    boolean more = true;
                    while (more) {
                        more = false;
                        for (int i = first; i < connections; i += 4) {
                            ByteArrayOutputStream burst = new ByteArrayOutputStream();
                            for (int k = 1 + random.nextInt(9); k > 0 && next[i] <= inputs; k--) {
                                burst.writeBytes(RawConnection.encode(new Frame.Input(next[i]++, 0, new byte[1])));
                            }
                            if (burst.size() > 0) {
                                raws.get(i).sendBytes(burst.toByteArray());
                            }
                            more |= next[i] <= inputs;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        for (int i = 0; i < connections; i++) {
            RawConnection raw = raws.get(i);
            long count = -1;
            while (count < inputs) {
                // readUntil fails on an ERROR (an input refused as out of order) and after 10 s.
                Frame.Output o = raw.readUntil(Frame.Output.class, 10_000, f -> { });
                assertThat(o.seq()).as("output sequence of connection %d", i).isEqualTo(lastOutput[i] + 1);
                lastOutput[i] = o.seq();
                long now = ByteBuffer.wrap(o.payload()).getLong(8);
                assertThat(now).as("bytes counted for connection %d", i).isGreaterThanOrEqualTo(count);
                count = now;
            }
            assertThat(count).as("every input of connection %d applied once", i).isEqualTo(inputs);
        }
    }

    /**
     * A bad frame is answered with an ERROR and a close in the same batch of the core: on an I/O loop the
     * close must still follow the ERROR's bytes (a close handed over on its own would overtake them). 60
     * connections at once, half of them on the loop beside the core's, so it closes while it writes.
     */
    @Test
    void aCloseAfterASendDeliversTheSendOnEveryConnection() throws Exception {
        BatonServer server = start(2);
        List<RawConnection> raws = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            RawConnection raw = env.add(RawConnection.open(server.clientPort()));
            raw.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            raw.readUntil(Frame.Welcome.class, 5000, f -> { });
            raws.add(raw);
        }
        for (RawConnection raw : raws) {
            raw.sendBytes(new byte[] {0, 0, 0, 1, 0x7F}); // an unknown frame type
        }
        for (RawConnection raw : raws) {
            Frame f;
            do {
                f = raw.read(); // the tick's outputs may come first
            } while (f instanceof Frame.Output || f instanceof Frame.Ack);
            assertThat(f).isInstanceOf(Frame.Error.class);
            assertThat(((Frame.Error) f).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            raw.expectEof();
        }
    }

    @Test
    void oneIoThreadOrNoneKeepsEveryConnectionOnTheCoresLoop() throws Exception {
        assertThat(start(0).otherIoLoops()).isZero();
        BatonServer one = start(1);
        assertThat(one.otherIoLoops()).isZero();
        RawConnection raw = env.add(RawConnection.open(one.clientPort()));
        raw.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
        raw.readUntil(Frame.Welcome.class, 5000, f -> { });
        raw.sendBytes(new byte[] {0, 0, 0, 1, 0x7F});
        Frame f;
        do {
            f = raw.read();
        } while (f instanceof Frame.Output || f instanceof Frame.Ack);
        assertThat(f).isInstanceOf(Frame.Error.class);
        raw.expectEof();
    }

    @Test
    void ioThreadsOutOfRangeAreRefusedNamingTheFlagAndWhatItTakes() {
        for (int bad : new int[] {-1, BatonServer.Options.MAX_IO_THREADS + 1}) {
            assertThatThrownBy(() -> new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", -1, null, false,
                    BatonServer.SocketLimits.DEFAULTS, null, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--io-threads " + bad)
                    .hasMessageContaining("0 or 1")
                    .hasMessageContaining("2 to " + BatonServer.Options.MAX_IO_THREADS).hasMessageContaining("the core's among them");
        }
        assertThat(new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", -1, null, false).ioThreads())
                .as("one loop unless asked: docs/performance.md, Client I/O on several event loops").isEqualTo(1);
    }
}
