package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.arena.StallDistribution;
import io.baton.arena.Tally;
import io.baton.server.EventJournal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what the bots reported and what both servers said and journaled into a {@link DemoResult}. */
final class Scoring {

    private final DemoSettings settings;
    private final List<JsonNode> reports;
    private final long t0;

    /** {@code t0}: the operator's command (System.nanoTime, the bots' clock too: one machine). */
    Scoring(DemoSettings settings, List<JsonNode> reports, long t0) {
        this.settings = settings;
        this.reports = reports;
        this.t0 = t0;
    }

    DemoResult score(JsonNode src, JsonNode tgt, EventJournal.History sourceHistory,
                     EventJournal.History targetHistory, String outcome, HandoffWatch watch,
                     List<DemoResult.ChainedHandoff> chain, Long heapPerSession, DemoResult.Rss sourceRss,
                     DemoResult.Rss targetRss, Map<String, Object> strangers,
                     Map<String, List<CpuSampler.Sample>> cpuSamples, long drainDoneNanos) {
        Map<String, Long> sums = new LinkedHashMap<>();
        List<String> fields = new ArrayList<>(List.of("clients", "clients_moved", "clients_resumed", "connect_failures"));
        fields.addAll(Tally.FIELDS);
        for (JsonNode b : reports) {
            for (String f : fields) {
                sums.merge(f, b.path(f).asLong(), Long::sum);
            }
        }
        Tally t = Tally.read(f -> sum(sums, f));
        DemoResult.Counts counts = new DemoResult.Counts(sum(sums, "clients"), sum(sums, "clients_moved"),
                sum(sums, "clients_resumed"), t.inputsSent(), t.inputsLost(), t.inputsDuplicated(), t.outputsLost(),
                t.outputsDuplicated(), t.outOfOrder(), t.failedVerifications() + sum(sums, "connect_failures"),
                t.ruleViolations(), t.updatesRules2(), t.updatesRules3());
        String ds = src.path("cutover_digest").asText();
        if (ds.equals("0") && sourceHistory.cutDigest() != 0) {
            ds = Long.toHexString(sourceHistory.cutDigest()); // it died after cutting over: its journal kept the digest
        }
        // 0 when no report has the time (browser pages keep no clock shared with the demo): handoff_ms unknown.
        long movedAt = reports.stream().mapToLong(b -> b.path("moved_at").asLong()).max().orElse(0);
        boolean aborted = outcome.equals(Fault.Outcome.ABORTED.word());
        // Recovery: from the fault to the last client on the target, or to the abort (seen by polling every
        // 20 ms; the clients' stall says what they felt).
        long struckAt = watch.struckAt();
        long recovered = aborted ? watch.abortSeenAt() : movedAt;
        // Both servers journal every event they apply and how far they released; diverged means that at some
        // log index both let out the effects of different events.
        EventJournal.Comparison cmp = EventJournal.Comparison.of(sourceHistory, targetHistory);
        if (cmp.divergent() > 0) {
            Demo.say("DIVERGED at %d log indices, the first %d", cmp.divergent(), cmp.firstDivergentIndex());
        }
        return new DemoResult(settings, outcome, counts, ds, tgt.path("cutover_digest").asText(),
                Math.max(src.path("cutover_index").asLong(), sourceHistory.cutIndex()),
                aborted || movedAt == 0 ? null : Demo.round((movedAt - t0) / 1e6), cutoverPauseMs(src, tgt),
                src.path("longest_commit_wait_ms").asDouble(), src.path("commit_suspensions").asInt(),
                distribution(nanos("stalls")), distribution(nanos("baseline_stalls")), earlierBaseline(),
                struckAt == 0 ? null : Demo.round((struckAt - t0) / 1e6),
                struckAt == 0 || recovered < struckAt ? null : Demo.round((recovered - struckAt) / 1e6),
                cmp.divergent() > 0, cmp.compared(), chain, heapPerSession,
                new DemoResult.Recording(List.copyOf(watch.timeline()), millis("stalls"), millis("baseline_stalls"),
                        moves(), marks(0), marks(1), marks(2), gaps(), cutoverMs(src)), sourceRss, targetRss, strangers,
                cpuSamples == null ? null : HandoffCpu.of(cpuSamples, t0, HandoffCpu.windowEnd(drainDoneNanos,
                        aborted ? 0 : movedAt, settings.tickHz()), counts.switched()),
                aborted ? abortReason(src) : null);
    }

