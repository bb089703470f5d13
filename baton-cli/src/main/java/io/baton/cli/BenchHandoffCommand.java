package io.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.harness.DemoSettings;
import io.baton.harness.HandoffBench;
import io.baton.harness.LinkBench;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
            "Modes, named as the demo's --mode names them: live (Baton's live handoff, with event shipping), stopcopy (Baton's stop-and-copy) and restart "
                + "(what games do today, without Baton: the source saves its state to disk and exits, the target "
                + "loads it, and clients reconnect with exponential backoff from 100 ms, losing what they send "
                + "meanwhile).",
            "",
            "Writes an HTML report with plots (no network needed to open it); --json prints one JSON object."
        })
final class BenchHandoffCommand implements Callable<Integer> {

    @Option(names = "--clients", defaultValue = "" + DemoSettings.CLIENTS, split = ",", description = "Client counts (default: ${DEFAULT-VALUE}).")
    List<Integer> clients = new ArrayList<>();

    @Option(names = "--state-mb", defaultValue = "0", split = ",", description = "Extra state sizes in MiB (default: ${DEFAULT-VALUE}).")
    List<Integer> stateMb = new ArrayList<>();

    @Option(names = "--modes", defaultValue = "live,stopcopy,restart", split = ",",
            description = "live, stopcopy, restart (default: ${DEFAULT-VALUE}).")
    List<String> modes = new ArrayList<>();

    @Option(names = "--target-version", defaultValue = "" + DemoSettings.SAME_VERSION, paramLabel = "N",
            description = "Also hand off to the arena release N (demo --target-version N, the source on the default "
                    + "release, schema " + DemoSettings.SOURCE_VERSION + "): each live and stopcopy row is followed by "
                    + "the same run across versions, and a cross-version live row says whether its cutover pause is at "
                    + "most 1.5 x the same-version row's + 2 ms (pause_goal_met). 0: no such rows (default: "
                    + "${DEFAULT-VALUE}).")
    int targetVersion;

    @Option(names = "--tick-hz", defaultValue = "" + DemoSettings.TICK_HZ, description = "Ticks per second (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--clients-per-bot-process", defaultValue = "2500",
            description = "Bots per process; a process may hold 20,000 open files (default: ${DEFAULT-VALUE}).")
    int perBotProcess;

    @Option(names = "--report", defaultValue = "bench-handoff.html", description = "Where to write the HTML report (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--no-tls", description = "Every link in the clear; by default every row runs TLS 1.3 on every "
            + "link, with certificates made in its run directory, as ./baton demo does.")
    boolean noTls;

    @Option(names = "--links", split = ",", paramLabel = "LINK",
            description = "Also the link comparison: live handoffs of the --clients counts with the bots on each "
                    + "link given, tcp (clear), tls (TCP in TLS 1.3), wss, ws (WebSocket with and without TLS), "
                    + "alternating within each of --link-rounds rounds, each row's stall p50/p99/max also as a ratio "
                    + "to the tcp row of its round (tcp is always run; default: none).")
    List<String> links = new ArrayList<>();

    @Option(names = "--link-rounds", defaultValue = "3",
            description = "Rounds of the link comparison, each running every --links kind once (default: ${DEFAULT-VALUE}).")
    int linkRounds;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout (progress goes to stderr).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!links.isEmpty()) {
            LinkBench.kinds(links, linkRounds); // refuses a bad --links before the first run, not after the rows
        }
        HandoffBench.Result r = HandoffBench.run(clients, stateMb, modes, tickHz, perBotProcess, report, Main.class,
                !noTls, targetVersion);
        HandoffBench.Result linkRows = links.isEmpty() ? null
                : LinkBench.run(clients, links, linkRounds, tickHz, perBotProcess, Main.class);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tick_hz", tickHz);
            out.put("rows", r.rows());
            if (linkRows != null) {
                out.put("link_rows", linkRows.rows());
            }
            out.put("report", report.toAbsolutePath().toString());
            System.out.println(new ObjectMapper().writeValueAsString(out));
        } else {
            System.out.print(HandoffBench.table(r.rows()));
            if (linkRows != null) {
                System.out.println();
                System.out.print(LinkBench.table(linkRows.rows()));
            }
        }
        return r.allPassed() && (linkRows == null || linkRows.allPassed()) ? 0 : 1;
    }
}
