package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "handoff", mixinStandardHelpOptions = true,
        description = {
            "The arena workload moved by each way you ask for, every combination in one run, side by side.",
            "",
            "Each row is one ./baton demo run (servers and bots in their own processes, on loopback): the "
                + "stall clients saw during the handoff and, measured the same way just before it, without one "
                + "(baseline), so the machine's own noise shows; nothing lost; the target's heap per session.",
            "",
            "Modes: baton (live handoff with event shipping), stopcopy (Baton's stop-and-copy) and restart "
                + "(what games do today, without Baton: the source saves its state to disk and exits, the target "
                + "loads it, and clients reconnect with exponential backoff from 100 ms, losing what they send "
                + "meanwhile).",
            "",
            "Writes an HTML report with plots (no network needed to open it); --json prints one JSON object."
        })
final class BenchHandoffCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a row takes from its demo run's report, as the demo names it. */
    private static final List<String> FROM_DEMO = List.of("outcome", "handoff_ms", "cutover_pause_ms", "stall_ms",
            "baseline_stall_ms", "inputs_lost", "outputs_lost", "heap_bytes_per_session");

    @Option(names = "--clients", defaultValue = "200", split = ",", description = "Client counts (default: ${DEFAULT-VALUE}).")
    List<Integer> clients = new ArrayList<>();

    @Option(names = "--state-mb", defaultValue = "0", split = ",", description = "Extra state sizes in MiB (default: ${DEFAULT-VALUE}).")
    List<Integer> stateMb = new ArrayList<>();

    @Option(names = "--modes", defaultValue = "baton,stopcopy,restart", split = ",",
            description = "baton, stopcopy, restart (default: ${DEFAULT-VALUE}).")
    List<String> modes = new ArrayList<>();

    @Option(names = "--tick-hz", defaultValue = "30", description = "Ticks per second (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--clients-per-bot-process", defaultValue = "2500",
            description = "Bots per process; a process may hold 20,000 open files (default: ${DEFAULT-VALUE}).")
    int perBotProcess;

    @Option(names = "--report", defaultValue = "bench-handoff.html", description = "Where to write the HTML report (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout (progress goes to stderr).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        for (String m : modes) {
            if (!m.equals("baton") && !m.equals("stopcopy") && !m.equals("restart")) {
                throw new IllegalArgumentException("unknown mode '" + m + "'; modes are baton, stopcopy and restart");
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> detail = new ArrayList<>();
        int total = modes.size() * clients.size() * stateMb.size();
        int n = 0;
        boolean allPassed = true;
        for (int c : clients) {
            for (int mb : stateMb) {
                for (String mode : modes) {
                    n++;
                    System.err.printf("bench: row %d/%d: %s, %d clients, %d MiB, %d Hz%n", n, total, mode, c, mb, tickHz);
                    DemoCommand demo = new DemoCommand();
                    new CommandLine(demo).parseArgs("--clients", Integer.toString(c), "--state-mb", Integer.toString(mb),
                            "--mode", mode.equals("baton") ? "live" : mode, "--tick-hz", Integer.toString(tickHz),
                            "--bot-processes", Integer.toString(Math.max(1, (c + perBotProcess - 1) / perBotProcess)));
                    demo.quiet = true;
                    demo.measureHeap = true;
                    int code = demo.call();
                    allPassed &= code == 0;
                    Map<String, Object> r = demo.lastResult;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("mode", mode);
                    row.put("clients", c);
                    row.put("state_mb", mb);
                    row.put("tick_hz", tickHz);
                    for (String field : FROM_DEMO) {
                        row.put(field, r.get(field));
                    }
                    row.put("passed", code == 0);
                    rows.add(row);
                    Map<String, Object> d = new LinkedHashMap<>(row);
                    d.put("stalls", sortedMillis(demo.lastReports, "stalls"));
                    d.put("baseline_stalls", sortedMillis(demo.lastReports, "baseline_stalls"));
                    d.put("timeline", new ArrayList<>(demo.timeline));
                    d.put("moves", moveMillis(demo.lastReports, demo.lastT0));
                    detail.add(d);
                }
            }
        }
        Files.writeString(report, HandoffReport.html(detail, tickHz), StandardCharsets.UTF_8);
        System.err.println("bench: report written to " + report.toAbsolutePath());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tick_hz", tickHz);
        out.put("rows", rows);
        out.put("report", report.toAbsolutePath().toString());
        if (json) {
            System.out.println(JSON.writeValueAsString(out));
        } else {
            System.out.printf("%-9s %7s %6s  %-9s %10s %10s %22s %22s %6s %9s%n", "mode", "clients", "MiB", "outcome",
                    "handoff", "pause", "stall p50/p99/max", "baseline p50/p99/max", "lost", "B/session");
            for (Map<String, Object> row : rows) {
                System.out.printf("%-9s %7s %6s  %-9s %10s %10s %22s %22s %6s %9s%n", row.get("mode"), row.get("clients"),
                        row.get("state_mb"), row.get("outcome"), row.get("handoff_ms"), row.get("cutover_pause_ms"),
                        HandoffReport.triple(row.get("stall_ms"), "/"), HandoffReport.triple(row.get("baseline_stall_ms"), "/"),
                        ((Number) row.get("inputs_lost")).longValue() + ((Number) row.get("outputs_lost")).longValue(),
                        row.get("heap_bytes_per_session"));
            }
        }
        return allPassed ? 0 : 1;
    }

    private static List<Double> sortedMillis(List<JsonNode> reports, String field) {
        List<Double> ms = new ArrayList<>();
        for (JsonNode r : reports) {
            r.path(field).forEach(v -> ms.add(v.asLong() / 1e6));
        }
        ms.sort(Double::compare);
        return ms;
    }

    private static List<Double> moveMillis(List<JsonNode> reports, long t0) {
        List<Double> ms = new ArrayList<>();
        for (JsonNode r : reports) {
            r.path("move_times").forEach(v -> ms.add((v.asLong() - t0) / 1e6));
        }
        ms.sort(Double::compare);
        return ms;
    }
}
