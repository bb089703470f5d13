package io.baton.transport;

import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Frames for many channels, encoded back to back into one buffer per channel and written once per
 * flush: a burst of small frames costs one buffer and one trip down the pipeline, not one each (it
 * doubled the messages per second of a session; docs/performance.md). Not thread-safe: one thread adds
 * and flushes, and it must be the only writer of frames to the channels it is given.
 *
 * <p>A channel may live on the caller's event loop or on another one. On the caller's loop it is written
 * at once, as it always was. A channel of another loop is never written from the caller's thread: at
 * {@link #flush()} each such loop is handed <em>one</em> task that writes and flushes every one of its
 * channels, in this burst's order, and then runs what was asked to follow them ({@link #afterWrites}). So a
 * server whose core runs on one thread and whose client connections are spread over several I/O loops
 * encodes on the core but pays the write system calls on the I/O loops, one task per loop per burst,
 * never one per channel.
 */
public final class FrameBatcher {

    /** A buffer this full is written at once (still unflushed), so one burst never builds a huge buffer. */
    static final int WRITE_AT = 64 * 1024;

    /** What one channel has waiting in this burst. */
    private static final class Pending {
        final Channel ch;
        /** The buffer being filled; null once flushed alone. */
        ByteBuf buf;
        /** Buffers of another loop's channel that reached {@link #WRITE_AT}, oldest first; null if none. */
        List<ByteBuf> full;
        /** What runs on the channel's loop once its bytes are written and flushed; null if nothing. */
        List<Runnable> after;

        Pending(Channel ch) {
            this.ch = ch;
        }

        /** On the channel's loop: writes everything in order, flushes once, then runs what follows. */
        void writeOut() {
            if (full != null) {
                for (int i = 0; i < full.size(); i++) {
                    ch.write(full.get(i), ch.voidPromise());
                }
            }
            if (buf != null) {
                ch.writeAndFlush(buf, ch.voidPromise());
            } else if (full != null) {
                ch.flush();
            }
            if (after != null) {
                for (int i = 0; i < after.size(); i++) {
                    after.get(i).run();
                }
            }
        }

        void release() {
            if (full != null) {
                full.forEach(ByteBuf::release);
            }
            if (buf != null) {
                buf.release();
            }
        }
    }

    private final Map<Channel, Pending> pending = new IdentityHashMap<>();
    /**
     * Channels in the order their first frame of this burst came: {@link #flush()} writes in that order, so a
     * server writes a tick's outputs in the order its service produced them. Two servers running the same
     * service produce the same order, so a client keeps its place in a tick's writes across a cutover (in a
     * hash map's order each server would write its own, and at 1,000 clients one write order takes 10-15 ms).
     * Each I/O loop keeps this order among its own channels.
     */
    private final List<Pending> order = new ArrayList<>();
    /** The other loops written to in this burst, with their channels in order; reused from burst to burst. */
    private final List<EventLoop> loops = new ArrayList<>(4);
    private final List<List<Pending>> perLoop = new ArrayList<>(4);
    /** Wraps each task handed to another loop (a server sets its logging context there); identity by default. */
    private final UnaryOperator<Runnable> onLoop;
    /** Tasks handed to other loops that have run there: the seam that shows one task per loop per flush. */
    private final AtomicLong loopTasksRun = new AtomicLong();

    public FrameBatcher() {
        this(UnaryOperator.identity());
    }

    /**
     * @param onLoop wraps every task this batcher hands to another channel's loop, e.g. to carry the
     *               caller's logging context over; called on the caller's thread, the result runs on the loop
     */
    public FrameBatcher(UnaryOperator<Runnable> onLoop) {
        this.onLoop = java.util.Objects.requireNonNull(onLoop, "onLoop");
    }

    /** Encodes {@code frame} behind whatever waits for {@code ch}. */
    public void add(Channel ch, Frame frame) {
        Pending p = pendingFor(ch);
        if (p.buf == null) {
            p.buf = ch.alloc().ioBuffer(Math.min(FrameCodec.encodedSize(frame), WRITE_AT) + 256);
        }
        FrameCodec.encode(frame, p.buf);
        if (p.buf.readableBytes() >= WRITE_AT) {
            if (ch.eventLoop().inEventLoop()) {
                ch.write(p.buf, ch.voidPromise());
            } else {
                if (p.full == null) {
                    p.full = new ArrayList<>(2);
                }
                p.full.add(p.buf);
            }
            p.buf = ch.alloc().ioBuffer(256); // flushed, possibly empty, with the next flush
        }
    }

    /**
     * Runs {@code action} on {@code ch}'s loop once what was added for it so far is written and flushed: at
     * once if the caller is on that loop (after flushing the channel alone), else in the task {@link #flush()}
     * hands that loop, after the channel's bytes. For a close that must come after what was sent.
     */
    public void afterWrites(Channel ch, Runnable action) {
        if (ch.eventLoop().inEventLoop()) {
            flush(ch);
            action.run();
            return;
        }
        Pending p = pendingFor(ch);
        if (p.after == null) {
            p.after = new ArrayList<>(1);
        }
        p.after.add(action);
    }

    /**
     * Writes and flushes what waits for every channel, in the order the channels' first frames came: those of
     * the caller's loop at once, those of each other loop in one task handed to it.
     */
    public void flush() {
        flush(false);
    }

    /**
     * As {@link #flush()}, then waits, at most {@code timeoutNanos}, until each other loop has run the task
     * this flush handed it: for the rare instant a caller must know that every byte of the burst has reached
     * its socket. The loops must never wait on the caller.
     *
     * @return whether every loop ran its task within the time
     */
    public boolean flushAndWait(long timeoutNanos) throws InterruptedException {
        java.util.concurrent.CountDownLatch written = flush(true);
        return written == null || written.await(timeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The flush; with {@code track}, a latch that opens once every task handed to another loop has run. */
    private java.util.concurrent.CountDownLatch flush(boolean track) {
        if (pending.isEmpty()) {
            order.clear();
            return null;
        }
        for (int i = 0; i < order.size(); i++) {
            Pending p = order.get(i);
            // Empty if flushed alone and given nothing since; a channel given more after flushing alone keeps its first place.
            pending.remove(p.ch);
            EventLoop loop = p.ch.eventLoop();
            if (loop.inEventLoop()) {
                p.writeOut();
            } else {
                batchFor(loop).add(p);
            }
        }
        order.clear();
        int tasks = 0;
        for (int i = 0; i < perLoop.size(); i++) {
            tasks += perLoop.get(i).isEmpty() ? 0 : 1;
        }
        java.util.concurrent.CountDownLatch written = track ? new java.util.concurrent.CountDownLatch(tasks) : null;
        for (int i = 0; i < loops.size(); i++) {
            List<Pending> batch = perLoop.get(i);
            if (batch.isEmpty()) {
                continue;
            }
            List<Pending> mine = new ArrayList<>(batch);
            batch.clear();
            Runnable task = onLoop.apply(() -> {
                try {
                    loopTasksRun.incrementAndGet();
                    for (int k = 0; k < mine.size(); k++) {
                        mine.get(k).writeOut();
                    }
                } finally {
                    if (written != null) {
                        written.countDown();
                    }
                }
            });
            try {
                loops.get(i).execute(task);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                mine.forEach(Pending::release); // the loop is shutting down, and its channels with it
                if (written != null) {
                    written.countDown();
                }
            }
        }
        return written;
    }

    /** What waits for {@code ch} in this burst; a channel new to the burst takes the next place in {@link #order}. */
    private Pending pendingFor(Channel ch) {
        Pending p = pending.get(ch);
        if (p == null) {
            p = new Pending(ch);
            pending.put(ch, p);
            order.add(p);
        }
        return p;
    }

    private List<Pending> batchFor(EventLoop loop) {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i) == loop) {
                return perLoop.get(i);
            }
        }
        loops.add(loop);
        List<Pending> batch = new ArrayList<>();
        perLoop.add(batch);
        return batch;
    }

    /**
     * Writes and flushes what waits for one channel of the caller's loop: before anything else is written to
     * it directly. A channel of another loop keeps its place for {@link #flush()}.
     */
    public void flush(Channel ch) {
        Pending p = pending.get(ch);
        if (p == null || !ch.eventLoop().inEventLoop()) {
            return;
        }
        p.writeOut();
        // Kept, empty, in its place: frames added later in this burst go out there.
        p.buf = null;
        p.full = null;
        p.after = null;
    }

    /** How many tasks handed to other loops have run there (for tests: one per loop per flush). */
    long loopTasksRun() {
        return loopTasksRun.get();
    }
}
