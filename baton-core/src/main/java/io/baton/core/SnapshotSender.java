package io.baton.core;

import io.baton.service.Snapshot;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * Sending a snapshot to the target: the stream of the runtime's section and the service's bytes, and its
 * pacing, so that a live snapshot's chunks land between ticks, not on them. It owns the stream and its
 * timing; what follows the last chunk is the source handoff's call.
 */
final class SnapshotSender {

    /** Snapshot bytes sent per poll while the service is stopped (stop-and-copy): as fast as it goes. */
    private static final int STOPPED_BUDGET = 4 * FrameCodec.SNAPSHOT_CHUNK_BYTES;
    /**
     * While the service runs, a snapshot streams one chunk per poll and only when the next tick is further
     * away than this: copying and writing a chunk takes a few milliseconds here, and must land between
     * ticks, not on them.
     */
    private static final long STREAM_QUIET = 6_000_000L;

    private final ServerCore core;
    private InputStream stream;
    private long digest;
    /** When the next chunk may go (the end of the current tick), or {@link Long#MIN_VALUE}: now. */
    private long resumeAt = Long.MIN_VALUE;
    /** When the last snapshot chunk went out (live snapshots stream between ticks). */
    private long lastChunkAt;
    /** Bytes of the snapshot sent so far. */
    private long bytesSent;

    SnapshotSender(ServerCore core) {
        this.core = core;
    }

    boolean streaming() {
        return stream != null;
    }

    long resumeAt() {
        return resumeAt;
    }

    void begin(long now) {
        lastChunkAt = now; // the first chunk, too, waits for a quiet moment: up to a tick period
        bytesSent = 0;
        EventLog log = core.log;
        byte[] runtime = log.runtimeState();
        Snapshot snap = log.service.snapshot();
        long index = log.appliedIndex;
        digest = log.stateDigest();
        long total = snap.size() < 0 ? -1 : 4L + runtime.length + snap.size();
        byte[] prefix = java.nio.ByteBuffer.allocate(4).putInt(runtime.length).array();
        stream = new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(prefix),
                new ByteArrayInputStream(runtime)), snap.open());
        core.out.send(core.source.link.conn, new Frame.SnapshotBegin(index, log.tick, log.service.schemaVersion(),
                total, core.cfg.service().tickHz(), core.cfg.factory().name()));
    }

    /**
     * The streaming timer. A chunk goes out when the next tick is not imminent; and, on a server so loaded
     * that its ticks run into each other and that moment never comes, at least once a tick period, or the
     * transfer would wait for a lull (at 5,000 clients it took 4 s for 1 MB).
     */
    void poll(long now) {
        long nextTickAt = core.log.nextTickAt();
        if (core.stopped() || core.role() != Role.AUTHORITY || nextTickAt - now > STREAM_QUIET
                || now - lastChunkAt >= core.tickPeriod) {
            stream(now);
            lastChunkAt = now;
            resumeAt = Long.MIN_VALUE;
        } else {
            resumeAt = nextTickAt; // right after the tick, the window opens again
        }
    }

    void stream(long now) {
        try {
            int sent = 0;
            int budget = core.stopped() ? STOPPED_BUDGET : FrameCodec.SNAPSHOT_CHUNK_BYTES;
            while (sent < budget) {
                byte[] chunk = stream.readNBytes(FrameCodec.SNAPSHOT_CHUNK_BYTES);
                if (chunk.length == 0) {
                    stream.close();
                    stream = null;
                    core.out.send(core.source.link.conn, new Frame.SnapshotEnd(digest));
                    core.source.snapshotSent(bytesSent, now);
                    return;
                }
                core.out.send(core.source.link.conn, new Frame.SnapshotChunk(chunk));
                sent += chunk.length;
                bytesSent += chunk.length;
            }
        } catch (IOException e) {
            stream = null;
            core.source.abort("could not read the snapshot: " + e.getMessage(), now);
        }
    }

    /** The handoff aborted: the stream is dropped. */
    void close() {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // Nothing to recover: the stream only reads memory.
            }
            stream = null;
        }
    }
}
