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
        void aPeerHelloOnTheClientPortIsRefusedNamingThePeerPort() {
            Client c = rig.newClient();
            c.open(server, new Frame.PeerHello(Frame.VERSION, 1, Frame.Mode.LIVE, new byte[16], "tally", 1));
            Frame.Error e = c.last(Frame.Error.class);
            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            assertThat(e.message()).contains("client port, not a peer port").contains("--peer-port");
            assertThat(c.isClosed(c.conn)).isTrue();
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

        @Test
        void aBadFrameClosesOnlyItsOwnConnectionAndTheSessionMayResume() {
            Client bad = rig.join(server);
            Client good = rig.join(server);
            bad.sendGarbage();
            assertThat(bad.last(Frame.Error.class).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(bad.isClosed(bad.conn)).isTrue();
            good.input("fine");
            assertThat(good.outputs()).containsExactly("fine#1");
            bad.resume(server);
            assertThat(server.status().connected()).isEqualTo(2);
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
        void theStandaloneAckAsksForAPollOfItsOwnBetweenTwoTicks() {
            Client c = rig.join(server);
            rig.advance(TICK / 2); // mid-tick: no tick, and no client ping, falls due with the ACK
            long burst = rig.now;
            c.input(".quiet");
            rig.advance(TICK + TICK / 4); // past the ACK's due instant, not onto it: only its own deadline polls then
            assertThat(c.arrivedAt(c.last(Frame.Ack.class))).isEqualTo(burst + TICK);
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

    /** A source with {@code clients} clients, a standby target, and the source's handoff to it started. */
    private abstract class Pair {
        final Server source;
        final Server target = rig.standby("target");
        final java.util.List<Client> clients = new java.util.ArrayList<>();

        Pair() {
            this(3, Rig.config());
        }

        Pair(int count, ServerConfig sourceConfig) {
            source = rig.authority("source", sourceConfig);
            for (int i = 0; i < count; i++) {
                clients.add(rig.join(source));
            }
        }

        void start(Frame.Mode mode) {
            assertThat(source.core.startHandoff(source.handoffTo(target, mode), rig.now)).isEmpty();
            rig.pump();
        }

        void untilSource(SourcePhase phase) {
            rig.runUntil(() -> source.status().sourcePhase() == phase, 20 * SECOND);
        }

        void untilTarget(TargetPhase phase) {
            rig.runUntil(() -> target.status().targetPhase() == phase, 20 * SECOND);
        }

        /**
         * Redirecting with output commit on and no client attaching, so that the phase lasts (with a source
         * configured by {@link #LONG_REDIRECT}): the target holds all that clients saw and could take over.
         */
        void redirecting() {
            clients.forEach(c -> c.follows = false);
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.REDIRECTING);
            rig.runUntil(() -> target.status().canTakeOver(), 5 * SECOND);
        }
    }

    /** A source that waits a minute for its clients to attach: it stays redirecting while a test looks. */
    private static final ServerConfig LONG_REDIRECT = Rig.config(60 * SECOND, Rig.config().commitWait());

    @Nested
    class SourceHandoff extends Pair {

        @Test
        void aLiveHandoffWalksEverySourcePhaseToDone() {
            clients.get(0).input("before");
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.DONE);

            assertThat(source.sourcePhases).containsExactly(SourcePhase.IDLE, SourcePhase.CONNECTING,
                    SourcePhase.AUTHENTICATING, SourcePhase.TRANSFERRING, SourcePhase.CATCHING_UP,
                    SourcePhase.REDIRECTING, SourcePhase.CUTTING_OVER, SourcePhase.DRAINING, SourcePhase.DONE);
            assertThat(source.status().role()).isEqualTo(Role.RETIRED);
            assertThat(source.status().clientsMoved()).isEqualTo(3);
            assertThat(source.status().clientsAttached()).isEqualTo(3);
            assertThat(source.status().clientsSwitched()).isEqualTo(3);
            assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(target.status().cutoverDigest()).isEqualTo(source.status().cutoverDigest());

            Client c = clients.get(0);
            c.input("after");
            assertThat(c.server).isSameAs(target);
            assertThat(c.outputs()).containsExactly("before#1", "after#2");
        }

        @Test
        void attachedClientsAreSwitchedAtTheRedirectsPaceAfterTheCutoverAndHearTheTargetMeanwhile() {
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.DRAINING);
            long cutAt = rig.now;
            // Three attached clients, paced like their MOVEs: one SWITCH at once, the others at the redirect's pace.
            assertThat(source.status().clientsSwitched()).isEqualTo(1);
            for (Client c : clients) {
                c.input("between"); // on the source's connection: forwarded to the target, answered on the pre-connection
            }
            untilSource(SourcePhase.DONE);

            java.util.List<Long> switchedAt = new java.util.ArrayList<>();
            for (Client c : clients) {
                switchedAt.add(c.arrivedAt(c.last(Frame.Switch.class)));
                assertThat(c.server).isSameAs(target);
            }
            switchedAt.sort(null);
            assertThat(switchedAt.get(0) - cutAt).isLessThan(MS);
            long pace = 1_000_000_000L / source.core.cfg.redirectPerSecond();
            assertThat(switchedAt.get(2) - switchedAt.get(0)).as("three at the redirect's pace: 0, 1 and 2 intervals")
                    .isBetween(2 * pace - 1, 2 * pace + MS / 10);
            assertThat(source.status().clientsSwitched()).isEqualTo(3);
            // The last one heard the target on its pre-connection (now its connection) before its SWITCH came.
            Client last = clients.stream().filter(c -> c.arrivedAt(c.last(Frame.Switch.class)) == switchedAt.get(2))
                    .findFirst().orElseThrow();
            assertThat(last.gotOn(last.conn, Frame.Output.class))
                    .anyMatch(o -> last.arrivedAt(o) < switchedAt.get(2));
        }

        @Test
        void aClientThatNeverAttachedGetsItsMoveAndSwitchAtOnceWhenTheSourceCutsOver() {
            clients.get(0).follows = false; // hears MOVE, never attaches
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.DRAINING);
            Client c = clients.get(0);
            assertThat(c.got(Frame.Switch.class)).as("at once, not at the pace").hasSize(1);
        }

        @Test
        void aStopAndCopyHandoffSkipsTheReplicaPhases() {
            start(Frame.Mode.STOPCOPY);
            untilSource(SourcePhase.DONE);
            assertThat(source.sourcePhases).containsExactly(SourcePhase.IDLE, SourcePhase.CONNECTING,
                    SourcePhase.AUTHENTICATING, SourcePhase.REDIRECTING, SourcePhase.CUTTING_OVER,
                    SourcePhase.DRAINING, SourcePhase.DONE);
            assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(target.status().sessions()).isEqualTo(3);
        }

        @Test
        void aTargetThatCannotProveThePeerSecretGetsNoStateAndTheSourceCarriesOn() {
            Server impostor = rig.standby("impostor", ServerConfig.defaults(new TallyFactory(),
                    Rig.config().service(), bytes("some-other-secret-entirely")));
            assertThat(source.core.startHandoff(source.handoffTo(impostor, Frame.Mode.LIVE), rig.now)).isEmpty();
            rig.advance(TICK);

            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().lastError()).contains("authentication");
            assertThat(source.sentToPeers(Frame.SnapshotBegin.class)).isEmpty();
            assertThat(source.sentToPeers(Frame.PeerAuth.class)).isEmpty();
            assertThat(impostor.status().sessions()).isZero();
            clients.get(0).input("on");
            assertThat(clients.get(0).outputs()).containsExactly("on#1");
        }

        @Test
        void anUnreachableTargetAbortsTheHandoffAndAnotherMayStart() {
            assertThat(source.core.startHandoff(new HandoffRequest("nowhere", 7001, "nowhere", 7000, Frame.Mode.LIVE),
                    rig.now)).isEmpty();
            rig.advance(TICK);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(source.status().lastError()).as("the operator is told what was tried and what to check")
                    .contains("could not connect to the target's peer port nowhere:7001")
                    .contains("baton serve --standby");

            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.DONE);
        }

        @Test
        void aGarbledFrameOnThePeerLinkAbortsTheHandoffOnBothSides() {
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            rig.garbleNext(target);
            clients.get(0).input("a");
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().lastError()).contains("bad frame");
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(clients.get(0).outputs()).containsExactly("a#1");
        }

        @Test
        void anOperatorAbortDuringTheRedirectSendsClientsBackAndFreesTheTarget() {
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.REDIRECTING);
            rig.runUntil(() -> source.status().clientsMoved() > 0, 5 * SECOND);
            assertThat(source.core.abortHandoff(rig.now)).isEmpty();
            rig.advance(TICK);

            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
            Client moved = clients.stream().filter(c -> !c.got(Frame.Move.class).isEmpty()).findFirst().orElseThrow();
            assertThat(moved.gotOn(moved.conn, Frame.MoveAborted.class)).hasSize(1);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(target.status().sessions()).isZero();
            moved.input("still here");
            assertThat(moved.outputs()).containsExactly("still here#1");
        }

        @Test
        void oneHandoffAtATimeAndNoAbortOnceCutOver() {
            start(Frame.Mode.LIVE);
            assertThat(source.core.startHandoff(source.handoffTo(target, Frame.Mode.LIVE), rig.now)).isPresent();
            untilSource(SourcePhase.DONE);
            assertThat(source.core.abortHandoff(rig.now)).isPresent();
            assertThat(source.core.startHandoff(source.handoffTo(target, Frame.Mode.LIVE), rig.now)).isPresent();
        }

        @Test
        void aStragglersInputOnTheOldConnectionIsForwardedAndAppliedOnceOnTheTarget() {
            Client late = clients.get(0);
            late.follows = false; // never attaches: it keeps talking to the source
            late.input("a");
            start(Frame.Mode.LIVE);
            rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.DRAINING, 20 * SECOND);

            late.input("b");
            late.send(new Frame.Input(2, 0, bytes("b")));
            assertThat(target.appliedInputs).containsExactly(late.sessionId + ":2:b");
            assertThat(source.appliedInputs).containsExactly(late.sessionId + ":1:a");
        }

        @Test
        void aClientThatNeverLeavesIsClosedWhenTheDrainTimeoutEnds() {
            Client late = clients.get(0);
            late.follows = false; // ignores MOVE and SWITCH: it would keep the source draining for ever
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.DRAINING);

            rig.advance(4_900 * MS); // the drain timeout is 5 s
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.DRAINING);
            assertThat(late.isClosed(late.conn)).isFalse();
            rig.advance(200 * MS);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.DONE);
            assertThat(late.isClosed(late.conn)).isTrue();
        }
    }

    @Nested
    class TargetHandoff extends Pair {

        @Test
        void aPeerThatNeverProvesItselfIsRefusedAfterTheAuthenticationTimeoutAndFreesTheTarget() {
            long silentPeer = 1_000_000; // a connection no Rig end answers for: it sends PEER_HELLO, then nothing
            target.core.peerAccepted(silentPeer, rig.now);
            target.core.peerSecured(silentPeer, new byte[0]);
            target.core.frame(silentPeer, new Frame.PeerHello(Frame.PEER_VERSION, 42, Frame.Mode.LIVE,
                    new byte[Frame.TOKEN_LENGTH], "tally", 1), rig.now);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.AUTHENTICATING);

            rig.advance(4_900 * MS); // the authentication timeout is 5 s
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.AUTHENTICATING);
            rig.advance(200 * MS);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.DONE);
        }

        @Test
        void aStandbyReplicatesTheSourceEventByEventWithItsOutputsHeld() {
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            clients.get(1).input("x");
            rig.advance(3 * TICK);

            ServerStatus t = target.status();
            assertThat(t.role()).isEqualTo(Role.STANDBY);
            assertThat(t.appliedIndex()).isEqualTo(source.status().appliedIndex());
            assertThat(t.digest()).isEqualTo(source.status().digest());
            assertThat(t.sessions()).isEqualTo(3);
            assertThat(target.appliedInputs).containsExactly(clients.get(1).sessionId + ":1:x");
            assertThat(target.targetPhases).containsExactly(TargetPhase.STANDBY, TargetPhase.AUTHENTICATING,
                    TargetPhase.RECEIVING, TargetPhase.REPLICATING);
            for (Client c : clients) {
                if (c.attachConn >= 0) {
                    assertThat(c.gotOn(c.attachConn, Frame.Output.class)).isEmpty();
                }
            }
        }

        @Test
        void atCutoverTheTargetTakesAuthorityAtTheSourcesIndexAndDigest() {
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.DONE);
            ServerStatus s = source.status();
            ServerStatus t = target.status();
            assertThat(target.targetPhases).endsWith(TargetPhase.REPLICATING, TargetPhase.AUTHORITY);
            assertThat(t.cutoverIndex()).isEqualTo(s.cutoverIndex());
            assertThat(t.cutoverDigest()).isEqualTo(s.cutoverDigest());
            assertThat(t.failedOver()).isFalse();
            long tick = t.tick();
            rig.advance(5 * TICK);
            assertThat(target.status().tick()).isEqualTo(tick + 5);
            assertThat(source.status().tick()).isEqualTo(s.tick());
        }

        @Test
        void aReplicaWhoseDigestDiffersAtCutoverRefusesAuthorityAndTheSourceCarriesOn() {
            Server divergent = rig.standby("divergent", Rig.config(java.util.Map.of("ignore", "y")));
            Client c = clients.get(0);
            assertThat(source.core.startHandoff(source.handoffTo(divergent, Frame.Mode.LIVE), rig.now)).isEmpty();
            rig.runUntil(() -> divergent.status().targetPhase() == TargetPhase.REPLICATING, 5 * SECOND);
            c.input("y"); // the replica does not count it: its state forks silently
            untilSource(SourcePhase.ABORTED);

            assertThat(source.status().lastError()).contains("digest");
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(divergent.status().role()).isEqualTo(Role.STANDBY);
            assertThat(divergent.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(divergent.sentToPeers(Frame.CutoverResult.class)).extracting(Frame.CutoverResult::ok)
                    .containsExactly(false);
            c.input("z");
            assertThat(c.outputs()).containsExactly("y#1", "z#2");
        }

        @Test
        void aSnapshotThatDoesNotHashToTheSourcesDigestIsRefused() {
            start(Frame.Mode.LIVE);
            rig.rewrite(source, f -> f instanceof Frame.SnapshotEnd e ? new Frame.SnapshotEnd(e.digest() ^ 1) : f);
            untilSource(SourcePhase.ABORTED);
            assertThat(source.status().lastError()).contains("digest");
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(target.status().sessions()).isZero();
        }

        @Test
        void aTargetOfAnotherServiceRefusesTheSnapshot() {
            Server other = rig.standby("other", ServerConfig.defaults(new io.baton.service.ServiceFactory() {
                @Override
                public String name() {
                    return "not-tally";
                }

                @Override
                public int schemaVersion() {
                    return 1;
                }

                @Override
                public io.baton.service.Service create(io.baton.service.ServiceConfig config) {
                    return new TallyFactory().create(config);
                }

                @Override
                public io.baton.service.Service restore(io.baton.service.ServiceConfig config, int v,
                        java.io.InputStream in) throws java.io.IOException {
                    return new TallyFactory().restore(config, v, in);
                }
            }, Rig.config().service(), Rig.PEER_SECRET));
            assertThat(source.core.startHandoff(source.handoffTo(other, Frame.Mode.LIVE), rig.now)).isEmpty();
            untilSource(SourcePhase.ABORTED);
            assertThat(source.status().lastError()).contains("not-tally");
            assertThat(other.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        }

        @Test
        void aTargetServesOneSourceAtATime() {
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            Server second = rig.authority("second");
            assertThat(second.core.startHandoff(second.handoffTo(target, Frame.Mode.LIVE), rig.now)).isEmpty();
            rig.advance(TICK);
            assertThat(second.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(second.status().lastError()).contains(ErrorCode.BUSY.toString());
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.REPLICATING);
        }

        @Test
        void ticketsAreCheckedAndSingleUse() {
            clients.forEach(c -> c.follows = false);
            start(Frame.Mode.LIVE);
            rig.runUntil(() -> source.status().clientsMoved() == 3, 5 * SECOND);
            Client honest = clients.get(0);
            Frame.Move move = honest.last(Frame.Move.class);

            Client forger = rig.newClient();
            byte[] forged = move.ticket().clone();
            forged[3] ^= 1;
            forger.open(target, new Frame.Hello(Frame.VERSION, Frame.HelloKind.ATTACH, honest.sessionId, forged, 0));
            assertThat(forger.last(Frame.Error.class).code()).isEqualTo(ErrorCode.BAD_TICKET);

            Client wrongSession = rig.newClient();
            wrongSession.open(target, new Frame.Hello(Frame.VERSION, Frame.HelloKind.ATTACH, clients.get(1).sessionId,
                    move.ticket(), 0));
            assertThat(wrongSession.last(Frame.Error.class).code()).isEqualTo(ErrorCode.BAD_TICKET);

            honest.attach();
            assertThat(honest.gotOn(honest.attachConn, Frame.Welcome.class)).hasSize(1);
            Client replay = rig.newClient();
            replay.open(target, new Frame.Hello(Frame.VERSION, Frame.HelloKind.ATTACH, honest.sessionId,
                    move.ticket(), 0));
            assertThat(replay.last(Frame.Error.class).code()).isEqualTo(ErrorCode.TICKET_REUSED);
        }

        @Test
        void aTicketPresentedAfterItsLifetimeIsRefused() {
            Server shortLived = rig.standby("short-lived", Rig.config().withTicketTtl(5 * SECOND));
            clients.forEach(c -> c.follows = false);
            // The endpoint given and probed: one attached client is enough to cut over at the deadline.
            assertThat(source.core.startHandoff(source.handoffTo(shortLived, "short-lived", 7000), rig.now)).isEmpty();
            rig.runUntil(() -> source.status().clientsMoved() == 3, 5 * SECOND);
            Client early = clients.get(0);
            early.attach();
            assertThat(early.gotOn(early.attachConn, Frame.Welcome.class)).hasSize(1);

            rig.advance(5 * SECOND);
            Client late = clients.get(1);
            late.attach();
            assertThat(late.gotOn(late.attachConn, Frame.Error.class)).extracting(Frame.Error::code)
                    .containsExactly(ErrorCode.TICKET_EXPIRED);
        }

        @Test
        void anAttachedClientMaySendNoInputBeforeTheSwitch() {
            clients.forEach(c -> c.follows = false);
            start(Frame.Mode.LIVE);
            rig.runUntil(() -> source.status().clientsMoved() == 3, 5 * SECOND);
            Client c = clients.get(0);
            c.attach();
            c.sendOn(c.attachConn, new Frame.Input(1, 0, bytes("early")));
            assertThat(c.gotOn(c.attachConn, Frame.Error.class)).extracting(Frame.Error::code)
                    .containsExactly(ErrorCode.NOT_AUTHORITY);
            assertThat(target.appliedInputs).isEmpty();
        }

        @Test
        void acknowledgementsDuringTheHandoffReachTheTargetSoItNeverResendsWhatWasDelivered() {
            Client c = clients.get(0);
            c.live = false; // acknowledges only when told
            c.send(new Frame.Input(1, 0, bytes("a")));
            c.send(new Frame.Input(2, 0, bytes("b")));
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            c.send(new Frame.Ack(1));
            untilSource(SourcePhase.DONE);
            c.hangUp();
            c.received.clear();

            c.open(target, new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, c.sessionId, c.secret, 0));
            assertThat(c.got(Frame.Output.class)).extracting(Frame.Output::seq).containsExactly(2L);
        }
    }

    /** A target silent after the snapshot is given the time to restore it, and no more. */
    @Nested
    class RestoreSilence {

        /** Milliseconds after the source sent its snapshot's end until it gave up, its answers held from then on. */
        private long abortAfterSnapshot(int ballast) {
            Pair pair = new Pair(3, Rig.config(java.util.Map.of("ballast", Integer.toString(ballast)))) { };
            pair.start(Frame.Mode.LIVE);
            pair.untilSource(SourcePhase.TRANSFERRING);
            rig.hold(pair.target); // from here it says nothing: not even the acknowledgement of its restore
            pair.untilSource(SourcePhase.CATCHING_UP);
            long sent = rig.now;
            pair.untilSource(SourcePhase.ABORTED);
            long waited = (rig.now - sent) / MS;
            // the note says how long the target was silent: from its last frame, a little before the snapshot's end
            assertThat(pair.source.notes).anySatisfy(n -> {
                java.util.regex.Matcher m = java.util.regex.Pattern
                        .compile("the target answered nothing for (\\d+) ms in phase CATCHING_UP").matcher(n);
                assertThat(m.find()).isTrue();
                assertThat(Long.parseLong(m.group(1))).isBetween(waited, waited + 500);
            });
            return waited;
        }

        @Test
        void theAllowanceEndsWithTheTargetsFirstAcknowledgement() {
            Pair pair = new Pair(3, Rig.config(java.util.Map.of("ballast", Integer.toString(64 << 20)))) { };
            pair.start(Frame.Mode.LIVE);
            pair.untilSource(SourcePhase.REDIRECTING); // caught up: the target restored and acknowledged
            rig.hold(pair.target);
            long held = rig.now;
            rig.runUntil(() -> pair.source.status().sourcePhase() != SourcePhase.REDIRECTING, 20 * SECOND);
            assertThat((rig.now - held) / MS).as("the plain silence bound, not the restore's").isBetween(1_500L, 2_100L);
            assertThat(pair.source.notes).anyMatch(n -> n.contains("the target answered nothing for"));
        }

        @Test
        void aTargetSilentAfterASmallSnapshotIsGivenUpAtTheSilenceBound() {
            assertThat(abortAfterSnapshot(0)).isBetween(1_500L, 2_100L);
        }

        @Test
        void aTargetRestoringALargeSnapshotMayBeSilentLongerButNotForever() {
            // 64 MiB: the silence bound and 2 s more to restore, at 1 s per 32 MiB
            assertThat(abortAfterSnapshot(64 << 20)).isBetween(3_900L, 4_100L);
        }
    }

    @Nested
    class OutputCommit extends Pair {

        OutputCommit() {
            // A commit wait longer than any test here: outputs wait for the target, never for the clock.
            super(3, Rig.config(60 * SECOND, 30 * SECOND));
        }

        /** Redirecting with output commit on, no client attaching (so the phase lasts), the target's answers held. */
        private Client heldRedirect() {
            redirecting();
            rig.hold(target);
            return clients.get(0);
        }

        @Test
        void beforeCatchUpOutputsFlowWithoutWaitingForTheTarget() {
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            rig.hold(target);
            Client c = clients.get(0);
            c.input("a");
            assertThat(source.status().sourcePhase()).isIn(SourcePhase.TRANSFERRING, SourcePhase.CATCHING_UP);
            assertThat(c.outputs()).containsExactly("a#1");
        }

        @Test
        void outputsWaitUntilTheTargetAcknowledgesTheirEvent() {
            Client c = heldRedirect();
            c.input("a");
            rig.advance(3 * TICK);
            assertThat(source.appliedInputs).containsExactly(c.sessionId + ":1:a");
            assertThat(c.outputs()).isEmpty();
            assertThat(source.status().releasedIndex()).isLessThan(source.status().appliedIndex());

            rig.release(target);
            assertThat(c.outputs()).containsExactly("a#1");
        }

        @Test
        void inputAcknowledgementsWaitUntilTheTargetAcknowledgesTheInput() {
            Client c = heldRedirect();
            c.input(".quiet");
            rig.advance(3 * TICK);
            assertThat(c.got(Frame.Ack.class)).isEmpty();

            rig.release(target);
            rig.advance(TICK);
            assertThat(c.got(Frame.Ack.class)).extracting(Frame.Ack::ack).containsExactly(1L);
        }

        @Test
        void aNewSessionIsWelcomedOnlyOnceTheTargetHoldsIt() {
            heldRedirect();
            Client late = rig.join(source);
            rig.advance(3 * TICK);
            assertThat(late.got(Frame.Welcome.class)).isEmpty();

            rig.release(target);
            assertThat(late.got(Frame.Welcome.class)).hasSize(1);
            assertThat(target.status().sessions()).isEqualTo(4);
        }

        @Test
        void theTargetsAcknowledgementsReleaseInLogOrder() {
            Client c = heldRedirect();
            Client d = clients.get(1);
            c.input("c1");
            d.input("d1");
            c.input("c2");
            rig.release(target);
            assertThat(c.outputs()).containsExactly("c1#1", "c2#2");
            assertThat(d.outputs()).containsExactly("d1#1");
            assertThat(source.status().releasedIndex()).isEqualTo(source.status().appliedIndex());
        }

        @Test
        void anAcknowledgementReleasesOnlyTheEventsUpToItsIndex() {
            Client c = heldRedirect();
            Client d = clients.get(1);
            c.input("c1");
            d.input("d1");
            rig.releaseFirst(target); // the target's acknowledgement of c1 only
            assertThat(c.outputs()).containsExactly("c1#1");
            assertThat(d.outputs()).isEmpty();
            rig.release(target);
            assertThat(d.outputs()).containsExactly("d1#1");
        }

        @Test
        void outputCommitStartsWhenTheHintWaitRunsOutEvenWithNothingFromTheTarget() {
            clients.forEach(c -> c.follows = false);
            start(Frame.Mode.LIVE);
            rig.runUntil(() -> !clients.get(0).got(Frame.TargetHint.class).isEmpty(), 20 * SECOND);
            rig.hold(target); // no acknowledgement from the target can start the commit now
            // No client has acknowledged an output sent after its hint (none was sent): only the wait ends it.
            rig.advance(900 * MS);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.CATCHING_UP);
            rig.advance(200 * MS); // the hint wait is 1 s
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.REDIRECTING);
            assertThat(source.sentToPeers(Frame.Commit.class)).hasSize(1);
        }
    }

    @Nested
    class PresenceAndFencing extends Pair {

        PresenceAndFencing() {
            super(3, LONG_REDIRECT);
        }

        /** Two of the three clients stop talking to the source for longer than it counts them present. */
        private void majorityFallsSilent() {
            clients.get(1).live = false;
            clients.get(2).live = false;
            rig.advance(1_100 * MS);
        }

        @Test
        void aTargetSilentForTheCommitWaitIsGivenUpWhileAMajorityIsPresentAndClientsForgetItFirst() {
            redirecting();
            rig.hold(target);
            Client c = clients.get(0);
            c.input("a");
            rig.advance(TICK);

            assertThat(source.status().commitSuspensions()).isEqualTo(1);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(c.outputs()).containsExactly("a#1");
            int withdrawn = c.received.indexOf(Frame.TargetHint.WITHDRAWN);
            int output = c.received.indexOf(c.got(Frame.Output.class).get(0));
            assertThat(withdrawn).isNotNegative().isLessThan(output);
        }

        @Test
        void aTargetThatAnsweredLateIsWaitedForLongerNextTimeButNotWithoutBound() {
            redirecting();
            Client c = clients.get(0);
            long wait = source.core.cfg.commitWait();
            // A first late answer (1.5 commit waits): nothing says yet that the target is only busy, so it is
            // given up, and taken up again when it answers.
            rig.hold(target);
            c.input("a");
            rig.advance(wait * 3 / 2);
            rig.release(target);
            assertThat(source.status().commitSuspensions()).isEqualTo(1);

            // As late again, soon after: it answered that late a moment ago, so its outputs wait for it.
            rig.hold(target);
            c.input("b");
            rig.advance(wait * 3 / 2);
            assertThat(source.status().commitSuspensions()).isEqualTo(1);
            assertThat(c.outputs()).containsExactly("a#1");
            rig.release(target);
            assertThat(c.outputs()).containsExactly("a#1", "b#2");

            // Silent past the bound (LATE_TARGET_WAITS commit waits): given up however late it was before.
            rig.hold(target);
            c.input("c");
            rig.advance(io.baton.core.OutputCommit.LATE_TARGET_WAITS * wait + 3 * MS);
            assertThat(source.status().commitSuspensions()).isEqualTo(2);
            assertThat(c.outputs()).containsExactly("a#1", "b#2", "c#3");
        }

        @Test
        void aSuspendedCommitIsTakenUpAgainOnceTheTargetAnswers() {
            redirecting();
            rig.hold(target);
            Client c = clients.get(0);
            c.input("a");
            rig.advance(TICK);
            assertThat(source.status().commitSuspensions()).isEqualTo(1);
            assertThat(c.outputs()).containsExactly("a#1");

            rig.release(target); // it answers again: outputs wait for it once more, and clients hear of it again
            assertThat(c.last(Frame.TargetHint.class)).isNotEqualTo(Frame.TargetHint.WITHDRAWN);
            rig.hold(target);
            c.input("b");
            assertThat(c.outputs()).containsExactly("a#1");
            rig.release(target);
            assertThat(c.outputs()).containsExactly("a#1", "b#2");
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.REDIRECTING);
        }

        /** Redirecting, two of three clients silent, the target's answers held, and one input a tick ago. */
        private Client inputWhileTheTargetIsSilentAndNoMajorityIsPresent() {
            redirecting();
            majorityFallsSilent();
            rig.hold(target);
            Client c = clients.get(0);
            c.input("a");
            rig.advance(TICK);
            return c;
        }

        @Test
        void aTargetSilentForTheCommitWaitWithNoMajorityPresentHoldsOutputsUntilItsLinkIsLostThenFences() {
            Client c = inputWhileTheTargetIsSilentAndNoMajorityIsPresent();
            // A target only slow cannot take over while its link lives: hold, do not fence yet.
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.REDIRECTING);
            assertThat(c.outputs()).isEmpty(); // the target may take over without it: it must never be seen

            rig.advance(2_100 * MS); // the link's silence: lost, and still no majority
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.FENCED);
            assertThat(source.status().role()).isEqualTo(Role.RETIRED);
            assertThat(c.outputs()).isEmpty();
            assertThat(c.got(Frame.Switch.class)).hasSize(1);
            assertThat(c.isClosed(c.conn)).isTrue();
        }

        @Test
        void aTargetSilentForTheCommitWaitWithNoMajorityPresentIsWaitedForAndTheHandoffCarriesOnWhenItAnswers() {
            Client c = inputWhileTheTargetIsSilentAndNoMajorityIsPresent();
            assertThat(c.outputs()).isEmpty();

            rig.release(target); // it was only slow (a collection, a busy moment): it acknowledges
            rig.advance(TICK);
            assertThat(source.status().sourcePhase()).isIn(SourcePhase.REDIRECTING, SourcePhase.CUTTING_OVER,
                    SourcePhase.DRAINING, SourcePhase.DONE);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(c.outputs()).containsExactly("a#1");
        }

        @Test
        void theTargetLostAfterCommitWithAMajorityPresentAbortsAndWatchesThatMajority() {
            redirecting();
            rig.kill(target);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(source.core.startHandoff(source.handoffTo(target, Frame.Mode.LIVE), rig.now)).get()
                    .asString().contains("may still take over");
            clients.get(0).input("a");
            assertThat(clients.get(0).outputs()).containsExactly("a#1");

            majorityFallsSilent();
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.FENCED);
            assertThat(source.status().lastError()).contains("majority");
        }

        @Test
        void theFenceWatchEndsOnceTheLastTargetCanNoLongerTakeOver() {
            redirecting();
            rig.kill(target);
            rig.advance(12 * SECOND); // the orphan wait and a claim's hold
            majorityFallsSilent();
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
        }

        @Test
        void theTargetLostAfterCommitWithoutAMajorityPresentFencesTheSource() {
            redirecting();
            majorityFallsSilent();
            rig.kill(target);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.FENCED);
            for (Client c : clients) {
                assertThat(c.got(Frame.Move.class)).last().extracting(Frame.Move::host).isEqualTo("target");
            }
        }

        @Test
        void sessionsAbsentAtCommitDoNotVoteSoAbandonedOnesCannotMakeASourceThatLostItsTargetFence() {
            java.util.List<Client> abandoned = abandonSessions(this, 5);
            redirecting();
            assertThat(source.sentToPeers(Frame.Commit.class)).last().extracting(cm -> java.util.Arrays.stream(
                    cm.electorate()).boxed().toList()).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                    .containsExactlyInAnyOrderElementsOf(clients.stream().filter(c -> !abandoned.contains(c))
                            .map(c -> c.sessionId).toList());
            rig.kill(target);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
            clients.get(0).input("a");
            assertThat(clients.get(0).outputs()).containsExactly("a#1");
        }

        @Test
        void theTargetLostBeforeCommitIsAPlainAbort() {
            majorityFallsSilent();
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.CATCHING_UP);
            rig.kill(target);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
        }

        @Test
        void aPausedSourceSaysSoButAStandbyThatSleptUntilItsHandoffDoesNot() {
            target.core.poll(rig.now); // it ran once at start (a real server checks its own port then)
            assertThat(target.core.nextDeadline()).as("a standby with nothing to do").isEqualTo(Long.MAX_VALUE);
            rig.advance(4 * SECOND); // so it is not called meanwhile
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            assertThat(target.notes).noneMatch(n -> n.contains("did not run"));
            rig.freeze(600 * MS); // the source's process was stopped with its next tick due
            rig.advance(MS);
            assertThat(source.notes).anyMatch(n -> n.matches("this server did not run for 6\\d\\d ms \\(paused or "
                    + "starved\\): it woke \\d+ ms after it was due"));
        }

        @Test
        void afterAPauseNoClientCountsAsPresentForASecond() {
            redirecting();
            rig.freeze(600 * MS); // the source's process was stopped: frames read now may be stale
            rig.advance(MS); // every client is heard from again
            rig.kill(target);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.FENCED);
        }

        @Test
        void aLinkGoneSilentIsTakenForLostOnBothSides() {
            redirecting();
            rig.partition(source, target);
            rig.advance(2_100 * MS);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.ORPHANED);
            rig.advance(10 * SECOND); // no client claims the source is gone: the replica is given up
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
        }

        @Test
        void aSourceThatHearsNothingFromItsTargetGivesTheLinkUpOnItsOwn() {
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            rig.hold(target); // the target still hears the source, so only the source's silence timer can act
            rig.advance(1_800 * MS);
            assertThat(source.status().sourcePhase().active()).isTrue();
            rig.advance(300 * MS); // the link's silence is 2 s
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
        }

        @Test
        void aTargetThatHearsNothingFromItsStoppedSourceGivesTheLinkUpOnItsOwn() {
            redirecting();
            rig.stop(source); // stopped, not dead: no reset reaches the target
            rig.advance(1_800 * MS);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.REPLICATING);
            rig.advance(300 * MS); // the link's silence is 2 s
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.ORPHANED);
        }

        @Test
        void aQuietPeerLinkIsKeptAliveByTheSourcesPings() {
            clients.forEach(c -> c.follows = false); // nobody attaches: the stop-and-copy redirect lasts
            start(Frame.Mode.STOPCOPY);
            untilSource(SourcePhase.REDIRECTING);
            rig.advance(5 * SECOND); // no event crosses the link in all that time, only the pings and pongs
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.REDIRECTING);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.RECEIVING);
        }

        @Test
        void aLostAnswerToCutoverFencesTheSourceForTheTargetHoldsAuthority() {
            start(Frame.Mode.LIVE);
            rig.rewrite(target, f -> f instanceof Frame.CutoverResult ? new Frame.Pong(0) : f);
            untilSource(SourcePhase.CUTTING_OVER);
            rig.advance(2_100 * MS);
            assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.FENCED);
            assertThat(source.status().role()).isEqualTo(Role.RETIRED);
        }
    }

    /**
     * Opens {@code count} more sessions at the pair's source and leaves them silent (their clients gone,
     * still in their resume window) for longer than presence lasts.
     */
    private java.util.List<Client> abandonSessions(Pair pair, int count) {
        java.util.List<Client> abandoned = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Client c = rig.join(pair.source);
            c.live = false;
            abandoned.add(c);
            pair.clients.add(c);
        }
        rig.advance(1_100 * MS);
        return abandoned;
    }

    @Nested
    class VotesPerAddress extends Pair {

        @Test
        void oneAddressGetsAtMostFourVotesHoweverManySessionsItHolds() {
            java.util.List<Client> strangers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Client c = rig.join(source, "192.0.2.66");
                strangers.add(c);
                clients.add(c);
            }
            redirecting();
            java.util.List<Long> electorate = java.util.Arrays.stream(source.sentToPeers(Frame.Commit.class).get(0)
                    .electorate()).boxed().toList();
            assertThat(electorate).hasSize(3 + 4).containsAll(strangers.subList(0, 4).stream()
                    .map(c -> c.sessionId).toList()); // the oldest four of that address
            assertThat(electorate).doesNotContain(strangers.get(4).sessionId, strangers.get(5).sessionId);
        }
    }

    /** The rule before the electorate, kept as a defect: the checker's tests and this one must catch it. */
    @Nested
    class OldFencingRule extends Pair {

        OldFencingRule() {
            super(3, Rig.config(60 * SECOND, 30 * SECOND).withDefects(Defect.COUNT_EVERY_SESSION));
        }

        @Test
        void countingEverySessionLetsAbandonedOnesFenceASourceWhoseTargetDied() {
            abandonSessions(this, 5);
            redirecting();
            rig.kill(target);
            assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.FENCED);
            assertThat(source.status().role()).isEqualTo(Role.RETIRED);
        }
    }

    @Nested
    class Failover extends Pair {

        Failover() {
            super(3, LONG_REDIRECT);
        }

        private void eligible() {
            redirecting();
            clients.get(0).input("seen");
            rig.advance(TICK);
        }

        @Test
        void anOrphanedTargetTakesOverOnceAMajorityHasClaimedForTheClaimHold() {
            eligible();
            rig.kill(source);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.ORPHANED);
            long claimedAt = rig.now;
            clients.get(0).resume(target);
            clients.get(1).resume(target);

            rig.runUntil(claimedAt + Rig.CLAIM_HOLD - MS);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.ORPHANED);
            assertThat(clients.get(0).gotOn(clients.get(0).conn, Frame.Welcome.class)).isEmpty();
            assertThat(clients.get(0).gotOn(clients.get(0).conn, Frame.Ping.class)).isNotEmpty();

            rig.runUntil(claimedAt + Rig.CLAIM_HOLD);
            ServerStatus t = target.status();
            assertThat(t.role()).isEqualTo(Role.AUTHORITY);
            assertThat(t.failedOver()).isTrue();
            Client c = clients.get(0);
            assertThat(c.gotOn(c.conn, Frame.Welcome.class)).extracting(Frame.Welcome::inputAck).containsExactly(1L);
            c.input("after");
            assertThat(c.outputs()).containsExactly("seen#1", "after#2");
        }

        @Test
        void aMinorityOfClaimsNeverTakesOverAndTheReplicaIsGivenUpAfterTheOrphanWait() {
            eligible();
            rig.kill(source);
            Client c = clients.get(0);
            c.resume(target);
            rig.advance(Rig.ORPHAN_WAIT - MS);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.ORPHANED);
            rig.advance(2 * MS);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            assertThat(target.status().role()).isEqualTo(Role.STANDBY);
            assertThat(c.gotOn(c.conn, Frame.Error.class)).extracting(Frame.Error::code)
                    .containsExactly(ErrorCode.NOT_AUTHORITY);
        }

        @Test
        void claimsOfSessionsAbsentAtCommitAreHeldButDoNotCountTowardsTheMajority() {
            java.util.List<Client> abandoned = abandonSessions(this, 4);
            eligible();
            rig.kill(source);
            long claimedAt = rig.now;
            abandoned.forEach(c -> c.resume(target));
            rig.runUntil(claimedAt + 2 * Rig.CLAIM_HOLD);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.ORPHANED); // 4 claims, no vote

            clients.get(0).resume(target);
            clients.get(1).resume(target);
            rig.advance(Rig.CLAIM_HOLD);
            assertThat(target.status().role()).isEqualTo(Role.AUTHORITY); // 2 of the 3 present at COMMIT
            Client late = abandoned.get(0);
            assertThat(late.gotOn(late.conn, Frame.Welcome.class)).hasSize(1); // held claims are served
        }

        @Test
        void aTargetWhoseCommitNamedNobodyNeverTakesOver() {
            clients.forEach(c -> {
                c.live = false;
                c.follows = false;
            });
            rig.advance(1_100 * MS);
            start(Frame.Mode.LIVE);
            untilSource(SourcePhase.REDIRECTING);
            assertThat(source.sentToPeers(Frame.Commit.class)).last().extracting(cm -> cm.electorate().length)
                    .isEqualTo(0);
            assertThat(target.status().canTakeOver()).isFalse();
            rig.kill(source);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        }

        @Test
        void aReplicaBeforeOutputCommitIsDiscardedWhenTheSourceGoes() {
            start(Frame.Mode.LIVE);
            untilTarget(TargetPhase.REPLICATING);
            assertThat(target.status().canTakeOver()).isFalse();
            rig.kill(source);
            assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
            Client c = clients.get(0);
            c.resume(target);
            assertThat(c.last(Frame.Error.class).code()).isEqualTo(ErrorCode.NOT_AUTHORITY);
        }

        @Test
        void whileTheSourceLivesAClaimIsHeldAndNeverServed() {
            eligible();
            Client c = clients.get(0);
            long toSource = c.conn;
            c.resume(target);
            rig.advance(3 * Rig.CLAIM_HOLD);
            assertThat(target.status().role()).isEqualTo(Role.STANDBY);
            assertThat(c.gotOn(c.conn, Frame.Welcome.class)).isEmpty();
            assertThat(c.gotOn(c.conn, Frame.Error.class)).isEmpty();
            assertThat(c.isClosed(toSource)).isFalse();
        }
    }
}
