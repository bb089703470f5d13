package io.baton.cli;

import io.baton.server.BatonServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code serve} does on SIGTERM, the signal every orchestrator stops a process with (systemd, a
 * Kubernetes pod's stop, a node drain): hand the clients off to the successor, then exit 0 once drained
 * ({@link BatonServer#stopGracefully}). A second SIGTERM, or the bound running out, stops at once, the old
 * way, and says what that loses.
 *
 * <p>Why {@code sun.misc.Signal} rather than a shutdown hook: a hook runs only once the JVM has decided to
 * exit, and cannot tell a second SIGTERM from the first (the JVM ignores it), nor SIGTERM from Ctrl-C. With
 * the handler on TERM alone, Ctrl-C (SIGINT) keeps the JVM's own behaviour, an immediate stop through the
 * shutdown hook, which is what a developer at a terminal wants. {@code sun.misc.Signal} is in the
 * {@code jdk.unsupported} module, present in every JDK 17 without flags; it is reached by reflection only
 * because javac warns of any direct use of it, and the build treats warnings as errors.
 */
final class TermSignal {

    private static final Logger LOG = LoggerFactory.getLogger("baton.serve");

    private final BatonServer server;
    private final String successor;
    private final Duration bound;
    private final CountDownLatch stop;
    private final AtomicInteger terms = new AtomicInteger();
    private volatile int exitCode;

    private TermSignal(BatonServer server, String successor, Duration bound, CountDownLatch stop) {
        this.server = server;
        this.successor = successor == null || successor.isBlank() ? null : successor.trim();
        this.bound = bound;
        this.stop = stop;
    }

    /** Installs the handler; {@code stop} is counted down when the process should close the server and exit. */
    static TermSignal install(BatonServer server, String successor, Duration bound, CountDownLatch stop) {
        TermSignal t = new TermSignal(server, successor, bound, stop);
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object term = signal.getConstructor(String.class).newInstance("TERM");
            Object onTerm = java.lang.reflect.Proxy.newProxyInstance(TermSignal.class.getClassLoader(),
                    new Class<?>[] {handler}, (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            t.received();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "TermSignal";
                    });
            signal.getMethod("handle", signal, handler).invoke(null, term, onTerm);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("cannot handle SIGTERM ({}): SIGTERM will stop this server at once, without a handoff", e.toString());
        }
        return t;
    }

    /** The exit code once stopped: 0 handed off and drained, or stopped with no successor; 1 otherwise. */
    int exitCode() {
        return exitCode;
    }

    private void received() {
        int n = terms.incrementAndGet();
        if (n == 1) {
            Thread t = new Thread(this::stopGracefully, "baton-sigterm");
            t.setDaemon(true);
            t.start();
        } else if (n == 2) {
            exitCode = 1;
            LOG.error("a second SIGTERM: stopping at once, without waiting for the handoff. {}", whatIsLost());
            stop.countDown();
        }
    }

    private void stopGracefully() {
        try {
            BatonServer.Stop s = server.stopGracefully(successor, bound);
            if (s.clean() || successor == null) {
                exitCode = 0;
                LOG.info("SIGTERM: {}; exiting", s.summary());
            } else {
                exitCode = 1;
                LOG.error("SIGTERM: {}; stopping anyway. {}", s.summary(), whatIsLost());
            }
        } catch (InterruptedException e) {
            exitCode = 1;
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            exitCode = 1;
            LOG.error("SIGTERM: the handoff failed: {}; stopping anyway. {}", e.getMessage(), whatIsLost());
        }
        stop.countDown();
    }

    /** What stopping now loses, in the words an operator needs. */
    private String whatIsLost() {
        try {
            var st = server.status().get(2, java.util.concurrent.TimeUnit.SECONDS);
            if (st.role() == io.baton.core.Role.RETIRED) {
                return "This server had already cut over: its clients are on the target, and nothing is lost.";
            }
            return "Closing " + st.connected() + " connected of " + st.sessions() + " sessions: their state (log index "
                    + st.appliedIndex() + ") ends with this process, and their clients must start new sessions "
                    + "elsewhere; inputs they sent since their last acknowledgement are lost.";
        } catch (Exception e) {
            return "The server's state could not be read (" + e + "); its sessions end with this process.";
        }
    }
}
