package io.baton.core;

import static io.baton.core.Rig.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Rig.Client;
import io.baton.core.Rig.Server;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.VersionRange;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both links agree on the highest version both sides speak (docs/protocol.md, Versions), with the test's
 * version 5 as the newer one: its WELCOME carries the tick rate and its CUTOVER the tick at L, so a side
 * that wrote or read the wrong version would break the frames these tests look at.
 */
class VersionNegotiationTest {

    static final VersionRange V4 = new VersionRange(4, 4);
    static final VersionRange V45 = new VersionRange(4, 5);
    static final VersionRange V5 = new VersionRange(5, 5);

    private final Rig rig = new Rig();

    static ServerConfig speaking(VersionRange client, VersionRange peer) {
        return Rig.config().withVersions(client, peer);
    }

    @Nested
    class ClientLink {

        final Server server = rig.authority("s", speaking(V45, V45));

        @Test
        void aClientSpeaking4To5IsWelcomedInVersion5WithTheTickRate() {
            Client c = rig.join(server, V45);

            Frame.Welcome w = c.last(Frame.Welcome.class);
            assertThat(w.version()).isEqualTo(5);
            assertThat(w.tickHz()).isEqualTo(Rig.TICK_HZ);
        }

        @Test
        void aClientSpeaking4OnlyIsWelcomedInVersion4WithoutIt() {
            Client c = rig.join(server, V4);

            Frame.Welcome w = c.last(Frame.Welcome.class);
            assertThat(w.version()).isEqualTo(4);
            assertThat(w.tickHz()).isZero();
            assertThat(server.status().sessions()).isEqualTo(1);
        }

        @Test
        void aResumeIsWelcomedInTheVersionOfItsOwnHelloNotTheSessionsFirst() {
            Client c = rig.join(server, V45);
            c.hangUp();
            c.versions = V4;
            c.resume(server);

            assertThat(c.got(Frame.Welcome.class)).extracting(Frame.Welcome::version).containsExactly(5, 4);
        }

        @Test
        void aClientOfABuildBeforeRangesIsRefusedNamingBothSidesAndTheFix() {
            Server plain = rig.authority("plain");
            Client c = rig.newClient();
            c.open(plain, new Frame.Hello(3, Frame.HelloKind.NEW, 0, new byte[16], 0));

            Frame.Error e = c.last(Frame.Error.class);
            assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(e.message()).contains("only client-link version 3").contains("before version ranges")
                    .contains("this server speaks 4..4").contains("upgrade the client").contains("--client-versions");
            assertThat(c.isClosed(c.conn)).isTrue();
            assertThat(plain.status().sessions()).isZero();
        }

        @Test
        void aClientRangeWithNoVersionInCommonIsRefusedNamingBothRanges() {
            Server plain = rig.authority("plain");
            Client c = rig.newClient();
            c.open(plain, new Frame.Hello(V5, Frame.HelloKind.NEW, 0, new byte[16], 0));

            Frame.Error e = c.last(Frame.Error.class);
            assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(e.message()).contains("client speaks client-link versions 5..5")
                    .contains("this server speaks 4..4");
            assertThat(plain.status().sessions()).isZero();
        }
    }

    @Nested
    class PeerLink {

        /** A handoff from a source to a target speaking the given ranges, with clients of both kinds. */
        final class Handoff {
            final Server source;
            final Server target;
            final Client old;
            final Client newer;

            Handoff(VersionRange sourcePeer, VersionRange targetPeer, VersionRange sourceClient,
                    VersionRange targetClient) {
                source = rig.authority("source", speaking(sourceClient, sourcePeer));
                target = rig.standby("target", speaking(targetClient, targetPeer));
                old = rig.join(source, V4);
                newer = rig.join(source, V45);
                old.input("a");
                newer.input("b");
            }

            void run(Frame.Mode mode) {
                run(mode, null, null);
            }

