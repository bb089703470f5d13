package io.baton.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Defect;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * A checker that never fails proves nothing: each deliberately broken variant of the protocol must be
 * reported as a violation by the same invariants the real runs pass.
 */
class CheckerCatchesDefectsTest {

    private static final int SEEDS = 300;

    @Test
    void aServerThatDoesNotDeduplicateInputsIsCaught() {
        assertCaught(seed -> Simulation.run(seed, c -> c.withDefects(Defect.APPLY_DUPLICATE_INPUTS)), "duplicat");
    }

    @Test
    void aClientThatDoesNotResendUnacknowledgedInputsIsCaught() {
        assertCaught(seed -> Simulation.runWithBrokenClients(seed, Defect.FORGET_UNACKED_INPUTS), "applied");
    }

    @Test
    void aTargetThatTakesAuthorityTooEarlyIsCaught() {
        assertCaught(seed -> Simulation.run(seed, c -> c.withDefects(Defect.TAKE_AUTHORITY_EARLY)), "two authorities");
    }

    @Test
    void aSourceThatWaitsForAHungTargetUntilTheLinkTimesOutIsCaught() {
        // Only the seeds whose fault hangs the target can show it: about one in twenty.
        assertCaught(seed -> Simulation.run(seed, c -> c.withDefects(Defect.NO_COMMIT_WAIT)), "without an update",
                SEEDS / 50);
    }

    @Test
    void theOldFencingRuleThatCountedEverySessionIsCaught() {
        // Only runs with absent strangers that outnumber the players, whose fault loses the target after
        // COMMIT, can show it (8 of the 300): the source fences, and nobody serves.
        assertCaught(seed -> Simulation.run(seed, c -> c.withDefects(Defect.COUNT_EVERY_SESSION)), "FENCED",
                SEEDS / 100);
    }

    @Test
    void aLogThatHoldsSessionSecretsIsCaughtOnTheirWayToTheTarget() {
        assertCaught(seed -> Simulation.run(seed, c -> c.withDefects(Defect.LOG_SESSION_SECRETS)),
                "crossed from one server to another");
    }

    @Test
    void aTargetThatAppliesTheNewRuleFromItsSecondOwnTickIsCaughtByTheClients() {
        // Only the mixed-version runs in which the target takes over can show it (a quarter of the seeds).
        assertCaught(seed -> Simulation.run(seed, c -> c.withDefects(Defect.UPGRADE_ONE_TICK_LATE)),
                "was applied under release 1's rule, but the target took over from tick");
    }

    @Test
    void aTargetThatUpgradesBeforeItOwnsTheStateIsCaughtByTheOlderVersionsDigest() {
        // The runtime's SNAPSHOT_END check refuses it: the mixed-version runs abort instead of completing.
        assertCaught(seed -> Simulation.run(seed, c -> c.withDefects(Defect.UPGRADE_AT_RESTORE)),
                "snapshot digest");
    }

    private static void assertCaught(LongFunction<Simulation.Result> run, String symptom) {
        assertCaught(run, symptom, SEEDS / 10);
    }

    /** At least {@code least} of the seeds must report a violation that names what went wrong. */
    private static void assertCaught(LongFunction<Simulation.Result> run, String symptom, int least) {
        List<String> found = new ArrayList<>();
        int failing = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Simulation.Result r = run.apply(seed);
            if (!r.passed()) {
                failing++;
                found.addAll(r.violations());
            }
        }
        assertThat(failing).as("seeds that caught the defect").isGreaterThan(least);
        assertThat(found).anyMatch(v -> v.contains(symptom));
    }
}
