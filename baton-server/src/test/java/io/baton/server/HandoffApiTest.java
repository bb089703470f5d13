package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.ClientRuntime;
import io.baton.core.SourcePhase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BatonServer#handoff}, the Java API an application orders a handoff with, over real sockets: its handle
 * tells every phase in order and ends with the outcome, completed, aborted with the reason, or refused; and the
 * admin API's {@code POST /handoff} goes through the same path (its id is the handle's).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandoffApiTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    @Test
    void aHandleTellsEveryPhaseInOrderAndCompletesOnceTheSourceDrained() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander client = env.add(Bystander.connect(runtime, source.clientPort()));
        client.awaitUpdatesBeyond(0, 3);

        List<SourcePhase> seen = new CopyOnWriteArrayList<>();
        Handoff handoff = source.handoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS)
                .onProgress(p -> seen.add(p.phase()));
        assertThat(handoff.id()).isNotZero();
        Handoff.Outcome outcome = handoff.outcome().get(20, TimeUnit.SECONDS);

        assertThat(outcome.result()).isEqualTo(Handoff.Result.COMPLETED);
        assertThat(outcome.completed()).isTrue();
        assertThat(outcome.reason()).isEmpty();
        assertThat(outcome.status().handoffId()).isEqualTo(handoff.id());
        assertThat(handoff.phase()).isEqualTo(SourcePhase.DONE);
        // CONNECTING is entered within the order itself, before the handle reaches the caller: told all the same.
        assertThat(seen).containsExactly(SourcePhase.CONNECTING, SourcePhase.AUTHENTICATING, SourcePhase.TRANSFERRING, SourcePhase.CATCHING_UP, SourcePhase.REDIRECTING,
                SourcePhase.CUTTING_OVER, SourcePhase.DRAINING, SourcePhase.DONE);
        client.awaitUpdatesBeyond(client.updateCount(), 5);
        client.assertConsecutiveTicks();
    }

    @Test
    void aHandoffThatFailsEndsAbortedWithTheReasonAndTheSourceKeepsServing() throws Exception {
        BatonServer target = env.start(true);
        BatonServer source = env.start(TestServers.OTHER_SECRET, false);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander client = env.add(Bystander.connect(runtime, source.clientPort()));
        client.awaitUpdatesBeyond(0, 3);

        Handoff handoff = source.handoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS);
        Handoff.Outcome outcome = handoff.outcome().get(20, TimeUnit.SECONDS);

        assertThat(outcome.result()).isEqualTo(Handoff.Result.ABORTED);
        assertThat(outcome.reason()).isNotEmpty().isEqualTo(TestServers.status(source).lastError());
        client.awaitUpdatesBeyond(client.updateCount(), 5);
        client.assertConsecutiveTicks();
    }

    @Test
    void anOrderTheServerCannotTakeIsRefusedAtOnceWithTheReason() throws Exception {
        BatonServer standby = env.start(true);
        BatonServer other = env.start(true);

        Handoff handoff = standby.handoff(TestServers.handoffTo(other)).get(5, TimeUnit.SECONDS);

        assertThat(handoff.outcome()).isDone();
        Handoff.Outcome outcome = handoff.outcome().join();
        assertThat(outcome.result()).isEqualTo(Handoff.Result.REFUSED);
        assertThat(outcome.reason()).contains("not the authority");
        assertThat(handoff.id()).isZero();
    }

    @Test
    void closingTheServerMidHandoffEndsItsOutcomeExceptionallyRatherThanNever() throws Exception {
        BatonServer source = BatonServer.start(io.baton.core.ServerConfig.defaults(new io.baton.arena.ArenaFactory(),
                new io.baton.service.ServiceConfig(TestServers.TICK_HZ, java.util.Map.of()), TestServers.PEER_SECRET),
                new BatonServer.Options("127.0.0.1", 0, 0,
                "127.0.0.1", -1, null, false));
        // A peer port that accepts and never answers: the handoff stays CONNECTING/AUTHENTICATING until its silence.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Handoff handoff = source.handoff(io.baton.core.HandoffRequest.toAdvertised("127.0.0.1",
                    silent.getLocalPort(), io.baton.wire.Frame.Mode.LIVE)).get(5, TimeUnit.SECONDS);
            source.close();
            assertThat(handoff.outcome()).failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("server closed");
        }
    }

    @Test
    void theAdminApiOrdersThroughTheSamePathAndAnswersTheHandlesId() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        AdminClient admin = new AdminClient("http://127.0.0.1:" + source.adminPort(), TestServers.ADMIN_TOKEN);

        AdminClient.Reply reply = admin.handoff("127.0.0.1:" + target.peerPort(), null, "live");

        assertThat(reply.status()).isEqualTo(202);
        TestServers.awaitHandoffDone(source, target);
        assertThat(reply.body().path("handoff_id").asText())
                .isEqualTo(Long.toHexString(TestServers.status(source).handoffId()));
        // A second order is refused by the core, through that same path, with its reason.
        AdminClient.Reply again = admin.handoff("127.0.0.1:" + target.peerPort(), null, "live");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error()).contains("not the authority");
    }
}
