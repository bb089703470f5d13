package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A bot's check that each update shows the rules of the server that sent it, against the real releases: a
 * schema 2 source, and a schema 3 target restored from its snapshot that replays with outputs muted, takes
 * over and upgrades. Each broken variant shows that the check can fail.
 */
class BotRulesTest {

    private static final ServiceConfig CONFIG = new ServiceConfig(30, Map.of());

    /** How the target takes over in one run. */
    enum TakeOver { AT_CUTOVER, ONE_TICK_LATE, NEVER }

    /** One bot (session 1) among two players through a handoff from schema 2 to 3; returns its verdict. */
    private static BotLedger.Verdict handoff(TakeOver takeOver, boolean switchBeforeTargetTicks) throws IOException {
        BotLedger ledger = new BotLedger(2, 3);
        SplittableRandom r = new SplittableRandom(4);
        Service source = new ArenaFactory().create(CONFIG);
        FakeContext cs = new FakeContext(source).open(1).open(2);
        long[] now = {0};
        cs.onSend((session, payload) -> {
            if (session == 1) {
                ledger.onUpdate(now[0] += 33_000_000, ArenaProtocol.decodeUpdate(payload));
            }
        });
        for (int t = 0; t < 20; t++) {
            move(cs, ledger, r);
            cs.runTick();
        }
        Service target;
        try (InputStream in = source.snapshot().open()) {
            target = new Arena3Factory().restore(CONFIG, 2, in);
        }
        FakeContext ct = new FakeContext(target, cs.logIndex(), cs.tick()); // muted: nobody hears the replica
        ledger.onMoveHeard();
        for (int t = 0; t < 10; t++) {
            byte[] m = move(cs, ledger, r);
            ct.input(1, m);
            cs.runTick();
            ct.runTick();
        }
        // The source stops at L: after its last tick, with two more moves that it applied (under rules 2).
        for (int i = 0; i < 2; i++) {
            ct.input(1, move(cs, ledger, r));
        }
        if (takeOver == TakeOver.AT_CUTOVER) {
            target.upgrade();
        }
        ct.onSend((session, payload) -> {
            if (session == 1) {
                ledger.onUpdate(now[0] += 33_000_000, ArenaProtocol.decodeUpdate(payload));
            }
        });
        if (switchBeforeTargetTicks) {
            ledger.onSwitched();
        }
        for (int t = 0; t < 10; t++) {
            ct.input(1, move(null, ledger, r));
            ct.runTick();
            if (t == 0 && takeOver == TakeOver.ONE_TICK_LATE) {
                target.upgrade();
            }
            if (t == 1 && !switchBeforeTargetTicks) {
                ledger.onSwitched(); // its SWITCH came after the target's first updates on the pre-connection
            }
        }
        return ledger.verdict();
    }

    /** Records a move with the ledger and applies it on {@code ctx} (when given); returns its bytes. */
    private static byte[] move(FakeContext ctx, BotLedger ledger, SplittableRandom r) {
        int dx = r.nextInt(-4, 5);
        int dy = r.nextInt(-4, 5);
        byte[] m = ArenaProtocol.move(ledger.recordSend(dx, dy), dx, dy);
        if (ctx != null) {
            ctx.input(1, m);
        }
        return m;
    }

    @Test
    void aBotSeesRulesTwoFromTheSourceAndRulesThreeFromTheTargetsFirstTick() throws IOException {
        for (boolean switchFirst : new boolean[] {true, false}) {
            BotLedger.Verdict v = handoff(TakeOver.AT_CUTOVER, switchFirst);
            assertThat(v.problems()).isEmpty();
            assertThat(v.ruleViolations()).isZero();
            assertThat(v.updatesRules2()).isEqualTo(30);
            assertThat(v.updatesRules3()).isEqualTo(10);
        }
    }

    @Test
    void aTargetThatUpgradesATickLateOrNeverIsCaught() throws IOException {
        BotLedger.Verdict late = handoff(TakeOver.ONE_TICK_LATE, true);
        assertThat(late.ruleViolations()).isEqualTo(1);
        assertThat(late.ok()).isFalse();
        BotLedger.Verdict never = handoff(TakeOver.NEVER, true);
        // Ten updates of the old rules after the switch, and the new ones never seen.
        assertThat(never.ruleViolations()).isEqualTo(11);
        assertThat(never.problems()).anySatisfy(p -> assertThat(p).contains("wrong rules"));
    }

    /** Updates of rules 3 written by hand, for what the real service never sends. */
    private static ArenaProtocol.Update rules3(long tick, long applied, long travelled, long... ids) {
        return new ArenaProtocol.Update(tick, applied, 0, 0, 0, 1, ids, null, 3, travelled);
    }

    private static ArenaProtocol.Update rules2(long tick, long applied, long... ids) {
        return new ArenaProtocol.Update(tick, applied, 0, 0, 0, 1, ids);
    }

    @Test
    void theNewRulesBeforeAnyMoveABackStepAndAWrongDistanceAreEachAViolation() {
        BotLedger early = new BotLedger(2, 3);
        early.onUpdate(1, rules2(1, 0));
        early.onUpdate(2, rules3(2, 0, 0));
        assertThat(early.verdict().ruleViolations()).isEqualTo(1);

        BotLedger back = new BotLedger(2, 3);
        back.onUpdate(1, rules2(1, 0));
        back.onMoveHeard();
        back.onUpdate(2, rules3(2, 0, 0));
        back.onUpdate(3, rules2(3, 0));
        assertThat(back.verdict().ruleViolations()).isEqualTo(1);

        BotLedger distance = new BotLedger(2, 3);
        long a = distance.recordSend(3, -1); // |3| + |-1| = 4, doubled: 8
        long b = distance.recordSend(0, 2);  // 2, doubled: 4
        distance.onUpdate(1, rules2(1, 0));
        distance.onMoveHeard();
        // First update of rules 3: a was the source's (counts nothing), b the target's: 4.
        distance.onUpdate(2, rules3(2, 2, 4, a, b));
        assertThat(distance.verdict().ruleViolations()).isZero();
        long c = distance.recordSend(1, 1);
        distance.onUpdate(3, rules3(3, 3, 4 + 2, c)); // one step per unit, as rules 2 would: wrong
        assertThat(distance.verdict().ruleViolations()).isEqualTo(1);

        BotLedger neither = new BotLedger(2, 2);
        neither.onUpdate(1, rules3(1, 0, 0));
        assertThat(neither.verdict().ruleViolations()).isEqualTo(1);
    }

    @Test
    void withoutExpectationsTheFirstUpdateSetsTheRulesForBothServers() {
        BotLedger any = new BotLedger();
        any.onUpdate(1, rules3(1, 0, 0));
        any.onSwitched();
        any.onUpdate(2, rules3(2, 0, 0));
        assertThat(any.verdict().ruleViolations()).isZero();
        assertThat(any.verdict().updatesRules3()).isEqualTo(2);
        any.onUpdate(3, rules2(3, 0));
        assertThat(any.verdict().ruleViolations()).isEqualTo(1);
    }
}
