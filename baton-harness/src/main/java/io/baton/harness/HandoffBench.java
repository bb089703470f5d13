package io.baton.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./baton bench handoff}: one demo run per combination of client count, state size and mode, side by
 * side in a table and in an HTML report with plots ({@link HandoffReport}).
 */
public final class HandoffBench {

    /** A cross-version live cutover may pause this many times the same-version one's, plus the slack. */
    static final double UPGRADE_PAUSE_FACTOR = 1.5;
    static final double UPGRADE_PAUSE_SLACK_MS = 2;

    /** What a row takes from its demo run's report, as the demo names it. */
    private static final List<String> FROM_DEMO = List.of("outcome", "handoff_ms", "cutover_pause_ms", "commit_suspensions", "stall_ms",
            "baseline_stall_ms", "stall_excess_ms", "noise_excess_ms", "handoff_cpu_us_per_client", "cpu_ms", "inputs_lost", "outputs_lost",
            "heap_bytes_per_session", "source_schema", "target_schema", "rule_violations");

    /** The rows, one per run (mode, clients, state_mb, tick_hz, the demo's figures, passed), and whether all passed. */
    public record Result(List<Map<String, Object>> rows, boolean allPassed) {
    }

    private HandoffBench() {
    }

    /**
     * Runs every combination ({@code modes}: live, stopcopy, restart, the words of the demo's --mode),
     * {@code perBotProcess} bots to a process, and writes the HTML report to {@code report}; {@code product} as for {@link Demo#run}.
     */
    public static Result run(List<Integer> clients, List<Integer> stateMb, List<String> modes, int tickHz,
                             int perBotProcess, Path report, Class<?> product) throws Exception {
        return run(clients, stateMb, modes, tickHz, perBotProcess, report, product, true);
    }

    /** As above, with TLS on every link of every row ({@code tls}, the default) or every link in the clear. */
    public static Result run(List<Integer> clients, List<Integer> stateMb, List<String> modes, int tickHz,
                             int perBotProcess, Path report, Class<?> product, boolean tls) throws Exception {
        return run(clients, stateMb, modes, tickHz, perBotProcess, report, product, tls, DemoSettings.SAME_VERSION);
    }

