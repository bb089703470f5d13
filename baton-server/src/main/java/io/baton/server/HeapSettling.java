package io.baton.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One full collection at a moment no client waits on this server: after the service is built at start, and after
 * a large snapshot is restored while nobody waits for it. The state just built or restored lives as long as the
 * server, and in the young generation every young collection would copy it again (at 64 MiB of state, 33-48 ms
 * pauses that stalled every client when one fell in a handoff; docs/performance.md, "Warm before the first
 * handoff").
 */
final class HeapSettling {

    private static final Logger LOG = LoggerFactory.getLogger("baton.server");

    /**
     * The smallest restored state worth a full collection. Below it the young collections that follow copy
     * little, while the collection itself takes every core for tens of milliseconds: 80-105 ms for 11 MiB live
     * on the shared 2-core machine during a 200-client handoff, where it stalled the source's clients by up to
     * 15 ms.
     */
    static final long SETTLE_MIN_BYTES = 8L << 20;

    private HeapSettling() {
    }

    /** A snapshot of {@code bytes} was restored and nobody waits on it: settles the heap if it is large. */
    static void afterRestore(long bytes) {
        if (bytes >= SETTLE_MIN_BYTES) {
            settle("restoring the snapshot");
        }
    }

    /** The full collection itself, logged with what it came {@code after}. */
    static void settle(String after) {
        long t = System.nanoTime();
        System.gc();
        LOG.info("settled the heap after {}: one full collection, {} ms, while no client waits on this server",
                after, (System.nanoTime() - t) / 1_000_000);
    }
}
