package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.LongFunction;

/** {@code --trace-stalls}: when each client's worst gap began, against the handoff's steps, on stderr. */
final class StallTrace {

    /** Gaps shorter than this are the machine's own noise, not worth a line. */
    private static final long NOTABLE_NANOS = 5_000_000L;
    private static final long BUCKET_NANOS = 20_000_000L;

    private StallTrace() {
    }

    /** A histogram of when each client's worst gap began, in 20 ms buckets after the command at {@code t0}. */
    static void print(List<JsonNode> reports, long t0) {
        TreeMap<Long, long[]> buckets = new TreeMap<>();
        for (JsonNode r : reports) {
            for (int i = 0; i < r.path("stalls").size(); i++) {
                long stall = r.path("stalls").get(i).asLong();
                long start = r.path("worst_gap_starts").get(i).asLong();
                if (start != 0 && stall > NOTABLE_NANOS) {
                    long[] b = buckets.computeIfAbsent((start - t0) / BUCKET_NANOS * 20, k -> new long[2]);
                    b[0]++;
                    b[1] = Math.max(b[1], stall / 1_000_000);
                }
            }
        }
        long wall = System.currentTimeMillis() - (System.nanoTime() - t0) / 1_000_000;
        buckets.forEach((ms, n) -> Demo.say("stalls > 5 ms starting at %5d ms (%tT.%<tL): %3d clients (worst %d ms)",
                ms, wall + ms, n[0], n[1]));
        Demo.say("the command was at System.nanoTime %d (CLOCK_MONOTONIC, as perf -k CLOCK_MONOTONIC shows it: %.6f s)",
                t0, t0 / 1e9);
        // The worst few clients, with their own handoff steps, all in ms after the command.
        List<long[]> worst = new ArrayList<>();
        for (JsonNode r : reports) {
            for (int i = 0; i < r.path("stalls").size(); i++) {
                JsonNode marks = r.path("handoff_marks").path(i);
                worst.add(new long[] {r.path("stalls").get(i).asLong(), r.path("worst_gap_starts").get(i).asLong(),
                    marks.path(0).asLong(), marks.path(1).asLong(), marks.path(2).asLong()});
            }
        }
        // Every client's MOVE-to-attached time: how long its pre-connection to the target took to open, upgrade
        // (WebSocket) and be welcomed, the part of the redirect a transport can lengthen.
        long[] attach = worst.stream().filter(w -> w[2] != 0 && w[3] != 0).mapToLong(w -> w[3] - w[2]).sorted().toArray();
        if (attach.length > 0) {
            Demo.say("MOVE heard to attached, %d clients: min %.1f, p50 %.1f, p99 %.1f, max %.1f ms", attach.length,
                    attach[0] / 1e6, attach[attach.length / 2] / 1e6,
                    attach[Math.min(attach.length - 1, (int) Math.ceil(attach.length * 0.99) - 1)] / 1e6,
                    attach[attach.length - 1] / 1e6);
        }
        worst.sort((a, b) -> Long.compare(b[0], a[0]));
        LongFunction<String> at = n -> n == 0 ? "-" : String.valueOf((n - t0) / 1_000_000);
        for (long[] w : worst.subList(0, Math.min(5, worst.size()))) {
            if (w[0] > NOTABLE_NANOS) {
                Demo.say("  stall %.1f ms from %s ms; MOVE heard at %s, attached at %s, switched at %s", w[0] / 1e6,
                        at.apply(w[1]), at.apply(w[2]), at.apply(w[3]), at.apply(w[4]));
            }
        }
    }
}
