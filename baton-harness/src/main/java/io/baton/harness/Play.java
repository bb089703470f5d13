package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.arena.Tally;
import io.baton.server.AdminClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./baton play}: two arena servers on two fixed loopback ports that take turns, Java bots playing, the
 * arena page served on both ports, and a handoff every so often or when the person watching presses Enter.
 * After each completed handoff the retired source stops and a fresh standby starts on its port, so the next
 * handoff goes back the other way and the printed URL stays valid (but for the seconds that standby takes to
 * start). Real processes, started with the product's own commands as the demo's {@link LocalCluster} does.
 */
public final class Play implements AutoCloseable {

    /** Seconds a server or the bots may take to print their ready line (as the demo allows). */
    private static final int READY_S = 120;
    /** Seconds the bots may take to verify and report when play ends. */
    private static final int REPORT_S = 60;
    /** How long a server still draining its own source may refuse the next handoff (as {@link HandoffChain}). */
    private static final long RETRY_NANOS = 30_000_000_000L;

    /**
     * What to play.
     *
     * @param ports    the two client ports the servers take turns on (0 for either: a free one, chosen at start)
     * @param bots     Java bots playing beside the people at the page (0 for none)
     * @param tickHz   the arena's tick rate
     * @param inputHz  each bot's inputs per second
     * @param every    time between handoffs; zero for only on Enter
     * @param handoffs stop after this many handoffs (0: until Enter on 'q', end of input or Ctrl-C)
     * @param mode     the handoff mode, as {@code baton handoff --mode}
     */
    public record Settings(int[] ports, int bots, int tickHz, double inputHz, Duration every, int handoffs, String mode) {
        public Settings {
            if (ports.length != 2 || ports[0] < 0 || ports[1] < 0 || ports[0] > 65535 || ports[1] > 65535
                    || (ports[0] != 0 && ports[0] == ports[1])) {
                throw new IllegalArgumentException("--ports must be two different ports (0 for a free one), were "
                        + java.util.Arrays.toString(ports));
            }
            if (bots < 0 || handoffs < 0 || every.isNegative()) {
                throw new IllegalArgumentException("--bots, --handoffs and --every must not be negative");
            }
            ports = ports.clone();
        }
    }

    private final Settings settings;
    private final Class<?> product;
    private final PrintStream out;
    private final Path dir;
    private final String token;
    private final int[] ports;
    private final List<String> serve;
    private ChildProcess source;
    private ChildProcess standby;
    private ChildProcess bots;
    private int started;
    private long lastT0;
    private long lastDone;
    private boolean closed;

    private Play(Settings settings, Class<?> product, PrintStream out) throws IOException {
        this.settings = settings;
        this.product = product;
        this.out = out;
        this.dir = Files.createTempDirectory("baton-play-");
        Files.writeString(dir.resolve("peer-secret"), LocalCluster.randomHex() + "\n", StandardCharsets.UTF_8);
        this.token = LocalCluster.randomHex();
        Files.writeString(dir.resolve("admin-token"), token + "\n", StandardCharsets.UTF_8);
        int a = settings.ports()[0] == 0 ? freePort(-1) : usable(settings.ports()[0]);
        this.ports = new int[] {a, settings.ports()[1] == 0 ? freePort(a) : usable(settings.ports()[1])};
        this.serve = List.of("serve", "--host", "127.0.0.1", "--peer-port", "0", "--admin-port", "0",
                "--tick-hz", Integer.toString(settings.tickHz()),
                "--peer-secret-file", dir.resolve("peer-secret").toString(),
                "--admin-token-file", dir.resolve("admin-token").toString());
        // Ctrl-C: the terminal's SIGINT reaches the children too; this stops any that outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "play-stop"));
    }

    /**
     * Plays until {@code settings.handoffs()} handoffs are done, a line {@code q} comes on {@code in} (or its
     * end, when handoffs come only from it), or the process is interrupted; any other line on {@code in} hands
     * off at once. Returns
     * whether every handoff completed and the bots verified clean.
     */
    public static boolean run(Settings settings, Class<?> product, InputStream in, PrintStream out) throws Exception {
        try (Play play = new Play(settings, product, out)) {
            return play.play(in);
        }
    }

    private boolean play(InputStream in) throws Exception {
        Demo.say("starting two servers in %s", dir);
        source = server(ports[0], false);
        standby = server(ports[1], true);
        if (settings.bots() > 0) {
            bots = ChildProcess.start(product, "bots", dir, DemoSettings.launcherBotJvm(), List.of("bots", "--control",
                    "--server", "127.0.0.1:" + ports[0], "--clients", Integer.toString(settings.bots()),
                    "--input-hz", Double.toString(settings.inputHz()), "--tick-hz", Integer.toString(settings.tickHz())),
                    READY_S);
        }
        out.printf("%nOpen http://127.0.0.1:%d/ in a browser (plain HTTP and WebSocket, no TLS: this build has "
                + "none yet).%nThe same page plays by itself at http://127.0.0.1:%d/?bot=1%n", ports[0], ports[0]);
        out.printf("%d Java bots play beside you. %s Enter hands off now; q and Enter (or Ctrl-C) stops.%n%n",
                settings.bots(), settings.every().isZero() ? "Handoffs only on Enter."
                        : "A handoff every " + settings.every().toSeconds() + " s.");
        BlockingQueue<String> lines = keyboard(in);
        boolean allCompleted = true;
        int done = 0;
        while (settings.handoffs() == 0 || done < settings.handoffs()) {
            String line = settings.every().isZero() ? lines.take()
                    : lines.poll(settings.every().toMillis(), TimeUnit.MILLISECONDS);
            if (line == EOF && !settings.every().isZero()) {
                continue; // no keyboard (input closed or redirected): the timer goes on handing off
            }
            if (line != null && (line.trim().equals("q") || line == EOF)) {
                break;
            }
            done++;
            allCompleted &= handOff(done, settings.handoffs() != 0 && done == settings.handoffs());
        }
        return finish() && allCompleted;
    }

