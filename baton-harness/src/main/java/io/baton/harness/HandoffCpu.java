package io.baton.harness;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The handoff's own CPU cost per process group (source, target, clients), machine noise apart: the CPU
 * time each spent in the handoff window beyond what it spent in a baseline window of the same length,
 * divided by the clients moved.
 *
 * <p>The handoff window runs from the operator's command to {@code end}: the later of the source's drain
 * done (its phase DONE: every client left and their old connections closed) and the last client's
 * switch, plus two tick periods, the tail the clients' stall window has too, which holds the target's
 * first ticks after the last switch. The baseline window is as long and ends at the command, in the same
 * run. When the samples begin later than that (a handoff longer than the warm-up), the baseline is the
 * CPU over what was sampled before the command, scaled to the handoff window's length: the processes play
 * steadily then, so their rate is what an equal window would have cost. Cumulative CPU between two
 * samples is interpolated linearly (samples every 50 ms, one at the command).
 *
 * @param windowMs         the handoff window's length
 * @param baselineWindowMs the length actually sampled before the command (equal to windowMs unless scaled)
 * @param groups           per group: CPU in each window and the excess per client; nulls where a process
 *                         died before the window's end (its CPU from then on is unknown)
 * @param clientsMoved     the clients the excess is divided by
 */
record HandoffCpu(double windowMs, double baselineWindowMs, Map<String, Group> groups, long clientsMoved) {

    /** Two tick periods after the handoff's last event: the same tail as the clients' stall window. */
    static final int TAIL_TICKS = 2;

    /**
     * One group's figures, in ms of CPU: in the handoff window, in the baseline window (as sampled, not
     * scaled), and (handoff − baseline scaled to the handoff window) per client moved, in µs.
     */
    record Group(Double handoffMs, Double baselineMs, Double usPerClient) {
    }

    /** The end of the handoff window: the later of drain done and last switch, plus the tail. */
    static long windowEnd(long drainDoneNanos, long lastSwitchNanos, int tickHz) {
        return Math.max(drainDoneNanos, lastSwitchNanos) + TAIL_TICKS * (1_000_000_000L / tickHz);
    }

    /** The figures from each group's samples, for a handoff commanded at {@code t0} whose window ends at {@code end}. */
    static HandoffCpu of(Map<String, List<CpuSampler.Sample>> samples, long t0, long end, long clientsMoved) {
        long length = end - t0;
        long earliest = Long.MIN_VALUE;
        for (List<CpuSampler.Sample> s : samples.values()) {
            if (!s.isEmpty()) {
                earliest = Math.max(earliest, s.get(0).atNanos());
            }
        }
        long baselineFrom = Math.max(t0 - length, earliest);
        long baselineLength = t0 - baselineFrom;
        Map<String, Group> groups = new LinkedHashMap<>();
        for (Map.Entry<String, List<CpuSampler.Sample>> e : samples.entrySet()) {
            Long handoff = cpuNanos(e.getValue(), t0, end);
            Long baseline = baselineLength <= 0 ? null : cpuNanos(e.getValue(), baselineFrom, t0);
            Double perClient = handoff == null || baseline == null || clientsMoved <= 0 ? null
                    : Demo.round((handoff - (double) baseline * length / baselineLength) / 1e3 / clientsMoved);
            groups.put(e.getKey(), new Group(ms(handoff), ms(baseline), perClient));
        }
        return new HandoffCpu(Demo.round(length / 1e6), Demo.round(baselineLength / 1e6), groups, clientsMoved);
    }

    /**
     * CPU time used over {@code [from, to]}, interpolated between the samples around each end; null unless
     * alive samples cover both ends.
     */
    static Long cpuNanos(List<CpuSampler.Sample> samples, long from, long to) {
        Double a = cumulativeAt(samples, from);
        Double b = cumulativeAt(samples, to);
        return a == null || b == null ? null : Math.round(b - a);
    }

    private static Double cumulativeAt(List<CpuSampler.Sample> samples, long at) {
        for (int i = 0; i < samples.size(); i++) {
            CpuSampler.Sample s = samples.get(i);
            if (!s.alive()) {
                return null;
            }
            if (s.atNanos() == at) {
                return (double) s.cpuNanos();
            }
            if (s.atNanos() > at) {
                if (i == 0) {
                    return null;
                }
                CpuSampler.Sample p = samples.get(i - 1);
                return p.cpuNanos() + (double) (s.cpuNanos() - p.cpuNanos()) * (at - p.atNanos())
                        / (s.atNanos() - p.atNanos());
            }
        }
        return null;
    }

    private static Double ms(Long nanos) {
        return nanos == null ? null : Demo.round(nanos / 1e6);
    }

    /** {@code handoff_cpu_us_per_client}: group to µs per client moved (null where unknown), then {@link #serversUsPerClient}. */
    Map<String, Object> perClientJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        groups.forEach((g, f) -> m.put(g, f.usPerClient()));
        m.put("servers", serversUsPerClient());
        return m;
    }

    /**
     * What both servers together spent in the handoff window beyond what one server spends serving the same
     * clients for as long (the source's baseline rate), per client moved, in µs; null where either is unknown.
     * The target's own figure counts its serving after the cutover too (a standby's baseline is nothing), and
     * the source's is short of the serving it stops doing then; this sum is the handoff's cost whatever the
     * share of the window each server served, so a longer window (a paced switch, a slower drain) does not
     * move it by the serving it holds.
     */
    Double serversUsPerClient() {
        Group src = groups.get("source");
        Group tgt = groups.get("target");
        if (src == null || tgt == null || src.handoffMs() == null || tgt.handoffMs() == null || src.baselineMs() == null
                || baselineWindowMs <= 0 || clientsMoved <= 0) {
            return null;
        }
        double excessMs = src.handoffMs() + tgt.handoffMs() - src.baselineMs() * windowMs / baselineWindowMs;
        return Demo.round(excessMs * 1e3 / clientsMoved);
    }

    /** {@code cpu_ms}: the raw figures, so anyone can recompute the per-client ones. */
    Map<String, Object> rawJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window_ms", windowMs);
        m.put("baseline_window_ms", baselineWindowMs);
        m.put("clients_moved", clientsMoved);
        m.put("resolution_ms", CpuSampler.TICK_NANOS / 1e6);
        groups.forEach((g, f) -> {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("handoff", f.handoffMs());
            w.put("baseline", f.baselineMs());
            m.put(g, w);
        });
        return m;
    }
}