    /**
     * As above; with a {@code targetVersion} other than {@link DemoSettings#SAME_VERSION}, each live and stopcopy
     * row is followed by the same run with the target on that arena release ({@code demo --target-version}): a
     * cross-version live cutover and a cross-version stop-and-copy at the state size of the same-version row,
     * in the same run. A cross-version live row also says whether its cutover pause met the goal of issue 15,
     * at most {@link #UPGRADE_PAUSE_FACTOR} times the same-version row's plus {@link #UPGRADE_PAUSE_SLACK_MS}.
     */
    public static Result run(List<Integer> clients, List<Integer> stateMb, List<String> modes, int tickHz,
                             int perBotProcess, Path report, Class<?> product, boolean tls, int targetVersion)
            throws Exception {
        List<DemoSettings.Mode> kinds = new ArrayList<>();
        for (String m : modes) {
            try {
                kinds.add(DemoSettings.Mode.named(m));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--modes takes live, stopcopy and restart (the demo's --mode "
                        + "words), was '" + m + "'" + (m.equals("baton") ? "; the live handoff was called 'baton' "
                        + "here once: use live" : ""), e);
            }
        }
        // Refused before any run starts, in the demo's own words.
        DemoSettings.builder().clients(1).tickHz(tickHz).targetVersion(targetVersion).build();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> detail = new ArrayList<>();
        List<int[]> runs = new ArrayList<>(); // mode ordinal, target version
        for (DemoSettings.Mode mode : kinds) {
            runs.add(new int[] {mode.ordinal(), DemoSettings.SAME_VERSION});
            if (targetVersion != DemoSettings.SAME_VERSION && mode != DemoSettings.Mode.RESTART) {
                runs.add(new int[] {mode.ordinal(), targetVersion});
            }
        }
        int total = runs.size() * clients.size() * stateMb.size();
        int n = 0;
        boolean allPassed = true;
        for (int c : clients) {
            for (int mb : stateMb) {
                Double sameVersionLivePause = null;
                for (int[] run : runs) {
                    DemoSettings.Mode mode = DemoSettings.Mode.values()[run[0]];
                    n++;
                    System.err.printf("bench: row %d/%d: %s, %d clients, %d MiB, %d Hz%s%n", n, total, mode.word(), c, mb,
                            tickHz, run[1] == DemoSettings.SAME_VERSION ? "" : ", target on arena schema " + run[1]);
                    DemoResult r = Demo.run(DemoSettings.builder().clients(c).stateMb(mb).mode(mode).tickHz(tickHz)
                            .botProcesses(Math.max(1, (c + perBotProcess - 1) / perBotProcess)).measureHeap(true)
                            .tls(tls).targetVersion(run[1]).build(), product);
                    allPassed &= r.passed();
                    Map<String, Object> json = r.toJson();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("mode", mode.word());
                    row.put("clients", c);
                    row.put("state_mb", mb);
                    row.put("tick_hz", tickHz);
                    row.put("tls", tls);
                    for (String field : FROM_DEMO) {
                        row.put(field, json.get(field));
                    }
                    if (mode == DemoSettings.Mode.LIVE && run[1] == DemoSettings.SAME_VERSION) {
                        sameVersionLivePause = r.cutoverPauseMs();
                    } else if (mode == DemoSettings.Mode.LIVE) {
                        Double goal = sameVersionLivePause == null ? null
                                : Demo.round(UPGRADE_PAUSE_FACTOR * sameVersionLivePause + UPGRADE_PAUSE_SLACK_MS);
                        row.put("pause_goal_ms", goal);
                        row.put("pause_goal_met", goal == null || r.cutoverPauseMs() == null ? null
                                : r.cutoverPauseMs() <= goal);
                    }
                    row.put("passed", r.passed());
                    rows.add(row);
                    Map<String, Object> d = new LinkedHashMap<>(row);
                    d.put("stalls", r.recording().stallsMs());
                    d.put("baseline_stalls", r.recording().baselineStallsMs());
                    d.put("timeline", r.recording().timeline());
                    d.put("moves", r.recording().movesMs());
                    d.put("heard_move", r.recording().heardMoveMs());
                    d.put("attached", r.recording().attachedMs());
                    d.put("switched", r.recording().switchedMs());
                    d.put("gaps", r.recording().gaps());
                    d.put("cutover_ms", r.recording().cutoverMs());
                    detail.add(d);
                }
            }
        }
        write(report, HandoffReport.html(detail, tickHz));
        return new Result(rows, allPassed);
    }

    private static void write(Path report, String html) throws IOException {
        Files.writeString(report, html, StandardCharsets.UTF_8);
        System.err.println("bench: report written to " + report.toAbsolutePath());
    }

    /**
     * A row's mode as the table and the report show it: the demo's word, and for a cross-version row the
     * schemas, {@code live:2->3}.
     */
    static String label(Map<String, Object> row) {
        Object from = row.get("source_schema");
        Object to = row.get("target_schema");
        return from == null || from.equals(to) ? String.valueOf(row.get("mode")) : row.get("mode") + ":" + from + "->" + to;
    }

    /** The rows as a table for a terminal. */
    public static String table(List<Map<String, Object>> rows) {
        String format = "%-9s %7s %6s  %-9s %10s %10s %22s %22s %22s %30s %6s %9s%n";
        StringBuilder b = new StringBuilder(String.format(format, "mode", "clients", "MiB", "outcome", "handoff",
                "pause", "stall p50/p99/max", "baseline p50/p99/max", "excess p50/p99/max", "CPU us/client s/t/c/servers",
                "lost", "B/session"));
        for (Map<String, Object> row : rows) {
            b.append(String.format(format, label(row), row.get("clients"), row.get("state_mb"), row.get("outcome"),
                    row.get("handoff_ms"), row.get("cutover_pause_ms"), HandoffReport.triple(row.get("stall_ms"), "/"),
                    HandoffReport.triple(row.get("baseline_stall_ms"), "/"),
                    HandoffReport.triple(row.get("stall_excess_ms"), "/"), HandoffReport.cpuPerClient(row, "/"),
                    ((Number) row.get("inputs_lost")).longValue() + ((Number) row.get("outputs_lost")).longValue(),
                    row.get("heap_bytes_per_session")));
        }
        return b.toString();
    }
}
