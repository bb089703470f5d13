package io.baton.core;

import static io.baton.core.Rig.MS;
import static io.baton.core.Rig.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Rig.Client;
import io.baton.core.Rig.Server;
import io.baton.wire.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a handoff sends its clients: the target's advertised client endpoint, carried in its PEER_CHALLENGE,
 * or one the operator gives, which the source probes before any client hears of it; and the attach rule that
 * keeps a source from cutting over while nothing shows its clients can reach the target.
 */
class ClientEndpointTest {

    private final Rig rig = new Rig();
    private final Server source = rig.authority("source");
    private final List<Client> clients = new ArrayList<>();

    ClientEndpointTest() {
        for (int i = 0; i < 3; i++) {
            clients.add(rig.join(source));
        }
    }

    private void start(HandoffRequest request) {
        assertThat(source.core.startHandoff(request, rig.now)).isEmpty();
        rig.pump();
    }

    private void untilSource(SourcePhase phase) {
        rig.runUntil(() -> source.status().sourcePhase() == phase, 20 * SECOND);
    }

    /** Nobody heard where the target is: no hint, no MOVE; and every client is still served here. */
    private void assertNoClientWasToldOfTheTarget() {
        for (Client c : clients) {
            assertThat(c.got(Frame.Move.class)).isEmpty();
            assertThat(c.got(Frame.TargetHint.class)).isEmpty();
        }
        assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
        clients.get(0).input("still here");
        assertThat(clients.get(0).outputs()).containsExactly("still here#1");
    }

    @Test
    void withoutAClientEndpointClientsAreSentWhereTheTargetAdvertisesAndNothingIsProbed() {
        Server target = rig.standby("target");
        start(source.handoffTo(target, Frame.Mode.LIVE));
        untilSource(SourcePhase.DONE);

        for (Client c : clients) {
            Frame.Move move = c.last(Frame.Move.class);
            assertThat(move.host() + ":" + move.port()).isEqualTo("target:7000");
            assertThat(c.server).isSameAs(target);
        }
        assertThat(source.sentToPeers(Frame.Probe.class)).isEmpty();
        assertThat(source.notes).anyMatch(n -> n.contains("target:7000, the client endpoint the target advertises"));
    }

