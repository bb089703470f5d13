package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every transition {@link ClientPhase#canMoveTo} allows is one the client makes: each is walked here through
 * the public entry points, and the table allows nothing else.
 */
class ClientPhaseTest {

    private static final long NOW = 1_000_000_000L;

    private ClientCoreTest.Recorder out;
    private ClientCore core;

    @BeforeEach
    void connect() {
        out = new ClientCoreTest.Recorder();
        core = new ClientCore("source", 7000, ClientCore.Timing.defaults(30_000_000_000L), out);
        core.start(NOW);
        core.connected(1, NOW);
        core.frame(1, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), NOW);
    }

    /** A MOVE whose pre-connection fails, then the SWITCH: the client must resume on the target. */
    private long switchWithoutPreConnection(long conn, String target, int port) {
        core.frame(conn, new Frame.Move(7, new byte[16], target, port), NOW);
        core.disconnected(out.nextConn - 1, NOW);
        core.frame(conn, new Frame.Switch(7, 0), NOW);
        long resumed = out.nextConn - 1;
        core.connected(resumed, NOW);
        return resumed;
    }

    @Test
    void onlyTheWalkedTransitionsAreAllowed() {
        Set<String> allowed = new TreeSet<>();
        for (ClientPhase from : ClientPhase.values()) {
            for (ClientPhase to : ClientPhase.values()) {
                if (from.canMoveTo(to)) {
                    allowed.add(from + ">" + to);
                }
            }
        }
        assertThat(allowed).containsExactlyInAnyOrder("OPEN>RESUMING_AFTER_SWITCH", "OPEN>CLOSED",
                "RESUMING_AFTER_SWITCH>OPEN", "RESUMING_AFTER_SWITCH>RESUMING_AFTER_SWITCH",
                "RESUMING_AFTER_SWITCH>CLOSED");
    }

    @Test
    void aSwitchThePreConnectionCannotCarryResumesOnTheTargetUntilWelcomedThere() {
        assertThat(core.phase()).isEqualTo(ClientPhase.OPEN);
        long resumed = switchWithoutPreConnection(1, "target", 7100);
        assertThat(core.phase()).isEqualTo(ClientPhase.RESUMING_AFTER_SWITCH);
        assertThat(out.connects).endsWith("target:7100");

        core.frame(resumed, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), NOW);
        assertThat(core.phase()).isEqualTo(ClientPhase.OPEN);
        assertThat(out.events).endsWith(ClientCore.Event.RESUMED);
    }

    @Test
    void aRetiredServerMetWhileResumingAfterASwitchSwitchesTheSessionOnAgain() {
        long resumed = switchWithoutPreConnection(1, "target", 7100);
        // The target was handed off too before the client got there: it answers the resume with MOVE and SWITCH.
        core.frame(resumed, new Frame.Move(8, new byte[16], "third", 7200), NOW);
        core.frame(resumed, new Frame.Switch(8, 0), NOW);
        assertThat(core.phase()).isEqualTo(ClientPhase.RESUMING_AFTER_SWITCH);
        assertThat(out.connects).endsWith("third:7200");
        core.connected(out.nextConn - 1, NOW);
        core.frame(out.nextConn - 1, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), NOW);
        assertThat(core.phase()).isEqualTo(ClientPhase.OPEN);
    }

    @Test
    void closingEndsTheOpenSessionForGood() {
        core.close(NOW);
        assertThat(core.phase()).isEqualTo(ClientPhase.CLOSED);
        core.frame(1, new Frame.Output(1, 0, new byte[] {1}), NOW);
        assertThat(out.delivered).isEmpty();
        assertThat(core.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aRefusalWhileResumingAfterASwitchEndsTheSession() {
        long resumed = switchWithoutPreConnection(1, "target", 7100);
        core.frame(resumed, new Frame.Error(ErrorCode.UNKNOWN_SESSION, "gone"), NOW);
        assertThat(core.phase()).isEqualTo(ClientPhase.CLOSED);
        assertThat(out.lost).contains("gone");
    }
}
