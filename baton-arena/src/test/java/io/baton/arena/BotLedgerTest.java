package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BotLedgerTest {

    /** An arbitrary System.nanoTime origin, negative as it may be. */
    private static final long T0 = -1_000_000_007L;
    private static final long PERIOD = 33_333_333L;
    private static final long MS = 1_000_000L;

    /** Plays the game's side: keeps the applied count and hash the way the service does. */
    private static final class Game {
        long applied;
        long hash;
        final BotLedger ledger;
        long tick = 100;
        long now = T0;

        Game(BotLedger ledger) {
            this.ledger = ledger;
        }

        /** Applies inputs the ledger recorded (ids with their moves) and sends this tick's update. */
        Game update(long... ids) {
            return updateAt(tick++, ids);
        }

        Game updateAt(long tick, long... ids) {
            now += PERIOD;
            ledger.onUpdate(now, new ArenaProtocol.Update(tick, applied, hash, 0, 0, 1, ids));
            return this;
        }

        Game apply(long id, int dx, int dy) {
            applied++;
            hash = ArenaProtocol.hashInput(hash, id, dx, dy);
            return this;
        }
    }

    private static BotLedger sent(int n) {
        BotLedger ledger = new BotLedger();
        for (int i = 1; i <= n; i++) {
            ledger.recordSend(i, -i);
        }
        return ledger;
    }

    @Test
    void cleanRunVerifies() {
        BotLedger ledger = sent(3);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).apply(2, 2, -2).update(1, 2);
        g.apply(3, 3, -3).update(3).update();
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.problems()).isEmpty();
        assertThat(v.ok()).isTrue();
        assertThat(v.sent()).isEqualTo(3);
        assertThat(v.updates()).isEqualTo(4);
    }

    @Test
    void skippedTickCountsOutputsLost() {
        BotLedger ledger = sent(0);
        Game g = new Game(ledger).update().update();
        g.tick += 3;
        g.update().update();
        assertThat(ledger.verdict().outputsLost()).isEqualTo(3);
        assertThat(ledger.verdict().ok()).isFalse();
    }

    @Test
    void repeatedTickCountsOutputsDuplicated() {
        BotLedger ledger = sent(0);
        new Game(ledger).updateAt(5).updateAt(6).updateAt(6).updateAt(7);
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.outputsDuplicated()).isEqualTo(1);
        assertThat(v.outputsLost()).isZero();
        assertThat(v.outOfOrder()).isZero();
        assertThat(v.ok()).isFalse();
    }

    @Test
    void lateTickCountsOutOfOrderNotLost() {
        BotLedger ledger = sent(0);
        new Game(ledger).updateAt(5).updateAt(7).updateAt(6).updateAt(8);
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.outOfOrder()).isEqualTo(1);
        assertThat(v.outputsLost()).isZero();
        assertThat(v.outputsDuplicated()).isZero();
    }

    @Test
    void reorderedInputIdCountsOutOfOrder() {
        BotLedger ledger = sent(2);
        Game g = new Game(ledger).update();
        g.apply(2, 2, -2).apply(1, 1, -1).update(2, 1);
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.outOfOrder()).isEqualTo(1);
        assertThat(v.inputsLost()).isZero();
        assertThat(v.countMatches()).isTrue();
        assertThat(v.hashMatches()).as("applied in another order").isFalse();
        assertThat(v.ok()).isFalse();
    }

    @Test
    void duplicatedInputIdIsCounted() {
        BotLedger ledger = sent(1);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).update(1);
        g.apply(1, 1, -1).update(1);
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.inputsDuplicated()).isEqualTo(1);
        assertThat(v.countMatches()).isFalse();
        assertThat(v.ok()).isFalse();
    }

    @Test
    void inputNeverAppliedIsLost() {
        BotLedger ledger = sent(3);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).apply(3, 3, -3).update(1, 3);
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.inputsLost()).isEqualTo(1);
        assertThat(v.countMatches()).isFalse();
        assertThat(v.ok()).isFalse();
    }

    @Test
    void hashMismatchFailsVerificationEvenWhenEveryIdArrived() {
        BotLedger ledger = sent(2);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).apply(2, 2, 2).update(1, 2); // the game applied dy=2 where the bot sent -2
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.inputsLost()).isZero();
        assertThat(v.countMatches()).isTrue();
        assertThat(v.hashMatches()).isFalse();
        assertThat(v.problems()).containsExactly("input hash differs");
    }

    @Test
    void idNeverSentIsUnexpected() {
        BotLedger ledger = sent(1);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).update(1, 2);
        assertThat(ledger.verdict().unexpectedInputs()).isEqualTo(1);
        assertThat(ledger.verdict().ok()).isFalse();
    }

    @Test
    void appliedCountThatDisagreesWithTheIdsListedIsInconsistent() {
        BotLedger ledger = sent(2);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).apply(2, 2, -2).update(1); // two applied, one listed
        g.update(2);
        BotLedger.Verdict v = ledger.verdict();
        assertThat(v.inconsistentUpdates()).isEqualTo(2);
        assertThat(v.ok()).isFalse();
    }

    @Test
    void appliedCountGoingBackIsInconsistent() {
        BotLedger ledger = sent(1);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).update(1);
        g.applied = 0;
        g.hash = 0;
        g.update();
        assertThat(ledger.verdict().inconsistentUpdates()).isEqualTo(1);
    }

    @Test
    void retractedSendIsForgotten() {
        BotLedger ledger = sent(1);
        long id = ledger.recordSend(9, 9);
        ledger.retractSend(id);
        Game g = new Game(ledger).update();
        g.apply(1, 1, -1).update(1);
        assertThat(ledger.verdict().ok()).isTrue();
        assertThat(ledger.recordSend(2, -2)).isEqualTo(2);
    }

    @Test
    void noUpdatesAtAllFails() {
        assertThat(new BotLedger().verdict().problems()).containsExactly("no updates received");
    }

    @Test
    void stallIsTheLongestGapOverlappingTheWindowBeyondOneTickPeriod() {
        BotLedger ledger = new BotLedger();
        long[] receipts = {0, 33, 66, 300, 333, 366, 400, 500, 533};
        for (int i = 0; i < receipts.length; i++) {
            ledger.onUpdate(T0 + receipts[i] * MS, new ArenaProtocol.Update(i + 1, 0, 0, 0, 0, 1, new long[0]));
        }
        // Inside the 234 ms gap, or touching either end of it.
        assertThat(ledger.stallNanos(T0 + 100 * MS, T0 + 200 * MS, PERIOD)).isEqualTo(234 * MS - PERIOD);
        assertThat(ledger.stallNanos(T0 + 66 * MS, T0 + 66 * MS, PERIOD)).isEqualTo(234 * MS - PERIOD);
        assertThat(ledger.stallNanos(T0 + 300 * MS, T0 + 301 * MS, PERIOD)).isEqualTo(234 * MS - PERIOD);
        // Windows that miss it see the largest gap they do overlap.
        assertThat(ledger.stallNanos(T0, T0 + 50 * MS, PERIOD)).isZero();
        assertThat(ledger.stallNanos(T0 + 310 * MS, T0 + 450 * MS, PERIOD)).isEqualTo(100 * MS - PERIOD);
        assertThat(ledger.stallNanos(T0 - 1000 * MS, T0 + 1000 * MS, PERIOD)).isEqualTo(234 * MS - PERIOD);
        assertThat(ledger.stallNanos(T0 + 600 * MS, T0 + 700 * MS, PERIOD)).isZero();
    }

    @Test
    void eachBucketHoldsTheLargestGapThatEndedInIt() {
        BotLedger ledger = new BotLedger();
        long[] receipts = {0, 33, 66, 300, 333, 366, 400, 500, 533};
        for (int i = 0; i < receipts.length; i++) {
            ledger.onUpdate(T0 + receipts[i] * MS, new ArenaProtocol.Update(i + 1, 0, 0, 0, 0, 1, new long[0]));
        }
        // Buckets of 100 ms from T0 + 20 ms: [20,120) holds the gaps ending at 33 and 66; [220,320) the 234 ms one
        // ending at 300; [320,420) those ending at 333, 366 and 400 (34 ms is the largest); [420,520) the 100 ms one.
        int[] max = new int[6];
        ledger.maxGapPerBucket(T0 + 20 * MS, 100 * MS, max);
        assertThat(max).containsExactly(33_000, 0, 234_000, 34_000, 100_000, 33_000);
        // Merging a second bot keeps each bucket's maximum: its 150 ms gap ends at 150 ms, in [120,220); its 750 ms
        // one ends past the last bucket and is left out.
        BotLedger other = new BotLedger();
        other.onUpdate(T0, new ArenaProtocol.Update(1, 0, 0, 0, 0, 1, new long[0]));
        other.onUpdate(T0 + 150 * MS, new ArenaProtocol.Update(2, 0, 0, 0, 0, 1, new long[0]));
        other.onUpdate(T0 + 900 * MS, new ArenaProtocol.Update(3, 0, 0, 0, 0, 1, new long[0]));
        other.maxGapPerBucket(T0 + 20 * MS, 100 * MS, max);
        assertThat(max).containsExactly(33_000, 150_000, 234_000, 34_000, 100_000, 33_000);
    }

    @Test
    void aBaselineWindowLeavesOutTheGapThatRunsPastItsEnd() {
        BotLedger ledger = new BotLedger();
        long[] receipts = {0, 33, 70, 103, 300, 333};
        for (int i = 0; i < receipts.length; i++) {
            ledger.onUpdate(T0 + receipts[i] * MS, new ArenaProtocol.Update(i + 1, 0, 0, 0, 0, 1, new long[0]));
        }
        // The window ends at 110 ms, inside the 197 ms gap the "handoff" opened: only 33..70 counts.
        assertThat(ledger.stallNanosEndingBy(T0, T0 + 110 * MS, PERIOD)).isEqualTo(37 * MS - PERIOD);
        assertThat(ledger.stallNanos(T0, T0 + 110 * MS, PERIOD)).isEqualTo(197 * MS - PERIOD);
        assertThat(ledger.stallNanosEndingBy(T0, T0 + 300 * MS, PERIOD)).isEqualTo(197 * MS - PERIOD);
    }

    @Test
    void awaitAppliedWakesOnTheUpdateThatCompletesTheCount() throws Exception {
        BotLedger ledger = sent(2);
        Game g = new Game(ledger).update();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return ledger.awaitApplied(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        g.apply(1, 1, -1).update(1);
        g.apply(2, 2, -2).update(2);
        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void awaitAppliedGivesUpAfterItsTimeout() throws InterruptedException {
        BotLedger ledger = sent(1);
        new Game(ledger).update();
        assertThat(ledger.awaitApplied(1, TimeUnit.MILLISECONDS)).isFalse();
    }
}
