package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.sim.Simulation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FaultTest {

    @Test
    void everyFaultIsFoundByItsOwnNameAndNoOther() {
        for (Fault f : Fault.values()) {
            assertThat(Fault.named(f.cliName())).isEqualTo(f);
            assertThat(f.cliName()).matches("[a-z]+(-[a-z]+)*");
        }
        assertThatThrownBy(() -> Fault.named("KILL_CLIENT")).hasMessageContaining("unknown fault 'KILL_CLIENT'");
    }

    @Test
    void aFaultSharedWithTheSimulatorPromisesTheSameAbortThere() {
        for (Fault f : Fault.values()) {
            f.simulated().ifPresent(sim -> assertThat(f.promised().contains(Fault.Outcome.ABORTED))
                    .as(f + " aborts on real processes exactly when " + sim + " aborts in the simulator")
                    .isEqualTo(sim.abortsHandoff()));
        }
        assertThat(Fault.NONE.simulated()).contains(Simulation.Fault.NONE);
    }

    @Test
    void onlyTheFaultThatHaltsTheSourceIsStruckFromInsideIt() {
        for (Fault f : Fault.values()) {
            assertThat(f.action() == Fault.Action.HALT_SOURCE).as(f.cliName())
                    .isEqualTo(f.trigger() == Fault.Trigger.CUTOVER_FLUSHED);
        }
    }

    @Test
    void aFaultKeepsItsPromiseOnlyWithAPromisedOutcome() {
        assertThat(Fault.PAUSE_SOURCE.expectedOutcome()).isEqualTo("failed-over or completed");
        assertThat(Fault.PAUSE_SOURCE.kept("completed")).isTrue();
        assertThat(Fault.PAUSE_SOURCE.kept("aborted")).isFalse();
        assertThat(Fault.CUT_PEER_LINK.kept("completed")).isFalse();
    }

    /** docs/faults.md's table of real-process faults names each, with the outcomes promised here. */
    @Test
    void theFaultsDocumentPromisesWhatEachFaultPromises() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "faults.md"), StandardCharsets.UTF_8);
        for (Fault f : Fault.values()) {
            if (f == Fault.NONE) {
                continue;
            }
            String row = doc.lines().filter(l -> l.startsWith("| `" + f.cliName() + "` |")).findFirst()
                    .orElseThrow(() -> new AssertionError("docs/faults.md has no row for " + f.cliName()));
            String promised = row.split("\\|")[3];
            for (Fault.Outcome o : Fault.Outcome.values()) {
                assertThat(promised.contains("`" + o.word() + "`")).as(f.cliName() + " promises " + o.word())
                        .isEqualTo(f.promised().contains(o));
            }
        }
    }
}
