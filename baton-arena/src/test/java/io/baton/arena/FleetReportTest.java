package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetReportTest {

    private static BotLedger.Verdict clean(long sent) {
        return new BotLedger.Verdict(sent, 10, 0, 0, 0, 0, 0, 0, 0, 0, true, true);
    }

    @Test
    void aggregateSumsBotsAndCountsEveryFailure() {
        List<FleetReport.Outcome> outcomes = new ArrayList<>();
        for (int i = 1; i <= 198; i++) {
            outcomes.add(new FleetReport.Outcome(clean(10), true, i % 2 == 0, true, i * 10_000L));
        }
        outcomes.add(new FleetReport.Outcome(
                new BotLedger.Verdict(10, 10, 1, 0, 2, 0, 3, 0, 0, 0, false, false), false, true, true, 5_000_000L));
        outcomes.add(new FleetReport.Outcome(null, false, false, false, 0));

        FleetReport r = FleetReport.aggregate(outcomes);
        assertThat(r.clients()).isEqualTo(200);
        assertThat(r.connectFailures()).isEqualTo(1);
        assertThat(r.clientsSwitched()).isEqualTo(198);
        assertThat(r.clientsResumed()).isEqualTo(100);
        assertThat(r.clientsMoved()).isEqualTo(199);
        assertThat(r.inputsSent()).isEqualTo(1990);
        assertThat(r.inputsLost()).isEqualTo(1);
        assertThat(r.outputsLost()).isEqualTo(2);
        assertThat(r.outOfOrder()).isEqualTo(3);
        assertThat(r.updatesReceived()).isEqualTo(1990);
        assertThat(r.failedVerifications()).isEqualTo(2);
        // 199 connected bots: stalls of 10..1980 us in steps of 10 us (the distribution's unit, so kept exactly)
        // and one of 5 ms; nearest ranks 100 and 198 (ceil of 99.5, 197.01).
        assertThat(r.stallP50Nanos()).isEqualTo(1_000_000L);
        assertThat(r.stallP99Nanos()).isEqualTo(1_980_000L);
        assertThat(r.stallMaxNanos()).isEqualTo(5_000_000L);
        assertThat(r.passed()).isFalse();
        assertThat(r.format()).startsWith("FAILED").contains("lost 1");
    }

    @Test
    void cleanFleetPasses() {
        FleetReport r = FleetReport.aggregate(List.of(
                new FleetReport.Outcome(clean(5), true, false, true, 0), new FleetReport.Outcome(clean(7), true, false, true, 0)));
        assertThat(r.passed()).isTrue();
        assertThat(r.inputsSent()).isEqualTo(12);
        assertThat(r.format()).startsWith("PASSED");
    }
}
