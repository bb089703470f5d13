package io.baton.core;

import static io.baton.core.Rig.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.Rig.Client;
import io.baton.core.Rig.Server;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The peer proofs are bound to one handoff (its id and mode) and one channel (the binding the driver reports
 * for the connection): a proof made for another handoff id, the other mode or another channel is refused on
 * either side before any state moves, with an error that says which, where it can tell.
 */
class PeerProofTest {

    /** 32 bytes each, as a TLS exporter gives: two channels that differ in their bytes only, not their length. */
    private static final byte[] CHANNEL = "keying material of TLS session 1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_CHANNEL = "keying material of TLS session 2".getBytes(StandardCharsets.US_ASCII);

    private final Rig rig = new Rig();
    private final Server source = rig.authority("source");
    private final Server target = rig.standby("target");
    private final Client client = rig.join(source);

    private void start(Frame.Mode mode) {
        assertThat(source.core.startHandoff(source.handoffTo(target, mode), rig.now)).isEmpty();
    }

    /** Nothing of the state left the source, the target is a clean standby and the client is still served. */
    private void assertRefusedBeforeAnyState() {
        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
        assertThat(source.sentToPeers(Frame.SnapshotBegin.class)).isEmpty();
        assertThat(source.sentToPeers(Frame.Event.class)).isEmpty();
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(target.status().sessions()).isZero();
        assertThat(client.got(Frame.Move.class)).isEmpty();
        client.input("still here");
        assertThat(client.outputs()).containsExactly("still here#1");
    }

    @Test
    void theTwoChannelsOfTheseTestsDifferInTheirBytesOnly() {
        assertThat(CHANNEL).hasSize(32).hasSameSizeAs(OTHER_CHANNEL).isNotEqualTo(OTHER_CHANNEL);
    }

