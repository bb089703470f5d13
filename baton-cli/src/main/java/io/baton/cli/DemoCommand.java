package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.arena.BotFleet;
import io.baton.arena.FleetReport;
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
            "Starts a source and a standby target as separate processes on loopback, lets arena bots play on",
            "the source, hands off mid-run, keeps playing on the target, then verifies every action.",
            "",
            "Exits 0 when every client switched, nothing was lost, duplicated or reordered, and the target's",
            "state equals the source's at cutover; 1 otherwise."
        })
final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--clients", defaultValue = "200", description = "Bots (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--tick-hz", defaultValue = "30", description = "Game ticks per second (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--state-mb", defaultValue = "0", description = "MiB of extra world state that keeps changing (default: ${DEFAULT-VALUE}).")
    int stateMb;

    @Option(names = "--mode", defaultValue = "live", description = "live or stopcopy (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--input-hz", defaultValue = "10", description = "Inputs per second per bot (default: ${DEFAULT-VALUE}).")
    double inputHz;

    @Option(names = "--warmup-s", defaultValue = "2", description = "Play before the handoff (default: ${DEFAULT-VALUE}).")
    double warmupS;

    @Option(names = "--after-s", defaultValue = "1", description = "Play on the target after the handoff (default: ${DEFAULT-VALUE}).")
    double afterS;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout (logs go to stderr).")
    boolean json;

    @Option(names = "--trace-stalls", description = "Print on stderr when each client's worst gap started, against the phases.")
    boolean traceStalls;

    @Option(names = "--server-jvm-opts", defaultValue = "-Xms1g -Xmx6g -XX:+UseG1GC -XX:MaxGCPauseMillis=5 -XX:+AlwaysPreTouch",
            split = " ", description = "JVM options of the two servers (default: ${DEFAULT-VALUE}).")
    List<String> serverJvm = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!mode.equals("live") && !mode.equals("stopcopy")) {
            throw new IllegalArgumentException("--mode must be live or stopcopy, was '" + mode + "'");
        }
        Path dir = Files.createTempDirectory("baton-demo-");
        Files.writeString(dir.resolve("peer-secret"), randomHex() + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("admin-token"), randomHex() + "\n", StandardCharsets.UTF_8);
        List<String> common = List.of("--host", "127.0.0.1", "--port", "0", "--peer-port", "0", "--admin-port", "0",
                "--tick-hz", Integer.toString(tickHz), "--state-mb", Integer.toString(stateMb),
                "--peer-secret-file", dir.resolve("peer-secret").toString(),
                "--admin-token-file", dir.resolve("admin-token").toString());
        say("starting source and target in %s", dir);
        try (ServerProcess source = ServerProcess.start("source", dir, serverJvm, common);
             ServerProcess target = ServerProcess.start("target", dir, serverJvm, plus(common, "--standby"))) {
            String token = Secrets.read(dir.resolve("admin-token"), "admin token");
            AdminClient sourceAdmin = new AdminClient("http://127.0.0.1:" + source.adminPort(), token);
            AdminClient targetAdmin = new AdminClient("http://127.0.0.1:" + target.adminPort(), token);
            say("source pid %d on port %d, target pid %d on port %d (peer %d)", source.pid(), source.clientPort(),
                    target.pid(), target.clientPort(), target.peerPort());
            try (BotFleet fleet = BotFleet.builder("127.0.0.1", source.clientPort())
                    .clients(clients).inputHz(inputHz).tickHz(tickHz)
                    .progress(line -> say("bots: %s", line)).build()) {
                int connected = fleet.start();
                if (connected < clients) {
                    say("only %d of %d bots connected", connected, clients);
                }
                long warmStart = System.nanoTime();
                Thread.sleep((long) (warmupS * 1000)); // the workload runs for this long: not a wait for a condition
                say("handing off (%s)", mode);
                long t0 = System.nanoTime();
                AdminClient.Reply r = sourceAdmin.handoff("127.0.0.1:" + target.peerPort(),
                        "127.0.0.1:" + target.clientPort(), mode);
                if (!r.ok()) {
                    throw new IllegalStateException("handoff refused: " + r.error());
                }
                JsonNode src = watch(sourceAdmin, t0);
                long tDone = System.nanoTime();
                String outcome = src.path("source_phase").asText().equals("done") ? "completed"
                        : src.path("source_phase").asText().equals("aborted") ? "aborted" : "unfinished";
                long switchedBy = fleet.awaitMoved(connected, 10_000);
                Thread.sleep((long) (afterS * 1000));
                long windowEnd = Math.max(tDone, switchedBy) + 2 * (1_000_000_000L / tickHz);
                if (traceStalls) {
                    traceStalls(fleet.worstGaps(t0, windowEnd), t0);
                }
                // The same length of time just before the handoff: what the machine's noise alone costs.
                long[] baseline = fleet.stallPercentiles(Math.max(warmStart, t0 - (windowEnd - t0)), t0);
                FleetReport report = fleet.stopAndVerify(t0, windowEnd);
                JsonNode tgt = targetAdmin.status().body();
                src = sourceAdmin.status().body();
                Map<String, Object> out = report(report, src, tgt, outcome, t0, switchedBy);
                Map<String, Object> base = new LinkedHashMap<>();
                base.put("p50", round(baseline[0] / 1e6));
                base.put("p99", round(baseline[1] / 1e6));
                base.put("max", round(baseline[2] / 1e6));
                out.put("baseline_stall_ms", base);
                if (json) {
                    System.out.println(JSON.writeValueAsString(out));
                } else {
                    System.out.println(human(out, report));
                }
                return passed(out, report) ? 0 : 1;
            }
        }
    }

    /** A histogram of when the worst gaps began, in 20 ms buckets after the handoff command. */
    private void traceStalls(List<long[]> gaps, long t0) {
        java.util.TreeMap<Long, int[]> buckets = new java.util.TreeMap<>();
        for (long[] g : gaps) {
            if (g[0] != 0 && g[1] > 5_000_000L) {
                buckets.computeIfAbsent((g[0] - t0) / 20_000_000L * 20, k -> new int[2])[0]++;
                buckets.get((g[0] - t0) / 20_000_000L * 20)[1] = (int) Math.max(buckets.get((g[0] - t0) / 20_000_000L * 20)[1], g[1] / 1_000_000);
            }
        }
        long wall = System.currentTimeMillis() - (System.nanoTime() - t0) / 1_000_000;
        buckets.forEach((ms, n) -> say("stalls > 5 ms starting at %5d ms (%tT.%<tL): %3d clients (worst %d ms)", ms,
                wall + ms, n[0], n[1]));
    }

    private JsonNode watch(AdminClient admin, long t0) throws Exception {
        String last = "";
        long deadline = t0 + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode s = admin.status().body();
            String phase = s.path("source_phase").asText();
            if (!phase.equals(last)) {
                say("%6.0f ms  source %s (moved %d, attached %d, switched %d)", (System.nanoTime() - t0) / 1e6, phase,
                        s.path("clients_moved").asLong(), s.path("clients_attached").asLong(),
                        s.path("clients_switched").asLong());
                last = phase;
            }
            if (phase.equals("done") || phase.equals("aborted")) {
                return s;
            }
            Thread.sleep(20); // polling the admin API for a progress display
        }
        throw new IllegalStateException("the handoff did not finish within 120 s");
    }

    private Map<String, Object> report(FleetReport r, JsonNode src, JsonNode tgt, String outcome, long t0,
                                       long switchedBy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clients", r.clients());
        m.put("tick_hz", tickHz);
        m.put("state_bytes", (long) stateMb << 20);
        m.put("mode", mode);
        m.put("outcome", outcome);
        m.put("clients_switched", r.clientsMoved());
        m.put("clients_resumed", r.clientsResumed());
        m.put("inputs_sent", r.inputsSent());
        m.put("inputs_lost", r.inputsLost());
        m.put("inputs_duplicated", r.inputsDuplicated());
        m.put("outputs_lost", r.outputsLost());
        m.put("outputs_duplicated", r.outputsDuplicated());
        m.put("out_of_order", r.outOfOrder());
        m.put("failed_verifications", r.failedVerifications());
        String ds = src.path("cutover_digest").asText();
        String dt = tgt.path("cutover_digest").asText();
        m.put("digest_source", ds);
        m.put("digest_target", dt);
        m.put("state_equal", !ds.equals("0") && ds.equals(dt));
        m.put("cutover_index", src.path("cutover_index").asLong());
        m.put("handoff_ms", round((switchedBy - t0) / 1e6));
        long stopped = src.path("stopped_at_nanos").asLong();
        long first = tgt.path("first_event_at_nanos").asLong();
        m.put("cutover_pause_ms", stopped > 0 && first > 0 ? round((first - stopped) / 1e6) : null);
        Map<String, Object> stall = new LinkedHashMap<>();
        stall.put("p50", round(r.stallP50Nanos() / 1e6));
        stall.put("p99", round(r.stallP99Nanos() / 1e6));
        stall.put("max", round(r.stallMaxNanos() / 1e6));
        m.put("stall_ms", stall);
        return m;
    }

    private boolean passed(Map<String, Object> m, FleetReport r) {
        return r.passed() && "completed".equals(m.get("outcome")) && Boolean.TRUE.equals(m.get("state_equal"))
                && ((Number) m.get("clients_switched")).intValue() == r.clients();
    }

    private String human(Map<String, Object> m, FleetReport r) {
        @SuppressWarnings("unchecked")
        Map<String, Object> stall = (Map<String, Object>) m.get("stall_ms");
        return String.format("%s handoff of %d clients at %d Hz with %d MiB of extra state: %s%n"
                        + "  clients switched   %s (%s through the fallback resume)%n"
                        + "  inputs             %s sent, %s lost, %s duplicated; outputs %s lost, %s duplicated; %s out of order%n"
                        + "  state              source %s, target %s at index %s: %s%n"
                        + "  handoff            %s ms from the operator's command to the last client switched%n"
                        + "  cutover pause      %s ms (source stops applying -> target applies its next event)%n"
                        + "  stall per client   p50 %s ms, p99 %s ms, max %s ms beyond one tick%n"
                        + "  without a handoff  %s (the same length of time just before it)%n"
                        + "%s",
                mode, clients, tickHz, stateMb, m.get("outcome"), m.get("clients_switched"), m.get("clients_resumed"),
                m.get("inputs_sent"), m.get("inputs_lost"), m.get("inputs_duplicated"), m.get("outputs_lost"),
                m.get("outputs_duplicated"), m.get("out_of_order"), m.get("digest_source"), m.get("digest_target"),
                m.get("cutover_index"), Boolean.TRUE.equals(m.get("state_equal")) ? "equal" : "DIFFERENT",
                m.get("handoff_ms"), m.get("cutover_pause_ms"), stall.get("p50"), stall.get("p99"), stall.get("max"),
                m.get("baseline_stall_ms"),
                !passed(m, r) ? "FAILED"
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
