package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theGapTimelineIsTheMaximumOfEachBucketOverTheBotProcesses() throws Exception {
        long t0 = 5_000_000_000L;
        long from = t0 - 500_000_000L;
        JsonNode a = JSON.readTree("{\"gaps_from\": " + from + ", \"gap_bucket_ns\": 33333333, \"max_gap_us\": [33000, 90500, 33400]}");
        JsonNode b = JSON.readTree("{\"gaps_from\": " + from + ", \"gap_bucket_ns\": 33333333, \"max_gap_us\": [34000, 40000, 33000, 35000]}");
        DemoResult.GapTimeline g = new Scoring(DemoSettings.builder().clients(2).botProcesses(2).build(),
                List.of(a, b), t0).gaps();
        assertThat(g.fromMs()).isEqualTo(-500.0);
        assertThat(g.bucketMs()).isEqualTo(33.333333);
        assertThat(g.maxGapMs()).containsExactly(34.0, 90.5, 33.4, 35.0);
    }

    @Test
    void reportsWithoutATimelineGiveAnEmptyOne() throws Exception {
        DemoResult.GapTimeline g = new Scoring(DemoSettings.builder().clients(2).build(),
                List.of(JSON.readTree("{}")), 0).gaps();
        assertThat(g.maxGapMs()).isEmpty();
    }
}
