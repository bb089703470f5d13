package io.baton.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The HTML report of {@code ./baton bench handoff}: a table of the rows; per client count, the distribution
 * of stalls per row on a log axis, with the baseline of the same run and a line at one tick period; and,
 * for one live handoff, the largest gap per tick across it and the clients that heard MOVE, attached and
 * switched over time, with the source's phases shaded and the cutover marked. One self-contained file,
 * well-formed XML (so a test can parse it): inline SVG, no script, nothing fetched.
 */
final class HandoffReport {

    private static final int W = 860;
    private static final int H = 320;
    private static final int LEFT = 60;
    private static final int BOTTOM = 40;
    private static final int TOP = 20;
    private static final int RIGHT = 20;
    /** The log axis of stalls starts here: a stall below it (none at all, often) is drawn at it. */
    private static final double LOG_MIN_MS = 0.1;
    private static final String[] PHASE_SHADES = {"#eef3fb", "#e2ecf8", "#fdf1e3", "#e6f4e6", "#f6e8f3", "#f3f3f3",
        "#fbeaea"};

    private HandoffReport() {
    }

    static String html(List<Map<String, Object>> rows, int tickHz) {
        double tickMs = 1000.0 / tickHz;
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/><title>Baton: handoff benchmark</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}")
                .append("td.l{text-align:left}.fail{color:#b00}svg{background:#fff;border:1px solid #ddd}")
                .append("</style></head><body>");
        b.append("<h1>Handoff benchmark</h1><p>Arena at ").append(tickHz).append(" Hz on this machine, loopback, every ")
                .append("row one run with servers and bots in their own processes. Stall: a client's largest gap between ")
                .append("tick updates during the handoff, minus one tick; baseline: the same over an equal window just ")
                .append("before the handoff, in the same run; excess: stall less baseline, percentile by percentile. ")
                .append("CPU: what each process group spent in the handoff window beyond an equal window before it, ")
                .append("per client moved (source / target / clients / both servers beyond one serving).</p>");
        table(b, rows);
        b.append("<h2>Stall per client, by client count</h2><p>Share of clients (y) whose stall was at most x ms, x on a ")
                .append("log axis (stalls under ").append(label(LOG_MIN_MS)).append(" ms drawn at ").append(label(LOG_MIN_MS))
                .append("); dashed: the baseline window of the same run; the grey line: one tick period (")
                .append(label(Demo.round(tickMs))).append(" ms).</p>");
        stallPlot(b, rows, tickMs);
        for (Map<String, Object> r : rows) {
            if ("live".equals(r.get("mode"))) {
                b.append("<h2>One handoff: ").append(r.get("clients")).append(" clients, ").append(r.get("state_mb"))
                        .append(" MiB").append(HandoffBench.label(r).equals("live") ? "" : ", " + esc(HandoffBench.label(r)))
                        .append("</h2>");
                b.append("<p>The largest gap between two updates, over every client, that ended in each tick period, ")
                        .append("from before the operator's command to after the last switch; the dashed line is one tick ")
                        .append("period (no stall); a period left blank had no update at all (every client waiting); ")
                        .append("dotted: the command; shaded: the source's phases (as its admin API reported them, polled ")
                        .append("every 50 ms); red: the cutover (the source stops applying).</p>");
                gapTimeline(b, r, tickMs);
                b.append("<p>Clients over time from the operator's command, each by its own clock: heard MOVE (told ")
                        .append("to move, what the source counts as moved), attached its pre-connection to the target, ")
                        .append("and switched to the target.</p>");
                curves(b, r);
                break;
            }
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void table(StringBuilder b, List<Map<String, Object>> rows) {
        b.append("<table><tr><th>mode</th><th>clients</th><th>state MiB</th><th>outcome</th><th>handoff ms</th>")
                .append("<th>cutover pause ms</th><th>stall p50 / p99 / max ms</th><th>baseline p50 / p99 / max ms</th>")
                .append("<th>excess p50 / p99 / max ms</th><th>CPU µs / client moved (s / t / c)</th>")
                .append("<th>inputs lost</th><th>outputs lost</th><th>heap B / session</th></tr>");
        for (Map<String, Object> r : rows) {
            boolean passed = Boolean.TRUE.equals(r.get("passed"));
            b.append("<tr").append(passed ? "" : " class=\"fail\"").append("><td class=\"l\">").append(esc(HandoffBench.label(r)))
                    .append("</td><td>").append(r.get("clients")).append("</td><td>").append(r.get("state_mb"))
                    .append("</td><td class=\"l\">").append(esc(r.get("outcome"))).append("</td><td>").append(r.get("handoff_ms"))
                    .append("</td><td>").append(r.get("cutover_pause_ms")).append("</td><td>").append(triple(r.get("stall_ms"), " / "))
                    .append("</td><td>").append(triple(r.get("baseline_stall_ms"), " / ")).append("</td><td>")
                    .append(r.get("stall_excess_ms") == null ? "-" : triple(r.get("stall_excess_ms"), " / "))
                    .append("</td><td>").append(cpuPerClient(r, " / ")).append("</td><td>")
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
     * The handoff's CPU per client moved, in µs, of source, target, clients and both servers together (beyond
     * one serving), with {@code separator} between them ("-" where unknown: a process that died, or no figure).
     */
    static String cpuPerClient(Map<String, Object> row, String separator) {
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) row.get("handoff_cpu_us_per_client");
        StringBuilder b = new StringBuilder();
        for (String g : new String[] {"source", "target", "clients", "servers"}) {
            Object v = c == null ? null : c.get(g);
            b.append(b.length() == 0 ? "" : separator).append(v == null ? "-" : v);
        }
        return b.toString();
    }

    /** One plot per client count, x on a log axis; a colour per mode, darker for more state. */
    @SuppressWarnings("unchecked")
    private static void stallPlot(StringBuilder b, List<Map<String, Object>> rows, double tickMs) {
        TreeSet<Integer> sizes = new TreeSet<>();
        Map<Object, List<Map<String, Object>>> byClients = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            sizes.add(((Number) r.get("state_mb")).intValue());
            byClients.computeIfAbsent(r.get("clients"), k -> new ArrayList<>()).add(r);
        }
        List<Integer> sizeRank = new ArrayList<>(sizes);
        for (Map.Entry<Object, List<Map<String, Object>>> group : byClients.entrySet()) {
            List<Map<String, Object>> g = group.getValue();
            double max = tickMs;
            for (Map<String, Object> r : g) {
                for (String k : new String[] {"stalls", "baseline_stalls"}) {
                    List<Double> v = (List<Double>) r.get(k);
                    if (!v.isEmpty()) {
                        max = Math.max(max, v.get(v.size() - 1));
                    }
                }
            }
            double top = Math.pow(10, Math.ceil(Math.log10(max * 1.01)));
            b.append("<h3>").append(group.getKey()).append(" clients</h3>");
            svgStart(b, "stall-plot-" + group.getKey());
            logAxes(b, top, "stall, ms (log)", "share of clients");
            int xt = xLog(tickMs, top);
            b.append(String.format(Locale.ROOT, "<line class=\"tick-line\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                    + "stroke=\"#888\" stroke-width=\"1.5\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">one tick</text>",
                    xt, TOP, xt, H - BOTTOM, xt + 4, TOP + 12));
            for (Map<String, Object> r : g) {
                String colour = colour(r, sizeRank);
                cdf(b, (List<Double>) r.get("stalls"), top, colour, false);
                cdf(b, (List<Double>) r.get("baseline_stalls"), top, colour, true);
            }
            b.append("</svg><p>");
            for (Map<String, Object> r : g) {
                b.append(String.format(Locale.ROOT, "<span class=\"legend\" style=\"color:%s\">&#9632; %s, %s MiB%s</span>"
                        + "&#160;&#160; ", colour(r, sizeRank), esc(HandoffBench.label(r)), r.get("state_mb"), lostInputs(r)));
            }
            b.append("</p>");
        }
    }

