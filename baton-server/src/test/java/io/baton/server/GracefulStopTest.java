package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What SIGTERM runs ({@link BatonServer#stopGracefully}), on in-process servers over real sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GracefulStopTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    private RawConnection session(BatonServer server) throws Exception {
        RawConnection raw = env.add(RawConnection.open(server.clientPort()));
        raw.openSession();
        return raw;
    }

    @Test
    void withASuccessorItsClientsAreHandedOffToItsAdvertisedEndpointAndTheStopReturnsOnceDrained() throws Exception {
        BatonServer source = env.start(false);
        BatonServer successor = env.start(true);
        io.baton.client.ClientRuntime runtime = env.add(io.baton.client.ClientRuntime.create(1));
        Bystander player = env.add(Bystander.connect(runtime, source.clientPort()));
        player.movePerUpdate(true);
        player.awaitUpdatesBeyond(0, 5);

        BatonServer.Stop s = source.stopGracefully("127.0.0.1:" + successor.peerPort(), Duration.ofSeconds(20));

        assertThat(s.clean()).as(s.summary()).isTrue();
        assertThat(s.summary()).contains("handed off to 127.0.0.1:" + successor.peerPort());
        assertThat(TestServers.status(source).sourcePhase()).isEqualTo(SourcePhase.DONE);
        ServerStatus t = TestServers.status(successor);
        assertThat(t.role()).isEqualTo(Role.AUTHORITY);
        assertThat(t.sessions()).isEqualTo(1);
        int seen = player.updateCount();
        player.awaitUpdatesBeyond(seen, 5); // it plays on, on the successor
        player.assertConsecutiveTicks();
    }

    @Test
    void aSessionAwayThroughTheHandoffIsWaitedForAndSentOnWhenItResumesHere() throws Exception {
        BatonServer source = env.start(false);
        BatonServer successor = env.start(true);
        RawConnection away = env.add(RawConnection.open(source.clientPort()));
        Frame.Welcome w = away.openSession();
        away.close(); // no CLOSE: its session waits in its resume window, and hears nothing of the handoff
        org.awaitility.Awaitility.await().until(() -> TestServers.status(source).connected() == 0);

        java.util.concurrent.CompletableFuture<BatonServer.Stop> stop = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return source.stopGracefully("127.0.0.1:" + successor.peerPort(), Duration.ofSeconds(20));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        org.awaitility.Awaitility.await().until(() -> TestServers.status(source).sourcePhase() == SourcePhase.DONE);
        assertThat(TestServers.status(source).sessionsAway()).isEqualTo(1);
        // Drained, yet it stays: for longer than six of the stop's 50 ms polls, which would have seen DONE.
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !stop.isDone());

        RawConnection back = env.add(RawConnection.open(source.clientPort()));
        back.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, w.sessionId(), w.secret(), 0));
        assertThat(back.read()).isInstanceOf(Frame.Move.class);
        assertThat(back.read()).isInstanceOf(Frame.Switch.class);

        BatonServer.Stop s = stop.get(10, TimeUnit.SECONDS);
        assertThat(s.clean()).as(s.summary()).isTrue();
        assertThat(s.summary()).contains("all 1 sessions away through it came back and were sent on");
    }

    @Test
    void aHandoffTheOperatorStartedBeforeTheSignalIsFollowedNotRefused() throws Exception {
        BatonServer source = env.start(false);
        BatonServer successor = env.start(true);
        io.baton.client.ClientRuntime runtime = env.add(io.baton.client.ClientRuntime.create(1));
        Bystander player = env.add(Bystander.connect(runtime, source.clientPort()));
        player.awaitUpdatesBeyond(0, 5);
        assertThat(source.startHandoff(io.baton.core.HandoffRequest.toAdvertised("127.0.0.1", successor.peerPort(),
                Frame.Mode.LIVE)).get(5, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();

        BatonServer.Stop s = source.stopGracefully("127.0.0.1:" + successor.peerPort(), Duration.ofSeconds(20));

        assertThat(s.clean()).as(s.summary()).isTrue();
        assertThat(TestServers.status(source).sourcePhase()).isEqualTo(SourcePhase.DONE);
        assertThat(TestServers.status(successor).role()).isEqualTo(Role.AUTHORITY);
    }

    @Test
    void aSuccessorThatAnswersBusyIsRetriedUntilTheBoundAndTheClientsStayOnTheSource() throws Exception {
        BatonServer source = env.start(false);
        BatonServer busy = env.start(false); // an authority: its peer port answers BUSY
        RawConnection raw = session(source);

        BatonServer.Stop s = source.stopGracefully("127.0.0.1:" + busy.peerPort(), Duration.ofSeconds(2));

        assertThat(s.clean()).isFalse();
        assertThat(s.summary()).contains("no successor behind 127.0.0.1:" + busy.peerPort() + " took over within 2000 ms")
                .contains("BUSY");
        ServerStatus st = TestServers.status(source);
        assertThat(st.role()).isEqualTo(Role.AUTHORITY);
        assertThat(st.connected()).isEqualTo(1);
        raw.send(new Frame.Input(1, 0, new byte[] {1}));
        assertThat(raw.readUntil(Frame.Output.class, 2_000, f -> { })).isNotNull();
    }

    @Test
    void aSuccessorWhoseNameDoesNotResolveIsNamedInTheSummary() throws Exception {
        BatonServer source = env.start(false);

        BatonServer.Stop s = source.stopGracefully("no-such-host.invalid:7001", Duration.ofSeconds(1));

        assertThat(s.clean()).isFalse();
        assertThat(s.summary()).contains("no-such-host.invalid: the name does not resolve");
        assertThat(TestServers.status(source).role()).isEqualTo(Role.AUTHORITY);
    }

    @Test
    void aStandbyHasNothingToHandOffAndStopsAtOnce() throws Exception {
        BatonServer standby = env.start(true);
        BatonServer other = env.start(true);

        BatonServer.Stop s = standby.stopGracefully("127.0.0.1:" + other.peerPort(), Duration.ofSeconds(20));

        assertThat(s.clean()).isTrue();
        assertThat(s.summary()).contains("nothing to hand off").contains("standby");
        assertThat(standby.stopGracefully(null, Duration.ofSeconds(1)).clean()).as("with no successor either").isTrue();
        assertThat(TestServers.status(other).targetPhase()).isEqualTo(io.baton.core.TargetPhase.STANDBY);
    }

    @Test
    void withoutASuccessorTheServerRefusesNewSessionsWithShuttingDown() throws Exception {
        BatonServer source = env.start(false);
        session(source);

        BatonServer.Stop s = source.stopGracefully(null, Duration.ofSeconds(1));

        assertThat(s.clean()).isFalse();
        assertThat(s.summary()).contains("no successor").contains("1 connected");
        try (RawConnection late = RawConnection.open(source.clientPort())) {
            late.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
            assertThat(late.expectErrorThenEof(ErrorCode.SHUTTING_DOWN).message()).contains("SIGTERM");
        }
    }
}
