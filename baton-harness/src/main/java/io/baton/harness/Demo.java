package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.server.AdminClient;
import io.baton.server.EventJournal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One demo run: a source, a standby target and bot processes on this machine ({@link LocalCluster}), a
 * handoff mid-play with the fault of the settings ({@link HandoffWatch}), more play on the target, then
 * every action verified by the bots and both servers' journals compared ({@link Scoring}). Progress goes
 * to stderr.
 */
public final class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Below this growth a collected G1 heap (known to a megabyte or so) gives no figure per session. */
    private static final long HEAP_RESOLUTION = 4L << 20;

    private final DemoSettings settings;
    private final LocalCluster cluster;
    private final HandoffWatch watch;
    private final AdminClient sourceAdmin;
    private final AdminClient targetAdmin;
    /** Browser pages instead of bots; null for bots. */
    private final BrowserClients.Options browser;
    /** What the browser driver reported at the end; null for bots. */
    private JsonNode browserReport;

    private Demo(DemoSettings settings, LocalCluster cluster, HandoffWatch watch, BrowserClients.Options browser) {
        this.settings = settings;
        this.cluster = cluster;
        this.watch = watch;
        this.browser = browser;
        this.sourceAdmin = cluster.admin(cluster.source());
        this.targetAdmin = cluster.admin(cluster.target());
    }

    /** Runs the demo; {@code product} is the main class of {@code baton}, whose commands start each process. */
    public static DemoResult run(DemoSettings settings, Class<?> product) throws Exception {
        LocalCluster cluster = LocalCluster.start(product, settings);
        try (cluster; HandoffWatch watch = new HandoffWatch(settings.fault(),
                settings.tls() ? cluster.ca() : null)) {
            return new Demo(settings, cluster, watch, null).play();
        } finally {
            keptDirectory(cluster);
        }
    }

    /** Said at the end of every run, whatever the outcome: a run that passed may still be worth a look (a stall, a phase). */
    private static void keptDirectory(LocalCluster cluster) {
        say("the run's directory is kept: %s (each process's log, both journals, the secrets); delete it "
                + "when done", cluster.dir());
    }

    /**
     * Runs the demo with {@code settings.clients()} arena pages in headless Chromium as the clients
     * ({@link BrowserClients}) instead of bots: one handoff, no fault, live or stop-and-copy.
     */
    public static BrowserClients.Run runInBrowsers(DemoSettings settings, Class<?> product, BrowserClients.Options browser)
            throws Exception {
        if (settings.fault() != Fault.NONE || settings.handoffs() != 1 || settings.mode() == DemoSettings.Mode.RESTART
                || settings.botProcesses() != 1) {
            throw new IllegalArgumentException("--browser runs one live or stopcopy handoff without --fault, "
                    + "--handoffs or --bot-processes: the pages report on one handoff, and no fault acts on a browser");
        }
        LocalCluster cluster = LocalCluster.start(product, settings);
        try (cluster; HandoffWatch watch = new HandoffWatch(settings.fault(),
                settings.tls() ? cluster.ca() : null)) {
            Demo demo = new Demo(settings, cluster, watch, browser);
            DemoResult result = demo.play();
            return new BrowserClients.Run(result, BrowserClients.summary(demo.browserReport));
        } finally {
            keptDirectory(cluster);
        }
    }

    private DemoResult play() throws Exception {
        ChildProcess source = cluster.source();
        ChildProcess target = cluster.target();
        say("source pid %s on port %d, target pid %s on port %d (peer %d)", source.ready().path("pid"),
                source.clientPort(), target.ready().path("pid"), target.clientPort(), target.peerPort());
        greetAdmins();
        Long heapPerSession = startPlayers();
        try (CpuSampler cpu = new CpuSampler(cpuGroups())) {
            return play(heapPerSession, cpu);
        }
    }

    /** The process groups whose CPU the handoff is charged to: each server, and every bot process together. */
    private Map<String, List<Long>> cpuGroups() {
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        groups.put("source", List.of(cluster.source().pid()));
        groups.put("target", List.of(cluster.target().pid()));
        List<Long> clients = new ArrayList<>(cluster.bots().stream().map(ChildProcess::pid).toList());
        for (ChildProcess b : cluster.bots()) {
            b.ready().path("chromium_pids").forEach(pid -> clients.add(pid.asLong())); // the browser and its renderers
        }
        groups.put("clients", clients);
        return groups;
    }

    private DemoResult play(Long heapPerSession, CpuSampler cpu) throws Exception {
        ChildProcess source = cluster.source();
        ChildProcess target = cluster.target();
        Thread.sleep((long) (settings.warmupS() * 1000)); // the workload runs for this long: not a wait for a condition
        Double sourceRssBefore = source.rssMb();
        Double targetRssBefore = target.rssMb();
        HandoffWatch.Route route = watch.route(source.clientPort(), target.peerPort(), target.clientPort());
        if (browser != null) {
            BrowserClients.mark(cluster.bots().get(0)); // the pages' baseline window ends here, just before the command
        }
        cpu.sampleNow(); // the baseline window's end and the handoff window's start, sampled, not interpolated
        long t0 = System.nanoTime();
        HandoffWatch.Watched w = handOff(route, t0);
        long drainDone = drainDone(w, System.nanoTime());
        if (settings.fault().action() == Fault.Action.SIGTERM_SOURCE) {
            int code = source.awaitExit(40);
            say("%6.0f ms  the source exited with code %d after its SIGTERM", msSince(t0), code);
            if (code != 0) {
                throw new IllegalStateException("the source exited with code " + code + " after SIGTERM: 0 means it "
                        + "handed off to its successor and drained; see its log in " + cluster.dir());
            }
        }
        // The target as the first handoff left it: a later handoff from it overwrites its cutover figures.
        JsonNode firstTarget = target.alive() ? targetAdmin.status().body() : w.target();
        List<DemoResult.ChainedHandoff> chain = w.outcome().equals(Fault.Outcome.COMPLETED.word())
                ? HandoffChain.run(cluster, watch, settings.mode().word()) : List.of();
        Map<String, Object> strangers = watch.strangers().isPresent() ? strangersDone(watch.strangers().get()) : null;
        List<JsonNode> reports = finishPlay(t0, w.outcome());
        DemoResult.Rss sourceRss = new DemoResult.Rss(sourceRssBefore, source.rssMb());
        DemoResult.Rss targetRss = new DemoResult.Rss(targetRssBefore, target.rssMb());
        JsonNode src = source.alive() ? sourceAdmin.status().body() : w.source();
        DemoResult result = new Scoring(settings, reports, t0).score(src,
                firstTarget == null ? JSON.createObjectNode() : firstTarget,
                EventJournal.History.read(cluster.sourceJournal()), EventJournal.History.read(cluster.targetJournal()),
                w.outcome(), watch, chain, heapPerSession, sourceRss, targetRss, strangers,
                cpu.allSamples(), drainDone);
        if (settings.traceStalls()) {
            StallTrace.print(reports, t0);
        }
        return result;
    }

    /**
     * When the source finished draining (its phase became DONE, by its own clock, which is this machine's
     * monotonic clock), or, when it did not get there (an abort, a fault, the restart baseline), when the
     * watch saw the outcome.
     */
    static long drainDone(HandoffWatch.Watched w, long seenAt) {
        JsonNode src = w.source();
        long since = src == null ? 0 : src.path("source_phase_since_nanos").asLong();
        return src != null && src.path("source_phase").asText().equals("done") && since > 0 ? since : seenAt;
    }

    /**
     * Gives the strangers of a hostile fault the time their promise needs (bounded by their lifetime), then
     * stops them, so that what the servers keep afterwards is what they did not give back.
     */
    private static Map<String, Object> strangersDone(Strangers strangers) throws InterruptedException {
        strangers.awaitDone();
        Map<String, Object> report = strangers.report();
        strangers.close();
        say("strangers: %s", report);
        return report;
    }

    /** Checks both admin APIs answer, and loads this JVM's request path before the bots play. */
    private void greetAdmins() throws IOException, InterruptedException {
        for (AdminClient admin : List.of(sourceAdmin, targetAdmin)) {
            AdminClient.Reply r = admin.status();
            if (!r.ok()) {
                throw new IllegalStateException("a server's admin API refused: " + r.error());
            }
            // A POST that changes nothing (there is no handoff to abort): the first POST of this JVM
            // loads the HTTP client's request path here, not at the operator's command while the bots
            // play (it had stalled every bot 11 ms, in one run in six).
            admin.abort();
        }
    }

    /**
     * Starts the bots and the further standbys; returns the source's heap per session if measured (null if
     * not, or too small to tell).
     */
    private Long startPlayers() throws IOException, InterruptedException {
        long sourcePid = cluster.source().ready().path("pid").asLong();
        long heapEmpty = settings.measureHeap() ? Jcmd.heapUsedAfterGc(sourcePid) : 0; // rehearsed, no session yet
        if (browser == null) {
            cluster.startBots();
        } else {
            cluster.startBrowsers(browser, settings.tls() ? cluster.serverCertificates() : null);
        }
        cluster.startStandbys();
        int connected = cluster.connected();
        Long heapPerSession = null;
        // The source's heap with every session, against itself with none: measured before the warm-up,
        // which is then made longer by the longest handoff we expect, so the full collection falls
        // outside the window the baseline is measured in.
        if (settings.measureHeap()) {
            long grown = Jcmd.heapUsedAfterGc(sourcePid) - heapEmpty;
            heapPerSession = grown < HEAP_RESOLUTION ? null : grown / Math.max(1, connected);
            Thread.sleep(3000); // the workload runs on: not a wait for a condition
        }
        if (browser == null) {
            say("%d of %d bots connected in %d process(es)", connected, settings.clients(), cluster.bots().size());
        } else {
            say("%d of %d browser pages playing in %s", connected, settings.clients(),
                    cluster.bots().get(0).ready().path("chromium").asText());
        }
        List<ChildProcess> measured = new ArrayList<>(List.of(cluster.source(), cluster.target()));
        measured.addAll(cluster.bots());
        for (ChildProcess p : measured) {
            if (p.ready().has("realtime_refused")) {
                say("%s: event loops left with the normal scheduler, so the stalls on a shared machine are "
                        + "noisier (docs/performance.md): %s", p.name(), p.ready().path("realtime_refused").asText());
            }
        }
        return heapPerSession;
    }

    /** The operator's command at {@code t0} (or the restart baseline's save), followed to its outcome. */
    private HandoffWatch.Watched handOff(HandoffWatch.Route route, long t0) throws Exception {
        String mode = settings.mode().word();
        if (settings.mode() == DemoSettings.Mode.RESTART) {
            say("restarting on the target (save, exit, load; clients reconnect)");
            return RestartBaseline.run(sourceAdmin, targetAdmin, cluster.dir().resolve("state.save"),
                    cluster.connected(), t0);
        }
        if (settings.fault().action() == Fault.Action.SIGTERM_SOURCE) {
            say("SIGTERM to the source (its --successor is the target); no other order");
            cluster.source().terminate();
            return watch.watch(sourceAdmin, targetAdmin, t0, cluster.source(), cluster.target(), cluster.bots());
        }
        say("handing off (%s)", mode);
        AdminClient.Reply r = sourceAdmin.handoff("127.0.0.1:" + route.peerPort(), "127.0.0.1:" + route.clientPort(), mode);
        if (!r.ok()) {
            throw new IllegalStateException("handoff refused: " + r.error());
        }
        if (browser != null) {
            BrowserClients.during(cluster.bots().get(0));
        }
        return watch.watch(sourceAdmin, targetAdmin, t0, cluster.source(), cluster.target(), cluster.bots());
    }

    /** Lets the bots play on for the settings' after-time, then collects what each process verified. */
    private List<JsonNode> finishPlay(long t0, String outcome) throws IOException, InterruptedException {
        if (browser != null) {
            browserReport = BrowserClients.finish(cluster.bots().get(0), (long) (settings.afterS() * 1000));
            return List.of(BrowserClients.asBotReport(browserReport, cluster.target().clientPort()));
        }
        long tDone = System.nanoTime();
        for (ChildProcess b : cluster.bots()) {
            b.command("finish " + t0 + " " + tDone + " " + (long) (settings.afterS() * 1000) + " "
                    + (outcome.equals(Fault.Outcome.ABORTED.word()) ? 0 : 1));
        }
        List<JsonNode> reports = new ArrayList<>();
        for (ChildProcess b : cluster.bots()) {
            reports.add(b.await("report", 120));
        }
        return reports;
    }

    static void say(String fmt, Object... args) {
        System.err.println("demo: " + String.format(fmt, args));
    }

    static double msSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
