package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BotFleetGapsTest {

    @Test
    void theGapTimelineIsBoundedWhateverItIsAskedFor() {
        try (BotFleet fleet = BotFleet.builder("127.0.0.1", 1).clients(0).build()) {
            assertThat(fleet.maxGapPerBucket(0, 33_333_333L, 1_000_000)).hasSize(BotFleet.MAX_GAP_BUCKETS);
            assertThat(fleet.maxGapPerBucket(0, 33_333_333L, 40)).hasSize(40).containsOnly(0);
            assertThat(fleet.maxGapPerBucket(0, 33_333_333L, -1)).isEmpty();
            assertThatThrownBy(() -> fleet.maxGapPerBucket(0, 0, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bucketNanos");
        }
    }
}