    /** ", N inputs lost" for a row that lost any (the restart baseline does by design), else nothing. */
    private static String lostInputs(Map<String, Object> r) {
        Object lost = r.get("inputs_lost");
        return lost instanceof Number n && n.longValue() > 0 ? ", " + n.longValue() + " inputs lost" : "";
    }

    /** Blue for the live handoff, orange for stop-and-copy, purple for the restart; darker for larger state. */
    private static String colour(Map<String, Object> r, List<Integer> sizeRank) {
        String[] shades = switch (String.valueOf(r.get("mode"))) {
            case "live" -> new String[] {"#6baed6", "#2171b5", "#08519c", "#08306b"};
            case "stopcopy" -> new String[] {"#fd8d3c", "#e6550d", "#a63603", "#7f2704"};
            default -> new String[] {"#9e9ac8", "#756bb1", "#54278f", "#3f007d"};
        };
        int rank = sizeRank.indexOf(((Number) r.get("state_mb")).intValue());
        return shades[Math.min(Math.max(rank, 0), shades.length - 1)];
    }

    private static void cdf(StringBuilder b, List<Double> sorted, double top, String colour, boolean dashed) {
        if (sorted.isEmpty()) {
            return;
        }
        StringBuilder pts = new StringBuilder();
        int n = sorted.size();
        pts.append(xLog(LOG_MIN_MS, top)).append(',').append(y(0, 1)).append(' ');
        for (int i = 0; i < n; i++) {
            double v = sorted.get(i);
            pts.append(xLog(v, top)).append(',').append(y((double) i / n, 1)).append(' ');
            pts.append(xLog(v, top)).append(',').append(y((double) (i + 1) / n, 1)).append(' ');
        }
        b.append("<polyline class=\"").append(dashed ? "baseline" : "stall").append("\" fill=\"none\" stroke=\"")
                .append(colour).append("\" stroke-width=\"2\"")
                .append(dashed ? " stroke-dasharray=\"5,4\" stroke-opacity=\"0.6\"" : "")
                .append(" points=\"").append(pts).append("\"/>");
    }

