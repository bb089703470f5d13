package io.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.arena.BotFleet;
import io.baton.arena.FleetReport;
import io.baton.bench.ReconnectingClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bots", mixinStandardHelpOptions = true,
        description = {
            "Run arena bots against a server, then verify every action end to end.",
            "",
            "Each bot checks that the game applied exactly the inputs it sent, in order, and that it received "
                + "every tick exactly once.",
            "",
            "Exits 0 when every bot verified clean, 1 otherwise."
        })
final class BotsCommand implements Callable<Integer> {

    /** Tick periods before the command and after the stall window that the gap timeline also covers. */
    private static final int GAP_MARGIN_TICKS = 15;

    @Option(names = "--server", defaultValue = "127.0.0.1:7000", description = "Server client endpoint (default: ${DEFAULT-VALUE}).")
    String server;

    /** How the bots reach the server's client port. */
    enum ClientTransport { tcp, websocket }

    @Option(names = "--transport", defaultValue = "tcp", paramLabel = "tcp|websocket",
            description = "Baton over TCP, or over WebSocket at ws://SERVER/baton on the same port (default: "
                    + "${DEFAULT-VALUE}).")
    ClientTransport transport;

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

    @Option(names = "--reconnect-to", paramLabel = "HOST:PORT",
            description = "Play with the client games ship today instead of Baton's: after a disconnect it reconnects "
                    + "to HOST:PORT with exponential backoff from 100 ms and resends nothing (the restart baseline of "
                    + "'bench handoff'; expect lost inputs).")
    String reconnectTo;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Connect over TLS 1.3, trusting the CA certificate(s) in FILE (PEM; ./baton certs writes "
                    + "ca.pem); the server's certificate must name the host of --server (and of any target a "
                    + "handoff sends the bots to). Default: in the clear.")
    java.nio.file.Path tlsCa;

    @Option(names = "--expect-rules", paramLabel = "SOURCE,TARGET", split = ",",
            description = "The arena's rules (2 or 3) the bots expect of the server they start on and of the one a "
                    + "handoff moves them to: an update showing other rules than its server's, the target's before a "
                    + "bot heard MOVE, or the source's after it switched, is a rule violation and fails the bot. "
                    + "Default: the rules of the first update, on both.")
    List<Integer> expectRules;

    @Option(names = "--control", hidden = true,
            description = "Driven by another process (the demo): JSON lines out, commands in on stdin.")
    boolean control;

    @Mixin
    RealtimeOption realtime;

    @Override
    public Integer call() throws Exception {
        realtime.apply();
        InetSocketAddress at = hostPort(server, "--server");
        reachable(at);
        BotFleet.Builder builder = BotFleet.builder(at.getHostString(), at.getPort())
                .clients(clients).inputHz(inputHz).tickHz(tickHz).bindAddresses(bindAddresses)
                .webSocket(transport == ClientTransport.websocket)
                .trust(tlsCa == null ? java.util.List.of() : io.baton.transport.Tls.certificates(tlsCa))
                .progress(line -> System.err.println("bots: " + line));
        if (expectRules != null) {
            if (expectRules.size() != 2) {
                throw new IllegalArgumentException("--expect-rules takes two numbers, the source's rules and the "
                        + "target's (e.g. 2,3), got " + expectRules);
            }
            builder.expectRules(expectRules.get(0), expectRules.get(1));
        }
        ReconnectingClient.Runtime baseline = null;
        if (reconnectTo != null) {
            if (transport != ClientTransport.tcp) {
                throw new IllegalArgumentException("--reconnect-to plays the restart baseline's client, which speaks "
                        + "TCP only; leave out --transport " + transport + " or --reconnect-to");
            }
            InetSocketAddress to = hostPort(reconnectTo, "--reconnect-to");
            baseline = new ReconnectingClient.Runtime(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                    to.getHostString(), to.getPort());
            // Lost inputs are never applied: waiting the usual 10 s for them would only delay the report.
            builder.connector(baseline::connect).settleTimeout(java.time.Duration.ofSeconds(2));
        }
        try {
            return play(builder);
        } finally {
            if (baseline != null) {
                baseline.close(); // after the fleet, which closed its sessions
            }
        }
    }