            /** Runs the handoff with what {@code forger} sends on its peer link passing through {@code rewrite}. */
            void run(Frame.Mode mode, Server forger, java.util.function.UnaryOperator<Frame> rewrite) {
                assertThat(source.core.startHandoff(source.handoffTo(target, mode), rig.now)).isEmpty();
                if (forger != null) {
                    rig.rewrite(forger, rewrite); // the link's ends exist once the source dialled
                }
                rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.DONE
                        || !source.status().lastError().isEmpty(),
                        20 * SECOND);
            }

            int chosen() {
                return Rig.ofType(target.sentToPeers, Frame.PeerChallenge.class).get(0).version();
            }

            Frame.Cutover cutover() {
                return Rig.ofType(source.sentToPeers, Frame.Cutover.class).get(0);
            }

            void assertCompletedWithoutLoss() {
                assertThat(source.status().sourcePhase()).as(String.join("\n", source.notes)).isEqualTo(SourcePhase.DONE);
                assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
                old.input("c");
                newer.input("d");
                assertThat(old.server).isSameAs(target);
                assertThat(newer.server).isSameAs(target);
                assertThat(old.outputs()).containsExactly("a#1", "c#2");
                assertThat(newer.outputs()).containsExactly("b#1", "d#2");
            }
        }

        @ParameterizedTest
        @EnumSource(Frame.Mode.class)
        void aSourceSpeaking4To5HandsOffToATargetSpeaking4OnlyInVersion4(Frame.Mode mode) {
            Handoff h = new Handoff(V45, V4, V45, V4);
            h.run(mode);

            assertThat(h.chosen()).isEqualTo(4);
            assertThat(h.cutover().tick()).isEqualTo(Frame.Cutover.NO_TICK);
            h.assertCompletedWithoutLoss();
            // the newer client was welcomed in 5 by the source, in 4 by the target it attached to
            assertThat(h.newer.got(Frame.Welcome.class)).extracting(Frame.Welcome::version).containsExactly(5, 4);
            assertThat(h.old.got(Frame.Welcome.class)).extracting(Frame.Welcome::version).containsOnly(4);
        }

        @ParameterizedTest
        @EnumSource(Frame.Mode.class)
        void aSourceSpeaking4OnlyHandsOffToATargetSpeaking4To5InVersion4(Frame.Mode mode) {
            Handoff h = new Handoff(V4, V45, V4, V45);
            h.run(mode);

            assertThat(h.chosen()).isEqualTo(4);
            assertThat(h.cutover().tick()).isEqualTo(Frame.Cutover.NO_TICK);
            h.assertCompletedWithoutLoss();
            assertThat(h.newer.got(Frame.Welcome.class)).extracting(Frame.Welcome::version).containsExactly(4, 5);
        }

        @ParameterizedTest
        @EnumSource(Frame.Mode.class)
        void twoServersSpeaking4To5ChooseVersion5AndItsCutoverCarriesTheTick(Frame.Mode mode) {
            Handoff h = new Handoff(V45, V45, V45, V45);
            h.run(mode);

            assertThat(h.chosen()).isEqualTo(5);
            assertThat(h.cutover().tick()).isEqualTo(h.source.core.status().tick());
            h.assertCompletedWithoutLoss();
        }