    /**
     * Why the source aborted, as its status says ({@code last_error}): the report names it, so that the
     * endpoint or the failure that stopped the handoff is read there, not only in source.log.
     */
    static String abortReason(JsonNode src) {
        String reason = src.path("last_error").asText();
        return reason.isEmpty() ? "unknown (the source's status gave no reason)" : reason;
    }

    private static long sum(Map<String, Long> sums, String field) {
        return sums.getOrDefault(field, 0L);
    }

    /** Source stops applying to target applies its first event (same machine, same monotonic clock); null if either is unknown. */
    static Double cutoverPauseMs(JsonNode src, JsonNode tgt) {
        long stopped = src.path("stopped_at_nanos").asLong();
        long first = tgt.path("first_event_at_nanos").asLong();
        return stopped > 0 && first > 0 ? Demo.round((first - stopped) / 1e6) : null;
    }

    /** Every client's figure of this name, in ns, as the bots reported them. */
    private long[] nanos(String field) {
        List<Long> ns = new ArrayList<>();
        for (JsonNode r : reports) {
            r.path(field).forEach(v -> ns.add(v.asLong()));
        }
        return ns.stream().mapToLong(Long::longValue).toArray();
    }

    /** Every client's figure of this name, in ms, sorted. */
    private List<Double> millis(String field) {
        List<Double> ms = new ArrayList<>();
        for (long n : nanos(field)) {
            ms.add(n / 1e6);
        }
        ms.sort(Double::compare);
        return ms;
    }

    /** When each client moved, in ms after the command, sorted. */
    private List<Double> moves() {
        List<Double> ms = new ArrayList<>();
        for (JsonNode r : reports) {
            r.path("move_times").forEach(v -> ms.add((v.asLong() - t0) / 1e6));
        }
        ms.sort(Double::compare);
        return ms;
    }

    /**
     * When each client heard MOVE (0), attached to the target (1) and switched (2), in ms after the command,
     * sorted, from the bots' own marks: each curve of the report is one of these, not a mix.
     */
    private List<Double> marks(int which) {
        List<Double> ms = new ArrayList<>();
        for (JsonNode r : reports) {
            for (JsonNode m : r.path("handoff_marks")) {
                long at = m.path(which).asLong();
                if (at != 0) {
                    ms.add((at - t0) / 1e6);
                }
            }
        }
        ms.sort(Double::compare);
        return ms;
    }

    /** The largest gap per tick over every bot process (the maximum of each bucket), in ms. */
    DemoResult.GapTimeline gaps() {
        long from = 0;
        long bucket = 0;
        List<Double> max = new ArrayList<>();
        for (JsonNode r : reports) {
            if (!r.has("max_gap_us")) {
                continue;
            }
            from = r.path("gaps_from").asLong();
            bucket = r.path("gap_bucket_ns").asLong();
            JsonNode gaps = r.path("max_gap_us");
            for (int i = 0; i < gaps.size(); i++) {
                double ms = gaps.get(i).asLong() / 1e3;
                if (i < max.size()) {
                    max.set(i, Math.max(max.get(i), ms));
                } else {
                    max.add(ms);
                }
            }
        }
        return bucket == 0 ? DemoResult.GapTimeline.EMPTY
                : new DemoResult.GapTimeline(Demo.round((from - t0) / 1e6), bucket / 1e6, List.copyOf(max));
    }

    /** When the source stopped applying, in ms after the command; null if unknown. */
    private Double cutoverMs(JsonNode src) {
        long stopped = src.path("stopped_at_nanos").asLong();
        return stopped > 0 ? Demo.round((stopped - t0) / 1e6) : null;
    }

    /** The window before the baseline, if every bot process had one (its warm-up held both windows). */
    private DemoResult.Stalls earlierBaseline() {
        for (JsonNode r : reports) {
            if (!r.path("earlier_baseline_stalls").isArray() || r.path("earlier_baseline_stalls").isEmpty()) {
                return null;
            }
        }
        return reports.isEmpty() ? null : distribution(nanos("earlier_baseline_stalls"));
    }

    /** p50, p99 and max, nearest rank to 10 µs ({@link StallDistribution}), in ms. */
    private static DemoResult.Stalls distribution(long[] nanos) {
        long[] p = StallDistribution.ofNanos(nanos).p50p99maxNanos();
        return new DemoResult.Stalls(Demo.round(p[0] / 1e6), Demo.round(p[1] / 1e6), Demo.round(p[2] / 1e6));
    }
}
