package io.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.harness.BrowserClients;
import io.baton.harness.Demo;
import io.baton.harness.DemoResult;
import io.baton.harness.DemoSettings;
import io.baton.harness.Fault;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, modelTransformer = DemoCommand.FaultHelp.class,
        description = {
            "Source, target, bots and a handoff on this machine, with a report of what the clients saw.",
            "",
            "Starts a source and a standby target as separate processes on loopback, lets arena bots play on "
                + "the source, hands off mid-run, keeps playing on the target, then verifies every action.",
            "",
            "In the report: moved = told where the target is (MOVE), attached = pre-connected to the target, "
                + "switched = on the target after the cutover; the fallback resume is how a client that could not "
                + "attach reconnects; an index is an event's place in the log (more in README.md).",
            "",
            "Exits 0 when the handoff ended as promised (without --fault: completed, every client switched and "
                + "the target's state equal to the source's at cutover; with one: the outcome the fault lists "
                + "below, which the report prints beside the one seen) and nothing was lost, duplicated or "
                + "reordered; 1 otherwise.",
            "",
            "Each run works in a fresh directory, /tmp/baton-demo-*: every process's log, both servers' journals "
                + "and the run's secrets. It is named when the run starts and when it ends, and kept whatever the "
                + "outcome, since a run that passed can be as worth a look as one that failed (a stall, a phase); "
                + "delete it when done."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--clients", defaultValue = "" + DemoSettings.CLIENTS, description = "Bots (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--tick-hz", defaultValue = "" + DemoSettings.TICK_HZ,
            description = "Game ticks per second (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--state-mb", defaultValue = "" + DemoSettings.STATE_MB, description = "MiB of extra world state that keeps changing (default: ${DEFAULT-VALUE}).")
    int stateMb;

    @Option(names = "--mode", defaultValue = "live", description = "live (Baton's handoff), stopcopy (Baton's stop-and-copy) "
            + "or restart (no Baton: the source saves its state to disk and exits, the target loads it, and clients of "
            + "the kind games ship today reconnect with backoff from 100 ms, losing what they send meanwhile) "
            + "(default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--input-hz", defaultValue = "" + DemoSettings.INPUT_HZ,
            description = "Inputs per second per bot (default: ${DEFAULT-VALUE}).")
    double inputHz;

    @Option(names = "--warmup-s", defaultValue = "" + DemoSettings.WARMUP_S,
            description = "Play before the handoff (default: ${DEFAULT-VALUE}).")
    double warmupS;

    @Option(names = "--after-s", defaultValue = "" + DemoSettings.AFTER_S,
            description = "Play on the target after the handoff (default: ${DEFAULT-VALUE}).")
    double afterS;

    @Option(names = "--browser", description = "Arena pages in headless Chromium as the clients instead of bots "
            + "(--clients pages, each playing by itself over WebSocket), driven by clients/browser-test (run npm ci "
            + "there first); the report is counted from what the pages verified, with screenshots of one page before, "
            + "during and after the handoff in the run's directory; the report's transport is websocket. One handoff, no --fault; --after-s defaults to "
            + BrowserClients.AFTER_S + " s.")
    boolean browser;

    @Option(names = "--node", defaultValue = "node", paramLabel = "PATH",
            description = "With --browser: the Node executable that runs the browser driver (default: ${DEFAULT-VALUE}).")
    String node;

    @Option(names = "--chromium", defaultValue = BrowserClients.Options.CHROMIUM, paramLabel = "PATH",
            description = "With --browser: the Chromium it drives (default: ${DEFAULT-VALUE}, Debian's chromium package).")
    String chromium;

    @CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout (logs go to stderr).")
    boolean json;

    /** Its description lists every {@link Fault}, from the faults themselves: see {@link FaultHelp}. */
    @Option(names = "--fault", defaultValue = "none", description = "Inject one fault during the handoff.")
    String fault;

    @Option(names = "--handoffs", defaultValue = "" + DemoSettings.HANDOFFS,
            description = "Handoffs in a row, each to a fresh standby server: source -> target -> a third... (1-4, "
                    + "default: ${DEFAULT-VALUE}; more than one only without --fault).")
    int handoffs;

    @Option(names = "--trace-stalls", description = "Print on stderr when each client's worst gap started, against the phases.")
    boolean traceStalls;

    @Option(names = "--redirect-per-second", defaultValue = "" + DemoSettings.REDIRECT_PER_SECOND,
            description = "Fastest pace of MOVE frames, passed to the servers (default: ${DEFAULT-VALUE}).")
    int redirectPerSecond;

    @Option(names = "--realtime-priority", defaultValue = "" + DemoSettings.REALTIME_PRIORITY, paramLabel = "N",
            description = "SCHED_FIFO priority of the servers' event loops (see serve --help); the bots' loops and "
                    + "pacer get N+1. 0 for the normal scheduler, as serve runs by default (default: ${DEFAULT-VALUE}).")
    int realtimePriority;

    @Option(names = "--transport", defaultValue = "tcp", paramLabel = "tcp|websocket",
            description = "How the bots reach the source: Baton over TCP, or over WebSocket on the same port "
                    + "(bots --transport; default: ${DEFAULT-VALUE}).")
    BotsCommand.ClientTransport transport;

    @Option(names = "--no-tls", description = "Every link in the clear. By default the demo makes a CA and a server "
            + "certificate in its run directory (as ./baton certs does), both servers serve TLS 1.3 on every port with "
            + "them (the peer link mutual), and the bots and the orchestrator trust the CA.")
    boolean noTls;

    @Option(names = "--target-version", defaultValue = "" + DemoSettings.SAME_VERSION, paramLabel = "N",
            description = "The arena release the target runs (serve --service-version N), the source running the "
                    + "default one, schema " + DemoSettings.SOURCE_VERSION + ": " + DemoSettings.NEWER_VERSION
                    + " hands off to the newer release (its rules from the target's first tick; the bots check that "
                    + "they see them then and never before). 0: the source's (default: ${DEFAULT-VALUE}).")
    int targetVersion;

    @Option(names = "--bot-processes", defaultValue = "" + DemoSettings.BOT_PROCESSES, description = "Processes the bots are spread over (default: ${DEFAULT-VALUE}).")
    int botProcesses;

    @Option(names = "--server-jvm-opts", split = " ",
            description = "JVM options of the two servers (default: those ./baton gives serve, from jvm.options: "
                    + "${sys:baton.demo.serverJvm}).")
    List<String> serverJvm;

    @Option(names = "--bots-jvm-opts", split = " ",
            description = "JVM options of the bot processes (default: those ./baton gives bots: ${sys:baton.demo.botJvm}).")
    List<String> botJvm;

    static {
        // For the two descriptions above: the defaults come from a file, not from constants.
        System.setProperty("baton.demo.serverJvm", String.join(" ", DemoSettings.launcherServerJvm()));
        System.setProperty("baton.demo.botJvm", String.join(" ", DemoSettings.launcherBotJvm()));
    }

    @Override
    public Integer call() throws Exception {
        DemoSettings.Mode m = DemoSettings.Mode.named(mode);
        if (browser && targetVersion != DemoSettings.SAME_VERSION) {
            throw new IllegalArgumentException("--target-version with --browser: the arena pages decode the newer "
                    + "release's updates but do not count rule violations as the bots do, so the run could not "
                    + "verify the upgrade; leave out --browser (the bots check it)");
        }
        RealtimeOption.check(realtimePriority);
        // Checked before any server starts: a missing Node, npm ci or Chromium is named at once.
        BrowserClients.Options browserOptions = browser ? new BrowserClients.Options(driverDir(), node, chromium) : null;
        if (browser && !spec.commandLine().getParseResult().hasMatchedOption("--after-s")) {
            afterS = BrowserClients.AFTER_S;
        }
        DemoSettings.Builder b = DemoSettings.builder().clients(clients).tickHz(tickHz).stateMb(stateMb).mode(m)
                .inputHz(inputHz).warmupS(warmupS).afterS(afterS).fault(Fault.named(fault)).handoffs(handoffs)
                .traceStalls(traceStalls).redirectPerSecond(redirectPerSecond).realtimePriority(realtimePriority)
                .botProcesses(botProcesses).webSocket(browser || transport == BotsCommand.ClientTransport.websocket)
                .tls(!noTls).targetVersion(targetVersion);
        if (serverJvm != null) {
            b.serverJvm(serverJvm);
        }
        if (botJvm != null) {
            b.botJvm(botJvm);
        }
        DemoSettings settings = b.build();
        if (browser) {
            BrowserClients.Run run = Demo.runInBrowsers(settings, Main.class, browserOptions);
            if (json) {
                System.out.println(new ObjectMapper().writeValueAsString(run.toJson()));
            } else {
                System.out.print(run.text());
            }
            return run.passed() ? 0 : 1;
        }
        DemoResult result = Demo.run(settings, Main.class);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(result.toJson()));
        } else {
            System.out.print(result.text());
        }
        return result.passed() ? 0 : 1;
    }

    /**
     * {@code clients/browser-test} of the checkout this command runs from: ./baton runs
     * {@code baton-cli/target/baton.jar}, and the build's tests {@code baton-cli/target/classes}.
     */
    static java.nio.file.Path driverDir() throws java.net.URISyntaxException {
        java.nio.file.Path code = java.nio.file.Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return code.toAbsolutePath().getParent().getParent().getParent().resolve("clients").resolve("browser-test");
    }

    /** Writes the description of {@code --fault} from {@link Fault}: one line per fault, its name and what it does. */
    static final class FaultHelp implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            OptionSpec option = spec.findOption("--fault");
            List<String> lines = new ArrayList<>(List.of("Inject one fault during the handoff (default: ${DEFAULT-VALUE}):"));
            for (Fault f : Fault.values()) {
                if (f != Fault.NONE) {
                    lines.add(f.cliName() + ": " + f.description());
                }
            }
            spec.remove(option);
            spec.addOption(OptionSpec.builder(option).description(lines.toArray(String[]::new)).build());
            return spec;
        }
    }
}
