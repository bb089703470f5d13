package io.baton.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {

    /** Ten thousand seeded runs, each with a handoff and at most one fault; any failure names its seed. */
    @Test
    void everyInvariantHoldsOverTenThousandSeeds() {
        List<String> failures = new ArrayList<>();
        for (long seed = 1; seed <= 10_000; seed++) {
            Simulation.Result r = Simulation.run(seed);
            if (!r.passed() && failures.size() < 20) {
                failures.add("seed " + seed + " (replay: ./baton sim --seed " + seed + "): " + r.violations());
            }
        }
        assertThat(failures).isEmpty();
    }

    /**
     * The secret watch is not vacuous: the runs issue sessions, their servers talk, and each secret issued is
     * searched for in every byte one server sent the other (none is found: that is a violation of each run).
     */
    @Test
    void everyRunSearchesWhatTheServersSentEachOtherForEverySecretItIssued() {
        int runs = 300;
        int watchedAll = 0;
        for (long seed = 1; seed <= runs; seed++) {
            Simulation.Result r = Simulation.run(seed);
            assertThat(r.violations()).as("seed %d", seed).isEmpty();
            if (r.secretsWatched() >= r.clients() && r.bytesBetweenServers() > 0) {
                watchedAll++;
            }
        }
        assertThat(watchedAll).as("runs in which every client's secret was looked for in the peer traffic")
                .isGreaterThan(runs * 9 / 10);
    }

    @Test
    void sameSeedReplaysTheSameRun() {
        Simulation.Result a = Simulation.run(42);
        Simulation.Result b = Simulation.run(42);
        assertThat(b.steps()).isEqualTo(a.steps());
        assertThat(b.violations()).isEqualTo(a.violations());
    }

    @Test
    void expiredTicketsSendEveryClientThroughTheFallbackResumeWithNothingLost() {
        int completed = 0;
        for (long seed = 1; seed <= 100; seed++) {
            Simulation.Result r = Simulation.run(seed, c -> c.withTicketTtl(0));
            assertThat(r.violations()).as("seed %d", seed).isEmpty();
            assertThat(r.switched()).as("seed %d: nobody attaches with an expired ticket", seed).isZero();
            if (r.outcome().endsWith("completed")) { // not the runs whose fault aborted the handoff
                completed++;
                assertThat(r.resumed() + r.joinedLate()).as("seed %d: everyone resumes after SWITCH (or, arriving after"
                        + " the handoff, is sent on to the target)", seed).isEqualTo(r.clients());
            }
        }
        assertThat(completed).as("runs whose handoff completed (most faults still complete)").isGreaterThan(40);
    }
}
