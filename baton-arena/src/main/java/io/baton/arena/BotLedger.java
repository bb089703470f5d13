package io.baton.arena;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What one bot sent and what the game said about it, and the checks between the two. No I/O, so every
 * check is testable alone.
 *
 * <p>Sends are recorded on the bot's scheduler thread and updates on the client's I/O thread, so all
 * state is guarded by one lock, held briefly. A send is recorded <em>before</em> it goes out: an update
 * can then never name an id the ledger does not know yet.
 */
final class BotLedger {

    /** Ticks further than this past the first one seen mean a corrupt update, not a long run (about 100 days at 30 Hz). */
    private static final long MAX_TICK_SPAN = 1L << 28;
    /** Inputs whose size the distance check keeps (a byte each); later ones count nothing, as if never sent. */
    private static final int MAX_STEPS_KEPT = 1 << 30;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();

    /**
     * The rules (2 or 3: {@link ArenaProtocol.Update#rules}) the bot expects of the server it starts on and of
     * the one it is handed off to; 0 for the source's: whatever the first update shows, and for the target's:
     * the source's.
     */
    private int sourceRules;
    private int targetRules;
    /** Heard MOVE, resumed or switched: from then on an update may come from the target. */
    private boolean heardMove;
    /** Switched to the target: every update after this one is the target's. */
    private boolean switched;
    private boolean sawTargetRules;
    private long ruleViolations;
    private long updatesRules2;
    private long updatesRules3;
    /** |dx| + |dy| of each input sent, by id: what a move adds to the distance under rules 3. */
    private byte[] stepSizes = new byte[64];
    /** The distance the newest rules 3 update showed, once one has ({@link #travelledKnown}). */
    private long travelled;
    private boolean travelledKnown;

    BotLedger() {
        this(0, 0);
    }

    /** A ledger expecting {@code sourceRules} of the first server and {@code targetRules} of the next (0: see above). */
    BotLedger(int sourceRules, int targetRules) {
        this.sourceRules = sourceRules;
        this.targetRules = targetRules;
    }

    private long sent;
    private long sentHash;
    private long hashBeforeLast;

    private long updates;
    private long firstTick;
    private long maxTick;
    /** Ticks received, relative to the first one. */
    private final BitSet ticksSeen = new BitSet();
    private long distinctTicks;
    private long outputsDuplicated;
    private long outOfOrder;

    /** Input ids reported applied. */
    private final BitSet applied = new BitSet();
    private long appliedDistinct;
    private long maxAppliedId;
    private long inputsDuplicated;
    private long unexpectedInputs;

    /** The game's own figures, from the newest update. */
    private long reportedApplied;
    private long reportedHash;
    private boolean lastUpdateFull;
    private long inconsistentUpdates;
    private long malformedUpdates;

    /**
     * Receipt times, as microseconds since the previous receipt: half the memory of absolute nanoseconds,
     * which matters for ten thousand bots over a long run, and precise enough for stalls of milliseconds.
     */
    private long firstReceiptNanos;
    private long lastReceiptMicros;
    private int[] receiptGaps = new int[256];
    private int receipts;

    /** Records the next input (id 1, 2, 3...) before it is sent and returns its id. */
    long recordSend(int dx, int dy) {
        lock.lock();
        try {
            hashBeforeLast = sentHash;
            sent++;
            sentHash = ArenaProtocol.hashInput(sentHash, sent, dx, dy);
            if (sent < MAX_STEPS_KEPT) {
                if (sent >= stepSizes.length) {
                    stepSizes = Arrays.copyOf(stepSizes, (int) Math.min(MAX_STEPS_KEPT, 2L * sent));
                }
                stepSizes[(int) sent] = (byte) (Math.abs(dx) + Math.abs(dy));
            }
            return sent;
        } finally {
            lock.unlock();
        }
    }

    /** Takes back the input just recorded: the client refused it, so no update can report it. */
    void retractSend(long id) {
        lock.lock();
        try {
            if (id != sent) {
                throw new IllegalStateException("can only retract the last input, " + sent + ", not " + id);
            }
            sent--;
            sentHash = hashBeforeLast;
        } finally {
            lock.unlock();
        }
    }

