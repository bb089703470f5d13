package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.service.ServiceConfig;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.VersionRange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The version rule through real servers and the real client SDK on loopback: a server built to speak the
 * test version 5 as well (4..5) hands off live to and from one that speaks 4 only, with clients of both
 * kinds attached, and a range with nothing in common is refused on either link.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionNegotiationOverSocketsTest {

    private static final VersionRange V4 = new VersionRange(4, 4);
    private static final VersionRange V45 = new VersionRange(4, 5);
    private static final VersionRange V5 = new VersionRange(5, 5);

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    private BatonServer start(VersionRange client, VersionRange peer, boolean standby) throws Exception {
        return env.start(ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET).withVersions(client, peer), standby);
    }

    /** The WELCOME a fresh session on {@code server} gets for a HELLO speaking {@code versions}. */
    private Frame.Welcome welcomeFor(BatonServer server, VersionRange versions) throws Exception {
        try (RawConnection raw = RawConnection.open(server.clientPort())) {
            raw.send(new Frame.Hello(versions, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
            return raw.readUntil(Frame.Welcome.class, 2000, f -> { });
        }
    }

    @Test
    void aServerSpeaking4To5HandsOffLiveToOneSpeaking4OnlyAndBackWithBothKindsOfClientsAndNothingLost()
            throws Exception {
        BatonServer newer = start(V45, V45, false);
        BatonServer older = start(V4, V4, true);
        BatonServer newerAgain = start(V45, V45, true);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        List<Bystander> clients = List.of(
                env.add(Bystander.connect(runtime, newer.clientPort(), V4)),
                env.add(Bystander.connect(runtime, newer.clientPort(), V45)),
                env.add(Bystander.connect(runtime, newer.clientPort(), V4)),
                env.add(Bystander.connect(runtime, newer.clientPort(), V45)));
        for (Bystander c : clients) {
            c.movePerUpdate(true);
        }
        clients.get(0).awaitUpdatesBeyond(0, 5);
        assertThat(welcomeFor(newer, V45).version()).isEqualTo(5);
        assertThat(welcomeFor(newer, V45).tickHz()).isEqualTo(TestServers.TICK_HZ);
        assertThat(welcomeFor(newer, V4).version()).isEqualTo(4);

        TestServers.handOff(newer, older); // 4..5 -> 4: the peer link speaks 4
        for (Bystander c : clients) {
            c.awaitUpdatesBeyond(c.updateCount(), 5);
        }
        assertThat(welcomeFor(older, V45).version()).isEqualTo(4);
        assertThat(welcomeFor(older, V45).tickHz()).isZero();
        TestServers.await(Duration.ofSeconds(10)).until(
                () -> older.startHandoff(TestServers.handoffTo(newerAgain)).get(5, TimeUnit.SECONDS).isEmpty());
        TestServers.awaitHandoffDone(older, newerAgain); // 4 -> 4..5: the peer link speaks 4 again

        ServerStatus t = TestServers.status(newerAgain);
        assertThat(t.cutoverDigest()).isEqualTo(TestServers.status(older).cutoverDigest());
        // the four clients and the four raw sessions opened above, two of which were on the first server
        assertThat(t.sessions()).isGreaterThanOrEqualTo(4);
        for (Bystander c : clients) {
            c.awaitUpdatesBeyond(c.updateCount(), 5);
            c.movePerUpdate(false);
        }
        for (Bystander c : clients) {
            c.awaitUpdatesBeyond(c.updateCount(), 2);
            long sent = c.lastInputId();
            c.awaitInputsApplied(sent);
            c.assertConsecutiveTicks();
            assertThat(c.appliedInputIds()).as("inputs applied exactly once, in order, across both handoffs")
                    .isEqualTo(LongStream.rangeClosed(1, sent).boxed().collect(Collectors.toList()));
            assertThat(c.events().stream().filter(e -> e == LifecycleListener.Event.SWITCHED).count())
                    .as("switched twice").isEqualTo(2);
            assertThat(c.events()).doesNotContain(LifecycleListener.Event.DISCONNECTED,
                    LifecycleListener.Event.ATTACH_FAILED, LifecycleListener.Event.CLOSED);
        }
        assertThat(welcomeFor(newerAgain, V45).version()).isEqualTo(5);
    }

    @Test
    void peerRangesWithNothingInCommonAreRefusedBeforeAnyClientMovesAndTheSourceCarriesOn() throws Exception {
        BatonServer source = start(V4, V5, false);
        BatonServer target = start(V4, V4, true);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander c = env.add(Bystander.connect(runtime, source.clientPort()));
        c.awaitUpdatesBeyond(0, 3);

        assertThat(source.startHandoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.await(Duration.ofSeconds(10)).until(
                () -> TestServers.status(source).sourcePhase() == SourcePhase.ABORTED);

        ServerStatus s = TestServers.status(source);
        assertThat(s.lastError()).contains("UNSUPPORTED_VERSION").contains("the source speaks peer-link versions 5..5")
                .contains("this server speaks 4..4").contains("--peer-versions");
        assertThat(s.role()).isEqualTo(Role.AUTHORITY);
        assertThat(s.clientsMoved()).isZero();
        assertThat(TestServers.status(target).role()).isEqualTo(Role.STANDBY);
        c.awaitUpdatesBeyond(c.updateCount(), 3);
        assertThat(c.events()).doesNotContain(LifecycleListener.Event.MOVE_ANNOUNCED, LifecycleListener.Event.CLOSED);
    }

    @Test
    void aClientRangeWithNothingInCommonAndAClientFromBeforeRangesAreRefusedWithBothRangesAndTheFix()
            throws Exception {
        BatonServer server = start(V4, V4, false);
        try (RawConnection raw = RawConnection.open(server.clientPort())) {
            raw.send(new Frame.Hello(V5, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
            assertThat(raw.expectErrorThenEof(ErrorCode.UNSUPPORTED_VERSION).message())
                    .contains("client speaks client-link versions 5..5").contains("this server speaks 4..4")
                    .contains("--client-versions");
        }
        try (RawConnection raw = RawConnection.open(server.clientPort())) {
            // a version 3 client's HELLO NEW, byte for byte: [u32 36][01][u16 3][u8 0][u64 0][16 × 0][u64 0]
            byte[] old = new byte[4 + 36];
            old[3] = 36;
            old[4] = 1;
            old[6] = 3;
            raw.sendBytes(old);
            assertThat(raw.expectErrorThenEof(ErrorCode.UNSUPPORTED_VERSION).message())
                    .contains("only client-link version 3").contains("before version ranges")
                    .contains("this server speaks 4..4");
        }
        assertThat(TestServers.status(server).sessions()).isZero();
    }
}
