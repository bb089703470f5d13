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

    /**
     * Channels on loops other than the caller's, as a server's client connections are on its I/O loops: local
     * channel pairs, the writing end on one of {@code loops}, the reading end collecting frames.
     */
    private static final class OtherLoops implements AutoCloseable {
        final io.netty.channel.EventLoopGroup loops;
        final io.netty.channel.EventLoop caller = new io.netty.channel.DefaultEventLoop();
        /** The reading ends' own loop, so that the writers take {@link #loops} in turn. */
        private final io.netty.channel.EventLoopGroup readers = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.local.LocalIoHandler.newFactory());
        final List<io.netty.channel.Channel> writers = new ArrayList<>();
        /** Per writer, in the order it wrote them: the frames its reading end got. */
        final List<java.util.concurrent.ConcurrentLinkedQueue<Frame>> got = new ArrayList<>();
        /** The writers' indices in the order the loops wrote to them (each loop appends its own). */
        final java.util.concurrent.ConcurrentLinkedQueue<Integer> writeOrder = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final java.util.concurrent.CountDownLatch closed;
        private final io.netty.channel.Channel server;

        OtherLoops(int loopCount, int channels) throws Exception {
            loops = new io.netty.channel.MultiThreadIoEventLoopGroup(loopCount, io.netty.channel.local.LocalIoHandler.newFactory());
            closed = new java.util.concurrent.CountDownLatch(channels);
            io.netty.channel.local.LocalAddress address = new io.netty.channel.local.LocalAddress(
                    "batcher-" + java.util.UUID.randomUUID());
            List<java.util.concurrent.ConcurrentLinkedQueue<Frame>> byAccept = new ArrayList<>();
            server = new io.netty.bootstrap.ServerBootstrap().group(readers)
                    .channel(io.netty.channel.local.LocalServerChannel.class)
                    .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                        @Override
                        protected void initChannel(io.netty.channel.Channel ch) {
                            java.util.concurrent.ConcurrentLinkedQueue<Frame> q = new java.util.concurrent.ConcurrentLinkedQueue<>();
                            synchronized (byAccept) {
                                byAccept.add(q);
                            }
                            ch.pipeline().addLast(new io.baton.wire.FrameDecoder(1 << 20),
                                    new io.netty.channel.ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                                            q.add((Frame) msg);
                                        }

                                        @Override
                                        public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
                                            closed.countDown();
                                        }
                                    });
                        }
                    }).bind(address).sync().channel();
            for (int i = 0; i < channels; i++) {
                int id = i;
                io.netty.channel.Channel ch = new io.netty.bootstrap.Bootstrap().group(loops)
                        .channel(io.netty.channel.local.LocalChannel.class)
                        .handler(new io.netty.channel.ChannelOutboundHandlerAdapter() {
                            @Override
                            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg,
                                              io.netty.channel.ChannelPromise promise) {
                                writeOrder.add(id);
                                ctx.write(msg, promise);
                            }
                        }).connect(address).sync().channel();
                writers.add(ch);
                // Local channels are accepted in the order they connect: wait for this one's reading end.
                while (true) {
                    synchronized (byAccept) {
                        if (byAccept.size() == i + 1) {
                            got.add(byAccept.get(i));
                            break;
                        }
                    }
                    Thread.onSpinWait();
                }
            }
        }

        /** Runs {@code r} on the caller's loop and waits for it. */
        void onCaller(Runnable r) throws Exception {
            caller.submit(r).get(5, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            for (io.netty.channel.Channel ch : writers) {
                ch.close();
            }
            server.close();
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            readers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            caller.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aBurstForChannelsOfAnotherLoopIsOneTaskForThatLoopWritingThemInTheOrderOfTheirFirstFrames() throws Exception {
        try (OtherLoops env = new OtherLoops(1, 40)) {
            FrameBatcher batcher = new FrameBatcher();
            List<Integer> firstAdded = new ArrayList<>();
            java.util.SplittableRandom random = new java.util.SplittableRandom(11);
            env.onCaller(() -> {
                for (int k = 0; k < 400; k++) {
                    int i = random.nextInt(env.writers.size());
                    if (!firstAdded.contains(i)) {
                        firstAdded.add(i);
                    }
                    batcher.add(env.writers.get(i), new Frame.Ping(k));
                }
                assertThat(env.writeOrder).as("nothing written from the caller's thread").isEmpty();
                batcher.flush();
            });
            awaitFrames(env, 400);
            assertThat(batcher.loopTasksRun()).as("tasks handed to the one other loop for one flush").isEqualTo(1);
            assertThat(List.copyOf(env.writeOrder)).isEqualTo(firstAdded);
            for (int i = 0; i < env.writers.size(); i++) {
                long last = -1;
                for (Frame f : env.got.get(i)) {
                    long v = ((Frame.Ping) f).value();
                    assertThat(v).as("frames of channel %d in the order they were added", i).isGreaterThan(last);
                    last = v;
                }
            }
        }
    }

    @Test
    void twoLoopsGetOneTaskEachPerFlushAndALargeBurstStaysInOrder() throws Exception {
        try (OtherLoops env = new OtherLoops(2, 10)) {
            FrameBatcher batcher = new FrameBatcher();
            int perChannel = 3 * FrameBatcher.WRITE_AT / 1000; // several full buffers per channel
            for (int round = 1; round <= 3; round++) {
                env.onCaller(() -> {
                    for (int k = 0; k < perChannel; k++) {
                        for (io.netty.channel.Channel ch : env.writers) {
                            batcher.add(ch, new Frame.Output(k, 0, new byte[1000]));
                        }
                    }
                    batcher.flush();
                });
                awaitFrames(env, round * perChannel * env.writers.size());
                assertThat(batcher.loopTasksRun()).as("tasks after %d flushes to two loops", round).isEqualTo(2L * round);
            }
            for (int i = 0; i < env.writers.size(); i++) {
                List<Long> seqs = env.got.get(i).stream().map(f -> ((Frame.Output) f).seq()).toList();
                List<Long> expected = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    for (long k = 0; k < perChannel; k++) {
                        expected.add(k);
                    }
                }
                assertThat(seqs).as("channel %d", i).isEqualTo(expected);
            }
        }
    }

    @Test
    void whatFollowsTheWritesOfAChannelOfAnotherLoopRunsAfterItsBytesInTheSameTask() throws Exception {
        try (OtherLoops env = new OtherLoops(2, 20)) {
            FrameBatcher batcher = new FrameBatcher();
            env.onCaller(() -> {
                for (io.netty.channel.Channel ch : env.writers) {
                    for (int k = 0; k < 50; k++) {
                        batcher.add(ch, new Frame.Ping(k));
                    }
                    batcher.afterWrites(ch, () -> {
                        assertThat(ch.eventLoop().inEventLoop()).isTrue();
                        ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                    });
                }
                batcher.flush();
            });
            assertThat(env.closed.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("every channel closed").isTrue();
            for (int i = 0; i < env.writers.size(); i++) {
                assertThat(env.got.get(i)).as("what channel %d was sent before its close", i).hasSize(50);
            }
            assertThat(batcher.loopTasksRun()).isEqualTo(2);
        }
    }

    @Test
    void flushAndWaitReturnsOnlyOnceEveryOtherLoopHasWrittenItsChannels() throws Exception {
        try (OtherLoops env = new OtherLoops(2, 30)) {
            FrameBatcher batcher = new FrameBatcher();
            boolean[] done = new boolean[1];
            List<Integer> writtenWhenDone = new ArrayList<>();
            env.onCaller(() -> {
                for (io.netty.channel.Channel ch : env.writers) {
                    batcher.add(ch, new Frame.Ping(1));
                }
                try {
                    done[0] = batcher.flushAndWait(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                writtenWhenDone.addAll(env.writeOrder);
            });
            assertThat(done[0]).isTrue();
            assertThat(writtenWhenDone).as("channels written when flushAndWait returned").hasSize(30);
            assertThat(batcher.loopTasksRun()).isEqualTo(2);
        }
    }

    /** Waits, at most 5 s, until the reading ends hold {@code n} frames in all. */
    private static void awaitFrames(OtherLoops env, int n) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .pollInterval(java.time.Duration.ofMillis(5))
                .until(() -> env.got.stream().mapToInt(java.util.Collection::size).sum() >= n);
    }
}
