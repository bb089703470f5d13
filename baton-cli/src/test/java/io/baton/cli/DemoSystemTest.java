package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.bench.ReconnectingClient;
import io.baton.harness.Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole product on real processes: two servers in their own JVMs, 200 bot clients, a handoff in the
 * middle. Asserts what the bots verified end to end, never timing (that is the benchmarks' job).
 */
class DemoSystemTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void twoHundredClientsSwitchWithNothingLostDuplicatedOrReordered() throws Exception {
        JsonNode r = demo("--clients", "200", "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("clients").asInt()).isEqualTo(200);
        assertThat(r.path("clients_switched").asInt()).isEqualTo(200);
        assertThat(r.path("inputs_sent").asLong()).isPositive();
        assertNothingLost(r);
        assertThat(r.path("state_equal").asBoolean()).isTrue();
        assertThat(r.path("digest_source").asText()).isEqualTo(r.path("digest_target").asText());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stopAndCopyAlsoLosesNothing() throws Exception {
        JsonNode r = demo("--clients", "50", "--mode", "stopcopy", "--state-mb", "8", "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("clients_switched").asInt()).isEqualTo(50);
        assertNothingLost(r);
        assertThat(r.path("state_equal").asBoolean()).isTrue();
        assertThat(r.path("state_bytes").asLong()).isEqualTo(8L << 20);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theRestartBaselineBringsEveryClientBackAfterItsBackoffWithNothingDoubled() throws Exception {
        JsonNode r = demo("--clients", "50", "--mode", "restart", "--state-mb", "8", "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("clients_switched").asInt()).isEqualTo(50);
        assertThat(r.path("clients_resumed").asInt()).as("every client came back by reconnecting").isEqualTo(50);
        assertThat(r.path("state_equal").asBoolean()).as("the target loaded exactly what the source saved").isTrue();
        for (String zero : new String[] {"inputs_duplicated", "outputs_duplicated", "out_of_order"}) {
            assertThat(r.path(zero).asLong()).as(zero).isZero();
        }
        // No client reconnects sooner than its first backoff after the disconnect: its update gap is at
        // least that, so its stall (gap less one tick) at least that less a tick.
        double floor = ReconnectingClient.FIRST_BACKOFF_NANOS / 1e6 - 1000.0 / 30;
        assertThat(r.path("stall_ms").path("p50").asDouble()).isGreaterThanOrEqualTo(floor);
        assertThat(r.path("cutover_pause_ms").asDouble()).isPositive();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aTargetKilledBeforeCutoverLeavesEveryClientOnTheSourceWithNothingLost() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.KILL_TARGET_BEFORE_CUTOVER.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("aborted");
        assertThat(r.path("abort_reason").asText()).as("the source's reason, in the report").isNotBlank()
                .doesNotStartWith("unknown");
        assertNothingLost(r);
        assertThat(r.path("diverged").asBoolean()).isFalse();
    }

    /** SIGTERM is the only order: the demo fails unless the source also exits 0 (handed off and drained). */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSigtermToASourceWithASuccessorHandsEveryClientOffWithNothingLost() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.SIGTERM_SOURCE.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("clients_switched").asInt()).isEqualTo(60);
        assertNothingLost(r);
        assertThat(r.path("diverged").asBoolean()).isFalse();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aWrongClientEndpointAbortsBeforeAnyClientMovesAndEveryClientStaysWithNothingLost() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.WRONG_CLIENT_ENDPOINT.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("aborted");
        assertThat(r.path("abort_reason").asText()).as("the report names the endpoint that was wrong (G8)")
                .startsWith("the client endpoint 127.0.0.1:").contains("does not reach the target");
        assertThat(r.path("clients_switched").asInt()).isZero();
        assertNothingLost(r);
        assertThat(r.path("diverged").asBoolean()).isFalse();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSourceKilledAfterCatchUpFailsOverToTheTargetWithNothingLost() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.KILL_SOURCE_AFTER_CATCH_UP.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("failed-over");
        assertThat(r.path("clients_switched").asInt()).isEqualTo(60);
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSourceThatDiesTheInstantItSentCutoverLeavesTheTargetInChargeWithNothingLost() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.KILL_SOURCE_DURING_CUTOVER.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("clients_switched").asInt()).isEqualTo(60);
        assertThat(r.path("state_equal").asBoolean()).as("the target verified the digest the source journaled").isTrue();
        // No client heard SWITCH (the source halted first): each either carried on over its pre-connection, which
        // the target's first outputs reached before the source's sockets closed, or resumed on the target, which
        // of the two depending on that race; every one of them got there.
        assertThat(r.path("clients_resumed").asInt()).isBetween(0, 60);
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSecondHandoffInARowMovesEveryClientOnToAThirdServer() throws Exception {
        JsonNode r = demo("--clients", "60", "--handoffs", "2", "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("handoffs_completed").asInt()).isEqualTo(2);
        JsonNode second = r.path("further_handoffs").get(0);
        assertThat(second.path("state_equal").asBoolean()).isTrue();
        assertThat(second.path("diverged").asBoolean()).isFalse();
        assertThat(second.path("sessions_on_target").asInt()).isEqualTo(60);
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSourceKilledAfterCutoverChangesNothingForTheClients() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.KILL_SOURCE_AFTER_CUTOVER.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("state_equal").asBoolean()).isTrue();
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aKilledClientProcessLeavesTheOthersUntouched() throws Exception {
        JsonNode r = demo("--clients", "60", "--bot-processes", "2", "--fault", Fault.KILL_CLIENT.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("clients").asInt()).isEqualTo(30);
        assertThat(r.path("clients_switched").asInt()).isEqualTo(30);
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aPausedSourceNeverLeavesTwoServersInChargeAndLosesNothing() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.PAUSE_SOURCE.cliName(), "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isIn("failed-over", "completed");
        assertThat(r.path("clients_switched").asInt()).isEqualTo(60);
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aPeerLinkCutBeforeCutoverAbortsAndLeavesEveryClientOnTheSource() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.CUT_PEER_LINK.cliName(), "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("aborted");
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSlowPeerLinkStillCompletesWithNothingLost() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.SLOW_PEER_LINK.cliName(), "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("state_equal").asBoolean()).isTrue();
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void clientsThatCannotReachTheTargetComeThroughTheFallbackWithNothingLost() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.BLOCK_CLIENTS_TO_TARGET.cliName(), "--warmup-s", "1",
                "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("clients_switched").asInt()).isEqualTo(60);
        assertThat(r.path("clients_resumed").asInt()).as("clients that came through the fallback").isPositive();
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theLargestInputAClientMaySendDuringTheHandoffIsCarriedAndTheHandoffCompletes() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.HUGE_INPUT.cliName(), "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("strangers").path("frames_sent").asInt()).as("HELLO and at least one huge INPUT")
                .isGreaterThan(1);
        assertThat(r.path("strangers").path("errors").size()).isZero();
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aClientThatNeverReadsIsCutByTheSourceAndTheHandoffCompletes() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.SLOW_READER.cliName(), "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("strangers").path("closed_by_server").asInt()).isEqualTo(1);
        assertNothingLost(r);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void abandonedSessionsOutnumberingThePlayersCannotMakeASourceWhoseTargetDiedFence() throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", Fault.ABANDONED_SESSIONS_KILL_TARGET.cliName(), "--warmup-s",
                "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("aborted");
        assertThat(r.path("strangers").path("welcomed").asInt()).isEqualTo(100);
        assertThat(r.path("strangers").path("kept").asBoolean()).isTrue();
        assertNothingLost(r);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Fault.class, names = {"IDLE_CONNECTIONS", "SLOW_LORIS", "HELLO_FLOOD", "SQUAT_STANDBY",
        "VANISHED_CLIENT"})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void strangersAreBoundedAsPromisedAndTheHandoffCompletesWithNothingLost(Fault fault) throws Exception {
        JsonNode r = demo("--clients", "60", "--fault", fault.cliName(), "--warmup-s", "1", "--after-s", "0.5");
        assertThat(r.path("outcome").asText()).isEqualTo("completed");
        assertThat(r.path("strangers").path("kept").asBoolean()).as("the servers did to the strangers what "
                + "faults.md promises: %s", r.path("strangers")).isTrue();
        assertNothingLost(r);
    }

    private static void assertNothingLost(JsonNode r) {
        for (String zero : new String[] {"inputs_lost", "inputs_duplicated", "outputs_lost", "outputs_duplicated",
            "out_of_order", "failed_verifications", "acked_inputs_lost"}) {
            assertThat(r.path(zero).asLong()).as(zero).isZero();
        }
        assertThat(r.path("diverged").isBoolean()).as("diverged is measured").isTrue();
        assertThat(r.path("diverged").asBoolean()).as("diverged").isFalse();
    }

    /** Runs {@code baton demo --json ARGS} in this JVM (servers in their own) and parses its one JSON line. */
    static JsonNode demo(String... args) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "demo";
        all[1] = "--json";
        System.arraycopy(args, 0, all, 2, args.length);
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(all);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8).strip();
        assertThat(out.lines().count()).as("exactly one line on stdout: %s", out).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(out);
        assertThat(code).as("exit code, report %s", out).isZero();
        return json;
    }
}