    @Test
    void theAdvertisedEndpointIsCoveredByTheTargetsProofSoAForgedOneAbortsBeforeAnyState() {
        Server target = rig.standby("target");
        assertThat(source.core.startHandoff(source.handoffTo(target, Frame.Mode.LIVE), rig.now)).isEmpty();
        rig.rewrite(target, f -> f instanceof Frame.PeerChallenge ch // a forger on the way rewrites where clients go
                ? new Frame.PeerChallenge(ch.nonce(), ch.mac(), "attacker.example", 7000) : f);
        rig.pump();

        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.status().lastError()).contains("authentication failed");
        assertThat(source.sentToPeers(Frame.SnapshotBegin.class)).isEmpty();
        assertNoClientWasToldOfTheTarget();
    }

    @Test
    void aTargetThatAdvertisesNothingAndNoEndpointGivenAbortsBeforeAnyStateNamingTheFix() {
        Server target = rig.standbyAdvertisingNothing("target", Rig.config());
        start(source.handoffTo(target, Frame.Mode.LIVE));

        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.status().lastError()).contains("target:7001 advertises no client endpoint")
                .contains("--advertise").contains("--client-endpoint");
        assertThat(source.sentToPeers(Frame.PeerAuth.class)).isEmpty();
        assertThat(source.sentToPeers(Frame.SnapshotBegin.class)).isEmpty();
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertNoClientWasToldOfTheTarget();
    }

    @Test
    void aGivenEndpointThatReachesTheTargetIsProvenAndTheHandoffCompletes() {
        Server target = rig.standbyAdvertisingNothing("target", Rig.config());
        start(source.handoffTo(target, "target", 7000));
        untilSource(SourcePhase.DONE);

        assertThat(source.sentToPeers(Frame.Probe.class)).hasSize(1);
        assertThat(target.sentToPeers(Frame.ProbeProof.class)).hasSize(1);
        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
        assertThat(target.status().sessions()).isEqualTo(3);
        for (Client c : clients) {
            assertThat(c.server).isSameAs(target);
        }
    }

    @Test
    void aGivenEndpointWhereNothingListensAbortsBeforeAnyClientHearsOfIt() {
        Server target = rig.standby("target");
        start(source.handoffTo(target, "nowhere", 7000));
        rig.advance(5 * SECOND); // well past any catch-up: nothing waited for the probe goes on

        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.status().lastError()).as("what was tried, what happened, what to check")
                .contains("the client endpoint nowhere:7000 does not reach the target")
                .contains("nothing accepts connections there")
                .contains("no client was moved")
                .contains("--client-endpoint");
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(target.status().sessions()).isZero();
        assertNoClientWasToldOfTheTarget();
    }

    @Test
    void aGivenEndpointOfAnotherServerAbortsBeforeAnyClientMoves() {
        Server target = rig.standby("target");
        rig.authority("elsewhere");
        start(source.handoffTo(target, "elsewhere", 7000));
        rig.advance(5 * SECOND);

        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.status().lastError()).contains("elsewhere:7000")
                .contains("not the target of this handoff").contains("BAD_TICKET");
        assertNoClientWasToldOfTheTarget();
    }

    @Test
    void theSourcesOwnClientPortIsNoTarget() {
        Server target = rig.standby("target");
        start(source.handoffTo(target, "source", 7000));
        rig.advance(5 * SECOND);

        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.status().lastError()).contains("source:7000").contains("not receiving handoff");
        assertNoClientWasToldOfTheTarget();
    }

    @Test
    void aGivenEndpointThatNeverAnswersAbortsWhenTheProbeTimesOut() {
        Server target = rig.standby("target");
        rig.silentHost("blackhole");
        start(source.handoffTo(target, "blackhole", 7000));
        rig.advance(EndpointProbe.TIMEOUT - 10 * MS);
        assertThat(source.status().sourcePhase()).as("still waiting for the probe's answer")
                .isEqualTo(SourcePhase.CATCHING_UP);
        assertThat(clients.get(0).got(Frame.TargetHint.class)).as("caught up, but not hinted an unproven endpoint")
                .isEmpty();

        rig.advance(20 * MS);
        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.status().lastError()).contains("blackhole:7000").contains("no answer within 2000 ms");
        assertNoClientWasToldOfTheTarget();
    }

    @Test
    void aStopAndCopyHandoffRedirectsOnlyOnceTheGivenEndpointIsProven() {
        Server target = rig.standby("target");
        start(new HandoffRequest("target", 7001, "nowhere", 7000, Frame.Mode.STOPCOPY));
        rig.advance(SECOND);
        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.sourcePhases).doesNotContain(SourcePhase.REDIRECTING);
        assertNoClientWasToldOfTheTarget();

        start(new HandoffRequest("target", 7001, "target", 7000, Frame.Mode.STOPCOPY));
        untilSource(SourcePhase.DONE);
        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
    }

    @Test
    void atTheAttachDeadlineWithNoConnectedClientAttachedToAnUnprovenEndpointTheHandoffAborts() {
        Server target = rig.standby("target");
        target.core.advertise("unreachable.example", 7443); // the clients' network cannot reach what it says
        clients.forEach(c -> c.follows = false);
        start(source.handoffTo(target, Frame.Mode.LIVE));
        untilSource(SourcePhase.REDIRECTING);
        rig.runUntil(() -> source.status().clientsMoved() == 3, 5 * SECOND);
        rig.advance(Rig.config().attachTimeout() + 2 * Rig.TICK);

        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.sourcePhases).doesNotContain(SourcePhase.CUTTING_OVER);
        assertThat(source.status().lastError()).contains("only 0 of the 3 connected clients attached")
                .contains("unreachable.example:7443");
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        for (Client c : clients) {
            assertThat(c.gotOn(c.conn, Frame.MoveAborted.class)).hasSize(1);
        }
        clients.get(1).input("stays");
        assertThat(clients.get(1).outputs()).containsExactly("stays#1");
    }

    @Test
    void atTheAttachDeadlineAMajorityAttachedIsEnoughToCutOver() {
        Server target = rig.standby("target");
        clients.get(2).follows = false;
        start(source.handoffTo(target, Frame.Mode.LIVE));
        untilSource(SourcePhase.DONE);

        assertThat(source.status().clientsAttached()).isEqualTo(2);
        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
        assertThat(source.notes).anyMatch(n -> n.contains("1 of 3 connected clients unattached"));
    }

    @Test
    void atTheAttachDeadlineOneClientsWordIsNotEnoughForAnUnprovenEndpoint() {
        // ATTACHED is the client's own report: one client (or a stranger) saying so must not send the
        // others to an endpoint they cannot reach.
        Server target = rig.standby("target");
        clients.get(1).follows = false;
        clients.get(2).follows = false;
        start(source.handoffTo(target, Frame.Mode.LIVE));
        rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.ABORTED, 10 * SECOND);

        assertThat(source.status().clientsAttached()).isEqualTo(1);
        assertThat(source.status().lastError()).contains("only 1 of the 3 connected clients attached");
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
    }

    @Test
    void atTheAttachDeadlineAProvenEndpointCutsOverEvenWithNoneAttached() {
        // No client attaches (as when every ticket has expired: each resumes on the target after SWITCH
        // instead). The probe showed the endpoint reaches the target, so the source does not give up on them.
        Server target = rig.standby("target");
        clients.forEach(c -> c.follows = false);
        start(source.handoffTo(target, "target", 7000));
        untilSource(SourcePhase.DONE);

        assertThat(source.status().clientsAttached()).isZero();
        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
    }
}
