package io.baton.harness;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML report of {@code ./baton bench handoff}: a table of the rows, the distribution of stalls per
 * row (with the baseline of the same run), and the timeline of one handoff (its phases, and clients moved
 * over time). One self-contained file: inline SVG, no script, nothing fetched.
 */
final class HandoffReport {

    private static final int W = 860;
    private static final int H = 320;
    private static final int LEFT = 60;
    private static final int BOTTOM = 40;
    private static final int TOP = 20;
    private static final int RIGHT = 20;

    private HandoffReport() {
    }

    static String html(List<Map<String, Object>> rows, int tickHz) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Baton: handoff benchmark</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}")
                .append("td.l{text-align:left}.fail{color:#b00}svg{background:#fff;border:1px solid #ddd}")
                .append("</style></head><body>");
        b.append("<h1>Handoff benchmark</h1><p>Arena at ").append(tickHz).append(" Hz on this machine, loopback, every ")
                .append("row one run with servers and bots in their own processes. Stall: a client's largest gap between ")
                .append("tick updates during the handoff, minus one tick; baseline: the same over an equal window just ")
                .append("before the handoff, in the same run.</p>");
        table(b, rows);
        b.append("<h2>Stall per client, by client count</h2><p>Share of clients (y) whose stall was at most x ms; dashed: the ")
                .append("baseline window of the same run.</p>");
        stallPlot(b, rows);
        for (Map<String, Object> r : rows) {
            if ("baton".equals(r.get("mode"))) {
                b.append("<h2>One handoff: ").append(r.get("clients")).append(" clients, ").append(r.get("state_mb"))
                        .append(" MiB</h2><p>The source's phases (as its admin API reported them, polled every 50 ms) and ")
                        .append("the clients that had moved to the target, over time from the operator's command.</p>");
                timeline(b, r);
                break;
            }
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void table(StringBuilder b, List<Map<String, Object>> rows) {
        b.append("<table><tr><th>mode</th><th>clients</th><th>state MiB</th><th>outcome</th><th>handoff ms</th>")
                .append("<th>cutover pause ms</th><th>stall p50 / p99 / max ms</th><th>baseline p50 / p99 / max ms</th>")
                .append("<th>inputs lost</th><th>outputs lost</th><th>heap B / session</th></tr>");
        for (Map<String, Object> r : rows) {
            boolean passed = Boolean.TRUE.equals(r.get("passed"));
            b.append("<tr").append(passed ? "" : " class=\"fail\"").append("><td class=\"l\">").append(r.get("mode"))
                    .append("</td><td>").append(r.get("clients")).append("</td><td>").append(r.get("state_mb"))
                    .append("</td><td class=\"l\">").append(r.get("outcome")).append("</td><td>").append(r.get("handoff_ms"))
                    .append("</td><td>").append(r.get("cutover_pause_ms")).append("</td><td>").append(triple(r.get("stall_ms"), " / "))
                    .append("</td><td>").append(triple(r.get("baseline_stall_ms"), " / ")).append("</td><td>")
                    .append(r.get("inputs_lost")).append("</td><td>").append(r.get("outputs_lost")).append("</td><td>")
                    .append(r.get("heap_bytes_per_session") == null ? "&lt; 4 MiB in all" : r.get("heap_bytes_per_session"))
                    .append("</td></tr>");
        }
        b.append("</table>");
    }

    /** A {@code {p50, p99, max}} distribution as three figures with {@code separator} between them. */
    static String triple(Object distribution, String separator) {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) distribution;
        return d.get("p50") + separator + d.get("p99") + separator + d.get("max");
    }

    /**
     * The handoff's CPU per client moved, in µs, of source, target and clients, with {@code separator}
     * between them ("-" where unknown: a process that died, or no figure at all).
     */
    static String cpuPerClient(Map<String, Object> row, String separator) {
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) row.get("handoff_cpu_us_per_client");
        StringBuilder b = new StringBuilder();
        for (String g : new String[] {"source", "target", "clients"}) {
            Object v = c == null ? null : c.get(g);
            b.append(b.length() == 0 ? "" : separator).append(v == null ? "-" : v);
        }
        return b.toString();
    }

    /** One plot per client count; a colour per mode, darker for more state. */
    @SuppressWarnings("unchecked")
    private static void stallPlot(StringBuilder b, List<Map<String, Object>> rows) {
        java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
        Map<Object, List<Map<String, Object>>> byClients = new java.util.LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            sizes.add(((Number) r.get("state_mb")).intValue());
            byClients.computeIfAbsent(r.get("clients"), k -> new java.util.ArrayList<>()).add(r);
        }
        List<Integer> sizeRank = new java.util.ArrayList<>(sizes);
        for (Map.Entry<Object, List<Map<String, Object>>> group : byClients.entrySet()) {
            List<Map<String, Object>> g = group.getValue();
            double max = 1;
            for (Map<String, Object> r : g) {
                for (String k : new String[] {"stalls", "baseline_stalls"}) {
                    List<Double> v = (List<Double>) r.get(k);
                    if (!v.isEmpty()) {
                        max = Math.max(max, v.get(v.size() - 1));
                    }
                }
            }
            max = niceCeiling(max);
            b.append("<h3>").append(group.getKey()).append(" clients</h3>");
            svgStart(b);
            axes(b, max, "stall, ms", 1.0, "share of clients");
            for (Map<String, Object> r : g) {
                String colour = colour(r, sizeRank);
                cdf(b, (List<Double>) r.get("stalls"), max, colour, false);
                cdf(b, (List<Double>) r.get("baseline_stalls"), max, colour, true);
            }
            b.append("</svg><p>");
            for (Map<String, Object> r : g) {
                b.append(String.format(Locale.ROOT, "<span style=\"color:%s\">&#9632; %s, %s MiB</span>&nbsp;&nbsp; ",
                        colour(r, sizeRank), r.get("mode"), r.get("state_mb")));
            }
            b.append("</p>");
        }
    }

    /** Blue for the live handoff, orange for stop-and-copy, purple for the restart; darker for larger state. */
    private static String colour(Map<String, Object> r, List<Integer> sizeRank) {
        String[] shades = switch (String.valueOf(r.get("mode"))) {
            case "baton" -> new String[] {"#6baed6", "#2171b5", "#08519c", "#08306b"};
            case "stopcopy" -> new String[] {"#fd8d3c", "#e6550d", "#a63603", "#7f2704"};
            default -> new String[] {"#9e9ac8", "#756bb1", "#54278f", "#3f007d"};
        };
        int rank = sizeRank.indexOf(((Number) r.get("state_mb")).intValue());
        return shades[Math.min(Math.max(rank, 0), shades.length - 1)];
    }

    private static void cdf(StringBuilder b, List<Double> sorted, double max, String colour, boolean dashed) {
        if (sorted.isEmpty()) {
            return;
        }
        StringBuilder pts = new StringBuilder();
        int n = sorted.size();
        pts.append(x(0, max)).append(',').append(y(0, 1)).append(' ');
        for (int i = 0; i < n; i++) {
            double v = sorted.get(i);
            pts.append(x(v, max)).append(',').append(y((double) i / n, 1)).append(' ');
            pts.append(x(v, max)).append(',').append(y((double) (i + 1) / n, 1)).append(' ');
        }
        b.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\"")
                .append(dashed ? " stroke-dasharray=\"5,4\" stroke-opacity=\"0.6\"" : "")
                .append(" points=\"").append(pts).append("\"/>");
    }

    @SuppressWarnings("unchecked")
    private static void timeline(StringBuilder b, Map<String, Object> r) {
        List<Map<String, Object>> phases = (List<Map<String, Object>>) r.get("timeline");
        List<Double> moves = (List<Double>) r.get("moves");
        double end = 100;
        for (Map<String, Object> p : phases) {
            end = Math.max(end, ((Number) p.get("ms")).doubleValue());
        }
        if (!moves.isEmpty()) {
            end = Math.max(end, moves.get(moves.size() - 1));
        }
        end = niceCeiling(end * 1.05);
        int clients = ((Number) r.get("clients")).intValue();
        svgStart(b);
        String[] shades = {"#eef3fb", "#e2ecf8", "#fdf1e3", "#e6f4e6", "#f6e8f3", "#f3f3f3", "#fbeaea"};
        for (int i = 0; i < phases.size(); i++) {
            double from = ((Number) phases.get(i).get("ms")).doubleValue();
            double to = i + 1 < phases.size() ? ((Number) phases.get(i + 1).get("ms")).doubleValue() : end;
            int x0 = x(from, end);
            int x1 = x(to, end);
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", x0, TOP,
                    Math.max(1, x1 - x0), H - TOP - BOTTOM, shades[i % shades.length]));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 %d %d)\">%s</text>",
                    x0 + 12, H - BOTTOM - 6, x0 + 12, H - BOTTOM - 6, phases.get(i).get("phase")));
        }
        axes(b, end, "ms after the operator's command", clients, "clients moved");
        StringBuilder pts = new StringBuilder();
        pts.append(x(0, end)).append(',').append(y(0, clients)).append(' ');
        for (int i = 0; i < moves.size(); i++) {
            pts.append(x(moves.get(i), end)).append(',').append(y(i, clients)).append(' ');
            pts.append(x(moves.get(i), end)).append(',').append(y(i + 1, clients)).append(' ');
        }
        b.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"").append(pts).append("\"/>");
        b.append("</svg>");
    }

    private static void svgStart(StringBuilder b) {
        b.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\">", W, H, W, H));
    }

    private static void axes(StringBuilder b, double xMax, String xLabel, double yMax, String yLabel) {
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", LEFT, H - BOTTOM,
                W - RIGHT, H - BOTTOM));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", LEFT, TOP, LEFT,
                H - BOTTOM));
        for (int i = 0; i <= 5; i++) {
            double xv = xMax * i / 5;
            double yv = yMax * i / 5;
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    x(xv, xMax), H - BOTTOM + 14, label(xv)));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    LEFT - 4, y(yv, yMax) + 4, label(yv)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>",
                (LEFT + W - RIGHT) / 2, H - 6, xLabel));
        b.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 14 %d)\">%s</text>", (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, yLabel));
    }

    private static String label(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static int x(double v, double max) {
        return (int) Math.round(LEFT + (W - LEFT - RIGHT) * Math.min(v, max) / max);
    }

    private static int y(double v, double max) {
        return (int) Math.round(H - BOTTOM - (H - TOP - BOTTOM) * Math.min(v, max) / max);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}: round axis ends. */
    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
