package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.sim.Simulation;
import io.baton.wire.Frame;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every transition a state enum of the server core allows is one the core makes: seeded runs of the real core
 * (with their faults) and a few steered paths they seldom reach record the transitions made, and the set
 * must equal the set the enum's check allows.
 * An allowed transition no run makes is dead weight in the state machine; one made but not allowed would have
 * thrown.
 */
class TransitionsWalkedTest {

    private static final int SEEDS = 3_000;

    private static final Set<String> made = java.util.Collections.synchronizedSet(new TreeSet<>());

    @BeforeAll
    static void record() {
        Transitions.observe((from, to) -> made.add(from.getDeclaringClass().getSimpleName() + " " + from + " -> " + to));
        for (long seed = 1; seed <= SEEDS; seed++) {
            Simulation.run(seed);
        }
        steerDownRarePaths();
        Transitions.observe(null);
    }

    /** The paths seeded runs of a few seconds seldom or never reach, steered on a {@link Pair}. */
    private static void steerDownRarePaths() {
        // The target cannot be reached: the source gives up while connecting.
        Pair unreachable = new Pair();
        unreachable.linkUp = false;
        unreachable.handOff(Frame.Mode.LIVE);
        unreachable.cutLink();
        assertThat(unreachable.source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);

        // Stop-and-copy, and the target answers CUTOVER with another digest: the source aborts while stopped.
        Pair mismatch = new Pair();
        mismatch.intercept = f -> f instanceof Frame.Cutover;
        mismatch.onToTarget = f -> mismatch.source.frame(1, new Frame.CutoverResult(false, 0), mismatch.now);
        mismatch.handOff(Frame.Mode.STOPCOPY);
        mismatch.runUntil(() -> mismatch.source.status().sourcePhase() == SourcePhase.ABORTED, 10_000);
        assertThat(mismatch.source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);

        // The link is lost after COMMIT while the client is present: the source aborts and watches its
        // majority; the client then falls silent, which fences it; the orphaned target, never claimed, gives up.
        Pair silent = linkLostAfterCommit();
        silent.clientTalks = false;
        silent.runUntil(() -> silent.source.status().sourcePhase() == SourcePhase.FENCED, 5_000);
        assertThat(silent.source.status().sourcePhase()).isEqualTo(SourcePhase.FENCED);
        silent.runUntil(() -> silent.target.status().targetPhase() == TargetPhase.STANDBY, 15_000);
        assertThat(silent.target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);

        // The same, but the client stays: once the last target can no longer take over, a new handoff starts.
        Pair stays = linkLostAfterCommit();
        stays.runUntil(() -> !stays.source.presence.watching(), 15_000);
        stays.linkUp = true;
        stays.handOff(Frame.Mode.LIVE);
        assertThat(stays.source.status().sourcePhase()).isEqualTo(SourcePhase.TRANSFERRING);
    }

    private static Pair linkLostAfterCommit() {
        Pair p = new Pair();
        p.openClient();
        p.handOff(Frame.Mode.LIVE);
        p.runUntil(() -> p.source.status().sourcePhase() == SourcePhase.REDIRECTING, 10_000);
        assertThat(p.source.status().sourcePhase()).isEqualTo(SourcePhase.REDIRECTING);
        p.cutLink();
        assertThat(p.source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(p.target.status().targetPhase()).isEqualTo(TargetPhase.ORPHANED);
        return p;
    }

    @Test
    void everyAllowedRoleChangeIsMade() {
        assertThat(madeOf(Role.class)).isEqualTo(allowed(Role.class, Role::canMoveTo));
    }

    @Test
    void everyAllowedSourcePhaseTransitionIsMade() {
        assertThat(madeOf(SourcePhase.class)).isEqualTo(allowed(SourcePhase.class, SourcePhase::canMoveTo));
    }

    @Test
    void everyAllowedTargetPhaseTransitionIsMade() {
        assertThat(madeOf(TargetPhase.class)).isEqualTo(allowed(TargetPhase.class, TargetPhase::canMoveTo));
    }

    @Test
    void everyAllowedOutputCommitTransitionIsMade() {
        assertThat(madeOf(OutputCommit.State.class))
                .isEqualTo(allowed(OutputCommit.State.class, OutputCommit.State::canMoveTo));
    }

    private static Set<String> madeOf(Class<?> machine) {
        Set<String> of = new TreeSet<>();
        synchronized (made) {
            for (String t : made) {
                if (t.startsWith(machine.getSimpleName() + " ")) {
                    of.add(t);
                }
            }
        }
        return of;
    }

    private static <E extends Enum<E>> Set<String> allowed(Class<E> machine, BiPredicate<E, E> canMoveTo) {
        Set<String> allowed = new TreeSet<>();
        for (E from : machine.getEnumConstants()) {
            for (E to : machine.getEnumConstants()) {
                if (canMoveTo.test(from, to)) {
                    allowed.add(machine.getSimpleName() + " " + from + " -> " + to);
                }
            }
        }
        return allowed;
    }
}
