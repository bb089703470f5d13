package io.baton.core;

import static io.baton.core.Rig.MS;
import static io.baton.core.Rig.SECOND;
import static io.baton.core.Rig.TICK;
import static io.baton.core.Rig.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Rig.Client;
import io.baton.core.Rig.Server;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The server core driven directly, one group per concern: a fake clock the test advances, {@code poll} at
 * {@code nextDeadline()}, and assertions on what each core asked its outbox for. Two cores (source and
 * target) talk through {@link Rig}'s fake network, pumped by hand.
 */
class ServerCoreTest {

    private final Rig rig = new Rig();

    private static Frame.Hello hello(Frame.HelloKind kind, long sessionId, byte[] token) {
        return new Frame.Hello(Frame.VERSION, kind, sessionId, token, 0);
    }

    @Nested
    class Handshake {

        private final Server server = rig.authority("a");

        @Test
        void newHelloOpensASessionWithAFreshSecret() {
            Client c = rig.join(server);
            Frame.Welcome w = c.last(Frame.Welcome.class);
            assertThat(w.sessionId()).isEqualTo(1);
            assertThat(w.secret()).hasSize(Frame.TOKEN_LENGTH).isNotEqualTo(new byte[Frame.TOKEN_LENGTH]);
            assertThat(server.status().sessions()).isEqualTo(1);
            assertThat(server.status().connected()).isEqualTo(1);

            Client other = rig.join(server);
            assertThat(other.sessionId).isEqualTo(2);
            assertThat(other.secret).isNotEqualTo(c.secret);
        }

        @Test
        void resumeWithTheSecretRebindsTheSessionWithoutASecondWelcomeSecret() {
            Client c = rig.join(server);
            c.input("a");
            long first = c.conn;
            c.hangUp();
            assertThat(server.status().connected()).isZero();

            c.resume(server);
            Frame.Welcome w = c.last(Frame.Welcome.class);
            assertThat(c.conn).isNotEqualTo(first);
            assertThat(w.sessionId()).isEqualTo(c.sessionId);
            assertThat(w.secret()).isEqualTo(new byte[Frame.TOKEN_LENGTH]);
            assertThat(w.inputAck()).isEqualTo(1);
            assertThat(server.status().connected()).isEqualTo(1);
            assertThat(server.status().sessions()).isEqualTo(1);
        }

        @Test
        void resumeWithAWrongSecretIsRefusedAndTheSessionKeepsItsConnection() {
            Client owner = rig.join(server);
            Client thief = rig.newClient();
            byte[] forged = owner.secret.clone();
            forged[0] ^= 1;
            thief.open(server, hello(Frame.HelloKind.RESUME, owner.sessionId, forged));

            assertThat(thief.last(Frame.Error.class).code()).isEqualTo(ErrorCode.UNKNOWN_SESSION);
            assertThat(thief.isClosed(thief.conn)).isTrue();
            owner.input("still mine");
            assertThat(owner.outputs()).containsExactly("still mine#1");
        }

        @Test
        void resumeOfAnUnknownSessionIsRefused() {
            Client c = rig.newClient();
            c.open(server, hello(Frame.HelloKind.RESUME, 77, new byte[Frame.TOKEN_LENGTH]));
            assertThat(c.last(Frame.Error.class).code()).isEqualTo(ErrorCode.UNKNOWN_SESSION);
        }