    private static InetSocketAddress hostPort(String value, String option) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(option + " must be host:port, was '" + value + "'");
        }
        return InetSocketAddress.createUnresolved(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
    }

    /**
     * One plain connect before the fleet starts: against a server that is not there, the bots' own retries
     * would take their whole resume window to give up, without saying why.
     */
    private static void reachable(InetSocketAddress at) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(at.getHostString(), at.getPort()), 2_000);
        } catch (java.io.IOException e) {
            String why = e instanceof java.net.ConnectException ? "connection refused"
                    : e instanceof java.net.SocketTimeoutException ? "nothing answered within 2 s"
                    : e instanceof java.net.UnknownHostException ? "unknown host" : String.valueOf(e.getMessage());
            throw new IllegalStateException("cannot connect to " + at.getHostString() + ":" + at.getPort() + " ("
                    + why + "): is 'baton serve' running there, and is that its client --port?", e);
        }
    }

    private int play(BotFleet.Builder builder) throws Exception {
        try (BotFleet fleet = builder.build()) {
            long started = System.nanoTime();
            int connected = fleet.start();
            long playing = System.nanoTime();
            if (control) {
                return controlled(fleet, connected, started, playing);
            }
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

    /**
     * The demo's side of the bargain: say ready, wait for {@code finish T0 TDONE AFTER_MS MOVED}, then measure and
     * verify and print one report line. Times are System.nanoTime values, which on Linux share one clock
     * (CLOCK_MONOTONIC) across the processes of a machine.
     */
    private int controlled(BotFleet fleet, int connected, long started, long playing) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("event", "ready");
        ready.put("clients", clients);
        ready.put("connected", connected);
        realtime.describe(ready);
        System.out.println(json.writeValueAsString(ready));
        System.out.flush();
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        String[] cmd = line == null ? new String[0] : line.trim().split("\\s+");
        if (cmd.length != 5 || !cmd[0].equals("finish")) {
            System.err.println("bots: expected 'finish T0 TDONE AFTER_MS MOVED(0|1)', got " + line);
            return 2;
        }
        long t0 = Long.parseLong(cmd[1]);
        long tDone = Long.parseLong(cmd[2]);
        // After an aborted handoff nobody moves: do not wait for it.
        long movedAt = cmd[4].equals("1") ? fleet.awaitMoved(connected, 10_000) : tDone;
        Thread.sleep(Long.parseLong(cmd[3])); // the bots keep playing on the target for this long
        long windowEnd = Math.max(tDone, movedAt) + 2 * (1_000_000_000L / tickHz);
        long length = windowEnd - t0;
        long[] baseline = fleet.stallsEndingBy(Math.max(started, t0 - length), t0);
        // The window before the baseline, as long, when the warm-up after every bot connected held it: two
        // windows without a handoff, which say how far apart noise puts them once the play has settled.
        long[] earlier = t0 - 2 * length >= playing ? fleet.stallsEndingBy(t0 - 2 * length, t0 - length) : new long[0];
        List<long[]> gaps = fleet.worstGaps(t0, windowEnd);
        long[] stalls = fleet.stalls(t0, windowEnd);
        FleetReport r = fleet.stopAndVerify(t0, windowEnd);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("event", "report");
        out.put("clients", r.clients());
        out.put("connect_failures", r.connectFailures());
        out.put("clients_moved", r.clientsMoved());
        out.put("clients_resumed", r.clientsResumed());
        r.tally().putInto(out);
        out.put("moved_at", movedAt);
        out.put("window_end", windowEnd);
        out.put("stalls", stalls);
        out.put("baseline_stalls", baseline);
        out.put("earlier_baseline_stalls", earlier);
        out.put("worst_gap_starts", gaps.stream().mapToLong(g -> g[0]).toArray());
        out.put("handoff_marks", gaps.stream().map(g -> new long[] {g[2], g[3], g[4]}).toList());
        out.put("move_times", fleet.moveTimes());
        // The largest gap per tick period, over this process's bots, from half a second before the command
        // to half a second after the window: the timeline of the report (at most BotFleet.MAX_GAP_BUCKETS).
        long tick = 1_000_000_000L / tickHz;
        long gapsFrom = t0 - GAP_MARGIN_TICKS * tick;
        out.put("gaps_from", gapsFrom);
        out.put("gap_bucket_ns", tick);
        out.put("max_gap_us", fleet.maxGapPerBucket(gapsFrom, tick,
                (int) Math.min(Integer.MAX_VALUE, (windowEnd - gapsFrom) / tick + 1 + GAP_MARGIN_TICKS)));
        System.out.println(json.writeValueAsString(out));
        System.out.flush();
        return r.passed() ? 0 : 1;
    }
}
