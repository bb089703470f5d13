package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code demo --target-version} and the cross-version rows of {@code bench handoff}, short of running servers. */
class CrossVersionDemoTest {

    /** A small live run of 60 bots, 2 s of warm-up; the JVM options are never used. */
    private static DemoSettings.Builder live() {
        return DemoSettings.builder().clients(60).warmupS(2).serverJvm(List.of()).botJvm(List.of());
    }

    @Test
    void targetVersionTwoIsTheSourcesOwnAndTheMessageNamesThree() {
        assertThatThrownBy(() -> live().targetVersion(2).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--target-version 2 is the release the source runs")
                .hasMessageContaining("--target-version 3");
        assertThatThrownBy(() -> live().targetVersion(4).build()).hasMessageContaining("releases 2 (the source's) and 3");
        assertThatThrownBy(() -> live().targetVersion(1).build()).hasMessageContaining("--target-version 3");
        assertThatThrownBy(() -> live().mode(DemoSettings.Mode.RESTART).targetVersion(3).build())
                .hasMessageContaining("--mode live or stopcopy");
        assertThat(live().targetVersion(3).build().targetSchema()).isEqualTo(3);
        assertThat(live().build().targetSchema()).isEqualTo(2);
        assertThat(live().targetVersion(3).build().toBuilder().tls(false).build().targetVersion())
                .as("kept by toBuilder").isEqualTo(3);
    }

    private static DemoResult result(DemoSettings s, DemoResult.Counts counts) {
        return new DemoResult(s, "completed", counts, "ab", "ab", 100, 700.0, 3.0, 5.0, 0,
                new DemoResult.Stalls(1.0, 2.0, 3.0), new DemoResult.Stalls(0.5, 1.0, 1.5), null, null, null, false,
                50, List.of(), null, new DemoResult.Recording(List.of(), List.of(), List.of(), List.of(), List.of(),
                        List.of(), List.of(), DemoResult.GapTimeline.EMPTY, null),
                new DemoResult.Rss(300.0, 310.0), new DemoResult.Rss(250.0, null), null, null, null);
    }

    @Test
    void theJsonSaysBothSchemasAndTheRuleFiguresAndAnyViolationFailsTheRun() {
        DemoSettings s = live().targetVersion(3).build();
        DemoResult clean = result(s, new DemoResult.Counts(60, 60, 0, 600, 0, 0, 0, 0, 0, 0, 0, 1200, 60));
        assertThat(clean.toJson()).containsEntry("source_schema", 2).containsEntry("target_schema", 3)
                .containsEntry("rule_violations", 0L).containsEntry("updates_rules_2", 1200L)
                .containsEntry("updates_rules_3", 60L);
        assertThat(clean.passed()).isTrue();
        assertThat(clean.text()).contains("arena schema 2 -> 3; updates of rules 2: 1200, of rules 3: 60; rule violations 0");
        DemoResult broken = result(s, new DemoResult.Counts(60, 60, 0, 600, 0, 0, 0, 0, 0, 0, 3, 1200, 60));
        assertThat(broken.verified()).isFalse();
        assertThat(broken.passed()).isFalse();
        assertThat(result(live().build(), new DemoResult.Counts(60, 60, 0, 600, 0, 0, 0, 0, 0, 0)).text())
                .doesNotContain("arena schema");
    }

    @Test
    void aCrossVersionRowIsLabelledWithBothSchemas() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", "live");
        row.put("source_schema", 2);
        row.put("target_schema", 2);
        assertThat(HandoffBench.label(row)).isEqualTo("live");
        row.put("target_schema", 3);
        assertThat(HandoffBench.label(row)).isEqualTo("live:2->3");
        row.remove("source_schema");
        assertThat(HandoffBench.label(row)).isEqualTo("live");
    }

    @Test
    void benchRefusesABadTargetVersionBeforeAnyRunStarts() {
        // Object is no product: a run that began would fail otherwise.
        assertThatThrownBy(() -> HandoffBench.run(List.of(10), List.of(0), List.of("live"), 30, 10,
                java.nio.file.Path.of("unused.html"), Object.class, true, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--target-version 3");
    }
}