        @Test
        void aFirstFrameOtherThanHelloIsAProtocolViolation() {
            Client c = rig.newClient();
            c.open(server, new Frame.Input(1, 0, bytes("sneaky")));
            assertThat(c.last(Frame.Error.class).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(c.isClosed(c.conn)).isTrue();
            assertThat(server.appliedInputs).isEmpty();
            assertThat(server.status().sessions()).isZero();
        }

        @Test
        void anotherProtocolVersionIsRefused() {
            Client c = rig.newClient();
            c.open(server, new Frame.Hello(Frame.VERSION + 1, Frame.HelloKind.NEW, 0, new byte[16], 0));
            assertThat(c.last(Frame.Error.class).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(server.status().sessions()).isZero();
        }

        @Test
        void aStandbyOpensNoSessionAndAcceptsNoTicket() {
            Server standby = rig.standby("b");
            Client c = rig.newClient();
            c.open(standby, hello(Frame.HelloKind.NEW, 0, new byte[16]));
            assertThat(c.last(Frame.Error.class).code()).isEqualTo(ErrorCode.NOT_AUTHORITY);

            Client d = rig.newClient();
            d.open(standby, hello(Frame.HelloKind.ATTACH, 1, new byte[16]));
            assertThat(d.last(Frame.Error.class).code()).isEqualTo(ErrorCode.BAD_TICKET);
        }

        @Test
        void aResumeOnAnotherConnectionClosesTheOldOne() {
            Client c = rig.join(server);
            long old = c.conn;
            c.resume(server);
            assertThat(c.gotOn(old, Frame.Error.class)).extracting(Frame.Error::code)
                    .containsExactly(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(c.isClosed(old)).isTrue();
            assertThat(server.status().connected()).isEqualTo(1);
        }
    }

    @Nested
    class Delivery {

        private final Server server = rig.authority("a");

        @Test
        void appliesEachInputOnceAndInOrderAndDropsDuplicates() {
            Client c = rig.join(server);
            c.send(new Frame.Input(1, 0, bytes("a")));
            c.send(new Frame.Input(2, 0, bytes("b")));
            c.send(new Frame.Input(2, 0, bytes("b")));
            c.send(new Frame.Input(1, 0, bytes("a")));
            c.send(new Frame.Input(3, 0, bytes("c")));

            assertThat(server.appliedInputs).containsExactly("1:1:a", "1:2:b", "1:3:c");
            assertThat(c.outputs()).containsExactly("a#1", "b#2", "c#3");
        }

        @Test
        void anInputThatSkipsAheadIsRefusedAndNotApplied() {
            Client c = rig.join(server);
            c.send(new Frame.Input(1, 0, bytes("a")));
            c.send(new Frame.Input(3, 0, bytes("c")));
            assertThat(c.last(Frame.Error.class).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(server.appliedInputs).containsExactly("1:1:a");
        }

        @Test
        void outputsAreNumberedAndCarryTheInputAcknowledgement() {
            Client c = rig.join(server);
            c.input("a");
            c.input("b");
            assertThat(c.got(Frame.Output.class)).extracting(Frame.Output::seq).containsExactly(1L, 2L);
            assertThat(c.got(Frame.Output.class)).extracting(Frame.Output::ack).containsExactly(1L, 2L);
        }

        @Test
        void anInputWithoutAnOutputIsAcknowledgedATickPeriodAfterTheBurst() {
            Client c = rig.join(server);
            c.input(".quiet");
            assertThat(c.got(Frame.Ack.class)).isEmpty();
            rig.advance(TICK - MS);
            assertThat(c.got(Frame.Ack.class)).isEmpty();
            rig.advance(MS);
            assertThat(c.got(Frame.Ack.class)).extracting(Frame.Ack::ack).containsExactly(1L);
        }

        @Test
        void aDuplicateOfAnAppliedInputIsAcknowledgedAgain() {
            Client c = rig.join(server);
            c.input("a");
            rig.advance(2 * TICK);
            assertThat(c.got(Frame.Ack.class)).isEmpty(); // the output carried it
            c.send(new Frame.Input(1, 1, bytes("a")));
            rig.advance(2 * TICK);
            assertThat(c.got(Frame.Ack.class)).extracting(Frame.Ack::ack).containsExactly(1L);
            assertThat(server.appliedInputs).containsExactly("1:1:a");
        }

        @Test
        void resendsAfterAResumeExactlyTheOutputsTheClientLacks() {
            Client c = rig.join(server);
            c.live = false; // acknowledges nothing by itself
            c.input("a");
            c.input("b");
            c.input("c");
            c.send(new Frame.Ack(1));
            c.hangUp();
            c.received.clear();

            c.open(server, new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, c.sessionId, c.secret, 2));
            assertThat(c.got(Frame.Output.class)).extracting(Frame.Output::seq).containsExactly(3L);
            assertThat(c.outputs()).containsExactly("c#3");
        }

        @Test
        void acknowledgedOutputsAreTrimmedAndNeverResent() {
            Client c = rig.join(server);
            c.live = false;
            c.input("a");
            c.input("b");
            c.send(new Frame.Ack(2));
            c.hangUp();
            c.received.clear();

            // A client that claims to have delivered less than it acknowledged gets only what was never acked.
            c.open(server, new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, c.sessionId, c.secret, 0));
            assertThat(c.got(Frame.Output.class)).isEmpty();
            c.input("c");
            assertThat(c.got(Frame.Output.class)).extracting(Frame.Output::seq).containsExactly(3L);
        }

        @Test
        void inputsReachingTheServerTwiceOverTwoConnectionsAreAppliedOnce() {
            Client c = rig.join(server);
            c.live = false;
            c.input("a");
            c.hangUp();
            c.resume(server);
            c.send(new Frame.Input(1, 0, bytes("a")));
            c.send(new Frame.Input(2, 0, bytes("b")));
            assertThat(server.appliedInputs).containsExactly("1:1:a", "1:2:b");
            assertThat(c.outputs()).containsExactly("a#1", "b#2");
        }

        @Test
        void ticksKeepTheirCadence() {
            long before = server.status().tick();
            rig.advance(10 * TICK);
            assertThat(server.status().tick() - before).isEqualTo(10);
        }

        @Test
        void aCloseEndsTheSessionAndAnAbsentClientsSessionExpires() {
            Client leaving = rig.join(server);
            Client away = rig.join(server);
            leaving.send(new Frame.Close());
            assertThat(server.status().sessions()).isEqualTo(1);

            away.live = false;
            away.hangUp();
            rig.advance(31 * SECOND);
            assertThat(server.status().sessions()).isZero();
        }
    }
}