    /** Checks one update, received at {@code nanos} (System.nanoTime). */
    void onUpdate(long nanos, ArenaProtocol.Update u) {
        lock.lock();
        try {
            recordReceipt(nanos);
            if (updates++ == 0) {
                // As if an update for the tick before, with nothing applied, had been seen.
                firstTick = u.tick();
                maxTick = u.tick() - 1;
            }
            long rel = u.tick() - firstTick;
            if (rel >= MAX_TICK_SPAN) {
                malformedUpdates++;
                return;
            }
            if (rel < 0) {
                outOfOrder++;
            } else if (ticksSeen.get((int) rel)) {
                outputsDuplicated++;
            } else {
                ticksSeen.set((int) rel);
                distinctTicks++;
                if (u.tick() < maxTick) {
                    outOfOrder++;
                }
            }
            if (u.tick() > maxTick) {
                checkRules(u);
                checkFigures(u);
            }
            for (long id : u.inputIds()) {
                checkApplied(id);
            }
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** An output that is not an update at all. */
    void onMalformedUpdate(long nanos) {
        lock.lock();
        try {
            recordReceipt(nanos);
            malformedUpdates++;
        } finally {
            lock.unlock();
        }
    }

    /** The bot heard MOVE or resumed on a new connection: the target's updates may come from now on. */
    void onMoveHeard() {
        lock.lock();
        try {
            heardMove = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The bot switched to the target: its client has delivered every update the source sent (a SWITCH comes
     * only then), so every later update is the target's.
     */
    void onSwitched() {
        lock.lock();
        try {
            heardMove = true;
            switched = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the update shows the rules of the server that sent it: the source's until the target's first tick,
     * the target's from then on, never back, never the target's before this bot heard of a move, never the
     * source's after it switched; and, under rules 3, a distance that only moves the rules 3 server applied count.
     */
    private void checkRules(ArenaProtocol.Update u) {
        int r = u.rules();
        if (r == 2) {
            updatesRules2++;
        } else if (r == 3) {
            updatesRules3++;
        }
        if (sourceRules == 0) {
            sourceRules = r;
        }
        if (targetRules == 0) {
            targetRules = sourceRules;
        }
        if (r != sourceRules && r != targetRules) {
            ruleViolations++;
            return;
        }
        if (sourceRules != targetRules) {
            if (r == targetRules) {
                if (!heardMove) {
                    ruleViolations++;
                }
                sawTargetRules = true;
            } else if (sawTargetRules || switched) {
                ruleViolations++;
            }
        }
        if (r == 3) {
            checkTravelled(u);
        }
    }

    /**
     * Rules 3 count |dx| + |dy| of each move, times {@link ArenaProtocol#STEP_3}. From one update to the next
     * the distance grows by exactly the ids listed; the first update of rules 3 may list moves the source
     * applied (under its rules, counting nothing) before those the target applied, so its distance is that of
     * some suffix of its ids.
     */
    private void checkTravelled(ArenaProtocol.Update u) {
        long[] ids = u.inputIds();
        boolean consecutive = travelledKnown && u.tick() == maxTick + 1 && !lastUpdateFull;
        boolean ok;
        if (consecutive) {
            long sum = 0;
            for (long id : ids) {
                sum += stepOf(id);
            }
            ok = u.travelled() == travelled + sum;
        } else if (travelledKnown) {
            ok = u.travelled() >= travelled; // a gap in the ticks, counted as lost outputs: only the direction holds
        } else {
            long suffix = 0;
            ok = u.travelled() == 0;
            for (int i = ids.length - 1; i >= 0 && !ok; i--) {
                suffix += stepOf(ids[i]);
                ok = u.travelled() == suffix;
            }
        }
        if (!ok) {
            ruleViolations++;
        }
        travelled = u.travelled();
        travelledKnown = true;
    }

    private long stepOf(long id) {
        return id >= 1 && id <= sent && id < stepSizes.length ? (long) ArenaProtocol.STEP_3 * stepSizes[(int) id] : 0;
    }

    /** The game's count may only grow, and between consecutive ticks by exactly the ids listed. */
    private void checkFigures(ArenaProtocol.Update u) {
        boolean full = u.inputIds().length == ArenaProtocol.MAX_IDS_PER_UPDATE;
        long delta = u.inputsApplied() - reportedApplied;
        if (delta < 0) {
            inconsistentUpdates++;
        } else if (u.tick() == maxTick + 1 && !lastUpdateFull
                && (full ? delta < u.inputIds().length : delta != u.inputIds().length)) {
            inconsistentUpdates++;
        }
        maxTick = u.tick();
        reportedApplied = u.inputsApplied();
        reportedHash = u.inputHash();
        lastUpdateFull = full;
    }

    private void checkApplied(long id) {
        if (id < 1 || id > sent || id > Integer.MAX_VALUE) {
            unexpectedInputs++;
            return;
        }
        if (applied.get((int) id)) {
            inputsDuplicated++;
            return;
        }
        applied.set((int) id);
        appliedDistinct++;
        if (id < maxAppliedId) {
            outOfOrder++;
        } else {
            maxAppliedId = id;
        }
    }

    private void recordReceipt(long nanos) {
        long gap;
        if (receipts == 0) {
            firstReceiptNanos = nanos;
            gap = 0;
        } else {
            long micros = (nanos - firstReceiptNanos) / 1000;
            gap = Math.max(0, Math.min(Integer.MAX_VALUE, micros - lastReceiptMicros));
            lastReceiptMicros = micros;
        }
        if (receipts == receiptGaps.length) {
            receiptGaps = Arrays.copyOf(receiptGaps, receipts * 2);
        }
        receiptGaps[receipts++] = (int) gap;
    }

    /** Waits until the game reports every recorded input applied; false if it did not within the timeout. */
    boolean awaitApplied(long timeout, TimeUnit unit) throws InterruptedException {
        lock.lock();
        try {
            long remaining = unit.toNanos(timeout);
            while (reportedApplied < sent) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = progressed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The longest silence this bot saw in {@code [fromNanos, toNanos]} beyond the normal tick period: the
     * largest gap between consecutive updates whose interval overlaps the window, less the period, at
     * least 0.
     */
    long stallNanos(long fromNanos, long toNanos, long tickPeriodNanos) {
        long[] worst = worstGap(fromNanos, toNanos, false);
        return worst == null ? 0 : Math.max(0, worst[0] * 1000 - tickPeriodNanos);
    }

    /**
     * Like {@link #stallNanos} over gaps that also end by {@code toNanos}: a window just before a handoff
     * must not count the gap the handoff opened (one that began up to a tick before the command).
     */
    long stallNanosEndingBy(long fromNanos, long toNanos, long tickPeriodNanos) {
        long[] worst = worstGap(fromNanos, toNanos, true);
        return worst == null ? 0 : Math.max(0, worst[0] * 1000 - tickPeriodNanos);
    }

    /**
     * For each of {@code max.length} buckets of {@code bucketNanos} from {@code fromNanos}, raises
     * {@code max[k]} to the largest gap between consecutive updates (in µs) that ended in bucket k: the
     * bot's part of a timeline of the largest gap per tick, merged over bots by taking the maximum.
     */
    void maxGapPerBucket(long fromNanos, long bucketNanos, int[] max) {
        lock.lock();
        try {
            long t = 0;
            for (int i = 1; i < receipts; i++) {
                t += receiptGaps[i];
                long since = firstReceiptNanos + t * 1000 - fromNanos;
                if (since < 0) {
                    continue;
                }
                long k = since / bucketNanos;
                if (k >= max.length) {
                    break;
                }
                max[(int) k] = Math.max(max[(int) k], receiptGaps[i]);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Where the worst gap of {@link #stallNanos} starts (in System.nanoTime), or 0 if there is none. */
    long worstGapStartNanos(long fromNanos, long toNanos) {
        long[] worst = worstGap(fromNanos, toNanos, false);
        return worst == null ? 0 : firstReceiptNanos + worst[1] * 1000;
    }

    /** The largest gap overlapping the window, {@code [gap, start]} in microseconds since the first receipt. */
    private long[] worstGap(long fromNanos, long toNanos, boolean endingBy) {
        lock.lock();
        try {
            long from = Math.floorDiv(fromNanos - firstReceiptNanos, 1000);
            long to = Math.floorDiv(toNanos - firstReceiptNanos, 1000);
            long[] worst = null;
            long t = 0;
            for (int i = 1; i < receipts && t <= to; i++) {
                long next = t + receiptGaps[i];
                if (next >= from && (!endingBy || next <= to) && (worst == null || receiptGaps[i] > worst[0])) {
                    worst = new long[] {receiptGaps[i], t};
                }
                t = next;
            }
            return worst;
        } finally {
            lock.unlock();
        }
    }

    long sent() {
        lock.lock();
        try {
            return sent;
        } finally {
            lock.unlock();
        }
    }

    Verdict verdict() {
        lock.lock();
        try {
            // A bot that switched to a target of other rules must have seen them.
            boolean missedTarget = switched && sourceRules != targetRules && !sawTargetRules;
            return new Verdict(sent, updates,
                    sent - appliedDistinct, inputsDuplicated,
                    updates == 0 ? 0 : maxTick - firstTick + 1 - distinctTicks, outputsDuplicated, outOfOrder,
                    unexpectedInputs, inconsistentUpdates, malformedUpdates,
                    reportedApplied == sent, reportedHash == sentHash,
                    ruleViolations + (missedTarget ? 1 : 0), updatesRules2, updatesRules3);
        } finally {
            lock.unlock();
        }
    }

    /**
     * One bot's figures.
     *
     * @param inputsLost          inputs sent whose id no update ever listed as applied
     * @param outputsLost         ticks between the first and the newest received that never arrived
     * @param outOfOrder          ticks and input ids that arrived after a later one
     * @param unexpectedInputs    ids listed as applied that were never sent
     * @param inconsistentUpdates updates whose applied count went back, or grew by other than the ids listed
     * @param countMatches        the game's final count of applied inputs equals the number sent
     * @param hashMatches         the game's final input hash equals the bot's own
     * @param ruleViolations      updates that showed rules other than those of the server that sent them
     *                            ({@link #checkRules}), plus one if the bot switched to a target of other rules
     *                            and never saw them
     * @param updatesRules2       updates (one per tick) that showed rules 2
     * @param updatesRules3       the same, rules 3
     */
    record Verdict(long sent, long updates, long inputsLost, long inputsDuplicated, long outputsLost,
                   long outputsDuplicated, long outOfOrder, long unexpectedInputs, long inconsistentUpdates,
                   long malformedUpdates, boolean countMatches, boolean hashMatches, long ruleViolations,
                   long updatesRules2, long updatesRules3) {

        /** A verdict of a run in which every update showed rules 2, as they all did before schema 3. */
        Verdict(long sent, long updates, long inputsLost, long inputsDuplicated, long outputsLost,
                long outputsDuplicated, long outOfOrder, long unexpectedInputs, long inconsistentUpdates,
                long malformedUpdates, boolean countMatches, boolean hashMatches) {
            this(sent, updates, inputsLost, inputsDuplicated, outputsLost, outputsDuplicated, outOfOrder,
                    unexpectedInputs, inconsistentUpdates, malformedUpdates, countMatches, hashMatches, 0, updates, 0);
        }

        boolean ok() {
            return problems().isEmpty();
        }

        /** What is wrong, for a human; empty when the bot's run was clean. */
        List<String> problems() {
            List<String> p = new ArrayList<>();
            if (updates == 0) {
                p.add("no updates received");
            }
            count(p, inputsLost, "inputs lost");
            count(p, inputsDuplicated, "inputs duplicated");
            count(p, outputsLost, "outputs lost");
            count(p, outputsDuplicated, "outputs duplicated");
            count(p, outOfOrder, "out of order");
            count(p, unexpectedInputs, "unexpected input ids");
            count(p, inconsistentUpdates, "inconsistent updates");
            count(p, malformedUpdates, "malformed updates");
            count(p, ruleViolations, "updates with the wrong rules for their server (or the target's never seen)");
            if (!countMatches) {
                p.add("applied count differs from " + sent + " sent");
            }
            if (!hashMatches) {
                p.add("input hash differs");
            }
            return p;
        }

        private static void count(List<String> p, long n, String what) {
            if (n != 0) {
                p.add(n + " " + what);
            }
        }
    }
}
