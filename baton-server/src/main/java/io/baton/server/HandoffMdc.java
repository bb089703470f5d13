package io.baton.server;

import io.baton.core.ServerCore;
import org.slf4j.MDC;

/**
 * Tags every log line of a handoff with its id: the SLF4J MDC key {@value #KEY}, which the logback pattern
 * prints. The driver refreshes it on the core's thread when the core notes something (so the very first line
 * of a handoff carries it) and after every burst of core calls (so the driver's own lines carry it, and it is
 * dropped once the handoff is over; the lines of the burst that ended it still carry it). It changes the MDC
 * only when the id changes: this runs after every burst.
 */
final class HandoffMdc {

    /** The MDC key: the handoff's id in hex. */
    static final String KEY = "handoff";
    private static final ThreadLocal<long[]> TAGGED = ThreadLocal.withInitial(() -> new long[1]);

    private HandoffMdc() {
    }

    /** The core is about to log: tag the line if a handoff is under way. */
    static void noted(ServerCore core) {
        tag(core.handoffUnderWay());
    }

    /**
     * Tags what follows with {@code id}, or untags it for 0: after a burst of core calls, with the handoff under
     * way then (none any more: untagged), and on an I/O loop, with the handoff under way when the core handed
     * it its writes.
     */
    static void set(long id) {
        if (id == 0) {
            untag();
        } else {
            tag(id);
        }
    }

    /** Tags the calling thread's lines with {@code id} (0: leaves them as they are). */
    static void tag(long id) {
        long[] tagged = TAGGED.get();
        if (id != 0 && tagged[0] != id) {
            tagged[0] = id;
            MDC.put(KEY, Long.toHexString(id));
        }
    }

    static void untag() {
        long[] tagged = TAGGED.get();
        if (tagged[0] != 0) {
            tagged[0] = 0;
            MDC.remove(KEY);
        }
    }
}