    @Test
    void aHandoffCompletesWhenBothEndsReportTheSameChannelBinding() {
        source.channelBinding = CHANNEL.clone();
        target.channelBinding = CHANNEL.clone();
        start(Frame.Mode.LIVE);
        rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.DONE, 20 * SECOND);

        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
        assertThat(client.server).isSameAs(target);
    }

    @Test
    void aRelayBetweenTwoSecuredChannelsIsRefusedBeforeAnyState() {
        source.channelBinding = CHANNEL.clone(); // the source's TLS session ends at the relay
        target.channelBinding = OTHER_CHANNEL.clone(); // and the relay opened another one to the target
        start(Frame.Mode.LIVE);
        rig.pump();

        assertThat(source.status().lastError()).contains("authentication failed")
                .contains("another channel").contains("no state was sent");
        assertRefusedBeforeAnyState();
    }

    @Test
    void aTargetInTheClearBehindASecuredSourceIsRefusedAndNamed() {
        source.channelBinding = CHANNEL.clone();
        target.channelBinding = new byte[0];
        start(Frame.Mode.LIVE);
        rig.pump();

        assertThat(source.status().lastError()).contains("made on a link in the clear");
        assertRefusedBeforeAnyState();
    }

    @ParameterizedTest
    @EnumSource(Frame.Mode.class)
    void aModeChangedOnTheWayIsRefusedAndNamed(Frame.Mode mode) {
        Frame.Mode other = mode == Frame.Mode.LIVE ? Frame.Mode.STOPCOPY : Frame.Mode.LIVE;
        start(mode);
        rig.rewrite(source, f -> f instanceof Frame.PeerHello h
                ? new Frame.PeerHello(h.minVersion(), h.maxVersion(), h.handoffId(), other, h.nonce(), h.service(),
                        h.schemaVersion()) : f);
        rig.pump();

        assertThat(source.status().lastError()).contains("made for mode " + other + ", not " + mode)
                .contains("PEER_HELLO was changed on the way");
        assertRefusedBeforeAnyState();
    }

    @Test
    void anUpgradePathChangedOnTheWayIsRefusedAndNamed() {
        start(Frame.Mode.LIVE);
        rig.rewrite(target, f -> f instanceof Frame.PeerChallenge ch ? new Frame.PeerChallenge(ch.version(), ch.nonce(),
                ch.mac(), ch.host(), ch.port(), ch.webSocket(), Frame.SchemaPath.STOP_AND_COPY) : f);
        rig.pump();

        assertThat(source.status().lastError()).contains("made for upgrade path SAME, not STOP_AND_COPY")
                .contains("PEER_CHALLENGE was changed on the way");
        assertRefusedBeforeAnyState();
    }

    @Test
    void aHandoffIdChangedOnTheWayIsRefused() {
        start(Frame.Mode.LIVE);
        rig.rewrite(source, f -> f instanceof Frame.PeerHello h
                ? new Frame.PeerHello(h.minVersion(), h.maxVersion(), h.handoffId() ^ 1, h.mode(), h.nonce(), h.service(),
                        h.schemaVersion()) : f);
        rig.pump();

        assertThat(source.status().lastError()).contains("authentication failed")
                .contains("is not one for handoff " + Long.toHexString(source.status().handoffId()));
        assertRefusedBeforeAnyState();
    }

    /** What a source's proof could wrongly have been made for: each is refused by the target. */
    enum Forgery {
        ANOTHER_HANDOFF_ID, THE_OTHER_MODE, ANOTHER_CHANNEL, ANOTHER_PATH, THE_TARGETS_OWN_CHALLENGE
    }

    /**
     * The target's side: a PEER_AUTH under the right peer secret and for the right nonces, but made for
     * another handoff id, the other mode, another channel or another upgrade path, or the target's own proof sent
     * back to it,
     * is refused with AUTH_FAILED, and the target stays a clean standby.
     */
    @ParameterizedTest
    @EnumSource(Forgery.class)
    void theTargetRefusesASourceProofMadeForAnythingElse(Forgery forgery) {
        source.channelBinding = CHANNEL.clone();
        target.channelBinding = CHANNEL.clone();
        Tokens tokens = new Tokens(Rig.PEER_SECRET);
        Frame.PeerHello[] hello = new Frame.PeerHello[1];
        Frame.PeerChallenge[] challenge = new Frame.PeerChallenge[1];
        start(Frame.Mode.LIVE);
        rig.rewrite(target, f -> {
            if (f instanceof Frame.PeerChallenge ch) {
                challenge[0] = ch;
            }
            return f;
        });
        rig.rewrite(source, f -> {
            if (f instanceof Frame.PeerHello h) {
                hello[0] = h;
            }
            if (!(f instanceof Frame.PeerAuth)) {
                return f;
            }
            Tokens.Transcript t = new Tokens.Transcript(hello[0].handoffId(), hello[0].mode(),
                    hello[0].versions(), challenge[0].version(), CHANNEL, hello[0].nonce(), challenge[0].nonce(),
                    hello[0].service(), hello[0].schemaVersion(), challenge[0].path());
            byte[] mac = switch (forgery) {
                case ANOTHER_HANDOFF_ID -> tokens.sourceProof(new Tokens.Transcript(t.handoffId() + 1, t.mode(),
                        t.offered(), t.chosen(), t.binding(), t.sourceNonce(), t.targetNonce(), t.service(),
                        t.schemaVersion(), t.path()));
                case ANOTHER_PATH -> tokens.sourceProof(t.withPath(Frame.SchemaPath.LIVE));
                case THE_OTHER_MODE -> tokens.sourceProof(t.withMode(Frame.Mode.STOPCOPY));
                case ANOTHER_CHANNEL -> tokens.sourceProof(t.withBinding(OTHER_CHANNEL));
                case THE_TARGETS_OWN_CHALLENGE -> challenge[0].mac();
            };
            return new Frame.PeerAuth(mac);
        });
        rig.pump();

        Frame.Error refusal = target.sentToPeers(Frame.Error.class).get(0);
        assertThat(refusal.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(refusal.message()).contains("the source's proof is not one for handoff");
        if (forgery == Forgery.THE_OTHER_MODE) {
            assertThat(refusal.message()).contains("made for mode STOPCOPY, not LIVE");
        }
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(target.status().sessions()).isZero();
        assertThat(source.status().lastError()).contains("AUTH_FAILED");
        assertThat(client.server).isSameAs(source);
    }

    @Test
    void anHonestSourceProofIsWhatTheForgeriesAreMeasuredAgainst() {
        // The rewrite above, with nothing forged, must let the handoff through: else the test proves nothing.
        source.channelBinding = CHANNEL.clone();
        target.channelBinding = CHANNEL.clone();
        Tokens tokens = new Tokens(Rig.PEER_SECRET);
        Frame.PeerHello[] hello = new Frame.PeerHello[1];
        Frame.PeerChallenge[] challenge = new Frame.PeerChallenge[1];
        start(Frame.Mode.LIVE);
        rig.rewrite(target, f -> {
            if (f instanceof Frame.PeerChallenge ch) {
                challenge[0] = ch;
            }
            return f;
        });
        UnaryOperator<Frame> remake = f -> {
            if (f instanceof Frame.PeerHello h) {
                hello[0] = h;
            }
            return f instanceof Frame.PeerAuth ? new Frame.PeerAuth(tokens.sourceProof(new Tokens.Transcript(
                    hello[0].handoffId(), hello[0].mode(), hello[0].versions(), challenge[0].version(), CHANNEL,
                    hello[0].nonce(), challenge[0].nonce(), hello[0].service(), hello[0].schemaVersion(),
                    challenge[0].path()))) : f;
        };
        rig.rewrite(source, remake);
        rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.DONE, 20 * SECOND);

        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
    }

    @Test
    void aTargetWhoseDriverNeverReportedTheChannelRefusesTheHandshake() {
        target.channelBinding = null;
        start(Frame.Mode.LIVE);
        rig.pump();

        Frame.Error refusal = target.sentToPeers(Frame.Error.class).get(0);
        assertThat(refusal.code()).isEqualTo(ErrorCode.AUTH_FAILED);
        assertThat(refusal.message()).contains("ServerCore.peerSecured").contains("a bug in the driver");
        assertThat(source.sentToPeers(Frame.SnapshotBegin.class)).isEmpty();
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
    }

    @Test
    void aSourceWhoseDriverNeverReportedTheChannelAbortsBeforeAnyState() {
        source.channelBinding = null;
        start(Frame.Mode.LIVE);
        rig.pump();

        assertThat(source.status().lastError()).contains("ServerCore.peerSecured").contains("no state was sent");
        assertThat(source.sentToPeers(Frame.PeerAuth.class)).isEmpty();
        assertRefusedBeforeAnyState();
    }

    @Test
    void aSourceOfAnotherPeerVersionIsToldSoNotThatItsProofFailed() {
        start(Frame.Mode.LIVE);
        rig.rewrite(source, f -> f instanceof Frame.PeerHello h
                ? new Frame.PeerHello(2, h.handoffId(), h.mode(), h.nonce(), h.service(), h.schemaVersion()) : f);
        rig.pump();

        Frame.Error refusal = target.sentToPeers(Frame.Error.class).get(0);
        assertThat(refusal.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(refusal.message()).contains("only peer-link version 2").contains("this server speaks 4..4");
        assertThat(source.status().sourcePhase()).isEqualTo(SourcePhase.ABORTED);
    }

    @Test
    void aBindingLongerThanAnyProofTakesIsAProgrammingError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> target.core.peerSecured(1,
                new byte[ServerCore.MAX_BINDING + 1])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + ServerCore.MAX_BINDING);
    }
}
