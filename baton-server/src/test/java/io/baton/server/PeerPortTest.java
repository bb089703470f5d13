package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Who may open a peer link, over real sockets: only a server that knows the peer secret. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeerPortTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    private static Frame.PeerHello peerHello(long handoffId) {
        byte[] nonce = new byte[Frame.TOKEN_LENGTH];
        nonce[3] = 9;
        io.baton.service.ServiceFactory arena = new io.baton.arena.ArenaFactory(); // what TestServers hosts
        return new Frame.PeerHello(Frame.PEER_VERSION, handoffId, Frame.Mode.LIVE, nonce, arena.name(), arena.schemaVersion());
    }

    @Test
    void peerAuthWithAWrongMacGetsAuthFailedAndTheTargetStaysAStandbyThatStillAcceptsARealHandoff()
            throws Exception {
        BatonServer target = env.start(true);
        try (RawConnection forger = RawConnection.open(target.peerPort())) {
            forger.send(peerHello(0x1234));
            Frame challenge = forger.read();
            assertThat(challenge).isInstanceOf(Frame.PeerChallenge.class);
            byte[] mac = new byte[Frame.MAC_LENGTH];
            mac[0] = 42;
            forger.send(new Frame.PeerAuth(mac));
            forger.expectErrorThenEof(ErrorCode.AUTH_FAILED);
        }
        ServerStatus t = TestServers.status(target);
        assertThat(t.role()).isEqualTo(Role.STANDBY);
        assertThat(t.targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(t.sessions()).isZero();

        BatonServer source = env.start(false);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander client = env.add(Bystander.connect(runtime, source.clientPort()));
        client.awaitUpdatesBeyond(0, 3);
        TestServers.handOff(source, target);
        client.awaitUpdatesBeyond(client.updateCount(), 5);
        client.assertConsecutiveTicks();
        assertThat(client.events()).contains(LifecycleListener.Event.SWITCHED);
    }

    @Test
    void aSourceWithTheWrongPeerSecretAbortsItsHandoffAndKeepsServingItsClient() throws Exception {
        BatonServer target = env.start(true);
        BatonServer source = env.start(TestServers.OTHER_SECRET, false);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander client = env.add(Bystander.connect(runtime, source.clientPort()));
        client.awaitUpdatesBeyond(0, 3);

        assertThat(source.startHandoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.await(Duration.ofSeconds(10))
                .until(() -> TestServers.status(source).sourcePhase() == SourcePhase.ABORTED);
        ServerStatus s = TestServers.status(source);
        assertThat(s.role()).isEqualTo(Role.AUTHORITY);
        assertThat(s.lastError()).as("why the handoff aborted")
                .containsAnyOf("authenticat", "peer secret");
        assertThat(s.clientsMoved()).as("no client is told to move to an unproven target").isZero();

        int seen = client.updateCount();
        client.awaitUpdatesBeyond(seen, 5);
        long id = client.sendMove();
        client.awaitInputsApplied(id);
        client.assertConsecutiveTicks();
        assertThat(client.events()).containsExactly(LifecycleListener.Event.CONNECTED);

        TestServers.await(Duration.ofSeconds(5)).untilAsserted(() -> {
            ServerStatus t = TestServers.status(target);
            assertThat(t.role()).isEqualTo(Role.STANDBY);
            assertThat(t.targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(t.sessions()).as("no state reached the target").isZero();
        });
    }

    /**
     * A peer that says PEER_HELLO twice on one connection is refused (PROTOCOL_VIOLATION: a frame not allowed
     * in the connection's state) and closed. Once it is gone, the
     * target must be a plain standby again: an unauthenticated connection that has ended cannot keep it busy.
     */
    @Test
    void aPeerThatSaysHelloTwiceIsClosedAndLeavesTheTargetInStandby() throws Exception {
        BatonServer target = env.start(true);
        try (RawConnection confused = RawConnection.open(target.peerPort())) {
            confused.send(peerHello(0x7701));
            assertThat(confused.read()).isInstanceOf(Frame.PeerChallenge.class);
            confused.send(peerHello(0x7702));
            confused.expectErrorThenEof(ErrorCode.PROTOCOL_VIOLATION);
        }
        try {
            TestServers.await(Duration.ofSeconds(3))
                    .until(() -> TestServers.status(target).targetPhase() == TargetPhase.STANDBY);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the target is still in phase " + TestServers.status(target).targetPhase()
                    + " after the only peer connection closed", e);
        }
        BatonServer source = env.start(false);
        TestServers.handOff(source, target);
    }

    /**
     * Someone who can reach the peer port but knows no secret sends PEER_HELLO and then nothing. The real
     * source hands off to this target at its first try: handshakes run side by side, so an unauthenticated
     * connection cannot make it BUSY (the retry below is only there to report what went wrong).
     */
    @Test
    void aStalledUnauthenticatedPeerDoesNotLockTheTargetOutOfARealHandoff() throws Exception {
        BatonServer target = env.start(true);
        RawConnection squatter = env.add(RawConnection.open(target.peerPort()));
        squatter.send(peerHello(0x5157));
        assertThat(squatter.read()).isInstanceOf(Frame.PeerChallenge.class);
        // ... and the squatter never answers, nor closes.

        BatonServer source = env.start(false);
        assertThat(source.startHandoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS)).isEmpty();
        AtomicReference<String> lastError = new AtomicReference<>("");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
                ServerStatus s = TestServers.status(source);
                if (s.sourcePhase() == SourcePhase.ABORTED) {
                    lastError.set(s.lastError());
                    source.startHandoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS);
                }
                return s.sourcePhase() == SourcePhase.DONE;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("for 10 s the real source could not hand off; its last error: '" + lastError.get()
                    + "'; target phase " + TestServers.status(target).targetPhase(), e);
        }
        assertThat(TestServers.status(target).role()).isEqualTo(Role.AUTHORITY);
        assertThat(lastError.get()).as("the source never had to retry").isEmpty();
    }
}
