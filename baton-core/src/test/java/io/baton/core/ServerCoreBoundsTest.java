package io.baton.core;

import static io.baton.core.Rig.MS;
import static io.baton.core.Rig.SECOND;
import static io.baton.core.Rig.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Rig.Client;
import io.baton.core.Rig.Server;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every connection bounded (docs/protocol.md, Limits): hello and idle deadlines, server pings, the caps on
 * sessions and on new ones, what a session may keep unacknowledged, the input limit, peer handshakes side by
 * side, and the count of each refusal. The server core on {@link Rig}'s fake clock and network.
 */
class ServerCoreBoundsTest {

    private final Rig rig = new Rig();

    private static Frame.Hello newHello() {
        return new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0);
    }

    private static ServerConfig withLimits(UnaryOperator<ServerConfig.Limits> change) {
        ServerConfig cfg = Rig.config();
        return cfg.withLimits(change.apply(cfg.limits()));
    }

    private static long refusals(Server s, String limit) {
        return s.status().refusals().get(limit);
    }

    private static ErrorCode lastError(Client c) {
        return c.last(Frame.Error.class).code();
    }

    @Nested
    class Deadlines {

        private final Server server = rig.authority("a");

        @Test
        void aConnectionThatNeverSaysHelloIsClosedWithHelloTimeoutAfterFiveSeconds() {
            Client loris = rig.newClient();
            loris.live = false;
            loris.connect(server); // and then nothing, as a slow-loris that never completes its first frame
            rig.advance(4_900 * MS);
            assertThat(loris.isClosed(loris.conn)).isFalse();

            rig.advance(200 * MS);
            assertThat(loris.isClosed(loris.conn)).isTrue();
            assertThat(lastError(loris)).isEqualTo(ErrorCode.HELLO_TIMEOUT);
            assertThat(loris.last(Frame.Error.class).message()).contains("--hello-timeout-ms");
            assertThat(refusals(server, "hello-timeout")).isEqualTo(1);
        }

        @Test
        void aClientThatPingsIsNeverCutAndNeverPinged() {
            Client c = rig.join(server);
            rig.advance(30 * SECOND);
            assertThat(c.isClosed(c.conn)).isFalse();
            assertThat(c.got(Frame.Ping.class)).isEmpty();
            assertThat(server.status().refusals().values()).allMatch(n -> n == 0);
        }

        @Test
        void aVanishedClientIsPingedThenCutAndItsSessionKeepsItsResumeWindow() {
            Client c = rig.join(server);
            c.input("a");
            rig.advance(300 * MS);
            c.live = false; // gone without FIN or RST: nothing from it, nothing answered
            long lastHeard = Math.max(c.lastPing, c.receivedAt.get(c.receivedAt.size() - 1)); // its last ping or ack

            rig.advance(1_300 * MS);
            assertThat(c.got(Frame.Ping.class)).as("the server pings a client silent for 1 s").isNotEmpty();
            assertThat(c.arrivedAt(c.got(Frame.Ping.class).get(0)) - lastHeard).isBetween(1_000 * MS, 1_300 * MS);
            rig.advance(3_300 * MS);
            assertThat(c.isClosed(c.conn)).isFalse();

            rig.advance(700 * MS); // 5 s of silence, checked every 250 ms
            assertThat(c.isClosed(c.conn)).isTrue();
            assertThat(lastError(c)).isEqualTo(ErrorCode.IDLE_TIMEOUT);
            assertThat(server.status().sessions()).isEqualTo(1);
            assertThat(server.status().connected()).isZero();
            assertThat(refusals(server, "idle-timeout")).isEqualTo(1);

            c.live = true; // it comes back within its resume window
            rig.advance(10 * SECOND);
            c.resume(server);
            assertThat(c.last(Frame.Welcome.class).inputAck()).isEqualTo(1);
        }

        @Test
        void aServerThatDidNotRunReadsWhatWaitedBeforeItCutsAnyoneForSilence() {
            Client c = rig.join(server);
            rig.freeze(10 * SECOND); // the server's process was stopped; the client's pings wait in the socket
            rig.advance(2 * SECOND);
            assertThat(c.isClosed(c.conn)).as("cut on waking: %s", server.notes).isFalse();
            assertThat(refusals(server, "idle-timeout")).isZero();
        }

        @Test
        void aClientAnsweringThePingsIsNotCutEvenIfItNeverPingsItself() {
            Client c = rig.join(server);
            c.live = false;
            rig.advance(2 * SECOND);
            // It answers each server ping (an SDK without its own heartbeat would): that is word from it.
            for (int i = 0; i < 10; i++) {
                for (Frame.Ping p : c.got(Frame.Ping.class)) {
                    c.send(new Frame.Pong(p.value()));
                }
                c.received.removeIf(f -> f instanceof Frame.Ping);
                rig.advance(SECOND);
            }
            assertThat(c.isClosed(c.conn)).isFalse();
        }
    }

    @Nested
    class Caps {

        @Test
        void aHelloNewBeyondTheSessionCapIsRefusedWithSessionsFull() {
            Server server = rig.authority("a", withLimits(l -> l.withMaxSessions(2, 2)));
            rig.join(server);
            rig.join(server);
            Client third = rig.join(server);

            assertThat(lastError(third)).isEqualTo(ErrorCode.SESSIONS_FULL);
            assertThat(third.last(Frame.Error.class).message()).contains("--max-sessions 2");
            assertThat(third.isClosed(third.conn)).isTrue();
            assertThat(server.status().sessions()).isEqualTo(2);
            assertThat(refusals(server, "max-sessions")).isEqualTo(1);
        }

        @Test
        void oneAddressHoldsAtMostItsCapWhileOthersStillGetIn() {
            Server server = rig.authority("a", withLimits(l -> l.withMaxSessions(100, 2)));
            Client[] same = new Client[3];
            for (int i = 0; i < 3; i++) {
                same[i] = rig.newClient();
                same[i].address = "192.0.2.7";
                same[i].open(server, newHello());
            }
            assertThat(same[0].got(Frame.Welcome.class)).hasSize(1);
            assertThat(same[1].got(Frame.Welcome.class)).hasSize(1);
            assertThat(lastError(same[2])).isEqualTo(ErrorCode.ADDRESS_FULL);
            assertThat(same[2].last(Frame.Error.class).message()).contains("192.0.2.7", "--max-sessions-per-address");
            assertThat(rig.join(server).got(Frame.Welcome.class)).as("another address").hasSize(1);

            // A session that closes frees its place; a resume from the address is never refused by the cap.
            same[0].send(new Frame.Close());
            rig.pump();
            Client again = rig.newClient();
            again.address = "192.0.2.7";
            again.open(server, newHello());
            assertThat(again.got(Frame.Welcome.class)).hasSize(1);
            same[1].hangUp();
            same[1].resume(server);
            assertThat(same[1].got(Frame.Welcome.class)).hasSize(2);
            assertThat(refusals(server, "max-sessions-per-address")).isEqualTo(1);
        }

        @Test
        void helloNewIsRateLimitedByATokenBucket() {
            Server server = rig.authority("a", withLimits(l -> l.withHelloNewRate(2, 3)));
            for (int i = 0; i < 3; i++) {
                assertThat(rig.join(server).got(Frame.Welcome.class)).as("the burst").hasSize(1);
            }
            Client fourth = rig.join(server);
            assertThat(lastError(fourth)).isEqualTo(ErrorCode.HELLO_RATE);
            assertThat(fourth.last(Frame.Error.class).message()).contains("--hello-new-rate");

            rig.advance(500 * MS); // one token back at 2 a second
            assertThat(rig.join(server).got(Frame.Welcome.class)).hasSize(1);
            assertThat(lastError(rig.join(server))).isEqualTo(ErrorCode.HELLO_RATE);
            assertThat(refusals(server, "hello-new-rate")).isEqualTo(2);
        }
    }

    @Nested
    class WhatASessionKeeps {

        @Test
        void aConnectedClientThatNeverAcknowledgesIsClosedWithSessionClosedPastTheCap() {
            Server server = rig.authority("a", Rig.config().withMaxUnackedOutputs(3));
            Client c = rig.join(server);
            c.live = false;
            for (int i = 1; i <= 3; i++) {
                c.send(new Frame.Input(++c.inputSeq, 0, bytes("x")));
            }
            assertThat(server.status().sessions()).isEqualTo(1);

            c.send(new Frame.Input(++c.inputSeq, 0, bytes("x")));
            assertThat(lastError(c)).isEqualTo(ErrorCode.SESSION_CLOSED);
            assertThat(c.last(Frame.Error.class).message()).contains("--max-unacked-outputs");
            assertThat(c.isClosed(c.conn)).isTrue();
            assertThat(server.status().sessions()).isZero();
            assertThat(refusals(server, "max-unacked")).isEqualTo(1);
        }

        @Test
        void aDisconnectedSessionWhoseOutputsPileUpPastTheCapIsClosed() {
            Server server = rig.authority("a", Rig.config().withMaxUnackedOutputs(3));
            Client here = rig.join(server);
            Client away = rig.join(server);
            away.hangUp();
            for (int i = 1; i <= 3; i++) {
                here.input("*" + i); // answered to every session, the one away too
            }
            assertThat(server.status().sessions()).isEqualTo(2);

            here.input("*4");
            assertThat(server.status().sessions()).isEqualTo(1);
            away.resume(server);
            assertThat(lastError(away)).isEqualTo(ErrorCode.UNKNOWN_SESSION);
            assertThat(here.outputs()).hasSize(4);
        }

        @Test
        void theByteCapCountsPayloadsTheClientHasNotAcknowledged() {
            Server server = rig.authority("a", withLimits(l -> l.withMaxUnackedBytes(10)));
            Client here = rig.join(server);
            Client away = rig.join(server);
            away.hangUp();
            here.input("*aa"); // "*aa#1": 5 bytes kept for the one away
            here.input("*bb"); // 10
            assertThat(server.status().sessions()).isEqualTo(2);
            here.input("*c"); // 14
            assertThat(server.status().sessions()).isEqualTo(1);
        }

        @Test
        void acknowledgedOutputsNoLongerCount() {
            Server server = rig.authority("a", Rig.config().withMaxUnackedOutputs(3));
            Client c = rig.join(server);
            for (int i = 0; i < 50; i++) {
                c.input("x" + i); // each acknowledged as it arrives
            }
            assertThat(server.status().sessions()).isEqualTo(1);
            assertThat(c.outputs()).hasSize(50);
        }
    }

    @Nested
    class Inputs {

        @Test
        void anInputOverTheLimitIsRefusedAndEndsTheSession() {
            Server server = rig.authority("a", withLimits(l -> l.withMaxInputBytes(4)));
            Client c = rig.join(server);
            c.input("1234");
            assertThat(c.outputs()).containsExactly("1234#1");

            c.input("12345");
            assertThat(lastError(c)).isEqualTo(ErrorCode.INPUT_TOO_LARGE);
            assertThat(c.last(Frame.Error.class).message()).contains("5 bytes", "limit of 4", "--max-input-bytes");
            assertThat(server.status().sessions()).isZero();
            assertThat(refusals(server, "max-input-bytes")).isEqualTo(1);
        }

        @Test
        void theLimitCannotExceedWhatAClientFrameHolds() {
            ServerConfig.Limits d = ServerConfig.Limits.defaults();
            assertThat(d.maxInputBytes()).isEqualTo(ServerConfig.Limits.MAX_INPUT_BYTES).isEqualTo((1 << 20) - 17);
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> d.withMaxInputBytes(ServerConfig.Limits.MAX_INPUT_BYTES + 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client frame");
        }

        @Test
        void aProtocolViolationCostsTheConnectionButTheSessionKeepsItsResumeWindow() {
            Server server = rig.authority("a");
            Client c = rig.join(server);
            c.input("a");
            c.send(new Frame.Input(5, 0, bytes("skips"))); // a correct client never skips
            assertThat(lastError(c)).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(c.isClosed(c.conn)).isTrue();

            rig.advance(3 * SECOND); // three expiry checks
            assertThat(server.status().sessions()).isEqualTo(1);
            c.resume(server);
            assertThat(c.last(Frame.Welcome.class).inputAck()).isEqualTo(1);

            c.hangUp();
            rig.advance(31 * SECOND);
            assertThat(server.status().sessions()).as("and it expires after the window as any").isZero();
        }
    }

    @Nested
    class PeerHandshakes {

        private final Server source = rig.authority("source");
        private final Server target = rig.standby("target");
        private long nextSquatter = 2_000_000;

        /** A stranger on the target's peer port that says PEER_HELLO and never proves anything. */
        private void squat() {
            long conn = nextSquatter++;
            target.core.peerAccepted(conn, rig.now);
            target.core.peerSecured(conn, new byte[0]);
            target.core.frame(conn, new Frame.PeerHello(Frame.PEER_VERSION, 99, Frame.Mode.LIVE,
                    new byte[Frame.TOKEN_LENGTH], "tally", 1), rig.now);
        }

        @Test
        void aSquatterThatKeepsSayingPeerHelloCannotKeepTheRealSourceOut() {
            rig.join(source);
            squat();
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.AUTHENTICATING);
            rig.advance(2 * SECOND);
            squat();

            assertThat(source.core.startHandoff(source.handoffTo(target, Frame.Mode.LIVE), rig.now)).isEmpty();
            rig.pump();
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.RECEIVING);
            for (int i = 0; i < 5 && source.status().sourcePhase() != SourcePhase.DONE; i++) {
                squat(); // a new one every 2 s, while the handoff runs
                rig.advance(2 * SECOND);
            }
            rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.DONE, 20 * SECOND);
            assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
        }

        @Test
        void aHandshakeThatFailsEndsOnlyItsOwnConnectionAndTheLastReturnsTheTargetToStandby() {
            squat();
            long second = nextSquatter;
            squat();
            target.core.frame(second, new Frame.PeerAuth(new byte[32]), rig.now); // a wrong proof
            assertThat(target.status().targetPhase()).as("the first is still under way")
                    .isEqualTo(TargetPhase.AUTHENTICATING);

            rig.advance(5_100 * MS);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(refusals(target, "hello-timeout")).isEqualTo(1);
        }
    }
}
