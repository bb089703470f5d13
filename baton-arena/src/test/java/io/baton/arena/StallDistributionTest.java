package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class StallDistributionTest {

    private static final long MS = 1_000_000;

    @Test
    void percentilesAreNearestRank() {
        StallDistribution hundred = StallDistribution.ofNanos(LongStream.rangeClosed(1, 100).map(i -> i * MS).toArray());
        assertThat(hundred.percentileNanos(50)).isEqualTo(50 * MS);
        assertThat(hundred.percentileNanos(99)).isEqualTo(99 * MS);
        assertThat(hundred.percentileNanos(100)).isEqualTo(100 * MS);
        StallDistribution three = StallDistribution.ofNanos(10 * MS, 20 * MS, 30 * MS);
        assertThat(three.percentileNanos(50)).isEqualTo(20 * MS);
        assertThat(three.percentileNanos(99)).isEqualTo(30 * MS);
        assertThat(StallDistribution.ofNanos(7 * MS).percentileNanos(1)).isEqualTo(7 * MS);
        assertThat(new StallDistribution().percentileNanos(50)).isZero();
        assertThat(new StallDistribution().maxNanos()).isZero();
    }

    @Test
    void nearestRankDiffersFromHdrHistogramsRoundedRankWhereTheReportsSaySo() {
        // 60 values: 0.99 * 60 = 59.4, nearest rank 60 (the largest); a rank rounded to the nearest count is 59.
        StallDistribution sixty = StallDistribution.ofNanos(LongStream.rangeClosed(1, 60).map(i -> i * MS).toArray());
        assertThat(sixty.percentileNanos(99)).isEqualTo(60 * MS);
    }

    @Test
    void valuesAreExactToTenMicrosecondsUpToTwoAndAHalfSeconds() {
        long odd = 2_345_670_000L; // 2,345.67 ms
        StallDistribution d = StallDistribution.ofNanos(odd, 1_230_000L, 3_004_999L);
        assertThat(d.maxNanos()).isEqualTo(odd);
        assertThat(d.percentileNanos(1)).isEqualTo(1_230_000L);
        assertThat(d.percentileNanos(50)).as("rounded half up to 10 us").isEqualTo(3_000_000L);
        assertThat(StallDistribution.ofNanos(3_005_000L).maxNanos()).isEqualTo(3_010_000L);
        assertThat(StallDistribution.ofNanos(-5).maxNanos()).isZero();
    }

    @Test
    void aboveTheExactRangeTheErrorStaysWithinOnePartInTenThousand() {
        long big = 7_777_777_000L;
        long got = StallDistribution.ofNanos(big).maxNanos();
        assertThat(Math.abs(got - big)).isLessThanOrEqualTo(big / 10_000);
    }
}
