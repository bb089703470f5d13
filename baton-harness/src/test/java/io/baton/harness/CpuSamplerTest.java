package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSamplerTest {

    @Test
    void utimePlusStimeAreReadAfterTheCommandNameWhateverItHolds() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 12 0 0 0 731 269 0 0 20 0 40 0 100 0 0";
        assertThat(CpuSampler.parseStat(stat)).isEqualTo(731 + 269);
        assertThat(CpuSampler.parseStat("7 (gone) Z 1 7 7 0 -1 0 0 0 0 0 5 5 0 0")).as("a zombie").isEqualTo(-1);
    }

    @Test
    void thisProcessIsSampledAndAProcessThatIsGoneEndsItsGroupsSeries() throws Exception {
        long self = ProcessHandle.current().pid();
        Process child = new ProcessBuilder("sleep", "30").start();
        try (CpuSampler s = new CpuSampler(Map.of("self", List.of(self), "child", List.of(child.pid())))) {
            assertThat(CpuSampler.cpuTicks(self)).isPositive();
            child.destroyForcibly().waitFor();
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                List<CpuSampler.Sample> c = s.samples("child");
                return !c.get(c.size() - 1).alive();
            });
            int dead = s.samples("child").size();
            s.sampleNow();
            assertThat(s.samples("child")).as("nothing after death").hasSize(dead);
            assertThat(s.samples("self")).allMatch(CpuSampler.Sample::alive);
        } finally {
            child.destroyForcibly();
        }
    }
}
