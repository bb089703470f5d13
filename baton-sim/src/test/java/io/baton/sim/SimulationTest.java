package io.baton.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimulationTest {

    @Test
    void handoffWithoutFaultsKeepsEveryInvariant() {
        for (long seed = 1; seed <= 200; seed++) {
            Simulation.Result r = Simulation.run(seed);
            assertThat(r.violations()).as("seed %d", seed).isEmpty();
        }
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
        for (long seed = 1; seed <= 50; seed++) {
            Simulation.Result r = Simulation.run(seed, c -> c.withTicketTtl(0));
            assertThat(r.violations()).as("seed %d", seed).isEmpty();
            assertThat(r.switched()).as("seed %d: nobody attaches with an expired ticket", seed).isZero();
            assertThat(r.resumed()).as("seed %d: everyone resumes after SWITCH", seed).isEqualTo(r.clients());
        }
    }
}
