package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.HandoffRequest;
import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.wire.Frame;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handoff's client endpoint over real sockets: the target's advertised one by default, and one the
 * operator gives checked by the source's probe before any client moves.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientEndpointOverSocketsTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    @Test
    void withoutAClientEndpointTheClientsGoWhereTheTargetAdvertises() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        RawConnection raw = env.add(RawConnection.open(source.clientPort()));
        raw.openSession();

        assertThat(source.startHandoff(HandoffRequest.toAdvertised("127.0.0.1", target.peerPort(), Frame.Mode.LIVE))
                .get(5, TimeUnit.SECONDS)).isEmpty();
        Frame.Move move = raw.readUntil(Frame.Move.class, 10_000, f -> { });

        assertThat(move.host() + ":" + move.port()).isEqualTo("127.0.0.1:" + target.clientPort());
        assertThat(target.advertised()).isEqualTo("127.0.0.1:" + target.clientPort());
    }

    @Test
    void aServerAdvertisesWhatItBindsOrWhatTheOperatorSaysAndAWildcardIsNeverAdvertised() {
        BatonServer.Options plain = new BatonServer.Options("127.0.0.5", 0, 0, "127.0.0.1", -1, null, true);
        assertThat(BatonServer.advertised(plain, 7100)).containsExactly("127.0.0.5", "7100");

        BatonServer.Options given = new BatonServer.Options("0.0.0.0", 0, 0, "127.0.0.1", -1, null, true, BatonServer.SocketLimits.DEFAULTS,
                "game-7.example.net:7443");
        assertThat(BatonServer.advertised(given, 7100)).containsExactly("game-7.example.net", "7443");

        BatonServer.Options wildcard = new BatonServer.Options("0.0.0.0", 0, 0, "127.0.0.1", -1, null, true);
        assertThat(BatonServer.advertised(wildcard, 7100)[0]).isNotEqualTo("0.0.0.0").isNotEmpty();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BatonServer.Options("127.0.0.1", 0, 0,
                        "127.0.0.1", -1, null, true, BatonServer.SocketLimits.DEFAULTS, "game-7.example.net"))
                .hasMessageContaining("--advertise must be host:port").hasMessageContaining("game-7.example.net");
    }

    @Test
    void aGivenClientEndpointWhereNothingListensAbortsTheHandoffBeforeAnyClientMoves() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        int nothing;
        try (ServerSocket s = new ServerSocket(0)) {
            nothing = s.getLocalPort(); // free once closed: a port where nothing listens
        }
        RawConnection raw = env.add(RawConnection.open(source.clientPort()));
        raw.openSession();

        assertThat(source.startHandoff(new HandoffRequest("127.0.0.1", target.peerPort(), "127.0.0.1", nothing,
                Frame.Mode.LIVE)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.await(Duration.ofSeconds(10)).until(() -> TestServers.status(source).sourcePhase()
                == SourcePhase.ABORTED);

        ServerStatus s = TestServers.status(source);
        assertThat(s.role()).isEqualTo(Role.AUTHORITY);
        assertThat(s.clientsMoved()).isZero();
        assertThat(s.lastError()).contains("the client endpoint 127.0.0.1:" + nothing + " does not reach the target")
                .contains("nothing accepts connections there");
    }

    @Test
    void aGivenClientEndpointThatIsTheTargetsIsProbedAndTheHandoffCompletes() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        TestServers.handOff(source, target); // handoffTo gives the target's client port explicitly
        assertThat(TestServers.status(target).sessions()).isZero();
    }
}
