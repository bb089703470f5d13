package io.baton.bench.jmh;

import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Encoding and decoding the frames that carry a game: OUTPUT (server to client) and INPUT (client to server). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBench {

    @Param({"32", "512"})
    int payloadBytes;

    private Frame.Output output;
    private Frame.Input input;
    private ByteBuf buf;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] payload = new byte[payloadBytes];
        output = new Frame.Output(123_456, 789, payload);
        input = new Frame.Input(42, 123_456, payload);
        buf = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int encodeOutput() {
        buf.clear();
        FrameCodec.encode(output, buf);
        return buf.writerIndex();
    }

    @Benchmark
    public Frame encodeThenDecodeInput() throws ProtocolException {
        buf.clear();
        FrameCodec.encode(input, buf);
        buf.skipBytes(FrameCodec.LENGTH_FIELD);
        int type = buf.readUnsignedByte();
        return FrameCodec.decode(type, buf);
    }
}
