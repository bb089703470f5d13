package io.baton.transport;

import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames for many channels, encoded back to back into one buffer per channel and written once per
 * flush: a burst of small frames costs one buffer and one trip down the pipeline, not one each (it
 * doubled the messages per second of a session; docs/performance.md). Not thread-safe: used on the
 * event loop that owns the channels, which must also be the only writer of frames to them.
 */
public final class FrameBatcher {

    /** A buffer this full is written at once (still unflushed), so one burst never builds a huge buffer. */
    static final int WRITE_AT = 64 * 1024;

    private final Map<Channel, ByteBuf> pending = new IdentityHashMap<>();
    /**
     * Channels in the order their first frame of this burst came: {@link #flush()} writes in that order, so a
     * server writes a tick's outputs in the order its service produced them. Two servers running the same
     * service produce the same order, so a client keeps its place in a tick's writes across a cutover (in a
     * hash map's order each server would write its own, and at 1,000 clients one write order takes 10-15 ms).
     */
    private final List<Channel> order = new ArrayList<>();

    /** Encodes {@code frame} behind whatever waits for {@code ch}. */
    public void add(Channel ch, Frame frame) {
        ByteBuf buf = pending.get(ch);
        if (buf == null) {
            buf = ch.alloc().ioBuffer(Math.min(FrameCodec.encodedSize(frame), WRITE_AT) + 256);
            pending.put(ch, buf);
            order.add(ch);
        }
        FrameCodec.encode(frame, buf);
        if (buf.readableBytes() >= WRITE_AT) {
            ch.write(buf, ch.voidPromise());
            pending.put(ch, ch.alloc().ioBuffer(256)); // flushed, possibly empty, with the next flush
        }
    }

    /** Writes and flushes what waits for every channel, in the order the channels' first frames came. */
    public void flush() {
        if (pending.isEmpty()) {
            order.clear();
            return;
        }
        for (int i = 0; i < order.size(); i++) {
            Channel ch = order.get(i);
            // Null if flushed alone and not re-added; a channel re-added after flushing alone keeps its first place.
            ByteBuf buf = pending.remove(ch);
            if (buf != null) {
                ch.writeAndFlush(buf, ch.voidPromise());
            }
        }
        order.clear();
    }

    /** Writes and flushes what waits for one channel: before anything else is written to it directly. */
    public void flush(Channel ch) {
        ByteBuf buf = pending.remove(ch);
        if (buf != null) {
            ch.writeAndFlush(buf, ch.voidPromise());
        }
    }
}
