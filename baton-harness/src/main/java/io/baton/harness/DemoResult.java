package io.baton.harness;

import io.baton.arena.Tally;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a demo run found: what the clients verified end to end, both servers' digests at cutover, the
 * timings, and whether the two servers' journals diverged. {@link #toJson} is {@code ./baton demo --json}.
 *
 * @param settings            what was run
 * @param outcome             completed, aborted or failed-over
 * @param counts              the bots' tallies, summed over every bot process still alive at the end
 * @param digestSource        the source's state digest at cutover, hex ("0" if it has none)
 * @param digestTarget        the target's
 * @param cutoverIndex        the log index of the cut
 * @param handoffMs           from the operator's command to the last client switched; null if aborted
 * @param cutoverPauseMs      from the source's last applied event to the target's first; null if unknown
 * @param longestCommitWaitMs the longest a source held outputs waiting for the target's acknowledgement
 * @param commitSuspensions   how often the source stopped waiting for the target's acknowledgement
 * @param stallMs             each client's longest gap between tick updates during the handoff, less a tick
 * @param baselineStallMs     the same over as long a window just before it
 * @param earlierBaselineMs   the same again over the window before that one, where the warm-up had it; null
 *                            if it did not: two windows without a handoff, what noise makes of an excess once the play has settled
 * @param faultAtMs           when the fault struck, after the command; null if it did not (or no fault)
 * @param recoveryMs          from the fault to the last client on the target, or to the abort; null if unknown
 * @param diverged            some log index both servers released with different events
 * @param indicesCompared     the log indices whose events both journals hold
 * @param furtherHandoffs     the handoffs after the first, in order (empty for one)
 * @param heapBytesPerSession the source's heap per session; null when too small to tell or not measured
 * @param recording           the raw figures behind the distributions, for plots
 * @param sourceRssMb         the source process's resident memory before the handoff and at the end
 * @param targetRssMb         the target's
 * @param strangers           what the servers did to the strangers of a hostile fault ({@link Strangers#report}),
 *                            null for a fault without them
 * @param cpu                 the handoff's own CPU cost per process group ({@link HandoffCpu}); null if not measured
 * @param abortReason         why the source aborted, in its own words (its status's {@code last_error}); null
 *                            unless the outcome is aborted
 */
public record DemoResult(DemoSettings settings, String outcome, Counts counts, String digestSource,
                         String digestTarget, long cutoverIndex, Double handoffMs, Double cutoverPauseMs,
                         double longestCommitWaitMs, int commitSuspensions, Stalls stallMs, Stalls baselineStallMs,
                         Stalls earlierBaselineMs, Double faultAtMs, Double recoveryMs, boolean diverged, long indicesCompared,
                         List<ChainedHandoff> furtherHandoffs, Long heapBytesPerSession, Recording recording,
                         Rss sourceRssMb, Rss targetRssMb, Map<String, Object> strangers,
                         HandoffCpu cpu, String abortReason) {

    /**
     * A server process's resident set (VmRSS), in MiB, just before the operator's command and at the end of
     * the run; null where the process was not alive to tell.
     */
    public record Rss(Double before, Double after) {
        Map<String, Object> toJson() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("before", before);
            d.put("after", after);
            return d;
        }
    }

    /** What the bots counted. {@code switched}: clients now on the target; {@code resumed}: through a fallback resume. */
    public record Counts(long clients, long switched, long resumed, long inputsSent, long inputsLost,
                         long inputsDuplicated, long outputsLost, long outputsDuplicated, long outOfOrder,
                         long failedVerifications, long ruleViolations, long updatesRules2, long updatesRules3) {

        /** Counts of clients that report no rules (browser pages, the restart baseline's client). */
        public Counts(long clients, long switched, long resumed, long inputsSent, long inputsLost,
                      long inputsDuplicated, long outputsLost, long outputsDuplicated, long outOfOrder,
                      long failedVerifications) {
            this(clients, switched, resumed, inputsSent, inputsLost, inputsDuplicated, outputsLost, outputsDuplicated,
                    outOfOrder, failedVerifications, 0, 0, 0);
        }

        /** The verification figures, as the bots' reports name them. */
        Tally tally() {
            return new Tally(inputsSent, inputsLost, inputsDuplicated, outputsLost, outputsDuplicated, outOfOrder,
                    failedVerifications, ruleViolations, updatesRules2, updatesRules3);
        }
    }

    /** A distribution of stalls in ms: median, 99th percentile, worst. */
    public record Stalls(double p50, double p99, double max) {
        Map<String, Object> toJson() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("p50", p50);
            d.put("p99", p99);
            d.put("max", max);
            return d;
        }
    }

    /** One handoff after the first: from the server that took over last to the next standby. */
    public record ChainedHandoff(String from, String to, String outcome, double handoffMs, Double cutoverPauseMs,
                                 String digestSource, String digestTarget, boolean stateEqual, boolean diverged,
                                 long indicesCompared, int sessionsOnTarget) {
        Map<String, Object> toJson() {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("from", from);
            h.put("to", to);
            h.put("outcome", outcome);
            h.put("handoff_ms", handoffMs);
            h.put("cutover_pause_ms", cutoverPauseMs);
            h.put("digest_source", digestSource);
            h.put("digest_target", digestTarget);
            h.put("state_equal", stateEqual);
            h.put("diverged", diverged);
            h.put("indices_compared", indicesCompared);
            h.put("sessions_on_target", sessionsOnTarget);
            return h;
        }
    }

    /**
     * The raw figures, in ms: the source's phases as the watch saw them (ms after the command, phase, clients
     * told to move, attached and switched, by the source's count), every client's stall and baseline stall
     * (sorted), when each client's session first moved (switched or resumed) after the command (sorted),
     * when each client heard MOVE, attached its pre-connection and switched to the target, by its own
     * clock (each sorted, only those that did), the largest gap per tick, and when the source stopped
     * applying (the cutover; null if unknown).
     */
    public record Recording(List<Map<String, Object>> timeline, List<Double> stallsMs, List<Double> baselineStallsMs,
                            List<Double> movesMs, List<Double> heardMoveMs, List<Double> attachedMs,
                            List<Double> switchedMs, GapTimeline gaps, Double cutoverMs) {
    }

    /**
     * The largest gap between two updates (over every client) that ended in each bucket of {@code bucketMs}
     * (one tick period), the first bucket starting {@code fromMs} after the command (negative: before it).
     */
    public record GapTimeline(double fromMs, double bucketMs, List<Double> maxGapMs) {
        static final GapTimeline EMPTY = new GapTimeline(0, 0, List.of());
    }

    /**
     * What the handoff added to the stall beyond the machine's noise: stall minus baseline, percentile by
     * percentile (the p99 of one less the p99 of the other, not a figure per client).
     */
    public Stalls stallExcessMs() {
        return new Stalls(Demo.round(stallMs.p50() - baselineStallMs.p50()),
                Demo.round(stallMs.p99() - baselineStallMs.p99()), Demo.round(stallMs.max() - baselineStallMs.max()));
    }

    /**
     * The same comparison between the two windows before the command, neither with a handoff (baseline less
     * the window before it): how far apart noise puts two windows without a handoff, the floor under which a
     * {@link #stallExcessMs} says nothing, provided the play had settled before the earlier one (with the
     * demo's 3 s warm-up at 200 clients the earlier window was the noisier one in 9 runs of 10, nearer the
     * bots' connecting: docs/performance.md). Null where the warm-up was too short to hold both.
     */
    public Stalls noiseExcessMs() {
        return earlierBaselineMs == null ? null : new Stalls(Demo.round(baselineStallMs.p50() - earlierBaselineMs.p50()),
                Demo.round(baselineStallMs.p99() - earlierBaselineMs.p99()),
                Demo.round(baselineStallMs.max() - earlierBaselineMs.max()));
    }

    /** Both servers had the same state at the cut (and had one). */
    public boolean stateEqual() {
        return !digestSource.equals("0") && digestSource.equals(digestTarget);
    }

    /** The handoffs in a row that completed with equal states and no divergence, the first included. */
    public long handoffsCompleted() {
        return 1 + furtherHandoffs.stream().filter(h -> h.stateEqual() && !h.diverged()).count();
    }

    /**
     * {@link #verified} held, the fault's promise was kept (with what its strangers must see, if it has them),
     * and every handoff in a row completed.
     */
    public boolean passed() {
        return verified() && settings.fault().kept(outcome) && handoffsCompleted() == settings.handoffs()
                && (strangers == null || Boolean.TRUE.equals(strangers.get("kept")));
    }

    /**
     * Nothing lost, doubled or reordered, no divergence, and: a completed handoff moved every client and the
     * states were equal at cutover; a failed-over one moved every client; an aborted one left them where they
     * were. The restart baseline loses what is sent during its outage by design (that is the figure it is run
     * for): it passes when the state loaded intact and every client came back.
     */
    public boolean verified() {
        if (diverged) {
            return false;
        }
        boolean restart = settings.mode() == DemoSettings.Mode.RESTART;
        if (counts.inputsDuplicated() + counts.outputsDuplicated() + counts.outOfOrder() + counts.ruleViolations() != 0
                || (!restart
                && counts.inputsLost() + counts.outputsLost() + counts.failedVerifications() != 0)) {
            return false;
        }
        boolean everyoneMoved = counts.switched() == counts.clients();
        return switch (outcome) {
            case "completed" -> everyoneMoved && stateEqual();
            case "failed-over" -> everyoneMoved;
            case "aborted" -> true;
            default -> false;
        };
    }

    /** The report as {@code ./baton demo --json} prints it, field for field. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clients", counts.clients());
        m.put("tick_hz", settings.tickHz());
        m.put("state_bytes", (long) settings.stateMb() << 20);
        m.put("mode", settings.mode().word());
        m.put("tls", settings.tls());
        m.put("transport", settings.transport());
        m.put("source_schema", settings.sourceSchema());
        m.put("target_schema", settings.targetSchema());
        m.put("outcome", outcome);
        if (abortReason != null) {
            m.put("abort_reason", abortReason);
        }
        m.put("clients_switched", counts.switched());
        m.put("clients_resumed", counts.resumed());
        counts.tally().putInto(m);
        m.put("digest_source", digestSource);
        m.put("digest_target", digestTarget);
        m.put("state_equal", stateEqual());
        m.put("cutover_index", cutoverIndex);
        m.put("handoff_ms", handoffMs);
        m.put("cutover_pause_ms", cutoverPauseMs);
        m.put("longest_commit_wait_ms", longestCommitWaitMs);
        m.put("commit_suspensions", commitSuspensions);
        m.put("stall_ms", stallMs.toJson());
        m.put("baseline_stall_ms", baselineStallMs.toJson());
        m.put("stall_excess_ms", stallExcessMs().toJson());
        m.put("earlier_baseline_stall_ms", earlierBaselineMs == null ? null : earlierBaselineMs.toJson());
        m.put("noise_excess_ms", earlierBaselineMs == null ? null : noiseExcessMs().toJson());
        m.put("handoff_cpu_us_per_client", cpu == null ? null : cpu.perClientJson());
        m.put("cpu_ms", cpu == null ? null : cpu.rawJson());
        m.put("fault", settings.fault().cliName());
        m.put("expected_outcome", settings.fault().expectedOutcome());
        m.put("acked_inputs_lost", counts.inputsLost()); // every input sent must be applied: a bound
        if (settings.fault() != Fault.NONE) {
            m.put("fault_at_ms", faultAtMs);
            m.put("recovery_ms", recoveryMs);
        }
        m.put("diverged", diverged);
        m.put("indices_compared", indicesCompared);
        m.put("source_rss_mb", sourceRssMb.toJson());
        m.put("target_rss_mb", targetRssMb.toJson());
        if (strangers != null) {
            m.put("strangers", strangers);
        }
        if (settings.handoffs() > 1) {
            m.put("further_handoffs", furtherHandoffs.stream().map(ChainedHandoff::toJson).toList());
            m.put("handoffs_completed", handoffsCompleted());
            m.put("handoffs", settings.handoffs());
        }
        if (settings.measureHeap()) {
            m.put("heap_bytes_per_session", heapBytesPerSession);
        }
        return m;
    }

    /** The report for a person: one paragraph, then a line per further handoff. */
    public String text() {
        DemoSettings s = settings;
        StringBuilder b = new StringBuilder(String.format("%s handoff of %s clients at %d Hz with %d MiB of extra state: %s%n"
                        + "%s"
                        + "  clients switched   %s (%s through the fallback resume)%n"
                        + "  inputs             %s sent, %s lost, %s duplicated; outputs %s lost, %s duplicated; %s out of order%n"
                        + "  state              source %s, target %s at index %s: %s%n"
                        + "  handoff            %s ms from the operator's command to the last client switched%n"
                        + "  cutover pause      %s ms (source stops applying -> target applies its next event)%n"
                        + "  stall per client   p50 %s ms, p99 %s ms, max %s ms beyond one tick%n"
                        + "  without a handoff  p50 %s ms, p99 %s ms, max %s ms (the same length of time just before it)%n"
                        + "  stall excess       p50 %s ms, p99 %s ms, max %s ms (the handoff's, less the one without)%n"
                        + "                     (each excess is one percentile less the same one without: not a figure per "
                        + "client, so p99's can be below p50's)%n"
                        + "%s"
                        + "%s"
                        + "%s%n",
                s.mode().word(), counts.clients(), s.tickHz(), s.stateMb(), outcome
                        + (s.fault() == Fault.NONE ? "" : " (fault " + s.fault().cliName() + ", expected: "
                                + s.fault().expectedOutcome() + ")"),
                (abortReason == null ? "" : String.format("  abort reason       the source's: %s%n", abortReason))
                        + (s.targetVersion() == DemoSettings.SAME_VERSION ? "" : String.format("  versions           "
                        + "arena schema %d -> %d; updates of rules 2: %d, of rules 3: %d; rule violations %d%n",
                        s.sourceSchema(), s.targetSchema(), counts.updatesRules2(), counts.updatesRules3(),
                        counts.ruleViolations())),
                counts.switched(), counts.resumed(), counts.inputsSent(), counts.inputsLost(),
                counts.inputsDuplicated(), counts.outputsLost(), counts.outputsDuplicated(), counts.outOfOrder(),
                digestSource, digestTarget, cutoverIndex, stateVerdict(), orUnknown(handoffMs),
                orUnknown(cutoverPauseMs), stallMs.p50(), stallMs.p99(), stallMs.max(), baselineStallMs.p50(),
                baselineStallMs.p99(), baselineStallMs.max(), stallExcessMs().p50(), stallExcessMs().p99(),
                stallExcessMs().max(), noiseText(), cpuText(), verdict()));
        for (ChainedHandoff h : furtherHandoffs) {
            b.append(String.format("  then %s -> %s      %s in %s ms, cutover pause %s ms, state %s, %s clients there%n",
                    h.from(), h.to(), h.outcome(), h.handoffMs(), h.cutoverPauseMs(),
                    h.stateEqual() ? "equal" : "DIFFERENT", h.sessionsOnTarget()));
        }
        return b.toString();
    }

    /**
     * Equal, different, or not compared: a source killed before it cut over, or a handoff that never got to
     * a cutover, leaves one side (or both) without a digest, and "different" would be the wrong word.
     */
    private String stateVerdict() {
        if (stateEqual()) {
            return "equal";
        }
        return digestSource.equals("0") || digestTarget.equals("0")
                ? "not compared (" + (cutoverIndex == 0 ? "no cutover" : "one side has no digest") + ")"
                : "DIFFERENT";
    }

    private static String orUnknown(Double v) {
        return v == null ? "unknown" : v.toString();
    }

    /** The noise line of the text report, where the warm-up held two windows before the command. */
    private String noiseText() {
        Stalls n = noiseExcessMs();
        return n == null ? "" : String.format("  two windows before p50 %s ms, p99 %s ms, max %s ms (the same between "
                + "the two windows before the command, neither with a handoff: noise, if the play had settled)%n",
                n.p50(), n.p99(), n.max());
    }

    /** The CPU lines of the text report: per group, µs per client moved, then the raw figures. */
    private String cpuText() {
        if (cpu == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(String.format("  handoff CPU        per client moved (%d), beyond the "
                + "same window without a handoff: ", cpu.clientsMoved()));
        StringBuilder raw = new StringBuilder();
        cpu.groups().forEach((g, f) -> {
            b.append(g).append(' ').append(f.usPerClient() == null ? "unknown" : f.usPerClient() + " us").append(", ");
            raw.append(g).append(' ').append(orUnknown(f.handoffMs())).append(" / ").append(orUnknown(f.baselineMs()))
                    .append(", ");
        });
        b.append("both servers ").append(cpu.serversUsPerClient() == null ? "unknown" : cpu.serversUsPerClient() + " us")
                .append(" beyond one server serving");
        raw.setLength(Math.max(0, raw.length() - 2));
        return b.append(String.format("%n  CPU ms             %s (the handoff window of %s ms / the window before it, "
                + "%s ms)%n", raw, cpu.windowMs(), cpu.baselineWindowMs())).toString();
    }

    private String verdict() {
        if (!verified()) {
            return "FAILED";
        }
        if (settings.mode() == DemoSettings.Mode.RESTART) {
            return "BASELINE: every client came back to the restored state; what they sent meanwhile is lost";
        }
        return stallMs.max() < 1000.0 / settings.tickHz()
                ? "PASSED: nothing lost, duplicated or reordered, and no client stalled for a tick"
                : "PASSED: nothing lost, duplicated or reordered; but some clients stalled for a tick or more";
    }
}
