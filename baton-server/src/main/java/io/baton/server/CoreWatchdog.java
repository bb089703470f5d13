package io.baton.server;

import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Diagnostics ({@code -Dbaton.slow=true}), never on in production: a daemon thread that looks every
 * millisecond at the call {@link CoreDriver} is making into the core, and logs the core thread's stack once
 * when that call has run for more than 6 ms, so a stall can be traced to the code that held the thread.
 * Off, it starts no thread and {@link CoreDriver} skips the bookkeeping where it can.
 */
final class CoreWatchdog {

    private static final Logger LOG = LoggerFactory.getLogger("baton.server");

    /** Whether {@code -Dbaton.slow=true} asked for it (also for the driver's own "slow poll" lines). */
    static final boolean ON = Boolean.getBoolean("baton.slow");

    /** When the call under way into the core started (System.nanoTime), 0 between calls. */
    private volatile long callStarted;

    /** A call into the core starts, at {@code now}; on the core's loop. */
    void started(long now) {
        callStarted = now;
    }

    /** That call returned. */
    void ended() {
        callStarted = 0;
    }

    /** Starts the watching thread, if {@link #ON}, once it knows which thread is {@code loop}'s. */
    void start(EventLoop loop) {
        if (!ON) {
            return;
        }
        Thread[] coreThread = new Thread[1];
        try {
            loop.submit(() -> coreThread[0] = Thread.currentThread()).sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Thread dog = new Thread(() -> {
            long reported = 0;
            while (true) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
                long started = callStarted;
                if (started != 0 && CoreDriver.now() - started > 6_000_000L && started != reported) {
                    reported = started;
                    StringBuilder b = new StringBuilder("core thread busy for " + (CoreDriver.now() - started) / 1000
                            + " us at:");
                    StackTraceElement[] st = coreThread[0].getStackTrace();
                    for (int i = 0; i < Math.min(14, st.length); i++) {
                        b.append("\n    ").append(st[i]);
                    }
                    LOG.info(b.toString());
                }
            }
        }, "baton-watchdog");
        dog.setDaemon(true);
        dog.start();
    }
}
