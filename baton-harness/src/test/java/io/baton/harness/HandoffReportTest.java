package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandoffReportTest {

    @Test
    void aReportIsOneSelfContainedPageWithTheRowsAStallPlotAndATimeline() {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("baton", List.of(1.0, 2.5, 7.0), List.of(0.5, 1.0, 1.5)));
        rows.add(row("stopcopy", List.of(200.0, 210.0, 230.0), List.of(1.0, 1.2, 2.0)));
        String html = HandoffReport.html(rows, 30);
        assertThat(html).startsWith("<!doctype html>").endsWith("</html>\n");
        assertThat(html).as("nothing to fetch, nothing to run").doesNotContain("http://", "https://", "<script");
        assertThat(html.split("<svg ", -1)).hasSize(3); // the stall plot and one timeline
        assertThat(html).contains("<td class=\"l\">stopcopy</td>", "230.0", "redirecting", "&lt; 4 MiB in all");
        assertThat(html.split("<polyline", -1)).as("two lines a row, and the clients moved").hasSize(6);
    }

    @Test
    void eachClientCountGetsItsOwnStallPlotWithAColourPerMode() {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("baton", List.of(1.0, 2.5, 7.0), List.of(0.5, 1.0, 1.5)));
        Map<String, Object> restart = row("restart", List.of(150.0, 160.0, 170.0), List.of(1.0, 1.2, 2.0));
        restart.put("clients", 5);
        restart.put("inputs_lost", 42);
        rows.add(restart);
        String html = HandoffReport.html(rows, 30);
        assertThat(html).contains("<h3>3 clients</h3>", "<h3>5 clients</h3>", "<td>42</td>");
        assertThat(html.split("<svg ", -1)).as("two stall plots and one timeline").hasSize(4);
        assertThat(html).as("blue for the live handoff, purple for the restart").contains("#6baed6", "#9e9ac8");
    }

    private static Map<String, Object> row(String mode, List<Double> stalls, List<Double> baseline) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("clients", 3);
        r.put("state_mb", 0);
        r.put("outcome", "completed");
        r.put("handoff_ms", 800.0);
        r.put("cutover_pause_ms", 7.0);
        r.put("stall_ms", Map.of("p50", 2.5, "p99", stalls.get(2), "max", stalls.get(2)));
        r.put("baseline_stall_ms", Map.of("p50", 1.0, "p99", 1.5, "max", 1.5));
        r.put("inputs_lost", 0);
        r.put("outputs_lost", 0);
        r.put("heap_bytes_per_session", null);
        r.put("passed", true);
        r.put("stalls", stalls);
        r.put("baseline_stalls", baseline);
        r.put("timeline", List.of(Map.of("ms", 60.0, "phase", "authenticating"), Map.of("ms", 300.0, "phase", "redirecting"),
                Map.of("ms", 800.0, "phase", "done")));
        r.put("moves", List.of(780.0, 781.0, 790.0));
        return r;
    }
}
