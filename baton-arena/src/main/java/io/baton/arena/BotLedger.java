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

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();

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
            return new Verdict(sent, updates,
                    sent - appliedDistinct, inputsDuplicated,
                    updates == 0 ? 0 : maxTick - firstTick + 1 - distinctTicks, outputsDuplicated, outOfOrder,
                    unexpectedInputs, inconsistentUpdates, malformedUpdates,
                    reportedApplied == sent, reportedHash == sentHash);
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
     */
    record Verdict(long sent, long updates, long inputsLost, long inputsDuplicated, long outputsLost,
                   long outputsDuplicated, long outOfOrder, long unexpectedInputs, long inconsistentUpdates,
                   long malformedUpdates, boolean countMatches, boolean hashMatches) {

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
