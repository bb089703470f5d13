package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandoffBenchTest {

    @Test
    void theTableCarriesTheStallExcessAndTheCpuPerClientWithUnknownsAsDashes() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", "restart");
        row.put("clients", 100);
        row.put("state_mb", 0);
        row.put("outcome", "completed");
        row.put("handoff_ms", 167.0);
        row.put("cutover_pause_ms", 51.75);
        row.put("stall_ms", Map.of("p50", 126.56, "p99", 147.0, "max", 147.0));
        row.put("baseline_stall_ms", Map.of("p50", 0.17, "p99", 0.24, "max", 0.24));
        row.put("stall_excess_ms", Map.of("p50", 126.39, "p99", 146.76, "max", 146.76));
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("source", null);
        cpu.put("target", 1054.38);
        cpu.put("clients", 239.55);
        row.put("handoff_cpu_us_per_client", cpu);
        row.put("inputs_lost", 131);
        row.put("outputs_lost", 0);
        row.put("heap_bytes_per_session", null);
        String[] lines = HandoffBench.table(List.of(row)).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("excess p50/p99/max", "CPU us/client s/t/c");
        assertThat(lines[1].trim().split("\\s+")).containsExactly("restart", "100", "0", "completed", "167.0", "51.75",
                "126.56/147.0/147.0", "0.17/0.24/0.24", "126.39/146.76/146.76", "-/1054.38/239.55/-", "131", "null");
    }

    @Test
    void theModesAreTheDemosWordsAndTheOldNameOfLiveIsToldBeforeAnyRunStarts() {
        // Refused before a process starts: Object is no product, so a run that began would fail otherwise.
        assertThatThrownBy(() -> HandoffBench.run(List.of(10), List.of(0), List.of("live", "baton"), 30, 10,
                java.nio.file.Path.of("unused.html"), Object.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--modes takes live, stopcopy and restart").hasMessageContaining("was 'baton'")
                .hasMessageContaining("use live");
        assertThatThrownBy(() -> HandoffBench.run(List.of(10), List.of(0), List.of("fast"), 30, 10,
                java.nio.file.Path.of("unused.html"), Object.class))
                .hasMessageContaining("was 'fast'").hasMessageNotContaining("use live");
    }
}
