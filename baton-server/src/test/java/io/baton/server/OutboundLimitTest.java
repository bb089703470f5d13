package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The slow reader's bounds on one channel, on Netty's embedded channel and its virtual clock. */
class OutboundLimitTest {

    private static final long STALL_MS = 500;
    private static final BatonServer.SocketLimits LIMITS =
            new BatonServer.SocketLimits(2L * FrameCodec.DEFAULT_MAX_FRAME, STALL_MS);

    /** The limits this test's channels were closed by, as the server's refusal count is told. */
    private final List<String> cuts = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setWriteBufferWaterMark(OutboundLimit.WATER_MARK);
        ch.freezeTime();
        ch.pipeline().addLast(new OutboundLimit(LIMITS, cuts::add));
        return ch;
    }

    /** Queues {@code bytes} without flushing: what a peer that does not read leaves behind. */
    private static ByteBuf queue(EmbeddedChannel ch, int bytes) {
        ByteBuf buf = Unpooled.buffer(bytes).writeZero(bytes);
        ch.write(buf);
        ch.runPendingTasks();
        return buf;
    }

    @Test
    void queueingPastTheByteLimitClosesTheConnectionAndFreesWhatWaited() {
        EmbeddedChannel ch = channel();
        List<ByteBuf> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(queue(ch, FrameCodec.DEFAULT_MAX_FRAME / 2));
        }
        assertThat(ch.isOpen()).as("1.5 MiB queued, below the limit of 2 MiB: still open").isTrue();
        queued.add(queue(ch, FrameCodec.DEFAULT_MAX_FRAME / 2));
        assertThat(ch.isOpen()).as("2 MiB and Netty's overhead per entry: past the limit").isFalse();
        assertThat(queued).allSatisfy(b -> assertThat(b.refCnt()).as("released on close").isZero());
        assertThat(cuts).containsExactly(OutboundLimit.BY_BYTES);
    }

    @Test
    void anUnwritableConnectionIsNotReadUntilItDrainsToTheLowWaterMark() {
        EmbeddedChannel ch = channel();
        queue(ch, OutboundLimit.HIGH_WATER + 1);
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).as("reading stops: a PING flood stops producing PONGs").isFalse();
        ch.flush(); // the peer read it all
        ch.runPendingTasks();
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.releaseOutbound();
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionUnwritableForTheStallLimitIsClosed() {
        EmbeddedChannel ch = channel();
        ByteBuf waiting = queue(ch, OutboundLimit.HIGH_WATER + 1);
        ch.advanceTimeBy(STALL_MS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("1 ms before the stall limit").isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("at the stall limit").isFalse();
        assertThat(cuts).containsExactly(OutboundLimit.BY_STALL);
        assertThat(waiting.refCnt()).isZero();
    }

    @Test
    void drainingOnceStartsTheStallLimitAgain() {
        EmbeddedChannel ch = channel();
        queue(ch, OutboundLimit.HIGH_WATER + 1);
        ch.advanceTimeBy(STALL_MS - 100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.flush(); // it reads after all
        ch.runPendingTasks();
        queue(ch, OutboundLimit.HIGH_WATER + 1);
        ch.advanceTimeBy(STALL_MS - 100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("unwritable twice, each time shorter than the limit").isTrue();
        ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("the second stall reached the limit").isFalse();
    }

    @Test
    void aLimitBelowTwoLargestFramesIsRefusedWithTheSmallestThatWorks() {
        assertThatThrownBy(() -> new BatonServer.SocketLimits(FrameCodec.DEFAULT_MAX_FRAME, STALL_MS))
                .hasMessageContaining("--max-outbound-bytes " + FrameCodec.DEFAULT_MAX_FRAME)
                .hasMessageContaining("give " + 2L * FrameCodec.DEFAULT_MAX_FRAME);
    }
}
