package io.baton.bench.jmh;

import io.baton.bench.EchoFactory;
import io.baton.core.ServerConfig;
import io.baton.core.ServerCore;
import io.baton.core.ServerOutbox;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The server core's hot path with no I/O: one INPUT frame from a client, applied by the {@code echo}
 * service, its OUTPUT handed to the outbox, and the end-of-burst flush (the input's acknowledgement);
 * the client acknowledges outputs every 64, as a real one does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoreBench {

    private static final long CONN = 1;

    private ServerCore core;
    private Blackhole sink;
    private long seq;
    private long delivered;
    private long now = 1_000_000_000L;
    private final byte[] payload = new byte[32];

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        sink = bh;
        ServerConfig cfg = ServerConfig.defaults(new EchoFactory(), new ServiceConfig(30, Map.of()),
                "jmh-core-bench-peer-secret-012345".getBytes(StandardCharsets.US_ASCII));
        ServerOutbox outbox = new ServerOutbox() {
            @Override
            public void send(long conn, Frame frame) {
                if (frame instanceof Frame.Output o) {
                    delivered = o.seq();
                }
                sink.consume(frame);
            }

            @Override
            public void close(long conn) {
                throw new IllegalStateException("the core closed the benchmark's connection");
            }

            @Override
            public long connect(String host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void note(String message) {
            }
        };
        core = ServerCore.authority(cfg, outbox, bytes -> java.util.Arrays.fill(bytes, (byte) 7), now);
        core.clientConnected(CONN, "bench", now);
        core.frame(CONN, new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0), now);
        core.flush(now);
    }

    @Benchmark
    public void inputToOutput() {
        now += 1_000;
        core.frame(CONN, new Frame.Input(++seq, delivered, payload), now);
        if ((seq & 63) == 0) {
            core.frame(CONN, new Frame.Ack(delivered), now);
        }
        core.flush(now);
    }
}