    /** Stdin lines on a daemon thread; its end arrives as {@link #EOF}. */
    private static final String EOF = new String("end of input");

    private static BlockingQueue<String> keyboard(InputStream in) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // Input closed: as its end.
            }
            lines.add(EOF);
        }, "play-keyboard");
        t.setDaemon(true);
        t.start();
        return lines;
    }

    /**
     * One handoff from the source to the standby, followed to its outcome; then the roles turn, and unless it
     * was the {@code last}, a fresh standby starts on the retired source's port.
     */
    private boolean handOff(int k, boolean last) throws Exception {
        AdminClient from = admin(source);
        AdminClient to = admin(standby);
        long t0 = System.nanoTime();
        AdminClient.Reply r;
        while (true) {
            r = from.handoff("127.0.0.1:" + standby.peerPort(), "127.0.0.1:" + standby.clientPort(), settings.mode());
            if (r.ok() || !r.error().contains("stragglers") || System.nanoTime() - t0 > RETRY_NANOS) {
                break;
            }
            Thread.sleep(50); // as HandoffChain: the server is still draining its own source, and says to retry shortly
        }
        if (!r.ok()) {
            out.printf("handoff %d (%s -> %s): refused: %s%n", k, source.name(), standby.name(), r.error());
            return false;
        }
        try (HandoffWatch watch = new HandoffWatch(Fault.NONE)) {
            HandoffWatch.Watched w = watch.watch(from, to, t0, source, standby, List.of());
            lastT0 = t0;
            lastDone = System.nanoTime();
            out.printf("handoff %d: %s (port %d) -> %s (port %d): %s in %.0f ms, %d clients switched%n", k,
                    source.name(), source.clientPort(), standby.name(), standby.clientPort(), w.outcome(),
                    Demo.msSince(t0), w.source().path("clients_switched").asLong());
            if (!w.outcome().equals(Fault.Outcome.COMPLETED.word())) {
                return false;
            }
        }
        ChildProcess retired = source;
        source = standby;
        retired.close();
        if (last) {
            standby = null;
            return true;
        }
        standby = server(retired.clientPort(), true);
        out.printf("  %s now serves; a fresh standby %s waits on port %d%n", source.name(), standby.name(),
                standby.clientPort());
        return true;
    }

    /** Has the bots verify what they played and prints it; true when they verified clean (or there are none). */
    private boolean finish() throws Exception {
        if (bots == null) {
            return true;
        }
        long now = System.nanoTime();
        bots.command("finish " + (lastT0 == 0 ? now : lastT0) + " " + (lastDone == 0 ? now : lastDone) + " 0 0");
        JsonNode report = bots.await("report", REPORT_S);
        Tally tally = Tally.read(f -> report.path(f).asLong());
        Map<String, Object> figures = new LinkedHashMap<>();
        tally.putInto(figures);
        boolean clean = tally.inputsLost() == 0 && tally.inputsDuplicated() == 0 && tally.outputsLost() == 0
                && tally.outputsDuplicated() == 0 && tally.outOfOrder() == 0 && tally.failedVerifications() == 0;
        out.printf("bots verified %s: %s%n", clean ? "clean" : "NOT clean", figures);
        return clean;
    }

    private ChildProcess server(int port, boolean asStandby) throws IOException, InterruptedException {
        started++;
        String name = "server-" + (port == ports[0] ? "a" : "b") + (started <= 2 ? "" : "-" + started);
        List<String> args = new ArrayList<>(serve);
        args.addAll(List.of("--port", Integer.toString(port)));
        if (asStandby) {
            args.add("--standby");
        }
        return ChildProcess.start(product, name, dir, DemoSettings.launcherServerJvm(), args, READY_S);
    }

    private AdminClient admin(ChildProcess server) {
        return new AdminClient("http://127.0.0.1:" + server.adminPort(), token);
    }

    /** A loopback port free a moment ago, other than {@code not}. */
    private static int freePort(int not) throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (s.getLocalPort() != not) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** The port, if it can be listened on now; else why not and what to do. */
    private static int usable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + "): "
                    + "another server there? Give two other ports with --ports A,B (0 for a free one)", e);
        }
    }

    /** Stops the bots, the standby and the source; again at exit (Ctrl-C), where it does nothing the second time. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ChildProcess p : new ChildProcess[] {bots, standby, source}) {
            if (p != null) {
                p.close();
            }
        }
        // A server still starting when play was stopped has no ChildProcess yet: every process this one
        // started is its child, so stop whichever is left.
        ProcessHandle.current().children().forEach(child -> {
            child.destroy();
            try {
                child.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        });
        Demo.say("stopped; logs in %s", dir);
    }
}
