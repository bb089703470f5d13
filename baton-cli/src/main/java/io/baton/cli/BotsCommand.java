package io.baton.cli;

import io.baton.arena.BotFleet;
import io.baton.arena.FleetReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bots", mixinStandardHelpOptions = true,
        description = {
            "Run arena bots against a server, then verify every action end to end.",
            "",
            "Each bot checks that the game applied exactly the inputs it sent, in order, and that it received",
            "every tick exactly once.",
            "Exits 0 when every bot verified clean, 1 otherwise."
        })
final class BotsCommand implements Callable<Integer> {

    @Option(names = "--server", defaultValue = "127.0.0.1:7000", description = "Server client endpoint (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--clients", defaultValue = "100", description = "Number of bots (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration-s", defaultValue = "30", description = "How long the bots play (default: ${DEFAULT-VALUE}).")
    int durationS;

    @Option(names = "--input-hz", defaultValue = "10", description = "Inputs per second per bot (default: ${DEFAULT-VALUE}).")
    double inputHz;

    @Option(names = "--tick-hz", defaultValue = "30", description = "The server's tick rate, for stall figures (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--bind-addresses", defaultValue = "0",
            description = "Spread bots over 127.0.0.1..127.0.0.N (0: let the OS choose; default: ${DEFAULT-VALUE}).")
    int bindAddresses;

    @Override
    public Integer call() throws Exception {
        int colon = server.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--server must be host:port, was '" + server + "'");
        }
        try (BotFleet fleet = BotFleet.builder(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)))
                .clients(clients).inputHz(inputHz).tickHz(tickHz).bindAddresses(bindAddresses)
                .progress(line -> System.err.println("bots: " + line)).build()) {
            fleet.start();
            long end = System.nanoTime() + durationS * 1_000_000_000L;
            long nextReport = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(250, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                if (System.nanoTime() >= nextReport) {
                    System.err.printf("bots: %d connected, %d switched%n", fleet.connected(), fleet.clientsSwitched());
                    nextReport += 5_000_000_000L;
                }
            }
            FleetReport report = fleet.stopAndVerify();
            System.out.println(report.format());
            return report.passed() ? 0 : 1;
        }
    }
}
