package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class HandoffReportTest {

    /** The report parsed as XML: it must be well-formed to parse at all. */
    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static NodeList select(Document d, String xpath) throws Exception {
        return (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, d, XPathConstants.NODESET);
    }

    @Test
    void aReportHoldsTheTableTheLogStallPlotTheGapTimelineAndTheThreeCurves() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("live", List.of(0.0, 2.5, 7.0), List.of(0.5, 1.0, 1.5)));
        rows.add(row("stopcopy", List.of(200.0, 210.0, 230.0), List.of(1.0, 1.2, 2.0)));
        String html = HandoffReport.html(rows, 30);
        assertThat(html).as("nothing to fetch, nothing to run").doesNotContain("http://", "https://", "<script");
        Document d = parse(html);

        assertThat(select(d, "//table/tr").getLength()).as("a header and a row each").isEqualTo(3);
        assertThat(select(d, "//td[.='stopcopy']").getLength()).isEqualTo(1);
        assertThat(select(d, "//td[.='-1.0 / 1.5 / 5.5']").getLength()).as("the excess, both rows").isEqualTo(2);
        assertThat(select(d, "//td[.='12.5 / 400.0 / - / -']").getLength()).as("CPU per client, the dead one unknown")
                .isEqualTo(2);

        NodeList stall = select(d, "//svg[@id='stall-plot-3']");
        assertThat(stall.getLength()).isEqualTo(1);
        assertThat(select(d, "//svg[@id='stall-plot-3']/polyline[@class='stall']").getLength()).isEqualTo(2);
        assertThat(select(d, "//svg[@id='stall-plot-3']/polyline[@class='baseline']").getLength()).isEqualTo(2);
        Element tick = (Element) select(d, "//svg[@id='stall-plot-3']/line[@class='tick-line']").item(0);
        assertThat(tick).as("a line at one tick").isNotNull();
        // Log axis from 0.1 to 1000 ms (the largest stall, 230 ms, rounds up to a decade): 33.3 ms lies at
        // log10(333.3) / 4 of the width, where a linear axis would put it at 3 %.
        int expected = (int) Math.round(60 + 780 * Math.log10(33.333333 / 0.1) / 4);
        assertThat(Integer.parseInt(tick.getAttribute("x1"))).isEqualTo(expected);
        assertThat(select(d, "//svg[@id='stall-plot-3']/text[.='0.1']").getLength()).isEqualTo(1);
        assertThat(select(d, "//svg[@id='stall-plot-3']/text[.='1000']").getLength()).isEqualTo(1);

        assertThat(select(d, "//svg[@id='gap-timeline']/path[@class='max-gap']").getLength()).isEqualTo(1);
        assertThat(select(d, "//svg[@id='gap-timeline']/rect[@class='phase']").getLength()).isEqualTo(3);
        assertThat(select(d, "//svg[@id='gap-timeline']/line[@class='cutover']").getLength()).isEqualTo(1);
        assertThat(select(d, "//svg[@id='gap-timeline']/line[@class='tick-line']").getLength()).isEqualTo(1);
        assertThat(select(d, "//svg[@id='gap-timeline']/line[@class='command']").getLength()).isEqualTo(1);
        assertThat(select(d, "//svg[@id='gap-timeline']/text[.='-100']").getLength()).as("round steps").isEqualTo(1);
        assertThat(select(d, "//svg[@id='gap-timeline']/text[.='0']").getLength()).isEqualTo(2); // an x and a y tick
        String gapPath = ((Element) select(d, "//svg[@id='gap-timeline']/path").item(0)).getAttribute("d");
        assertThat(gapPath.split("M", -1)).as("a segment per bucket with a gap, none for the empty one").hasSize(1 + 3);

        for (String curve : new String[] {"heard-move", "attached", "switched"}) {
            NodeList c = select(d, "//svg[@id='handoff-curves']/polyline[@class='" + curve + "']");
            assertThat(c.getLength()).as(curve).isEqualTo(1);
            String pts = ((Element) c.item(0)).getAttribute("points");
            assertThat(pts.trim().split(" ")).as("a step up per client, from the origin").hasSize(1 + 2 * 3);
        }
        assertThat(select(d, "//svg[@id='handoff-curves']/line[@class='cutover']").getLength()).isEqualTo(1);
        assertThat(select(d, "//span[@class='legend'][contains(., 'switched (3)')]").getLength()).isEqualTo(1);
    }

    @Test
    void eachClientCountGetsItsOwnStallPlotAndTheRestartLegendShowsItsLostInputs() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(row("live", List.of(1.0, 2.5, 7.0), List.of(0.5, 1.0, 1.5)));
        Map<String, Object> restart = row("restart", List.of(150.0, 160.0, 170.0), List.of(1.0, 1.2, 2.0));
        restart.put("clients", 5);
        restart.put("inputs_lost", 42);
        rows.add(restart);
        String html = HandoffReport.html(rows, 30);
        Document d = parse(html);
        assertThat(select(d, "//h3[.='3 clients']").getLength()).isEqualTo(1);
        assertThat(select(d, "//h3[.='5 clients']").getLength()).isEqualTo(1);
        assertThat(select(d, "//svg[@id='stall-plot-5']").getLength()).isEqualTo(1);
        assertThat(select(d, "//td[.='42']").getLength()).as("the table").isEqualTo(1);
        assertThat(select(d, "//span[@class='legend'][.='\u25A0 restart, 0 MiB, 42 inputs lost']").getLength())
                .as("the plot's legend").isEqualTo(1);
        assertThat(select(d, "//span[@class='legend'][.='\u25A0 live, 0 MiB']").getLength()).isEqualTo(1);
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
        r.put("stall_excess_ms", Map.of("p50", -1.0, "p99", 1.5, "max", 5.5));
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("source", 12.5);
        cpu.put("target", 400.0);
        cpu.put("clients", null);
        r.put("handoff_cpu_us_per_client", cpu);
        r.put("inputs_lost", 0);
        r.put("outputs_lost", 0);
        r.put("heap_bytes_per_session", null);
        r.put("passed", true);
        r.put("stalls", stalls);
        r.put("baseline_stalls", baseline);
        r.put("timeline", List.of(Map.of("ms", 60.0, "phase", "authenticating"), Map.of("ms", 300.0, "phase", "redirecting"),
                Map.of("ms", 800.0, "phase", "done")));
        r.put("moves", List.of(780.0, 781.0, 790.0));
        r.put("heard_move", List.of(300.0, 320.0, 340.0));
        r.put("attached", List.of(310.0, 330.0, 350.0));
        r.put("switched", List.of(780.0, 781.0, 790.0));
        r.put("gaps", new DemoResult.GapTimeline(-100.0, 33.3, List.of(33.3, 40.0, 0.0, 70.0)));
        r.put("cutover_ms", 20.0);
        return r;
    }
}
