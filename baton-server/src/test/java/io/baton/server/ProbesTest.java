package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import org.junit.jupiter.api.Test;

/** The readiness rule, phase by phase, including the phases a socket test cannot stop in. */
class ProbesTest {

    private static ServerStatus status(Role role, SourcePhase source, TargetPhase target) {
        return new ServerStatus(role, source, target, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "", 0, false,
                false, 0, 0, 0, java.util.Map.of(), 0, "");
    }

    @Test
    void anAuthorityIsReadyThroughoutAHandoffUntilItRetires() {
        Probes probes = new Probes(true);
        for (SourcePhase p : SourcePhase.values()) {
            Role role = p == SourcePhase.DRAINING || p == SourcePhase.DONE || p == SourcePhase.FENCED
                    ? Role.RETIRED : Role.AUTHORITY;
            assertThat(probes.notReady(status(role, p, TargetPhase.STANDBY)).isEmpty()).as("%s %s", role, p)
                    .isEqualTo(role == Role.AUTHORITY);
        }
        assertThat(probes.notReady(status(Role.RETIRED, SourcePhase.FENCED, TargetPhase.STANDBY)))
                .hasValueSatisfying(why -> assertThat(why).contains("retired", "FENCED"));
    }

    @Test
    void aStandbyIsReadyAtRestOrWhileHandshakesAreUnprovenAndWithAPeerPort() {
        Probes probes = new Probes(true);
        for (TargetPhase p : TargetPhase.values()) {
            if (p == TargetPhase.AUTHORITY) {
                continue;
            }
            assertThat(probes.notReady(status(Role.STANDBY, SourcePhase.IDLE, p)).isEmpty()).as("%s", p)
                    .isEqualTo(p == TargetPhase.STANDBY || p == TargetPhase.AUTHENTICATING);
        }
        assertThat(probes.notReady(status(Role.AUTHORITY, SourcePhase.IDLE, TargetPhase.AUTHORITY))).isEmpty();
        assertThat(new Probes(false).notReady(status(Role.STANDBY, SourcePhase.IDLE, TargetPhase.STANDBY)))
                .hasValueSatisfying(why -> assertThat(why).contains("peer port"));
    }

    @Test
    void aStoppingServerIsNotReadyWhateverItsCoreSaysAndKeepsTheFirstReason() {
        Probes probes = new Probes(true);
        probes.stopping("stopped for good by POST /save");
        probes.closing();
        assertThat(probes.closed()).isTrue();
        assertThat(probes.notReady(status(Role.AUTHORITY, SourcePhase.IDLE, TargetPhase.STANDBY)))
                .hasValue("stopped for good by POST /save");
    }
}
