package io.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.bench.Throughput;
import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.harness.ChildProcess;
import io.baton.harness.Jcmd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that measure Baton against what it replaces, in the same run.",
        subcommands = {BenchHandoffCommand.class, BenchCommand.ThroughputCommand.class, BenchFloorCommand.class,
            BenchCommand.JmhCommand.class})
final class BenchCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.err.println("baton bench: name a benchmark (handoff, throughput, floor, jmh)");
        spec.commandLine().usage(System.err);
        return 2;
    }

    @Command(name = "jmh", mixinStandardHelpOptions = true,
            description = {
                "JMH micro-benchmarks of the codec and the core's input-to-output path.",
                "",
                "CodecBench: encoding and decoding frames. CoreBench: one INPUT through the server core to its "
                    + "OUTPUT and the end-of-burst flush, with no I/O.",
                "",
                "Arguments after -- go to JMH, for example:",
                "  ./baton bench jmh -- -f 1 -wi 3 -i 5 CoreBench"
            })
    static final class JmhCommand implements Callable<Integer> {

        @picocli.CommandLine.Parameters(arity = "0..*", description = "JMH options and benchmark patterns.")
        List<String> jmhArgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            org.openjdk.jmh.Main.main(jmhArgs.toArray(new String[0]));
            return 0;
        }
    }

    @Command(name = "throughput", mixinStandardHelpOptions = true,
            description = {
                "Messages per second through a Baton session and through a plain Netty echo; heap per session.",
                "",
                "Both are measured in the same run, in alternating rounds (drift in the machine hits both); "
                    + "the echo is a length-framed Netty echo written for the comparison.",
                "",
                "Each row also gives the CPU its server's and its client's event loop thread spent per message: "
                    + "each end is one thread, so the busier of the two bounds the rate.",
                "",
                "The heap a Baton server spends per idle session (a server process with N idle sessions, heap "
                    + "measured by jcmd after a full collection, before and after they connect).",
                "",
                "Exits 0 when both were measured; the figures are the result, not a pass or fail."
            })
    static final class ThroughputCommand implements Callable<Integer> {

        private static final ObjectMapper JSON = new ObjectMapper();

        @Option(names = "--connections", defaultValue = "4", description = "Connections (default: ${DEFAULT-VALUE}).")
        int connections;

        @Option(names = "--window", defaultValue = "32", description = "Messages in flight per connection (default: ${DEFAULT-VALUE}).")
        int window;

        @Option(names = "--payload", defaultValue = "32", description = "Payload bytes per message (default: ${DEFAULT-VALUE}).")
        int payload;

        @Option(names = "--warmup-s", defaultValue = "2", description = "Unmeasured load before each round (default: ${DEFAULT-VALUE}).")
        double warmupS;

        @Option(names = "--measure-s", defaultValue = "5", description = "Measured time per round (default: ${DEFAULT-VALUE}).")
        double measureS;

        @Option(names = "--rounds", defaultValue = "5", description = "Rounds of each, alternating; the figures are their medians (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--idle-sessions", defaultValue = "2000",
                description = "Idle sessions for the heap figure; 0 skips it (default: ${DEFAULT-VALUE}).")
        int idleSessions;

        @Option(names = "--json", description = "Print exactly one JSON object on stdout (progress goes to stderr).")
        boolean json;

        @Option(names = "--websocket", description = "Also measure both over WebSocket, in the same alternating "
                + "rounds: Baton on its client port's /baton against a plain Netty WebSocket echo of binary messages.")
        boolean webSocket;

        @Option(names = "--no-tls", description = "Skip the TLS rows (Baton over TLS against a plain Netty TLS echo, "
                + "in the same rounds, with throwaway certificates and the same TLS provider).")
        boolean noTls;

        @Override
        public Integer call() throws Exception {
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1");
            }
            Throughput.Load load = new Throughput.Load(connections, window, payload,
                    Duration.ofMillis((long) (warmupS * 1000)), Duration.ofMillis((long) (measureS * 1000)));
            // Every round's result by its row's JSON name, in the order the rows are measured.
            Map<String, List<Throughput.Result>> rows = new LinkedHashMap<>();
            java.nio.file.Path certDir = noTls ? null : java.nio.file.Files.createTempDirectory("baton-bench-tls-");
            io.baton.transport.Tls.CertificateFiles certs = noTls ? null
                    : io.baton.transport.Tls.writeDevelopmentCertificates(certDir, List.of("127.0.0.1"), 1, false);
            for (int r = 1; r <= rounds; r++) {
                Throughput.Result n = Throughput.plainNetty(load);
                say("round %d/%d: plain Netty echo %,.0f msg/s", r, rounds, n.perSecond());
                rows.computeIfAbsent("plain_netty", k -> new ArrayList<>()).add(n);
                Throughput.Result b = Throughput.baton(load);
                say("round %d/%d: Baton session    %,.0f msg/s", r, rounds, b.perSecond());
                rows.computeIfAbsent("baton", k -> new ArrayList<>()).add(b);
                if (webSocket) {
                    Throughput.Result nw = Throughput.plainNettyWebSocket(load);
                    say("round %d/%d: plain Netty WebSocket echo %,.0f msg/s", r, rounds, nw.perSecond());
                    rows.computeIfAbsent("plain_netty_websocket", k -> new ArrayList<>()).add(nw);
                    Throughput.Result bw = Throughput.baton(load, true);
                    say("round %d/%d: Baton over WebSocket    %,.0f msg/s", r, rounds, bw.perSecond());
                    rows.computeIfAbsent("baton_websocket", k -> new ArrayList<>()).add(bw);
                }
                if (certs != null) {
                    Throughput.Result nt = Throughput.plainNetty(load, certs);
                    say("round %d/%d: plain Netty TLS echo   %,.0f msg/s", r, rounds, nt.perSecond());
                    rows.computeIfAbsent("plain_netty_tls", k -> new ArrayList<>()).add(nt);
                    Throughput.Result bt = Throughput.baton(load, certs);
                    say("round %d/%d: Baton session over TLS %,.0f msg/s", r, rounds, bt.perSecond());
                    rows.computeIfAbsent("baton_tls", k -> new ArrayList<>()).add(bt);
                }
            }
            List<Double> netty = rates(rows, "plain_netty");
            List<Double> baton = rates(rows, "baton");
            double nettyMedian = median(netty);
            double batonMedian = median(baton);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connections", connections);
            out.put("window", window);
            out.put("payload_bytes", payload);
            out.put("measure_s", measureS);
            out.put("plain_netty_msgs_per_s", round(netty));
            out.put("baton_msgs_per_s", round(baton));
            out.put("plain_netty_median", Math.round(nettyMedian));
            out.put("baton_median", Math.round(batonMedian));
            out.put("ratio", Math.round(batonMedian / nettyMedian * 1000) / 1000.0);
            String wsRows = "";
            if (webSocket) {
                List<Double> nettyWs = rates(rows, "plain_netty_websocket");
                List<Double> batonWs = rates(rows, "baton_websocket");
                double nettyWsMedian = median(nettyWs);
                double batonWsMedian = median(batonWs);
                out.put("plain_netty_websocket_msgs_per_s", round(nettyWs));
                out.put("baton_websocket_msgs_per_s", round(batonWs));
                out.put("plain_netty_websocket_median", Math.round(nettyWsMedian));
                out.put("baton_websocket_median", Math.round(batonWsMedian));
                out.put("websocket_ratio", Math.round(batonWsMedian / nettyWsMedian * 1000) / 1000.0);
                wsRows = String.format("  plain Netty WebSocket echo  %,d msg/s%n  Baton over WebSocket        %,d msg/s"
                                + "  (%.2f x plain Netty WebSocket)%n", Math.round(nettyWsMedian),
                        Math.round(batonWsMedian), batonWsMedian / nettyWsMedian);
            }
            String tlsRows = "";
            if (certs != null) {
                List<Double> nettyTls = rates(rows, "plain_netty_tls");
                List<Double> batonTls = rates(rows, "baton_tls");
                double nt = median(nettyTls);
                double bt = median(batonTls);
                out.put("tls_provider", io.baton.transport.Tls.provider());
                out.put("plain_netty_tls_msgs_per_s", round(nettyTls));
                out.put("baton_tls_msgs_per_s", round(batonTls));
                out.put("plain_netty_tls_median", Math.round(nt));
                out.put("baton_tls_median", Math.round(bt));
                out.put("tls_ratio", Math.round(bt / nt * 1000) / 1000.0);
                tlsRows = String.format("  plain Netty TLS echo   %,d msg/s%n  Baton session over TLS %,d msg/s  "
                        + "(%.2f x plain Netty TLS; TLS 1.3 via %s)%n", Math.round(nt), Math.round(bt), bt / nt,
                        io.baton.transport.Tls.provider());
                for (java.nio.file.Path p : List.of(certs.ca(), certs.caKey(), certs.cert(), certs.key(), certDir)) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
            StringBuilder cpuRows = new StringBuilder("CPU per message, median ns (server thread / client thread; "
                    + "the busier one bounds the rate)\n");
            for (Map.Entry<String, List<Throughput.Result>> row : rows.entrySet()) {
                List<Double> server = new ArrayList<>();
                List<Double> client = new ArrayList<>();
                for (Throughput.Result r : row.getValue()) {
                    server.add(r.serverCpuNanosPerMessage());
                    client.add(r.clientCpuNanosPerMessage());
                }
                Map<String, Object> cpu = new LinkedHashMap<>();
                cpu.put("server", Math.round(median(server)));
                cpu.put("client", Math.round(median(client)));
                out.put(row.getKey() + "_cpu_ns_per_msg", cpu);
                cpuRows.append(String.format("  %-28s %,5d / %,5d%n", row.getValue().get(0).system(),
                        Math.round(median(server)), Math.round(median(client))));
            }
            if (idleSessions > 0) {
                out.put("idle_sessions", idleSessions);
                out.put("heap_bytes_per_idle_session", heapPerIdleSession());
            }
            if (json) {
                System.out.println(JSON.writeValueAsString(out));
            } else {
                System.out.printf("throughput (%d connections x %d in flight, %d-byte payload, median of %d rounds)%n"
                                + "  plain Netty echo  %,d msg/s%n  Baton session     %,d msg/s  (%.2f x plain Netty)%n%s%s",
                        connections, window, payload, rounds, Math.round(nettyMedian), Math.round(batonMedian),
                        batonMedian / nettyMedian, wsRows + tlsRows + cpuRows, idleSessions > 0
                                ? String.format("heap per idle session  %,d bytes (%d sessions)%n",
                                out.get("heap_bytes_per_idle_session"), idleSessions) : "");
            }
            return 0;
        }

        /**
         * Starts a server process hosting {@code echo}, connects {@link #idleSessions} idle sessions to it
         * from this process, and returns the growth of its heap after a full collection, per session.
         */
        private long heapPerIdleSession() throws Exception {
            Path dir = Files.createTempDirectory("baton-bench-");
            List<String> args = List.of("serve", "--service", "echo", "--host", "127.0.0.1", "--port", "0",
                    "--peer-port", "-1", "--admin-port", "-1", "--rehearse-ms", "0",
                    "--peer-secret-file", dir.resolve("peer-secret").toString());
            try (ChildProcess server = ChildProcess.start(Main.class, "server", dir, List.of("-Xms512m", "-Xmx2g"), args, 60);
                 ClientRuntime runtime = ClientRuntime.create(2)) {
                long pid = server.ready().path("pid").asLong();
                int port = server.ready().path("client_port").asInt();
                long before = Jcmd.heapUsedAfterGc(pid);
                List<CompletableFuture<BatonClient>> pending = new ArrayList<>();
                for (int i = 0; i < idleSessions; i++) {
                    pending.add(runtime.connect(ClientOptions.builder("127.0.0.1", port).build(), m -> { }));
                    if (pending.size() % 500 == 0) {
                        say("idle sessions: %d/%d connecting", pending.size(), idleSessions);
                    }
                }
                List<BatonClient> clients = new ArrayList<>();
                for (CompletableFuture<BatonClient> f : pending) {
                    clients.add(f.get(60, TimeUnit.SECONDS));
                }
                long after = Jcmd.heapUsedAfterGc(pid);
                say("server heap after a full collection: %,d bytes idle, %,d bytes with %d sessions", before, after,
                        idleSessions);
                for (BatonClient c : clients) {
                    c.close();
                }
                return (after - before) / idleSessions;
            }
        }

        /** The messages per second of each round of the row named {@code key}. */
        private static List<Double> rates(Map<String, List<Throughput.Result>> rows, String key) {
            List<Double> rates = new ArrayList<>();
            for (Throughput.Result r : rows.get(key)) {
                rates.add(r.perSecond());
            }
            return rates;
        }

        private static double median(List<Double> xs) {
            List<Double> s = new ArrayList<>(xs);
            s.sort(Double::compare);
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        private static List<Long> round(List<Double> xs) {
            List<Long> r = new ArrayList<>();
            for (double x : xs) {
                r.add(Math.round(x));
            }
            return r;
        }

        private static void say(String fmt, Object... args) {
            System.err.println("bench: " + String.format(fmt, args));
        }
    }
}
