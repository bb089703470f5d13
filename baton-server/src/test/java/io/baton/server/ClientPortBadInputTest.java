package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile bytes on the client port, over real sockets. Each attack must get its own ERROR with the right
 * code and a readable reason, then EOF; and a session that was there before must not notice: its updates
 * keep coming tick after tick, and its inputs are still applied.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ClientPortBadInputTest {

    private static final byte[] ZERO_TOKEN = new byte[Frame.TOKEN_LENGTH];

    private final TestServers env = new TestServers();
    private BatonServer server;
    private Bystander bystander;

    @BeforeEach
    void startServerAndBystander() throws Exception {
        server = env.start(false);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        bystander = env.add(Bystander.connect(runtime, server.clientPort()));
        bystander.awaitUpdatesBeyond(0, 3);
    }

    @AfterEach
    void stop() {
        env.close();
    }

    @Test
    void unknownFrameTypeGetsMalformedFrameAndTheRestOfTheStreamIsDiscarded() throws Exception {
        try (RawConnection attacker = RawConnection.open(server.clientPort())) {
            byte[] unknownType = {0, 0, 0, 1, 0x7F};
            byte[] hello = RawConnection.encode(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            // One write: an unknown type id, then a perfectly good HELLO that must be thrown away with it.
            attacker.sendBytes(ByteBuffer.allocate(unknownType.length + hello.length).put(unknownType).put(hello).array());
            Frame.Error e = attacker.expectErrorThenEof(ErrorCode.MALFORMED_FRAME);
            assertThat(e.message()).containsIgnoringCase("type").contains("0x7f");
        }
        assertThat(TestServers.status(server).sessions()).as("sessions: the HELLO after the bad frame was discarded")
                .isEqualTo(1);
        assertBystanderUnharmed();
    }

    @Test
    void lengthPrefixAboveOneMebibyteGetsFrameTooLargeWithoutTheServerWaitingForTheBody() throws Exception {
        try (RawConnection attacker = RawConnection.open(server.clientPort())) {
            int tooLong = FrameCodec.DEFAULT_MAX_FRAME + 1;
            // The prefix, the type byte and a few body bytes; the rest of the announced MiB never comes, so
            // an answer proves the server judged the prefix alone.
            attacker.sendBytes(ByteBuffer.allocate(4 + 1 + 8).putInt(tooLong).put((byte) 0x03).putLong(7).array());
            Frame.Error e = attacker.expectErrorThenEof(ErrorCode.FRAME_TOO_LARGE);
            assertThat(e.message()).contains(Integer.toString(tooLong));
        }
        assertBystanderUnharmed();
    }

    @Test
    void helloWithAnUnknownProtocolVersionGetsUnsupportedVersion() throws Exception {
        try (RawConnection attacker = RawConnection.open(server.clientPort())) {
            // a build of the future that speaks versions 200..250 only
            attacker.send(new Frame.Hello(200, 250, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            Frame.Error e = attacker.expectErrorThenEof(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(e.message()).as("both ranges are named").contains("200..250")
                    .contains(io.baton.wire.VersionRange.CLIENT_DEFAULT.toString());
        }
        assertThat(TestServers.status(server).sessions()).isEqualTo(1);
        assertBystanderUnharmed();
    }

    @Test
    void resumeOfALiveSessionWithAWrongSecretGetsUnknownSessionAndDoesNotTouchThatSession() throws Exception {
        try (RawConnection attacker = RawConnection.open(server.clientPort())) {
            byte[] guess = new byte[Frame.TOKEN_LENGTH];
            guess[0] = 1;
            attacker.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, bystander.sessionId(), guess, 0));
            Frame.Error e = attacker.expectErrorThenEof(ErrorCode.UNKNOWN_SESSION);
            assertThat(e.message()).contains(Long.toString(bystander.sessionId()));
        }
        ServerStatus s = TestServers.status(server);
        assertThat(s.sessions()).isEqualTo(1);
        assertThat(s.connected()).as("the victim session is still connected").isEqualTo(1);
        assertBystanderUnharmed();
    }

    @Test
    void firstFrameThatIsNotHelloGetsProtocolViolation() throws Exception {
        try (RawConnection attacker = RawConnection.open(server.clientPort())) {
            attacker.send(new Frame.Input(1, 0, new byte[] {1, 2, 3}));
            Frame.Error e = attacker.expectErrorThenEof(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(e.message()).contains("HELLO");
        }
        assertBystanderUnharmed();
    }

    @Test
    void attachWithAForgedTicketWhenNoHandoffRunsGetsBadTicket() throws Exception {
        try (RawConnection attacker = RawConnection.open(server.clientPort())) {
            byte[] forged = new byte[Frame.TOKEN_LENGTH];
            java.util.Arrays.fill(forged, (byte) 0x5A);
            attacker.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.ATTACH, bystander.sessionId(), forged, 0));
            attacker.expectErrorThenEof(ErrorCode.BAD_TICKET);
        }
        ServerStatus s = TestServers.status(server);
        assertThat(s.sourcePhase()).isEqualTo(SourcePhase.IDLE);
        assertThat(s.connected()).as("the victim session is still connected").isEqualTo(1);
        assertBystanderUnharmed();
    }

    /** The bystander's updates keep coming, one per tick, and an input sent now is applied. */
    private void assertBystanderUnharmed() {
        int seen = bystander.updateCount();
        bystander.awaitUpdatesBeyond(seen, 5);
        long id = bystander.sendMove();
        bystander.awaitInputsApplied(id);
        bystander.assertConsecutiveTicks();
        assertThat(bystander.appliedInputIds()).containsExactly(id);
        assertThat(bystander.events()).containsExactly(LifecycleListener.Event.CONNECTED);
    }
}
