package io.baton.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./baton bench handoff --links}: what TLS and WebSocket cost a live handoff's stall against plain TCP,
 * in one run. Each row is one demo run (live mode, no extra state) with the bots on one kind of link; the
 * kinds alternate within each round ({@code tcp, tls, wss, ws, tcp, tls, ...}) so that a machine whose load
 * drifts during the run weighs on every kind alike, and each row is set against the {@code tcp} row of its own
 * round: the ratio of its per-client stall p50, p99 and max to that row's.
 */
public final class LinkBench {

    /** The kinds of link a row's bots play over, and with them every other link of the run. */
    public enum Link {
        /** TCP, every link in the clear: what the others are set against. */
        TCP(false, false),
        /** TCP inside TLS 1.3 on every link (the demo's default). */
        TLS(false, true),
        /** WebSocket (wss://) inside TLS 1.3 on every link. */
        WSS(true, true),
        /** WebSocket (ws://), every link in the clear. */
        WS(true, false);

        final boolean webSocket;
        final boolean tls;

        Link(boolean webSocket, boolean tls) {
            this.webSocket = webSocket;
            this.tls = tls;
        }

        /** Its word on the command line and in the report. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Link named(String word) {
            for (Link l : values()) {
                if (l.word().equals(word)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("--links takes tcp, tls, wss and ws (tcp in the clear, tcp with TLS, "
                    + "WebSocket with TLS, WebSocket in the clear), comma separated; was '" + word + "'");
        }
    }

    /** What a row takes from its demo run, as the demo names it. */
    private static final List<String> FROM_DEMO = List.of("outcome", "handoff_ms", "stall_ms", "baseline_stall_ms",
            "stall_excess_ms", "handoff_cpu_us_per_client", "inputs_lost", "outputs_lost");
    private static final List<String> POINTS = List.of("p50", "p99", "max");

    private LinkBench() {
    }

    /**
     * {@code rounds} rounds of one demo run per link in {@code links} (which must include tcp, the reference),
     * for each client count; {@code product} as for {@link Demo#run}.
     */
    public static HandoffBench.Result run(List<Integer> clients, List<String> links, int rounds, int tickHz,
                                          int perBotProcess, Class<?> product) throws Exception {
        List<Link> kinds = kinds(links, rounds);
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean allPassed = true;
        int total = clients.size() * rounds * kinds.size();
        int n = 0;
        for (int c : clients) {
            for (int round = 1; round <= rounds; round++) {
                Map<String, Object> reference = null;
                for (Link link : kinds) {
                    n++;
                    System.err.printf("bench: link row %d/%d: %s, %d clients, round %d/%d%n", n, total, link.word(), c,
                            round, rounds);
                    DemoSettings s = DemoSettings.builder().clients(c).tickHz(tickHz)
                            .botProcesses(Math.max(1, (c + perBotProcess - 1) / perBotProcess))
                            .webSocket(link.webSocket).tls(link.tls).build();
                    DemoResult r = Demo.run(s, product);
                    allPassed &= r.passed();
                    Map<String, Object> json = r.toJson();
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("link", link.word());
                    row.put("transport", s.transport());
                    row.put("tls", link.tls);
                    row.put("clients", c);
                    row.put("round", round);
                    for (String field : FROM_DEMO) {
                        row.put(field, json.get(field));
                    }
                    if (link == Link.TCP) {
                        reference = row;
                    }
                    row.put("stall_vs_tcp", ratios(row.get("stall_ms"), reference.get("stall_ms")));
                    row.put("passed", r.passed());
                    rows.add(row);
                }
            }
        }
        return new HandoffBench.Result(rows, allPassed);
    }

    /**
     * The links a run of {@code links} measures, in the order each round runs them: tcp first (the reference),
     * then the others as given. Called before anything runs, so a typo costs no demo run.
     *
     * @throws IllegalArgumentException naming the option, for an unknown or repeated link, no tcp, or no round
     */
    public static List<Link> kinds(List<String> links, int rounds) {
        List<Link> kinds = new ArrayList<>();
        for (String w : links) {
            Link l = Link.named(w);
            if (kinds.contains(l)) {
                throw new IllegalArgumentException("--links lists " + w + " twice: " + links);
            }
            kinds.add(l);
        }
        if (!kinds.contains(Link.TCP)) {
            throw new IllegalArgumentException("--links needs tcp among them: every row is set against the tcp row of "
                    + "its round; was " + links);
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--link-rounds must be at least 1, was " + rounds);
        }
        kinds.remove(Link.TCP);
        kinds.add(0, Link.TCP);
        return List.copyOf(kinds);
    }

    /** p50, p99 and max of {@code distribution} over the same of {@code reference}, two decimals; null where unknown. */
    static Map<String, Object> ratios(Object distribution, Object reference) {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) distribution;
        @SuppressWarnings("unchecked")
        Map<String, Object> ref = (Map<String, Object>) reference;
        Map<String, Object> out = new LinkedHashMap<>();
        for (String p : POINTS) {
            Object a = d == null ? null : d.get(p);
            Object b = ref == null ? null : ref.get(p);
            out.put(p, a instanceof Number x && b instanceof Number y && y.doubleValue() > 0
                    ? Math.round(x.doubleValue() / y.doubleValue() * 100) / 100.0 : null);
        }
        return out;
    }

    /** p50/p99/max, "-" for a figure a run did not give (an aborted run has no stall distribution). */
    private static String triple(Object distribution) {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) distribution;
        StringBuilder b = new StringBuilder();
        for (String p : POINTS) {
            Object v = d == null ? null : d.get(p);
            b.append(b.length() == 0 ? "" : "/").append(v == null ? "-" : v);
        }
        return b.toString();
    }

    private static String lost(Map<String, Object> row) {
        return row.get("inputs_lost") instanceof Number i && row.get("outputs_lost") instanceof Number o
                ? Long.toString(i.longValue() + o.longValue()) : "-";
    }

    /** The rows as a table for a terminal. */
    public static String table(List<Map<String, Object>> rows) {
        String format = "%-5s %7s %5s  %-9s %10s %22s %22s %18s %6s%n";
        StringBuilder b = new StringBuilder(String.format(format, "link", "clients", "round", "outcome", "handoff",
                "stall p50/p99/max", "baseline p50/p99/max", "x tcp p50/p99/max", "lost"));
        for (Map<String, Object> row : rows) {
            b.append(String.format(format, row.get("link"), row.get("clients"), row.get("round"), row.get("outcome"),
                    row.get("handoff_ms"), triple(row.get("stall_ms")), triple(row.get("baseline_stall_ms")),
                    triple(row.get("stall_vs_tcp")), lost(row)));
        }
        return b.toString();
    }
}
