package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoResultTest {

    /**
     * The fields of {@code ./baton demo --json} as they were when the demo lived in the CLI, in order, with
     * whether TLS was on and the bots' transport after the mode, the arena schemas of both servers after them,
     * and the rule figures after the failed verifications.
     */
    private static final List<String> FIELDS = List.of("clients", "tick_hz", "state_bytes", "mode", "tls", "transport",
            "source_schema", "target_schema", "outcome",
            "clients_switched", "clients_resumed", "inputs_sent", "inputs_lost", "inputs_duplicated", "outputs_lost",
            "outputs_duplicated", "out_of_order", "failed_verifications", "rule_violations", "updates_rules_2",
            "updates_rules_3", "digest_source", "digest_target",
            "state_equal", "cutover_index", "handoff_ms", "cutover_pause_ms", "longest_commit_wait_ms",
            "commit_suspensions", "stall_ms", "baseline_stall_ms", "stall_excess_ms", "earlier_baseline_stall_ms",
            "noise_excess_ms", "handoff_cpu_us_per_client",
            "cpu_ms", "fault", "expected_outcome", "acked_inputs_lost",
            "diverged", "indices_compared", "source_rss_mb", "target_rss_mb");

    /** What a source says when the client endpoint it was given leads elsewhere ({@code EndpointProbe}). */
    private static final String ABORT_REASON = "the client endpoint 127.0.0.1:1 does not reach the target: connection refused";

    @Test
    void aPlainRunReportsExactlyTheDemosFieldsInItsOrder() {
        DemoResult r = result(settings(Fault.NONE, 1, false), "completed", counts(0), List.of());
        assertThat(r.toJson().keySet()).containsExactlyElementsOf(FIELDS);
        assertThat(r.toJson().get("stall_ms")).hasToString("{p50=1.0, p99=2.0, max=3.0}");
        assertThat(r.toJson()).containsEntry("state_bytes", 0L).containsEntry("expected_outcome", "completed")
                .containsEntry("tls", true).containsEntry("transport", "tcp");
        assertThat(result(settings(Fault.NONE, 1, false).toBuilder().tls(false).build(), "completed", counts(0), List.of()).toJson())
                .containsEntry("tls", false);
    }

    @Test
    void aFaultAChainAndTheHeapEachAddTheirFieldsWhereTheDemoPutThem() {
        DemoResult faulty = result(settings(Fault.PAUSE_SOURCE, 1, false), "failed-over", counts(0), List.of());
        assertThat(List.copyOf(faulty.toJson().keySet()).subList(38, 41))
                .containsExactly("acked_inputs_lost", "fault_at_ms", "recovery_ms");
        assertThat(faulty.toJson()).containsEntry("expected_outcome", "failed-over or completed")
                .containsEntry("fault", "pause-source");
        DemoResult chained = result(settings(Fault.NONE, 2, true), "completed", counts(0), List.of(
                new DemoResult.ChainedHandoff("target", "server-2", "completed", 700.0, 3.0, "ab", "ab", true, false,
                        10, 60)));
        assertThat(List.copyOf(chained.toJson().keySet()).subList(FIELDS.size(), FIELDS.size() + 4))
                .containsExactly("further_handoffs", "handoffs_completed", "handoffs", "heap_bytes_per_session");
        assertThat(chained.toJson()).containsEntry("handoffs_completed", 2L);
    }

    @Test
    void anythingLostFailsALiveHandoffButNotTheRestartBaselineWhoseLossIsItsFigure() {
        assertThat(result(settings(Fault.NONE, 1, false), "completed", counts(0), List.of()).passed()).isTrue();
        assertThat(result(settings(Fault.NONE, 1, false), "completed", counts(1), List.of()).passed()).isFalse();
        DemoSettings restart = settings(Fault.NONE, 1, false).toBuilder().mode(DemoSettings.Mode.RESTART).build();
        assertThat(result(restart, "completed", counts(1), List.of()).passed()).isTrue();
    }

    @Test
    void anOutcomeTheFaultDidNotPromiseFailsTheRunThoughNothingWasLost() {
        DemoResult aborted = result(settings(Fault.KILL_SOURCE_AFTER_CUTOVER, 1, false), "aborted", counts(0), List.of());
        assertThat(aborted.verified()).isTrue();
        assertThat(aborted.passed()).isFalse();
        assertThat(aborted.text()).contains("aborted (fault kill-source-after-cutover, expected: "
                + Fault.KILL_SOURCE_AFTER_CUTOVER.expectedOutcome() + ")");
        // No cutover: nothing to compare, which is not a difference; and what is not known says so.
        DemoResult r = aborted;
        DemoResult uncut = new DemoResult(r.settings(), r.outcome(), r.counts(), "0", "0", 0, null, null,
                r.longestCommitWaitMs(), r.commitSuspensions(), r.stallMs(), r.baselineStallMs(), r.earlierBaselineMs(),
                r.faultAtMs(), r.recoveryMs(), r.diverged(), r.indicesCompared(), r.furtherHandoffs(),
                r.heapBytesPerSession(), r.recording(), r.sourceRssMb(), r.targetRssMb(), r.strangers(), r.cpu(),
                r.abortReason());
        assertThat(uncut.text()).contains("at index 0: not compared (no cutover)", "handoff            unknown ms",
                "cutover pause      unknown ms").doesNotContain("DIFFERENT").doesNotContain("null");
    }

    @Test
    void anAbortedRunNamesTheSourcesReasonInTheTextAndTheJsonAndOnlyThen() {
        DemoResult aborted = result(settings(Fault.WRONG_CLIENT_ENDPOINT, 1, false), "aborted", counts(0), List.of());
        int outcome = FIELDS.indexOf("outcome");
        assertThat(List.copyOf(aborted.toJson().keySet()).subList(outcome, outcome + 2))
                .containsExactly("outcome", "abort_reason");
        assertThat(aborted.toJson()).containsEntry("abort_reason", ABORT_REASON);
        assertThat(aborted.text().lines().skip(1).findFirst().orElseThrow())
                .isEqualTo("  abort reason       the source's: " + ABORT_REASON);
        DemoResult completed = result(settings(Fault.NONE, 1, false), "completed", counts(0), List.of());
        assertThat(completed.toJson()).doesNotContainKey("abort_reason");
        assertThat(completed.text()).doesNotContain("abort reason");
        assertThat(Scoring.abortReason(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()))
                .as("a status without a reason says so").startsWith("unknown");
    }

    @Test
    void eachServersResidentMemoryIsReportedBeforeAndAfterAndNullWhereUnknown() {
        Map<String, Object> json = result(settings(Fault.NONE, 1, false), "completed", counts(0), List.of()).toJson();
        assertThat(json.get("source_rss_mb")).hasToString("{before=300.0, after=310.0}");
        assertThat(json.get("target_rss_mb")).hasToString("{before=250.0, after=null}");
    }

    @Test
    void strangersWhosePromiseDidNotHoldFailTheRunThoughTheHandoffCompleted() {
        DemoSettings s = settings(Fault.IDLE_CONNECTIONS, 1, false);
        DemoResult base = result(s, "completed", counts(0), List.of());
        DemoResult kept = withStrangers(base, Map.of("act", "idle-connections", "kept", true));
        DemoResult broken = withStrangers(base, Map.of("act", "idle-connections", "kept", false));
        assertThat(kept.passed()).isTrue();
        assertThat(broken.verified()).as("nothing lost").isTrue();
        assertThat(broken.passed()).isFalse();
        assertThat(List.copyOf(kept.toJson().keySet())).endsWith("source_rss_mb", "target_rss_mb", "strangers");
    }

    private static DemoResult withStrangers(DemoResult r, Map<String, Object> strangers) {
        return new DemoResult(r.settings(), r.outcome(), r.counts(), r.digestSource(), r.digestTarget(),
                r.cutoverIndex(), r.handoffMs(), r.cutoverPauseMs(), r.longestCommitWaitMs(), r.commitSuspensions(),
                r.stallMs(), r.baselineStallMs(), r.earlierBaselineMs(), r.faultAtMs(), r.recoveryMs(), r.diverged(), r.indicesCompared(),
                r.furtherHandoffs(), r.heapBytesPerSession(), r.recording(), r.sourceRssMb(), r.targetRssMb(),
                strangers, r.cpu(), r.abortReason());
    }

    @Test
    void aChainThatStoppedShortFailsTheRun() {
        DemoResult r = result(settings(Fault.NONE, 3, false), "completed", counts(0), List.of(
                new DemoResult.ChainedHandoff("target", "server-2", "aborted", 700.0, null, "0", "0", false, false,
                        0, 0)));
        assertThat(r.handoffsCompleted()).isEqualTo(1);
        assertThat(r.passed()).isFalse();
    }

    /** A live run of 60 bots, 2 s of warm-up, the rest the demo's defaults; the JVM options are never used. */
    private static DemoSettings settings(Fault fault, int handoffs, boolean heap) {
        return DemoSettings.builder().clients(60).warmupS(2).fault(fault).handoffs(handoffs)
                .botProcesses(fault == Fault.KILL_CLIENT ? 2 : 1).serverJvm(List.of()).botJvm(List.of())
                .measureHeap(heap).build();
    }

    private static DemoResult.Counts counts(long lost) {
        return new DemoResult.Counts(60, 60, 0, 600, lost, 0, 0, 0, 0, 0);
    }

    private static DemoResult result(DemoSettings s, String outcome, DemoResult.Counts counts,
                                     List<DemoResult.ChainedHandoff> chain) {
        return new DemoResult(s, outcome, counts, "ab", "ab", 100, 700.0, 3.0, 5.0, 0,
                new DemoResult.Stalls(1.0, 2.0, 3.0), new DemoResult.Stalls(0.5, 1.0, 1.5),
                new DemoResult.Stalls(0.25, 1.5, 1.0), null, null, false, 50,
                chain, null, new DemoResult.Recording(List.of(), List.of(), List.of(), List.of(), List.of(),
                        List.of(), List.of(), DemoResult.GapTimeline.EMPTY, null),
                new DemoResult.Rss(300.0, 310.0), new DemoResult.Rss(250.0, null), null, cpu(),
                outcome.equals("aborted") ? ABORT_REASON : null);
    }

    /** 60 clients moved; the source died before the window's end, so its figure is unknown. */
    private static HandoffCpu cpu() {
        Map<String, HandoffCpu.Group> groups = new java.util.LinkedHashMap<>();
        groups.put("source", new HandoffCpu.Group(null, 80.0, null));
        groups.put("target", new HandoffCpu.Group(120.0, 60.0, 1000.0));
        groups.put("clients", new HandoffCpu.Group(300.0, 240.0, 1000.0));
        return new HandoffCpu(700.0, 700.0, groups, 60);
    }

    @Test
    void theJsonCarriesTheStallExcessPerPercentileAndTheHandoffsCpuPerClientWithItsRawFigures() throws Exception {
        DemoResult r = result(settings(Fault.NONE, 1, false), "completed", counts(0), List.of());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r.toJson()));
        // stall 1.0 / 2.0 / 3.0 against a baseline of 0.5 / 1.0 / 1.5
        assertThat(j.path("stall_excess_ms").path("p50").isNumber()).isTrue();
        assertThat(j.path("stall_excess_ms").path("p50").asDouble()).isEqualTo(0.5);
        assertThat(j.path("stall_excess_ms").path("p99").asDouble()).isEqualTo(1.0);
        assertThat(j.path("stall_excess_ms").path("max").asDouble()).isEqualTo(1.5);
        // the baseline 0.5 / 1.0 / 1.5 against the window before it, 0.25 / 1.5 / 1.0
        assertThat(j.path("noise_excess_ms").path("p50").asDouble()).isEqualTo(0.25);
        assertThat(j.path("noise_excess_ms").path("p99").asDouble()).isEqualTo(-0.5);
        assertThat(j.path("noise_excess_ms").path("max").asDouble()).isEqualTo(0.5);
        assertThat(r.text()).contains("two windows before p50 0.25 ms, p99 -0.5 ms, max 0.5 ms");
        com.fasterxml.jackson.databind.JsonNode per = j.path("handoff_cpu_us_per_client");
        assertThat(per.path("source").isNull()).as("a process that died: null, not a crash").isTrue();
        assertThat(per.path("target").isNumber()).isTrue();
        assertThat(per.path("target").asDouble()).isEqualTo(1000.0);
        assertThat(per.path("clients").asDouble()).isEqualTo(1000.0);
        com.fasterxml.jackson.databind.JsonNode raw = j.path("cpu_ms");
        assertThat(raw.path("window_ms").asDouble()).isEqualTo(700.0);
        assertThat(raw.path("baseline_window_ms").asDouble()).isEqualTo(700.0);
        assertThat(raw.path("clients_moved").asLong()).isEqualTo(60);
        assertThat(raw.path("source").path("handoff").isNull()).isTrue();
        assertThat(raw.path("source").path("baseline").asDouble()).isEqualTo(80.0);
        assertThat(raw.path("target").path("handoff").isNumber()).isTrue();
        assertThat(r.text()).contains("stall excess       p50 0.5 ms, p99 1.0 ms, max 1.5 ms (the handoff's, less the "
                        + "one without)\n                     (each excess is one percentile less the same one without: "
                        + "not a figure per client, so p99's can be below p50's)\n",
                "handoff CPU        per client moved (60), beyond the same window without a handoff: source unknown, "
                        + "target 1000.0 us, clients 1000.0 us, both servers unknown beyond one server serving");
    }

    @Test
    void withoutCpuSamplesOrAnEarlierWindowTheirFiguresAreNull() {
        DemoResult r = result(settings(Fault.NONE, 1, false), "completed", counts(0), List.of());
        DemoResult none = new DemoResult(r.settings(), r.outcome(), r.counts(), r.digestSource(), r.digestTarget(),
                r.cutoverIndex(), r.handoffMs(), r.cutoverPauseMs(), r.longestCommitWaitMs(), r.commitSuspensions(),
                r.stallMs(), r.baselineStallMs(), null, r.faultAtMs(), r.recoveryMs(), r.diverged(), r.indicesCompared(),
                r.furtherHandoffs(), r.heapBytesPerSession(), r.recording(), r.sourceRssMb(), r.targetRssMb(),
                null, null, null);
        assertThat(none.toJson()).containsEntry("handoff_cpu_us_per_client", null).containsEntry("cpu_ms", null)
                .containsEntry("noise_excess_ms", null);
        assertThat(none.text()).doesNotContain("handoff CPU").doesNotContain("two windows before");
    }
}
