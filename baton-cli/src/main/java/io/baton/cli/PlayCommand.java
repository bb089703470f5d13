package io.baton.cli;

import io.baton.harness.Play;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "play", mixinStandardHelpOptions = true,
        description = {
            "Watch your own dot keep moving through handoffs: two arena servers on two loopback ports take turns, "
                + "a few Java bots play, and the arena page is served on both ports. It prints the URL to open.",
            "",
            "Every --every (or when you press Enter) the serving server hands off to the other; the retired one "
                + "stops and a fresh standby starts on its port, so the next handoff goes back. Each handoff's "
                + "outcome is printed. q and Enter stops and prints what the bots verified; Ctrl-C stops "
                + "everything too.",
            "",
            "The page: arrow keys or WASD, or hold the mouse where to go; the HUD shows which server the session "
                + "is on, the tick, the largest gap between updates in the last 5 s, inputs sent and acknowledged "
                + "and handoffs seen. ?bot=1 makes it play by itself.",
            "",
            "Exits 0 when every handoff completed and the bots verified clean."
        })
final class PlayCommand implements Callable<Integer> {

    @Option(names = "--ports", split = ",", defaultValue = "7000,7001", paramLabel = "A,B",
            description = "The two client ports the servers take turns on; the page is at http://127.0.0.1:A/ "
                    + "(0 for a free one; default: ${DEFAULT-VALUE}).")
    int[] ports;

    @Option(names = "--bots", defaultValue = "8", description = "Java bots playing beside you (default: ${DEFAULT-VALUE}).")
    int bots;

    @Option(names = "--every", defaultValue = "20s", paramLabel = "DURATION",
            description = "Time between handoffs, as 20s, 1500ms or 2m; 0 for only on Enter (default: ${DEFAULT-VALUE}).")
    String every;

    @Option(names = "--handoffs", defaultValue = "0",
            description = "Stop after this many handoffs (0: until q or Ctrl-C; default: ${DEFAULT-VALUE}).")
    int handoffs;

    @Option(names = "--tick-hz", defaultValue = "30", description = "The arena's tick rate (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--input-hz", defaultValue = "10", description = "Each bot's inputs per second (default: ${DEFAULT-VALUE}).")
    double inputHz;

    @Option(names = "--mode", defaultValue = "live", description = "live or stopcopy, as 'baton handoff --mode' (default: ${DEFAULT-VALUE}).")
    String mode;

    @Override
    public Integer call() throws Exception {
        Play.Settings settings = new Play.Settings(ports, bots, tickHz, inputHz, duration(every), handoffs, mode);
        return Play.run(settings, Main.class, System.in, System.out) ? 0 : 1;
    }

    /** 20s, 1500ms, 2m, or 0. */
    static Duration duration(String text) {
        String t = text.trim();
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            }
        } catch (NumberFormatException e) {
            // Falls through to the message below.
        }
        throw new IllegalArgumentException("--every '" + text + "' is not a duration: give it as 20s, 1500ms, 2m, "
                + "or 0 for handoffs only on Enter");
    }
}
