package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandoffCpuTest {

    private static final long MS = 1_000_000;

    /** Samples every 50 ms from {@code from} to {@code to} (ms) of a process using {@code rate} of a core, then {@code busy} from {@code t0}. */
    private static List<CpuSampler.Sample> steady(long fromMs, long toMs, double rate, long t0Ms, double busy) {
        List<CpuSampler.Sample> s = new ArrayList<>();
        double cpu = 0;
        for (long t = fromMs; t <= toMs; t += 50) {
            s.add(new CpuSampler.Sample(t * MS, Math.round(cpu * MS)));
            cpu += 50 * (t >= t0Ms ? busy : rate);
        }
        return s;
    }

    @Test
    void theWindowEndsTwoTicksAfterTheLaterOfDrainDoneAndLastSwitch() {
        assertThat(HandoffCpu.windowEnd(900 * MS, 700 * MS, 30)).isEqualTo(900 * MS + 2 * 33_333_333L);
        assertThat(HandoffCpu.windowEnd(600 * MS, 700 * MS, 50)).isEqualTo(740 * MS);
    }

    @Test
    void cpuBetweenTwoInstantsIsInterpolatedBetweenTheSamplesAroundThem() {
        List<CpuSampler.Sample> s = List.of(new CpuSampler.Sample(0, 0), new CpuSampler.Sample(100 * MS, 50 * MS),
                new CpuSampler.Sample(200 * MS, 150 * MS));
        assertThat(HandoffCpu.cpuNanos(s, 0, 200 * MS)).isEqualTo(150 * MS);
        assertThat(HandoffCpu.cpuNanos(s, 50 * MS, 150 * MS)).isEqualTo(25 * MS + 50 * MS);
        assertThat(HandoffCpu.cpuNanos(s, 100 * MS, 100 * MS)).isZero();
        assertThat(HandoffCpu.cpuNanos(s, -1, 100 * MS)).as("before the first sample").isNull();
        assertThat(HandoffCpu.cpuNanos(s, 0, 201 * MS)).as("after the last").isNull();
    }

    @Test
    void theExcessOverAnEqualWindowBeforeTheCommandIsDividedByTheClientsMoved() {
        // Samples from 0 to 3 s; command at 2 s; the window ends at 2.5 s. The source runs at 0.2 cores, then 0.6.
        Map<String, List<CpuSampler.Sample>> samples = new LinkedHashMap<>();
        samples.put("source", steady(0, 3000, 0.2, 2000, 0.6));
        samples.put("target", steady(0, 3000, 0.1, 2000, 0.1));
        HandoffCpu c = HandoffCpu.of(samples, 2000 * MS, 2500 * MS, 100);
        assertThat(c.windowMs()).isEqualTo(500.0);
        assertThat(c.baselineWindowMs()).isEqualTo(500.0);
        HandoffCpu.Group src = c.groups().get("source");
        assertThat(src.handoffMs()).isEqualTo(300.0);
        assertThat(src.baselineMs()).isEqualTo(100.0);
        assertThat(src.usPerClient()).as("(300 - 100) ms over 100 clients").isEqualTo(2000.0);
        assertThat(c.groups().get("target").usPerClient()).as("no more than without a handoff").isEqualTo(0.0);
        assertThat(c.groups().keySet()).containsExactly("source", "target");
        assertThat(c.serversUsPerClient()).as("(300 + 50 - 100) ms over 100 clients").isEqualTo(2500.0);
        assertThat(c.perClientJson()).containsEntry("servers", 2500.0);
    }

    @Test
    void bothServersTogetherCountOnlyWhatGoesBeyondOneServingWhereverTheServingMoves() {
        // The source serves at 0.3 cores until the cutover at 2.2 s, then nothing; the target nothing before,
        // 0.3 cores after: no handoff work at all, only the serving moving. Each alone shows an excess, the two
        // together none, wherever the cutover falls in the window.
        Map<String, List<CpuSampler.Sample>> samples = new LinkedHashMap<>();
        List<CpuSampler.Sample> src = new ArrayList<>();
        List<CpuSampler.Sample> tgt = new ArrayList<>();
        for (long t = 0; t <= 3000; t += 50) {
            src.add(new CpuSampler.Sample(t * MS, Math.round(0.3 * Math.min(t, 2200) * MS)));
            tgt.add(new CpuSampler.Sample(t * MS, Math.round(0.3 * Math.max(0, t - 2200) * MS)));
        }
        samples.put("source", src);
        samples.put("target", tgt);
        HandoffCpu c = HandoffCpu.of(samples, 2000 * MS, 2600 * MS, 10);
        assertThat(c.groups().get("target").usPerClient()).isPositive();
        assertThat(c.groups().get("source").usPerClient()).isNegative();
        assertThat(c.serversUsPerClient()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void aBaselineShorterThanTheWindowIsScaledToItsLength() {
        // Sampled from 1.6 s only: 400 ms before the command at 2 s, for a window of 800 ms.
        Map<String, List<CpuSampler.Sample>> samples = Map.of("target", steady(1600, 3000, 0.25, 2000, 0.5));
        HandoffCpu c = HandoffCpu.of(samples, 2000 * MS, 2800 * MS, 40);
        assertThat(c.baselineWindowMs()).isEqualTo(400.0);
        HandoffCpu.Group t = c.groups().get("target");
        assertThat(t.baselineMs()).as("as sampled").isEqualTo(100.0);
        assertThat(t.handoffMs()).isEqualTo(400.0);
        assertThat(t.usPerClient()).as("(400 - 100 * 800 / 400) ms over 40 clients").isEqualTo(5000.0);
    }

    @Test
    void aProcessThatDiedBeforeTheWindowEndedHasNoFigure() {
        List<CpuSampler.Sample> died = new ArrayList<>(steady(0, 2200, 0.2, 2000, 0.6));
        died.add(new CpuSampler.Sample(2250 * MS, -1));
        HandoffCpu c = HandoffCpu.of(Map.of("source", died), 2000 * MS, 2500 * MS, 100);
        assertThat(c.groups().get("source").handoffMs()).isNull();
        assertThat(c.groups().get("source").baselineMs()).isEqualTo(100.0);
        assertThat(c.groups().get("source").usPerClient()).isNull();
        assertThat(c.perClientJson()).containsEntry("source", null);
    }

    @Test
    void noClientMovedGivesNoFigurePerClient() {
        HandoffCpu c = HandoffCpu.of(Map.of("source", steady(0, 3000, 0.2, 2000, 0.2)), 2000 * MS, 2500 * MS, 0);
        assertThat(c.groups().get("source").handoffMs()).isEqualTo(100.0);
        assertThat(c.groups().get("source").usPerClient()).isNull();
    }
}
