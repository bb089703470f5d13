package io.baton.arena;

import java.util.Arrays;
import java.util.List;

/**
 * What a fleet of bots verified, summed over all of them. A clean run has zeros in every loss, duplicate
 * and order figure; {@link #passed()} says so in one word.
 *
 * @param clients             bots in the fleet
 * @param connectFailures     bots that never got a session
 * @param clientsSwitched     bots that switched to a target over their pre-connection at least once
 * @param clientsResumed      bots that resumed their session on a new connection at least once
 * @param clientsMoved        bots that did either (not the sum: a bot may switch and later resume)
 * @param inputsSent          moves sent (accepted by the client)
 * @param inputsLost          moves sent that no update ever reported applied
 * @param inputsDuplicated    moves reported applied more than once
 * @param updatesReceived     updates received
 * @param outputsLost         ticks a bot never received, between its first and its last
 * @param outputsDuplicated   ticks a bot received more than once
 * @param outOfOrder          ticks and moves that arrived after a later one
 * @param failedVerifications bots whose run was not clean for any reason, including the game's final count or
 *                            input hash differing from the bot's own, and bots that never connected
 * @param stallP50Nanos       over bots, the median of each bot's longest gap between updates in the window,
 *                            beyond one tick period (nearest rank, to 10 µs: {@link StallDistribution})
 * @param stallP99Nanos       the same, 99th percentile
 * @param stallMaxNanos       the same, the worst bot
 * @param ruleViolations      updates that showed other rules than those of the server that sent them, and bots
 *                            that switched to a target of other rules and never saw them ({@link BotLedger})
 * @param updatesRules2       updates that showed rules 2 (one per tick per bot)
 * @param updatesRules3       the same, rules 3
 */
public record FleetReport(
        int clients,
        int connectFailures,
        int clientsSwitched,
        int clientsResumed,
        int clientsMoved,
        long inputsSent,
        long inputsLost,
        long inputsDuplicated,
        long updatesReceived,
        long outputsLost,
        long outputsDuplicated,
        long outOfOrder,
        int failedVerifications,
        long stallP50Nanos,
        long stallP99Nanos,
        long stallMaxNanos,
        long ruleViolations,
        long updatesRules2,
        long updatesRules3) {

    /** True when every bot connected and verified everything it sent and received, rules included. */
    public boolean passed() {
        return connectFailures == 0 && failedVerifications == 0 && inputsLost == 0 && inputsDuplicated == 0
                && outputsLost == 0 && outputsDuplicated == 0 && outOfOrder == 0 && ruleViolations == 0;
    }

    /** What the bots verified, as the JSON reports name it. */
    public Tally tally() {
        return new Tally(inputsSent, inputsLost, inputsDuplicated, outputsLost, outputsDuplicated, outOfOrder,
                failedVerifications, ruleViolations, updatesRules2, updatesRules3);
    }

    /** A few lines for a terminal. */
    public String format() {
        return String.format(
                "%s: %d clients (%d failed to connect), %d moved: %d switched, %d resumed%n"
                        + "  inputs   sent %d, lost %d, duplicated %d%n"
                        + "  outputs  received %d, lost %d, duplicated %d; out of order %d%n"
                        + "  rules    updates of rules 2: %d, of rules 3: %d; rule violations %d%n"
                        + "  verification failed for %d clients%n"
                        + "  stall    p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                passed() ? "PASSED" : "FAILED", clients, connectFailures, clientsMoved, clientsSwitched, clientsResumed,
                inputsSent, inputsLost, inputsDuplicated,
                updatesReceived, outputsLost, outputsDuplicated, outOfOrder,
                updatesRules2, updatesRules3, ruleViolations,
                failedVerifications,
                stallP50Nanos / 1e6, stallP99Nanos / 1e6, stallMaxNanos / 1e6);
    }

    /** One bot's contribution: null verdict when it never connected. */
    record Outcome(BotLedger.Verdict verdict, boolean switched, boolean resumed, boolean moved, long stallNanos) {
    }

    static FleetReport aggregate(List<Outcome> outcomes) {
        int connectFailures = 0;
        int switched = 0;
        int resumed = 0;
        int moved = 0;
        long sent = 0;
        long inputsLost = 0;
        long inputsDuplicated = 0;
        long updates = 0;
        long outputsLost = 0;
        long outputsDuplicated = 0;
        long outOfOrder = 0;
        int failed = 0;
        long ruleViolations = 0;
        long rules2 = 0;
        long rules3 = 0;
        long[] stalls = new long[outcomes.size()];
        int stallCount = 0;
        for (Outcome o : outcomes) {
            switched += o.switched() ? 1 : 0;
            resumed += o.resumed() ? 1 : 0;
            moved += o.moved() ? 1 : 0;
            BotLedger.Verdict v = o.verdict();
            if (v == null) {
                connectFailures++;
                failed++;
                continue;
            }
            sent += v.sent();
            inputsLost += v.inputsLost();
            inputsDuplicated += v.inputsDuplicated();
            updates += v.updates();
            outputsLost += v.outputsLost();
            outputsDuplicated += v.outputsDuplicated();
            outOfOrder += v.outOfOrder();
            ruleViolations += v.ruleViolations();
            rules2 += v.updatesRules2();
            rules3 += v.updatesRules3();
            failed += v.ok() ? 0 : 1;
            stalls[stallCount++] = o.stallNanos();
        }
        long[] p = StallDistribution.ofNanos(Arrays.copyOf(stalls, stallCount)).p50p99maxNanos();
        return new FleetReport(outcomes.size(), connectFailures, switched, resumed, moved,
                sent, inputsLost, inputsDuplicated, updates, outputsLost, outputsDuplicated, outOfOrder, failed,
                p[0], p[1], p[2], ruleViolations, rules2, rules3);
    }
}
