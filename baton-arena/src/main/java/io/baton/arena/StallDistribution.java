package io.baton.arena;

import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.IntCountsHistogram;

/**
 * A distribution of durations (stalls, gaps) kept in an HdrHistogram, read by <em>nearest rank</em>: the
 * p-th percentile is the smallest recorded value with at least p percent of the values at or below it, as
 * the reports have always defined it (HdrHistogram's own {@code getValueAtPercentile} rounds the rank to
 * the nearest count instead, which for some counts picks the value below).
 *
 * <p>Values are recorded in units of 10 µs (rounded half up), with five significant digits: every value up
 * to 2.62 s is kept exactly to the 0.01 ms the reports print; above that the resolution is one part in
 * 10<sup>5</sup> (20 µs at 2.6–5.2 s, and so on). The histogram resizes itself, so no value is refused.
 * Not thread-safe: fill it on one thread, then read it.
 */
public final class StallDistribution {

    /** The unit values are recorded in: the 0.01 ms the reports print. */
    public static final long UNIT_NANOS = 10_000;
    private static final int SIGNIFICANT_DIGITS = 5;

    private final IntCountsHistogram histogram = new IntCountsHistogram(SIGNIFICANT_DIGITS);

    /** The distribution of these values, in nanoseconds (negative values count as 0). */
    public static StallDistribution ofNanos(long... nanos) {
        StallDistribution d = new StallDistribution();
        for (long n : nanos) {
            d.recordNanos(n);
        }
        return d;
    }

    /** Records one value, in nanoseconds. */
    public void recordNanos(long nanos) {
        histogram.recordValue((Math.max(0, nanos) + UNIT_NANOS / 2) / UNIT_NANOS);
    }

    /** How many values were recorded. */
    public long count() {
        return histogram.getTotalCount();
    }

    /** The nearest-rank {@code p}-th percentile (0 &lt; p ≤ 100) in nanoseconds, to 10 µs; 0 if empty. */
    public long percentileNanos(double p) {
        long total = histogram.getTotalCount();
        if (total == 0) {
            return 0;
        }
        long rank = Math.min(total, Math.max(1, (long) Math.ceil(p / 100.0 * total)));
        long seen = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            seen += v.getCountAtValueIteratedTo();
            if (seen >= rank) {
                return histogram.highestEquivalentValue(v.getValueIteratedTo()) * UNIT_NANOS;
            }
        }
        return histogram.getMaxValue() * UNIT_NANOS; // not reached: the counts add up to total
    }

    /** The largest value recorded, in nanoseconds, to 10 µs; 0 if empty. */
    public long maxNanos() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.highestEquivalentValue(histogram.getMaxValue()) * UNIT_NANOS;
    }

    /** {@code [p50, p99, max]} in nanoseconds. */
    public long[] p50p99maxNanos() {
        return new long[] {percentileNanos(50), percentileNanos(99), maxNanos()};
    }
}