    /** The largest gap per tick across the handoff, with the phases shaded and the cutover marked. */
    private static void gapTimeline(StringBuilder b, Map<String, Object> r, double tickMs) {
        DemoResult.GapTimeline g = (DemoResult.GapTimeline) r.get("gaps");
        if (g == null || g.maxGapMs().isEmpty()) {
            b.append("<p>(no gap timeline: the bots reported none)</p>");
            return;
        }
        double from = g.fromMs();
        double to = from + g.maxGapMs().size() * g.bucketMs();
        double top = tickMs * 2;
        for (double v : g.maxGapMs()) {
            top = Math.max(top, v);
        }
        top = niceCeiling(top * 1.05);
        svgStart(b, "gap-timeline");
        phases(b, r, from, to);
        axes(b, from, to, "ms after the operator's command", top, "largest gap, ms");
        int yt = y(tickMs, top);
        b.append(String.format(Locale.ROOT, "<line class=\"tick-line\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                + "stroke=\"#888\" stroke-dasharray=\"4,3\"/>", LEFT, yt, W - RIGHT, yt));
        // A level segment per tick period; none where no update at all arrived in it (every client waiting).
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < g.maxGapMs().size(); i++) {
            double v = g.maxGapMs().get(i);
            if (v > 0) {
                d.append(String.format(Locale.ROOT, "M%d %dH%d ", x(from + i * g.bucketMs(), from, to), y(v, top),
                        x(from + (i + 1) * g.bucketMs(), from, to)));
            }
        }
        b.append("<path class=\"max-gap\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" d=\"")
                .append(d.toString().trim()).append("\"/>");
        cutover(b, r, from, to);
        int x0 = x(0, from, to);
        b.append(String.format(Locale.ROOT, "<line class=\"command\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                + "stroke=\"#333\" stroke-dasharray=\"2,2\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">command</text>",
                x0, TOP, x0, H - BOTTOM, x0 + 4, TOP + 12));
        b.append("</svg>");
    }

    /** Heard MOVE, attached, switched: three curves over time after the command. */
    @SuppressWarnings("unchecked")
    private static void curves(StringBuilder b, Map<String, Object> r) {
        String[][] curves = {{"heard_move", "heard MOVE", "#ff7f0e"}, {"attached", "attached", "#2ca02c"},
            {"switched", "switched", "#1f77b4"}};
        double end = 100;
        for (Map<String, Object> p : (List<Map<String, Object>>) r.getOrDefault("timeline", List.of())) {
            end = Math.max(end, ((Number) p.get("ms")).doubleValue());
        }
        for (String[] c : curves) {
            List<Double> v = (List<Double>) r.getOrDefault(c[0], List.of());
            if (!v.isEmpty()) {
                end = Math.max(end, v.get(v.size() - 1));
            }
        }
        end = niceCeiling(end * 1.05);
        int clients = ((Number) r.get("clients")).intValue();
        svgStart(b, "handoff-curves");
        phases(b, r, 0, end);
        axes(b, 0, end, "ms after the operator's command", clients, "clients");
        for (String[] c : curves) {
            List<Double> v = (List<Double>) r.getOrDefault(c[0], List.of());
            StringBuilder pts = new StringBuilder();
            pts.append(x(0, 0, end)).append(',').append(y(0, clients)).append(' ');
            for (int i = 0; i < v.size(); i++) {
                pts.append(x(v.get(i), 0, end)).append(',').append(y(i, clients)).append(' ');
                pts.append(x(v.get(i), 0, end)).append(',').append(y(i + 1, clients)).append(' ');
            }
            b.append("<polyline class=\"").append(c[0].replace('_', '-')).append("\" fill=\"none\" stroke=\"")
                    .append(c[2]).append("\" stroke-width=\"2\" points=\"").append(pts).append("\"/>");
        }
        cutover(b, r, 0, end);
        b.append("</svg><p>");
        for (String[] c : curves) {
            List<?> v = (List<?>) r.getOrDefault(c[0], List.of());
            b.append(String.format(Locale.ROOT, "<span class=\"legend\" style=\"color:%s\">&#9632; %s (%d)</span>&#160;&#160; ",
                    c[2], c[1], v.size()));
        }
        b.append("</p>");
    }

    /** The source's phases as shaded bands over {@code [from, to]}, each named. */
    @SuppressWarnings("unchecked")
    private static void phases(StringBuilder b, Map<String, Object> r, double from, double to) {
        List<Map<String, Object>> phases = (List<Map<String, Object>>) r.getOrDefault("timeline", List.of());
        for (int i = 0; i < phases.size(); i++) {
            double start = ((Number) phases.get(i).get("ms")).doubleValue();
            double stop = i + 1 < phases.size() ? ((Number) phases.get(i + 1).get("ms")).doubleValue() : to;
            int x0 = x(start, from, to);
            int x1 = x(stop, from, to);
            b.append(String.format(Locale.ROOT, "<rect class=\"phase\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                    + "fill=\"%s\"/>", x0, TOP, Math.max(1, x1 - x0), H - TOP - BOTTOM, PHASE_SHADES[i % PHASE_SHADES.length]));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 %d %d)\">%s</text>",
                    x0 + 12, H - BOTTOM - 6, x0 + 12, H - BOTTOM - 6, esc(phases.get(i).get("phase"))));
        }
    }

    /** A red vertical line where the source stopped applying, if known. */
    private static void cutover(StringBuilder b, Map<String, Object> r, double from, double to) {
        if (r.get("cutover_ms") instanceof Number c && c.doubleValue() >= from && c.doubleValue() <= to) {
            int xc = x(c.doubleValue(), from, to);
            b.append(String.format(Locale.ROOT, "<line class=\"cutover\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                    + "stroke=\"#d62728\" stroke-width=\"1.5\"/><text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#d62728\">"
                    + "cutover</text>", xc, TOP, xc, H - BOTTOM, xc + 4, TOP + 12));
        }
    }

    private static void svgStart(StringBuilder b, String id) {
        b.append(String.format(Locale.ROOT, "<svg id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
                esc(id), W, H, W, H));
    }

    private static void frame(StringBuilder b, String xLabel, String yLabel) {
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", LEFT, H - BOTTOM,
                W - RIGHT, H - BOTTOM));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", LEFT, TOP, LEFT,
                H - BOTTOM));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>",
                (LEFT + W - RIGHT) / 2, H - 6, xLabel));
        b.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 14 %d)\">%s</text>", (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, yLabel));
    }

    private static void yTicks(StringBuilder b, double yMax) {
        for (int i = 0; i <= 5; i++) {
            double yv = yMax * i / 5;
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    LEFT - 4, y(yv, yMax) + 4, label(yv)));
        }
    }

    private static void axes(StringBuilder b, double xMin, double xMax, String xLabel, double yMax, String yLabel) {
        frame(b, xLabel, yLabel);
        // Round steps (1, 2 or 5 times a power of ten), about five of them, at multiples of the step.
        double step = niceCeiling((xMax - xMin) / 6);
        for (double xv = Math.ceil(xMin / step) * step; xv <= xMax + step * 1e-9; xv += step) {
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    x(xv, xMin, xMax), H - BOTTOM + 14, label(Demo.round(xv))));
        }
        yTicks(b, yMax);
    }

    /** A log x axis from {@link #LOG_MIN_MS} to {@code top} (a power of ten), a tick per decade; y from 0 to 1. */
    private static void logAxes(StringBuilder b, double top, String xLabel, String yLabel) {
        frame(b, xLabel, yLabel);
        for (double d = LOG_MIN_MS; d <= top * 1.0001; d *= 10) {
            int xd = xLog(d, top);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>", xd, TOP, xd,
                    H - BOTTOM, xd, H - BOTTOM + 14, label(Demo.round(d))));
        }
        yTicks(b, 1.0);
    }

    private static String label(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0$", "");
    }

    private static int x(double v, double min, double max) {
        double c = Math.max(min, Math.min(v, max));
        return (int) Math.round(LEFT + (W - LEFT - RIGHT) * (c - min) / (max - min));
    }

    /** Where {@code v} ms falls on the log axis from {@link #LOG_MIN_MS} to {@code top}. */
    static int xLog(double v, double top) {
        double c = Math.max(LOG_MIN_MS, Math.min(v, top));
        return (int) Math.round(LEFT + (W - LEFT - RIGHT) * Math.log10(c / LOG_MIN_MS) / Math.log10(top / LOG_MIN_MS));
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

    /** Text for XML: the five characters that may not stand as themselves. */
    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&apos;");
    }
}