        @Test
        void peerRangesWithNoVersionInCommonAreRefusedBeforeAnyStateAndTheSourceCarriesOn() {
            Handoff h = new Handoff(V5, V4, V45, V4);
            h.run(Frame.Mode.LIVE);

            assertThat(h.source.status().lastError()).contains("UNSUPPORTED_VERSION")
                    .contains("source speaks peer-link versions 5..5").contains("this server speaks 4..4")
                    .contains("--peer-versions");
            assertThat(h.source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(h.target.status().role()).isEqualTo(Role.STANDBY);
            assertThat(Rig.ofType(h.source.sentToPeers, Frame.SnapshotBegin.class)).isEmpty();
            assertThat(Rig.ofType(h.target.sentToPeers, Frame.PeerChallenge.class)).isEmpty();
            h.old.input("c");
            assertThat(h.old.outputs()).containsExactly("a#1", "c#2");
        }

        @Test
        void aSourceOfABuildBeforeRangesIsToldWhyAndTheFix() {
            Server target = rig.standby("target");
            Client stranger = rig.newClient();
            stranger.open(target, new Frame.PeerHello(3, 1, Frame.Mode.LIVE, new byte[16], "tally", 1));
            // the client port refuses a PEER_HELLO whatever its version; the peer port is where a source calls
            assertThat(stranger.last(Frame.Error.class).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);

            Server oldSource = rig.authority("old");
            assertThat(oldSource.core.startHandoff(oldSource.handoffTo(target, Frame.Mode.LIVE), rig.now)).isEmpty();
            rig.rewrite(oldSource, f -> f instanceof Frame.PeerHello p
                    ? new Frame.PeerHello(3, p.handoffId(), p.mode(), p.nonce(), p.service(), p.schemaVersion()) : f);
            rig.runUntil(() -> !oldSource.status().lastError().isEmpty(), 5 * SECOND);

            assertThat(oldSource.status().lastError()).contains("UNSUPPORTED_VERSION")
                    .contains("only peer-link version 3").contains("before version ranges").contains("4..4");
            assertThat(target.status().role()).isEqualTo(Role.STANDBY);
        }

        @Test
        void aTargetThatChoosesOutsideTheSourcesRangeIsRefusedBeforeAnyState() {
            Handoff h = new Handoff(V4, V45, V4, V4);
            h.run(Frame.Mode.LIVE, h.target, f -> f instanceof Frame.PeerChallenge c
                    ? new Frame.PeerChallenge(5, c.nonce(), c.mac(), c.host(), c.port(), c.webSocket(), c.path()) : f);

            assertThat(h.source.status().lastError()).contains("chose peer-link version 5")
                    .contains("outside the versions this server offered (4..4)");
            assertThat(Rig.ofType(h.source.sentToPeers, Frame.SnapshotBegin.class)).isEmpty();
            assertThat(h.source.status().role()).isEqualTo(Role.AUTHORITY);
        }

        @Test
        void aRangeChangedOnTheWayFailsAuthentication() {
            Handoff h = new Handoff(V45, V45, V4, V4);
            h.run(Frame.Mode.LIVE, h.source, f -> f instanceof Frame.PeerHello p
                    ? new Frame.PeerHello(V4, p.handoffId(), p.mode(), p.nonce(), p.service(), p.schemaVersion()) : f);

            assertThat(h.source.status().lastError()).contains("authentication failed");
            assertThat(Rig.ofType(h.source.sentToPeers, Frame.SnapshotBegin.class)).isEmpty();
        }

        @Test
        void aCutoverInTheOtherVersionsLayoutIsAProtocolViolationAndTheSourceCarriesOn() {
            Handoff h = new Handoff(V45, V45, V4, V4);
            h.run(Frame.Mode.LIVE, h.source, f -> f instanceof Frame.Cutover c
                    ? new Frame.Cutover(c.index(), c.digest(), c.nextTickInNanos()) : f);

            assertThat(h.source.status().lastError()).contains("PROTOCOL_VIOLATION")
                    .contains("CUTOVER in the peer-link version 4 layout on a link that chose version 5");
            assertThat(h.source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(h.target.status().role()).isEqualTo(Role.STANDBY);
        }

        @Test
        void aVersion5CutoverWhoseTickDiffersIsRefusedAndTheSourceCarriesOn() {
            Handoff h = new Handoff(V45, V45, V4, V4);
            h.run(Frame.Mode.LIVE, h.source, f -> f instanceof Frame.Cutover c
                    ? new Frame.Cutover(c.index(), c.digest(), c.nextTickInNanos(), c.tick() + 1) : f);

            List<Frame.CutoverResult> results = Rig.ofType(h.target.sentToPeers, Frame.CutoverResult.class);
            assertThat(results).extracting(Frame.CutoverResult::ok).containsExactly(false);
            assertThat(h.source.status().role()).isEqualTo(Role.AUTHORITY);
            assertThat(h.target.notes).anyMatch(n -> n.contains("at tick"));
        }
    }
}
