package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.arena.BotFleet;
import io.baton.bench.Floor;
import io.baton.harness.ChildProcess;
import io.baton.harness.DemoSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "floor", mixinStandardHelpOptions = true,
        description = {
            "What this machine spends to give N TCP connections one small frame per tick, with no protocol at all.",
            "",
            "A plain Netty server process writes a 36-byte frame to every connection each tick from one event "
                + "loop, as a game server's tick loop does; client processes (spread over source addresses "
                + "127.0.0.2, 127.0.0.3, ...) read them. No sessions, acknowledgements, inputs, game or "
                + "verification: whatever Baton costs comes on top of this. It reports the CPU each side used "
                + "over the measured interval, in cores, and each connection's longest gap between two frames "
                + "beyond the tick period, measured the way the arena bots measure stalls.",
            "",
            "Exits 0 when it measured; the figures are the result, not a pass or fail."
        })
final class BenchFloorCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--clients", defaultValue = "10000", description = "Connections (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--tick-hz", defaultValue = "10", description = "Frames per second per connection (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--processes", defaultValue = "2",
            description = "Client processes the connections are spread over; a process may hold 20,000 open files "
                    + "here (default: ${DEFAULT-VALUE}).")
    int processes;

    @Option(names = "--warmup-s", defaultValue = "3", description = "Load before the measured interval (default: ${DEFAULT-VALUE}).")
    int warmupS;

    @Option(names = "--measure-s", defaultValue = "10", description = "Measured interval (default: ${DEFAULT-VALUE}).")
    int measureS;

    @Option(names = "--json", description = "Print exactly one JSON object on stdout (progress goes to stderr).")
    boolean json;

    // The two sides, as child processes of this command.
    @Option(names = "--realtime-priority", defaultValue = "" + DemoSettings.REALTIME_PRIORITY, paramLabel = "N",
            description = "SCHED_FIFO priority of the floor's event loops, as ./baton demo gives Baton's; 0 for the "
                    + "normal scheduler (default: ${DEFAULT-VALUE}).")
    int realtimePriority;

    @Option(names = "--role", hidden = true)
    String role;

    @Option(names = "--server-port", hidden = true)
    int serverPort;

    @Option(names = "--bind", hidden = true)
    String bind;

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || tickHz < 1 || processes < 1 || processes > 250 || warmupS < 0 || measureS < 1) {
            throw new IllegalArgumentException("--clients, --tick-hz, --measure-s must be positive and --processes 1-250");
        }
        RealtimeOption.check(realtimePriority);
        RealtimeOption.apply(role == null ? 0 : realtimePriority); // the children's loops, not this process's
        if ("server".equals(role)) {
            return serveUntilStdinCloses();
        }
        if ("clients".equals(role)) {
            return clientsOnCommand();
        }
        return orchestrate();
    }

    private int serveUntilStdinCloses() throws Exception {
        try (Floor.Server s = new Floor.Server("127.0.0.1", tickHz)) {
            System.out.println(JSON.writeValueAsString(Map.of("event", "ready", "port", s.port())));
            System.out.flush();
            while (System.in.read() >= 0) {
                // the parent keeps stdin open for as long as it wants the server
            }
        }
        return 0;
    }

    private int clientsOnCommand() throws Exception {
        try (Floor.Clients c = new Floor.Clients("127.0.0.1", serverPort, clients, bind)) {
            System.out.println(JSON.writeValueAsString(Map.of("event", "ready")));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"measure".equals(in.readLine())) {
                return 1;
            }
            Floor.Result r = c.measure(Duration.ofSeconds(warmupS), Duration.ofSeconds(measureS));
            ObjectNode out = JSON.createObjectNode();
            out.put("event", "result");
            out.put("frames", r.frames());
            out.put("seconds", r.seconds());
            out.putPOJO("worst_gap_nanos", r.worstGapNanos());
            System.out.println(JSON.writeValueAsString(out));
            System.out.flush();
        }
        return 0;
    }

    private int orchestrate() throws Exception {
        Path dir = Files.createTempDirectory("baton-floor-");
        List<String> jvm = List.of("-Xms512m", "-Xmx2g", "-XX:+UseG1GC");
        say("server: one event loop, %d Hz; %d connections over %d client processes", tickHz, clients, processes);
        List<ChildProcess> fleet = new ArrayList<>();
        try (ChildProcess srv = ChildProcess.start(Main.class, "floor-server", dir, jvm,
                List.of("bench", "floor", "--role", "server", "--tick-hz", Integer.toString(tickHz),
                        "--realtime-priority", Integer.toString(realtimePriority)), 60)) {
            int port = srv.ready().path("port").asInt();
            try {
                for (int i = 0; i < processes; i++) {
                    int n = clients / processes + (i < clients % processes ? 1 : 0);
                    fleet.add(ChildProcess.start(Main.class, "floor-clients-" + i, dir, jvm, List.of("bench", "floor", "--role",
                            "clients", "--server-port", Integer.toString(port), "--clients", Integer.toString(n),
                            "--bind", "127.0.0." + (2 + i), "--warmup-s", Integer.toString(warmupS),
                            "--measure-s", Integer.toString(measureS),
                            "--realtime-priority", Integer.toString(DemoSettings.forPlayers(realtimePriority))), 300));
                    say("client process %d/%d: %d connected", i + 1, processes, n);
                }
                for (ChildProcess c : fleet) {
                    c.command("measure");
                }
                Thread.sleep(warmupS * 1000L); // the clients' own unmeasured load: not a wait for a condition
                long serverCpu0 = cpuNanos(List.of(srv));
                long clientsCpu0 = cpuNanos(fleet);
                long t0 = System.nanoTime();
                say("measuring for %d s", measureS);
                Thread.sleep(measureS * 1000L); // the measured interval: CPU is read at both ends
                double wall = (System.nanoTime() - t0) / 1e9;
                long serverCpu = cpuNanos(List.of(srv)) - serverCpu0;
                long clientsCpu = cpuNanos(fleet) - clientsCpu0;
                long frames = 0;
                List<Long> gaps = new ArrayList<>();
                for (ChildProcess c : fleet) {
                    JsonNode r = c.await("result", measureS + 60);
                    frames += r.path("frames").asLong();
                    r.path("worst_gap_nanos").forEach(g -> gaps.add(g.asLong()));
                }
                report(serverCpu / 1e9 / wall, clientsCpu / 1e9 / wall, frames / (double) measureS, gaps);
            } finally {
                for (ChildProcess c : fleet) {
                    c.close();
                }
            }
        }
        return 0;
    }

    /** Total CPU time (user and system) the processes have used so far, from the OS. */
    private static long cpuNanos(List<ChildProcess> processes) {
        long sum = 0;
        for (ChildProcess p : processes) {
            sum += ProcessHandle.of(p.pid()).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos)
                    .orElseThrow(() -> new IllegalStateException("the OS does not report the CPU time of " + p.name()));
        }
        return sum;
    }

    private void report(double serverCores, double clientCores, double framesPerSecond, List<Long> gaps)
            throws Exception {
        long period = 1_000_000_000L / tickHz;
        long[] p = BotFleet.percentiles(gaps.stream().mapToLong(g -> Math.max(0, g - period)).toArray());
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clients", clients);
        out.put("tick_hz", tickHz);
        out.put("client_processes", processes);
        out.put("frames_per_second", Math.round(framesPerSecond));
        out.put("expected_frames_per_second", (long) clients * tickHz);
        out.put("server_cores", round2(serverCores));
        out.put("client_cores", round2(clientCores));
        out.put("machine_cores", cores);
        out.put("stall_ms", Map.of("p50", round2(p[0] / 1e6), "p99", round2(p[1] / 1e6), "max", round2(p[2] / 1e6)));
        if (json) {
            System.out.println(JSON.writeValueAsString(out));
            return;
        }
        System.out.printf("floor: %,d connections, one %d-byte frame each per tick at %d Hz, no protocol%n",
                clients, 4 + Floor.PAYLOAD, tickHz);
        System.out.printf("  frames delivered  %,d/s of %,d/s%n", Math.round(framesPerSecond), (long) clients * tickHz);
        System.out.printf("  CPU               server %.2f cores, clients %.2f cores: %.2f of this machine's %d%n",
                serverCores, clientCores, serverCores + clientCores, cores);
        System.out.printf("  stall per client  p50 %s ms, p99 %s ms, max %s ms beyond one tick%n",
                round2(p[0] / 1e6), round2(p[1] / 1e6), round2(p[2] / 1e6));
    }

    private static double round2(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static void say(String fmt, Object... args) {
        System.err.println("floor: " + String.format(fmt, args));
    }
}
