package io.baton.arena;

import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The figures a verification of bots reports, under the names every JSON report gives them: the bots' own
 * report ({@code ./baton bots}) and the demo's, which sums the bots' reports. One list, so the writers and the
 * reader cannot drift apart.
 */
public record Tally(long inputsSent, long inputsLost, long inputsDuplicated, long outputsLost,
                    long outputsDuplicated, long outOfOrder, long failedVerifications, long ruleViolations,
                    long updatesRules2, long updatesRules3) {

    /**
     * The JSON names, in the order the reports print them. {@code rule_violations}: updates that showed other
     * rules than those of the server that sent them (BotLedger); {@code updates_rules_N}: updates, one per tick,
     * that showed rules N.
     */
    public static final List<String> FIELDS = List.of("inputs_sent", "inputs_lost", "inputs_duplicated",
            "outputs_lost", "outputs_duplicated", "out_of_order", "failed_verifications", "rule_violations",
            "updates_rules_2", "updates_rules_3");

    /** A tally of clients that show no rules (every rule figure 0). */
    public Tally(long inputsSent, long inputsLost, long inputsDuplicated, long outputsLost, long outputsDuplicated,
                 long outOfOrder, long failedVerifications) {
        this(inputsSent, inputsLost, inputsDuplicated, outputsLost, outputsDuplicated, outOfOrder, failedVerifications,
                0, 0, 0);
    }

    /** A tally read field by field under its JSON names. */
    public static Tally read(ToLongFunction<String> field) {
        long[] v = FIELDS.stream().mapToLong(field).toArray();
        return new Tally(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }

    /** Adds the figures to a JSON object under their names, in {@link #FIELDS} order. */
    public void putInto(Map<String, Object> json) {
        long[] v = {inputsSent, inputsLost, inputsDuplicated, outputsLost, outputsDuplicated, outOfOrder,
            failedVerifications, ruleViolations, updatesRules2, updatesRules3};
        for (int i = 0; i < v.length; i++) {
            json.put(FIELDS.get(i), v[i]);
        }
    }
}
