package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.arena.BotFleet;
import io.baton.server.EventJournal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Source, target, bots and a handoff on this machine, with a report of what the clients saw.",
            "",
            "Starts a source and a standby target as separate processes on loopback, lets arena bots play on "
                + "the source, hands off mid-run, keeps playing on the target, then verifies every action.",
            "",
            "Exits 0 when every client switched, nothing was lost, duplicated or reordered, and the target's "
                + "state equals the source's at cutover; 1 otherwise."
        })
final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private FaultProxy peerProxy;
    private FaultProxy clientProxy;
    /** When the fault struck, and when the watch saw the handoff abort (System.nanoTime, 0 if not). */
    private long struckAt;
    private long abortSeenAt;

    // For ./baton bench handoff, which runs this command once per row: print nothing, keep the results.
    boolean quiet;
    boolean measureHeap;
    private long heapPerSession;
    Map<String, Object> lastResult;
    List<JsonNode> lastReports;
    long lastT0;
    /** The source's phases as the watch saw them: ms after the command, phase, clients moved/attached/switched. */
    final List<Map<String, Object>> timeline = new ArrayList<>();

    @Option(names = "--clients", defaultValue = "200", description = "Bots (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--tick-hz", defaultValue = "30", description = "Game ticks per second (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--state-mb", defaultValue = "0", description = "MiB of extra world state that keeps changing (default: ${DEFAULT-VALUE}).")
    int stateMb;

    @Option(names = "--mode", defaultValue = "live", description = "live (Baton's handoff), stopcopy (Baton's stop-and-copy) "
            + "or restart (no Baton: the source saves its state to disk and exits, the target loads it, and clients of "
            + "the kind games ship today reconnect with backoff from 100 ms, losing what they send meanwhile) "
            + "(default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--input-hz", defaultValue = "10", description = "Inputs per second per bot (default: ${DEFAULT-VALUE}).")
    double inputHz;

    @Option(names = "--warmup-s", defaultValue = "2", description = "Play before the handoff (default: ${DEFAULT-VALUE}).")
    double warmupS;

    @Option(names = "--after-s", defaultValue = "1", description = "Play on the target after the handoff (default: ${DEFAULT-VALUE}).")
    double afterS;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout (logs go to stderr).")
    boolean json;

    @Option(names = "--fault", defaultValue = "none",
            description = {"Inject one fault during the handoff (default: ${DEFAULT-VALUE}):",
                "kill-target-before-cutover: kill -9 the target while clients are redirected; the handoff aborts.",
                "kill-source-after-catch-up: kill -9 the source once the target may take over; it fails over.",
                "kill-source-during-cutover: the source dies the instant its CUTOVER has left for the target, before "
                    + "it hears the answer or tells a client to switch; the target completes the cutover and clients "
                    + "resume there.",
                "kill-source-after-cutover: kill -9 the source once it has cut over; the handoff completes.",
                "kill-client: kill -9 one of the bot processes mid-handoff (needs --bot-processes 2+).",
                "pause-source: SIGSTOP the source for 2 s once the target may take over; the target either fails "
                    + "over or completes the handoff, never both in charge.",
                "cut-peer-link: reset the peer link while clients are redirected; the handoff aborts.",
                "slow-peer-link: 20 ms each way on the peer link; the handoff completes, slower.",
                "block-clients-to-target: a third of connections to the target refused; some clients come through "
                    + "the fallback resume; the handoff completes."})
    String fault;

    @Option(names = "--handoffs", defaultValue = "1",
            description = "Handoffs in a row, each to a fresh standby server: source -> target -> a third... (1-4, "
                    + "default: ${DEFAULT-VALUE}; more than one only without --fault).")
    int handoffs;

    @Option(names = "--trace-stalls", description = "Print on stderr when each client's worst gap started, against the phases.")
    boolean traceStalls;

    @Option(names = "--redirect-per-second", defaultValue = "5000",
            description = "Fastest pace of MOVE frames, passed to the servers (default: ${DEFAULT-VALUE}).")
    int redirectPerSecond;

    // The demo puts on one machine what would be three (source, target, the players): SCHED_FIFO keeps each
    // process's event loop from waiting behind the others' compilers and collectors (docs/performance.md).
    @Option(names = "--realtime-priority", defaultValue = "" + RealtimeOption.SHARED_MACHINE, paramLabel = "N",
            description = "SCHED_FIFO priority of the servers' event loops (see serve --help); the bots' loops and "
                    + "pacer get N+1. 0 for the normal scheduler (default: ${DEFAULT-VALUE}).")
    int realtimePriority;

    @Option(names = "--bot-processes", defaultValue = "1", description = "Processes the bots are spread over (default: ${DEFAULT-VALUE}).")
    int botProcesses;

    // C1 only: a server compiles its code in milliseconds instead of spending both cores of a small
    // machine on C2 in the middle of its first handoff; compiler threads niced below the event loops
    // (takes effect where the JVM may set priorities, e.g. as root). docs/performance.md has the figures.
    @Option(names = "--server-jvm-opts", defaultValue = "-Xms2g -Xmx6g -Xmn1g -XX:+UseG1GC -XX:TieredStopAtLevel=1 "
            + "-XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=10",
            split = " ", description = "JVM options of the two servers (default: ${DEFAULT-VALUE}).")
    List<String> serverJvm = new ArrayList<>();

    @Option(names = "--bots-jvm-opts", defaultValue = "-Xms1g -Xmn768m -XX:+UseG1GC -XX:TieredStopAtLevel=1 "
            + "-XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=10",
            split = " ", description = "JVM options of the bot processes (default: ${DEFAULT-VALUE}).")
    List<String> botJvm = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!mode.equals("live") && !mode.equals("stopcopy") && !mode.equals("restart")) {
            throw new IllegalArgumentException("--mode must be live, stopcopy or restart, was '" + mode + "'");
        }
        if (mode.equals("restart") && (!fault.equals("none") || handoffs != 1)) {
            throw new IllegalArgumentException("--mode restart is the baseline without Baton: no --fault, one --handoffs");
        }
        RealtimeOption.check(realtimePriority);
        if (clients < 1 || botProcesses < 1 || botProcesses > clients) {
            throw new IllegalArgumentException("need at least one client per bot process");
        }
        String expected = switch (fault) {
            case "none", "kill-source-during-cutover", "kill-source-after-cutover", "kill-client", "slow-peer-link",
                 "block-clients-to-target" -> "completed";
            case "kill-target-before-cutover", "cut-peer-link" -> "aborted";
            case "kill-source-after-catch-up" -> "failed-over";
            case "pause-source" -> "failed-over or completed";
            default -> throw new IllegalArgumentException("unknown fault '" + fault + "'; see --help");
        };
        if (handoffs < 1 || handoffs > 4 || (handoffs > 1 && !fault.equals("none"))) {
            throw new IllegalArgumentException("--handoffs must be 1 to 4, and 1 with a --fault");
        }
        if (fault.equals("kill-client") && botProcesses < 2) {
            throw new IllegalArgumentException("--fault kill-client needs --bot-processes 2 or more");
        }
        Path dir = Files.createTempDirectory("baton-demo-");
        Files.writeString(dir.resolve("peer-secret"), randomHex() + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("admin-token"), randomHex() + "\n", StandardCharsets.UTF_8);
        List<String> common = List.of("serve", "--host", "127.0.0.1", "--port", "0", "--peer-port", "0",
                "--admin-port", "0", "--tick-hz", Integer.toString(tickHz), "--state-mb", Integer.toString(stateMb),
                "--redirect-per-second", Integer.toString(redirectPerSecond),
                "--realtime-priority", Integer.toString(realtimePriority),
                "--peer-secret-file", dir.resolve("peer-secret").toString(),
                "--admin-token-file", dir.resolve("admin-token").toString());
        say("starting source and target in %s", dir);
        List<ChildProcess> bots = new ArrayList<>();
        List<ChildProcess> further = new ArrayList<>(); // the standbys of the second handoff onwards
        Path sourceJournal = dir.resolve("source.journal");
        Path targetJournal = dir.resolve("target.journal");
        List<String> sourceArgs = plus(common, "--journal", sourceJournal.toString());
        if (fault.equals("kill-source-during-cutover")) {
            sourceArgs = plus(sourceArgs, "--halt-after-cutover-sent");
        }
        try (ChildProcess source = ChildProcess.start("source", dir, serverJvm, sourceArgs, 120);
             ChildProcess target = ChildProcess.start("target", dir, serverJvm,
                     plus(common, "--standby", "--journal", targetJournal.toString()), 120)) {
            int sourcePort = source.ready().path("client_port").asInt();
            int targetPort = target.ready().path("client_port").asInt();
            int peerPort = target.ready().path("peer_port").asInt();
            String token = Secrets.read(dir.resolve("admin-token"), "admin token");
            AdminClient sourceAdmin = new AdminClient("http://127.0.0.1:" + source.ready().path("admin_port").asInt(), token);
            AdminClient targetAdmin = new AdminClient("http://127.0.0.1:" + target.ready().path("admin_port").asInt(), token);
            say("source pid %s on port %d, target pid %s on port %d (peer %d)", source.ready().path("pid"),
                    sourcePort, target.ready().path("pid"), targetPort, peerPort);
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
            try {
                int connected = 0;
                long sourcePid = source.ready().path("pid").asLong();
                long heapEmpty = measureHeap ? Jcmd.heapUsedAfterGc(sourcePid) : 0; // rehearsed, no session yet
                for (int k = 0; k < botProcesses; k++) {
                    int n = clients / botProcesses + (k < clients % botProcesses ? 1 : 0);
                    List<String> botArgs = List.of("bots", "--control",
                            "--server", "127.0.0.1:" + sourcePort, "--clients", Integer.toString(n),
                            "--input-hz", Double.toString(inputHz), "--tick-hz", Integer.toString(tickHz),
                            "--realtime-priority", Integer.toString(RealtimeOption.forPlayers(realtimePriority)),
                            "--bind-addresses", botProcesses > 1 ? Integer.toString(Math.min(250, botProcesses)) : "0");
                    if (mode.equals("restart")) {
                        botArgs = plus(botArgs, "--reconnect-to", "127.0.0.1:" + targetPort);
                    }
                    bots.add(ChildProcess.start("bots-" + k, dir, botJvm, botArgs, 300));
                }
                for (int k = 2; k <= handoffs; k++) {
                    further.add(ChildProcess.start("server-" + k, dir, serverJvm, plus(common, "--standby",
                            "--journal", dir.resolve("server-" + k + ".journal").toString()), 120));
                }
                for (ChildProcess b : bots) {
                    connected += b.ready().path("connected").asInt();
                }
                // The source's heap with every session, against itself with none: measured before the warm-up,
                // which is then made longer by the longest handoff we expect, so the full collection falls
                // outside the window the baseline is measured in.
                if (measureHeap) {
                    long heapFull = Jcmd.heapUsedAfterGc(sourcePid);
                    // A collected G1 heap is known to a megabyte or so: below 4 MiB of growth there is no figure.
                    heapPerSession = heapFull - heapEmpty < (4L << 20) ? -1 : (heapFull - heapEmpty) / Math.max(1, connected);
                    Thread.sleep(3000); // the workload runs on: not a wait for a condition
                }
                say("%d of %d bots connected in %d process(es)", connected, clients, bots.size());
                List<ChildProcess> measured = new ArrayList<>(List.of(source, target));
                measured.addAll(bots);
                for (ChildProcess p : measured) {
                    if (p.ready().has("realtime_refused")) {
                        say("%s: event loops left with the normal scheduler, so the stalls on a shared machine are "
                                + "noisier (docs/performance.md): %s", p.name(), p.ready().path("realtime_refused").asText());
                    }
                }
                Thread.sleep((long) (warmupS * 1000)); // the workload runs for this long: not a wait for a condition
                // A proxy stands where a faulty network would, between source and target or between the
                // clients and the target, and only for the faults that need it: a proxy adds a hop of user
                // space to every frame it relays, which a handoff over a healthy network should not pay.
                int peerVia = peerPort;
                int clientsVia = targetPort;
                if (fault.equals("slow-peer-link") || fault.equals("cut-peer-link")) {
                    peerProxy = FaultProxy.to("127.0.0.1", peerPort);
                    peerVia = peerProxy.port();
                    if (fault.equals("slow-peer-link")) {
                        peerProxy.delay(20);
                    }
                } else if (fault.equals("block-clients-to-target")) {
                    clientProxy = FaultProxy.to("127.0.0.1", targetPort);
                    clientProxy.refuseEvery(3);
                    clientsVia = clientProxy.port();
                }
                long t0 = System.nanoTime();
                Watched w;
                if (mode.equals("restart")) {
                    say("restarting on the target (save, exit, load; clients reconnect)");
                    w = restart(sourceAdmin, targetAdmin, dir.resolve("state.save"), connected, t0);
                } else {
                    say("handing off (%s)", mode);
                    AdminClient.Reply r = sourceAdmin.handoff("127.0.0.1:" + peerVia, "127.0.0.1:" + clientsVia, mode);
                    if (!r.ok()) {
                        throw new IllegalStateException("handoff refused: " + r.error());
                    }
                    w = watch(sourceAdmin, targetAdmin, t0, source, target, bots);
                }
                // The target as the first handoff left it: a later handoff from it overwrites its cutover figures.
                JsonNode firstTarget = target.alive() ? targetAdmin.status().body() : w.target();
                List<Map<String, Object>> chain = new ArrayList<>();
                if (w.outcome().equals("completed")) {
                    chain = handOnward(target, targetAdmin, further, dir, token);
                }
                long tDone = System.nanoTime();
                JsonNode src = w.source();
                String outcome = w.outcome();

                for (ChildProcess b : bots) {
                    b.command("finish " + t0 + " " + tDone + " " + (long) (afterS * 1000) + " "
                            + (outcome.equals("aborted") ? 0 : 1));
                }
                List<JsonNode> reports = new ArrayList<>();
                for (ChildProcess b : bots) {
                    reports.add(b.await("report", 120));
                }

                JsonNode tgt = firstTarget;
                if (tgt == null) {
                    tgt = JSON.createObjectNode();
                }
                if (source.alive()) {
                    src = sourceAdmin.status().body();
                }
                EventJournal.History sourceHistory = EventJournal.History.read(sourceJournal);
                EventJournal.History targetHistory = EventJournal.History.read(targetJournal);
                Map<String, Object> out = report(reports, src, tgt, sourceHistory, outcome, t0);
                out.put("fault", fault);
                out.put("expected_outcome", expected);
                out.put("acked_inputs_lost", out.get("inputs_lost")); // every input sent must be applied: a bound
                if (!fault.equals("none")) {
                    // Recovery: from the fault to the last client on the target, or to the abort (seen by polling
                    // every 20 ms; the clients' stall says what they felt).
                    long movedAt = reports.stream().mapToLong(b -> b.path("moved_at").asLong()).max().orElse(0);
                    long recovered = outcome.equals("aborted") ? abortSeenAt : movedAt;
                    out.put("fault_at_ms", struckAt == 0 ? null : round((struckAt - t0) / 1e6));
                    out.put("recovery_ms", struckAt == 0 || recovered < struckAt ? null : round((recovered - struckAt) / 1e6));
                }
                // Both servers journal every event they apply and how far they released; diverged means that
                // at some log index both let out the effects of different events.
                EventJournal.Comparison cmp = EventJournal.Comparison.of(sourceHistory, targetHistory);
                out.put("diverged", cmp.divergent() > 0);
                out.put("indices_compared", cmp.compared());
                if (cmp.divergent() > 0) {
                    say("DIVERGED at %d log indices, the first %d", cmp.divergent(), cmp.firstDivergentIndex());
                }
                if (handoffs > 1) {
                    out.put("further_handoffs", chain);
                    out.put("handoffs_completed", 1 + chain.stream().filter(h -> Boolean.TRUE.equals(h.get("state_equal"))
                            && Boolean.FALSE.equals(h.get("diverged"))).count());
                    out.put("handoffs", handoffs);
                }
                if (traceStalls) {
                    traceStalls(reports, t0);
                }
                if (measureHeap) {
                    out.put("heap_bytes_per_session", heapPerSession < 0 ? null : heapPerSession);
                }
                lastResult = out;
                lastReports = reports;
                lastT0 = t0;
                if (quiet) {
                    return passed(out) && List.of(expected.split(" or ")).contains(outcome) ? 0 : 1;
                }
                if (json) {
                    System.out.println(JSON.writeValueAsString(out));
                } else {
                    System.out.println(human(out));
                    for (Map<String, Object> h : chain) {
                        System.out.printf("  then %s -> %s      %s in %s ms, cutover pause %s ms, state %s, %s clients there%n",
                                h.get("from"), h.get("to"), h.get("outcome"), h.get("handoff_ms"), h.get("cutover_pause_ms"),
                                Boolean.TRUE.equals(h.get("state_equal")) ? "equal" : "DIFFERENT", h.get("sessions_on_target"));
                    }
                }
                boolean chainHeld = handoffs == 1 || ((Number) out.get("handoffs_completed")).intValue() == handoffs;
                return passed(out) && chainHeld && List.of(expected.split(" or ")).contains(outcome) ? 0 : 1;
            } finally {
                for (ChildProcess b : bots) {
                    b.close();
                }
                for (ChildProcess f : further) {
                    f.close();
                }
                if (peerProxy != null) {
                    peerProxy.close();
                }
                if (clientProxy != null) {
                    clientProxy.close();
                }
            }
        }
    }

    /**
     * The second handoff onwards: from the server that took over last to the next standby, once it has let
     * go of its own source. Returns a summary of each: time, digests, divergence.
     */
    private List<Map<String, Object>> handOnward(ChildProcess from, AdminClient fromAdmin, List<ChildProcess> further,
                                                 Path dir, String token) throws Exception {
        List<Map<String, Object>> done = new ArrayList<>();
        Path fromJournal = dir.resolve("target.journal");
        for (int k = 0; k < further.size(); k++) {
            ChildProcess next = further.get(k);
            AdminClient nextAdmin = new AdminClient("http://127.0.0.1:" + next.ready().path("admin_port").asInt(), token);
            long tk = System.nanoTime();
            AdminClient.Reply r;
            while (true) {
                r = fromAdmin.handoff("127.0.0.1:" + next.ready().path("peer_port").asInt(),
                        "127.0.0.1:" + next.ready().path("client_port").asInt(), mode);
                if (r.ok() || !r.error().contains("stragglers") || System.nanoTime() - tk > 30_000_000_000L) {
                    break;
                }
                Thread.sleep(50); // the server is still draining its own source: its refusal says to retry shortly
            }
            if (!r.ok()) {
                throw new IllegalStateException("handoff " + (k + 2) + " refused: " + r.error());
            }
            say("handoff %d: %s -> %s", k + 2, from.name(), next.name());
            Watched w = watch(fromAdmin, nextAdmin, tk, from, next, List.of());
            JsonNode src = fromAdmin.status().body();
            JsonNode tgt = nextAdmin.status().body();
            Path nextJournal = dir.resolve(next.name() + ".journal");
            EventJournal.Comparison cmp = EventJournal.Comparison.of(EventJournal.History.read(fromJournal),
                    EventJournal.History.read(nextJournal));
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("from", from.name());
            h.put("to", next.name());
            h.put("outcome", w.outcome());
            h.put("handoff_ms", round((System.nanoTime() - tk) / 1e6));
            h.put("cutover_pause_ms", cutoverPauseMs(src, tgt));
            h.put("digest_source", src.path("cutover_digest").asText());
            h.put("digest_target", tgt.path("cutover_digest").asText());
            h.put("state_equal", w.outcome().equals("completed")
                    && src.path("cutover_digest").asText().equals(tgt.path("cutover_digest").asText()));
            h.put("diverged", cmp.divergent() > 0);
            h.put("indices_compared", cmp.compared());
            h.put("sessions_on_target", tgt.path("connected").asInt());
            done.add(h);
            if (!w.outcome().equals("completed")) {
                break;
            }
            from = next;
            fromAdmin = nextAdmin;
            fromJournal = nextJournal;
        }
        return done;
    }

    /** A histogram of when each client's worst gap began, in 20 ms buckets after the handoff command. */
    private void traceStalls(List<JsonNode> reports, long t0) {
        java.util.TreeMap<Long, long[]> buckets = new java.util.TreeMap<>();
        for (JsonNode r : reports) {
            for (int i = 0; i < r.path("stalls").size(); i++) {
                long stall = r.path("stalls").get(i).asLong();
                long start = r.path("worst_gap_starts").get(i).asLong();
                if (start != 0 && stall > 5_000_000L) {
                    long[] b = buckets.computeIfAbsent((start - t0) / 20_000_000L * 20, k -> new long[2]);
                    b[0]++;
                    b[1] = Math.max(b[1], stall / 1_000_000);
                }
            }
        }
        long wall = System.currentTimeMillis() - (System.nanoTime() - t0) / 1_000_000;
        buckets.forEach((ms, n) -> say("stalls > 5 ms starting at %5d ms (%tT.%<tL): %3d clients (worst %d ms)", ms,
                wall + ms, n[0], n[1]));
        say("the command was at System.nanoTime %d (CLOCK_MONOTONIC, as perf -k CLOCK_MONOTONIC shows it: %.6f s)",
                t0, t0 / 1e9);
        // The worst few clients, with their own handoff steps, all in ms after the command.
        List<long[]> worst = new ArrayList<>();
        for (JsonNode r : reports) {
            for (int i = 0; i < r.path("stalls").size(); i++) {
                JsonNode marks = r.path("handoff_marks").path(i);
                worst.add(new long[] {r.path("stalls").get(i).asLong(), r.path("worst_gap_starts").get(i).asLong(),
                    marks.path(0).asLong(), marks.path(1).asLong(), marks.path(2).asLong()});
            }
        }
        worst.sort((a, b) -> Long.compare(b[0], a[0]));
        java.util.function.LongFunction<String> at = n -> n == 0 ? "-" : String.valueOf((n - t0) / 1_000_000);
        for (long[] w : worst.subList(0, Math.min(5, worst.size()))) {
            if (w[0] > 5_000_000L) {
                say("  stall %.1f ms from %s ms; MOVE heard at %s, attached at %s, switched at %s", w[0] / 1e6, at.apply(w[1]),
                        at.apply(w[2]), at.apply(w[3]), at.apply(w[4]));
            }
        }
    }

    /** What the watch saw last: each server's status (the source's may be its last before it died). */
    private record Watched(JsonNode source, JsonNode target, String outcome) {
    }

    /**
     * Follows the handoff on both servers' admin APIs, strikes the fault when its moment comes, and
     * returns once the outcome is known: completed, aborted, or failed-over.
     */
    private Watched watch(AdminClient sourceAdmin, AdminClient targetAdmin, long t0, ChildProcess source,
                          ChildProcess target, List<ChildProcess> bots) throws Exception {
        String last = "";
        boolean struck = fault.equals("none");
        JsonNode src = sourceAdmin.status().body();
        long deadline = t0 + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (source.alive()) {
                try {
                    src = sourceAdmin.status().body();
                } catch (java.io.IOException e) {
                    // It died between our check and the call: keep its last status.
                }
            }
            JsonNode tgt = target.alive() ? targetAdmin.status().body() : null;
            String phase = src.path("source_phase").asText();
            if (!phase.equals(last)) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("ms", round((System.nanoTime() - t0) / 1e6));
                step.put("phase", phase);
                step.put("moved", src.path("clients_moved").asLong());
                step.put("attached", src.path("clients_attached").asLong());
                step.put("switched", src.path("clients_switched").asLong());
                timeline.add(step);
                say("%6.0f ms  source %s (moved %d, attached %d, switched %d)", (System.nanoTime() - t0) / 1e6, phase,
                        src.path("clients_moved").asLong(), src.path("clients_attached").asLong(),
                        src.path("clients_switched").asLong());
                last = phase;
            }
            if (!struck) {
                struck = strike(phase, tgt, source, target, bots, t0);
            }
            if (tgt != null && tgt.path("failed_over").asBoolean()) {
                say("%6.0f ms  the target failed over", (System.nanoTime() - t0) / 1e6);
                return new Watched(src, tgt, "failed-over");
            }
            if (fault.equals("kill-source-during-cutover") && tgt != null && tgt.path("authority_at_nanos").asLong() != 0
                    && struckAt == 0) {
                struckAt = tgt.path("authority_at_nanos").asLong(); // the source halted as the target took over
            }
            if (struck && (phase.equals("done") || (!source.alive() && tgt != null
                    && tgt.path("role").asText().equals("authority") && !tgt.path("failed_over").asBoolean()
                    && !tgt.path("cutover_digest").asText().equals("0")))) {
                return new Watched(src, tgt, "completed");
            }
            if (struck && phase.equals("aborted") && source.alive()) {
                abortSeenAt = src.path("source_phase_since_nanos").asLong(); // the same machine's monotonic clock
                return new Watched(src, tgt, "aborted");
            }
            // Polling the admin API for a progress display: every 20 ms with a fault (the polls time its
            // moment), else every 50 ms (100 HTTP requests a second had been a fifth busy thing on two cores).
            Thread.sleep(fault.equals("none") ? 50 : 20);
        }
        throw new IllegalStateException("the handoff did not finish within 120 s");
    }

    /**
     * The baseline without Baton: the source saves its state and exits (its clients see their connections
     * close), the target loads the save, and the clients reconnect to it on their own schedule; returns
     * once {@code clients} sessions are connected to the target again, or after 60 s.
     */
    private Watched restart(AdminClient sourceAdmin, AdminClient targetAdmin, Path file, int clients, long t0)
            throws IOException, InterruptedException {
        AdminClient.Reply saved = sourceAdmin.save(file.toString());
        if (!saved.ok()) {
            throw new IllegalStateException("the source could not save its state: " + saved.error());
        }
        say("%6.0f ms  source saved %d bytes at index %d and exits", (System.nanoTime() - t0) / 1e6,
                saved.body().path("bytes").asLong(), saved.body().path("index").asLong());
        AdminClient.Reply restored = targetAdmin.restore(file.toString());
        if (!restored.ok()) {
            throw new IllegalStateException("the target could not load the saved state: " + restored.error());
        }
        say("%6.0f ms  target loaded it and serves", (System.nanoTime() - t0) / 1e6);
        long deadline = System.nanoTime() + 60_000_000_000L;
        int last = -1;
        JsonNode tgt = targetAdmin.status().body();
        while (tgt.path("connected").asInt() < clients && System.nanoTime() < deadline) {
            if (tgt.path("connected").asInt() != last) {
                last = tgt.path("connected").asInt();
                say("%6.0f ms  %d of %d clients back", (System.nanoTime() - t0) / 1e6, last, clients);
            }
            Thread.sleep(20); // polling the admin API for a progress display
            tgt = targetAdmin.status().body();
        }
        ObjectNode src = JSON.createObjectNode();
        src.put("cutover_index", saved.body().path("index").asLong());
        src.put("cutover_digest", saved.body().path("digest").asText());
        src.put("stopped_at_nanos", saved.body().path("stopped_at_nanos").asLong());
        return new Watched(src, tgt, "completed");
    }

    /** Strikes the fault if this is its moment; returns whether it has struck. */
    private boolean strike(String phase, JsonNode tgt, ChildProcess source, ChildProcess target,
                           List<ChildProcess> bots, long t0) throws InterruptedException {
        boolean now = switch (fault) {
            case "kill-target-before-cutover", "kill-client", "cut-peer-link" -> phase.equals("redirecting");
            case "kill-source-after-catch-up", "pause-source" -> tgt != null && tgt.path("can_take_over").asBoolean();
            case "kill-source-after-cutover" -> phase.equals("draining") || phase.equals("done");
            default -> true;
        };
        if (!now) {
            return false;
        }
        if (fault.equals("kill-source-during-cutover")) {
            say("%6.0f ms  fault armed: the source halts once its CUTOVER is sent", (System.nanoTime() - t0) / 1e6);
            return true;
        }
        struckAt = System.nanoTime();
        say("%6.0f ms  fault: %s", (System.nanoTime() - t0) / 1e6, fault);
        switch (fault) {
            case "kill-target-before-cutover" -> target.kill();
            case "kill-source-after-catch-up", "kill-source-after-cutover" -> source.kill();
            case "kill-client" -> bots.remove(bots.size() - 1).kill();
            case "cut-peer-link" -> peerProxy.cutAll();
            case "pause-source" -> {
                try {
                    source.pauseFor(2000);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot pause the source: " + e.getMessage(), e);
                }
            }
            default -> { }
        }
        return true;
    }

    private Map<String, Object> report(List<JsonNode> bots, JsonNode src, JsonNode tgt, EventJournal.History srcHistory,
                                       String outcome, long t0) {
        long movedAt = 0;
        List<Long> stalls = new ArrayList<>();
        List<Long> baseline = new ArrayList<>();
        Map<String, Long> sums = new LinkedHashMap<>();
        String[] summed = {"clients", "clients_moved", "clients_resumed", "inputs_sent", "inputs_lost",
            "inputs_duplicated", "outputs_lost", "outputs_duplicated", "out_of_order", "failed_verifications",
            "connect_failures"};
        for (JsonNode b : bots) {
            for (String f : summed) {
                sums.merge(f, b.path(f).asLong(), Long::sum);
            }
            movedAt = Math.max(movedAt, b.path("moved_at").asLong());
            b.path("stalls").forEach(v -> stalls.add(v.asLong()));
            b.path("baseline_stalls").forEach(v -> baseline.add(v.asLong()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clients", sums.get("clients"));
        m.put("tick_hz", tickHz);
        m.put("state_bytes", (long) stateMb << 20);
        m.put("mode", mode);
        m.put("outcome", outcome);
        m.put("clients_switched", sums.get("clients_moved"));
        m.put("clients_resumed", sums.get("clients_resumed"));
        m.put("inputs_sent", sums.get("inputs_sent"));
        m.put("inputs_lost", sums.get("inputs_lost"));
        m.put("inputs_duplicated", sums.get("inputs_duplicated"));
        m.put("outputs_lost", sums.get("outputs_lost"));
        m.put("outputs_duplicated", sums.get("outputs_duplicated"));
        m.put("out_of_order", sums.get("out_of_order"));
        m.put("failed_verifications", sums.get("failed_verifications") + sums.get("connect_failures"));
        String ds = src.path("cutover_digest").asText();
        if (ds.equals("0") && srcHistory.cutDigest() != 0) {
            ds = Long.toHexString(srcHistory.cutDigest()); // it died after cutting over: its journal kept the digest
        }
        String dt = tgt.path("cutover_digest").asText();
        m.put("digest_source", ds);
        m.put("digest_target", dt);
        m.put("state_equal", !ds.equals("0") && ds.equals(dt));
        m.put("cutover_index", Math.max(src.path("cutover_index").asLong(), srcHistory.cutIndex()));
        m.put("handoff_ms", outcome.equals("aborted") ? null : round((movedAt - t0) / 1e6));
        m.put("cutover_pause_ms", cutoverPauseMs(src, tgt));
        m.put("longest_commit_wait_ms", src.path("longest_commit_wait_ms").asDouble());
        m.put("commit_suspensions", src.path("commit_suspensions").asInt());
        m.put("stall_ms", distribution(stalls));
        m.put("baseline_stall_ms", distribution(baseline));
        return m;
    }

    /** Source stops applying to target applies its first event (same machine, same monotonic clock); null if either is unknown. */
    private static Double cutoverPauseMs(JsonNode src, JsonNode tgt) {
        long stopped = src.path("stopped_at_nanos").asLong();
        long first = tgt.path("first_event_at_nanos").asLong();
        return stopped > 0 && first > 0 ? round((first - stopped) / 1e6) : null;
    }

    private static Map<String, Object> distribution(List<Long> nanos) {
        long[] p = BotFleet.percentiles(nanos.stream().mapToLong(Long::longValue).toArray());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("p50", round(p[0] / 1e6));
        d.put("p99", round(p[1] / 1e6));
        d.put("max", round(p[2] / 1e6));
        return d;
    }

    /**
     * Nothing lost, doubled or reordered, no divergence, and: a completed handoff moved every client and the states were
     * equal at cutover; a failed-over one moved every client; an aborted one left them where they were.
     */
    private boolean passed(Map<String, Object> m) {
        if (Boolean.TRUE.equals(m.get("diverged"))) {
            return false;
        }
        // The restart baseline loses what is sent during its outage by design: that is the figure it is run
        // for. It passes when it ran as intended: the state loaded intact and every client came back.
        String[] zeros = mode.equals("restart")
                ? new String[] {"inputs_duplicated", "outputs_duplicated", "out_of_order"}
                : new String[] {"inputs_lost", "inputs_duplicated", "outputs_lost", "outputs_duplicated",
                    "out_of_order", "failed_verifications"};
        for (String zero : zeros) {
            if (((Number) m.get(zero)).longValue() != 0) {
                return false;
            }
        }
        boolean everyoneMoved = ((Number) m.get("clients_switched")).longValue() == ((Number) m.get("clients")).longValue();
        return switch (String.valueOf(m.get("outcome"))) {
            case "completed" -> everyoneMoved && Boolean.TRUE.equals(m.get("state_equal"));
            case "failed-over" -> everyoneMoved;
            case "aborted" -> true;
            default -> false;
        };
    }

    private String human(Map<String, Object> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> stall = (Map<String, Object>) m.get("stall_ms");
        @SuppressWarnings("unchecked")
        Map<String, Object> base = (Map<String, Object>) m.get("baseline_stall_ms");
        return String.format("%s handoff of %s clients at %d Hz with %d MiB of extra state: %s%n"
                        + "  clients switched   %s (%s through the fallback resume)%n"
                        + "  inputs             %s sent, %s lost, %s duplicated; outputs %s lost, %s duplicated; %s out of order%n"
                        + "  state              source %s, target %s at index %s: %s%n"
                        + "  handoff            %s ms from the operator's command to the last client switched%n"
                        + "  cutover pause      %s ms (source stops applying -> target applies its next event)%n"
                        + "  stall per client   p50 %s ms, p99 %s ms, max %s ms beyond one tick%n"
                        + "  without a handoff  p50 %s ms, p99 %s ms, max %s ms (the same length of time just before it)%n"
                        + "%s",
                mode, m.get("clients"), tickHz, stateMb, m.get("outcome")
                        + (fault.equals("none") ? "" : " (fault " + fault + ")"), m.get("clients_switched"), m.get("clients_resumed"),
                m.get("inputs_sent"), m.get("inputs_lost"), m.get("inputs_duplicated"), m.get("outputs_lost"),
                m.get("outputs_duplicated"), m.get("out_of_order"), m.get("digest_source"), m.get("digest_target"),
                m.get("cutover_index"), Boolean.TRUE.equals(m.get("state_equal")) ? "equal" : "DIFFERENT",
                m.get("handoff_ms"), m.get("cutover_pause_ms"), stall.get("p50"), stall.get("p99"), stall.get("max"),
                base.get("p50"), base.get("p99"), base.get("max"),
                !passed(m) ? "FAILED"
                        : mode.equals("restart")
                        ? "BASELINE: every client came back to the restored state; what they sent meanwhile is lost"
                        : ((Number) stall.get("max")).doubleValue() < 1000.0 / tickHz
                        ? "PASSED: nothing lost, duplicated or reordered, and no client stalled for a tick"
                        : "PASSED: nothing lost, duplicated or reordered; but some clients stalled for a tick or more");
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private void say(String fmt, Object... args) {
        System.err.println("demo: " + String.format(fmt, args));
    }

    private static List<String> plus(List<String> list, String... more) {
        List<String> l = new ArrayList<>(list);
        l.addAll(List.of(more));
        return l;
    }

    private static String randomHex() {
        byte[] b = new byte[24];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }
}
