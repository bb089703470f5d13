package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.VersionRange;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The client core's half of the version rule (docs/protocol.md, Versions), sans I/O. */
class ClientVersionsTest {

    private static final long MS = 1_000_000L;
    private final ClientCoreTest.Recorder out = new ClientCoreTest.Recorder();
    private final long now = 1_000 * MS;

    private ClientCore client(VersionRange versions) {
        ClientCore core = new ClientCore("source", 7000, ClientCore.Timing.defaults(30_000 * MS), out, Set.of(),
                versions);
        core.start(now);
        core.connected(1, now);
        return core;
    }

    @Test
    void everyHelloCarriesTheClientsRange() {
        client(new VersionRange(4, 5));

        Frame.Hello hello = out.sentOfType(Frame.Hello.class).get(0);
        assertThat(hello.versions()).isEqualTo(new VersionRange(4, 5));
    }

    @Test
    void aDefaultClientSpeaks4Only() {
        ClientCore core = new ClientCore("source", 7000, ClientCore.Timing.defaults(30_000 * MS), out);
        core.start(now);
        core.connected(1, now);

        assertThat(out.sentOfType(Frame.Hello.class).get(0).versions()).isEqualTo(new VersionRange(4, 4));
        assertThat(core.protocolVersion()).isZero();
    }

    @Test
    void aVersion5WelcomeGivesTheVersionAndTheServersTickRate() {
        ClientCore core = client(new VersionRange(4, 5));
        core.frame(1, new Frame.Welcome(5, 42, new byte[16], 0, 30), now);

        assertThat(core.protocolVersion()).isEqualTo(5);
        assertThat(core.serverTickHz()).isEqualTo(30);
        assertThat(out.events).contains(ClientCore.Event.CONNECTED);
    }

    @Test
    void aWelcomeInAVersionTheClientDidNotOfferEndsTheSessionNamingBoth() {
        ClientCore core = client(new VersionRange(4, 4));
        core.frame(1, new Frame.Welcome(5, 42, new byte[16], 0, 30), now);

        assertThat(core.isClosed()).isTrue();
        assertThat(out.lost).contains("client-link version 5").contains("it speaks 4..4");
        assertThat(out.sentOfType(Frame.Error.class)).extracting(Frame.Error::code)
                .containsExactly(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(out.events).doesNotContain(ClientCore.Event.CONNECTED);
    }

    @Test
    void aServerThatSpeaksNoVersionInCommonEndsTheSessionWithItsReason() {
        ClientCore core = client(new VersionRange(4, 4));
        core.frame(1, new Frame.Error(ErrorCode.UNSUPPORTED_VERSION, "no client-link version in common"), now);

        assertThat(core.isClosed()).isTrue();
        assertThat(out.lost).contains("UNSUPPORTED_VERSION").contains("no client-link version in common");
    }

    @Test
    void aRangeThisBuildCannotSpeakIsRefusedAtConstruction() {
        assertThatThrownBy(() -> client(new VersionRange(4, 6))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4..6").hasMessageContaining("within 4..5");
        assertThatThrownBy(() -> client(new VersionRange(3, 4))).isInstanceOf(IllegalArgumentException.class);
    }
}
