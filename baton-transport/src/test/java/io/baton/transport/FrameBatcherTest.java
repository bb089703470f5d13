package io.baton.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBatcherTest {

    @Test
    void framesForOneChannelGoOutAsOneBufferInOrderAndDecodeBackOneByOne() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        FrameBatcher batcher = new FrameBatcher();
        List<Frame> sent = List.of(new Frame.Output(1, 0, new byte[] {1}), new Frame.Ack(7),
                new Frame.Output(2, 3, new byte[40]), new Frame.Ping(99));
        for (Frame f : sent) {
            batcher.add(ch, f);
        }
        Object early = ch.readOutbound();
        assertThat(early).as("nothing leaves before the flush").isNull();
        batcher.flush();
        ByteBuf written = ch.readOutbound();
        Object more = ch.readOutbound();
        assertThat(more).as("one buffer for the burst").isNull();
        List<Frame> back = new ArrayList<>();
        while (written.isReadable()) {
            int length = written.readInt();
            ByteBuf body = written.readSlice(length);
            back.add(FrameCodec.decode(body.readUnsignedByte(), body));
        }
        written.release();
        assertThat(back).hasSize(4);
        assertThat(back.get(1)).isEqualTo(new Frame.Ack(7));
        assertThat(back.get(3)).isEqualTo(new Frame.Ping(99));
        assertThat(((Frame.Output) back.get(2)).seq()).isEqualTo(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void aBurstBeyondTheWriteThresholdIsWrittenEarlyAndStillInOrder() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        FrameBatcher batcher = new FrameBatcher();
        int n = 2 * FrameBatcher.WRITE_AT / 1000 + 5;
        for (int i = 1; i <= n; i++) {
            batcher.add(ch, new Frame.Output(i, 0, new byte[1000]));
        }
        batcher.flush();
        long expected = 1;
        int buffers = 0;
        for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
            buffers++;
            while (b.isReadable()) {
                ByteBuf body = b.readSlice(b.readInt());
                Frame.Output o = (Frame.Output) FrameCodec.decode(body.readUnsignedByte(), body);
                assertThat(o.seq()).isEqualTo(expected++);
            }
            b.release();
        }
        assertThat(expected - 1).isEqualTo(n);
        assertThat(buffers).isGreaterThan(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void channelsAreFlushedInTheOrderTheirFirstFrameCameNotInHashOrder() {
        List<Integer> written = new ArrayList<>();
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            int id = i;
            channels.add(new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter() {
                @Override
                public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg,
                                  io.netty.channel.ChannelPromise promise) {
                    written.add(id);
                    ctx.write(msg, promise);
                }
            }));
        }
        FrameBatcher batcher = new FrameBatcher();
        List<Integer> firstAdded = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int k = 0; k < 500; k++) {
            int i = random.nextInt(channels.size());
            if (!firstAdded.contains(i)) {
                firstAdded.add(i);
            }
            batcher.add(channels.get(i), new Frame.Ping(k));
        }
        // A channel flushed on its own (before a close, say) goes out then; what it gets afterwards in the
        // same burst goes out in its first place.
        int alone = firstAdded.get(3);
        batcher.flush(channels.get(alone));
        batcher.add(channels.get(alone), new Frame.Ping(-1));
        batcher.flush();

        List<Integer> expected = new ArrayList<>();
        expected.add(alone);
        expected.addAll(firstAdded);
        assertThat(written).isEqualTo(expected);
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }
}
