package io.baton.core;

import static io.baton.core.Rig.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.core.Rig.Client;
import io.baton.core.Rig.Server;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A session's secret goes to its client in WELCOME and nowhere else: the log, the EVENTs and snapshots a
 * target receives and the save file hold a verifier (a hash of it), and a resume, on the source, on the
 * target after a handoff or on a restored server, is checked against that verifier.
 */
class SessionVerifierTest {

    private final Rig rig = new Rig();
    private final Server source = rig.authority("source");
    private final Server target = rig.standby("target");
    private final List<Client> clients = new ArrayList<>();

    private Client join() {
        Client c = rig.join(source);
        assertThat(c.secret).as("the WELCOME gives the client its secret").hasSize(Frame.TOKEN_LENGTH);
        clients.add(c);
        return c;
    }

    /** Every frame the source sent the target, as the bytes that crossed the network. */
    private static byte[] bytesOf(List<Frame> frames) {
        ByteBuf all = Unpooled.buffer();
        for (Frame f : frames) {
            FrameCodec.encode(f, all);
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void assertNoSecretIn(byte[] bytes, String what) {
        for (Client c : clients) {
            assertThat(contains(bytes, c.secret)).as("session %d's secret in %s", c.sessionId, what).isFalse();
        }
    }

    @Test
    void theSearchFindsASecretWhereOneIs() {
        Client c = join();
        byte[] bytes = bytesOf(List.of(new Frame.Event(1, Frame.EventKind.OPEN, c.sessionId, 0, c.secret)));
        assertThat(contains(bytes, c.secret)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Frame.Mode.class)
    void noSecretTravelsToTheTargetAndEveryOpenCarriesTheVerifier(Frame.Mode mode) {
        for (int i = 0; i < 3; i++) {
            join().input("before");
        }
        assertThat(source.core.startHandoff(source.handoffTo(target, mode), rig.now)).isEmpty();
        rig.pump();
        join().input("during"); // opened while the handoff runs: its OPEN is an EVENT in a live handoff
        rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.DONE, 20 * SECOND);

        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
        assertThat(target.status().sessions()).isEqualTo(4);
        assertNoSecretIn(bytesOf(source.sentToPeers), "what the source sent the target");
        Tokens tokens = new Tokens(Rig.PEER_SECRET);
        for (Frame.Event e : source.sentToPeers(Frame.Event.class)) {
            if (e.kind() == Frame.EventKind.OPEN) {
                Client c = clients.stream().filter(x -> x.sessionId == e.sessionId()).findFirst().orElseThrow();
                assertThat(e.payload()).isEqualTo(tokens.verifier(c.sessionId, c.secret));
            }
        }
        if (mode == Frame.Mode.LIVE) {
            assertThat(source.sentToPeers(Frame.Event.class)).anyMatch(e -> e.kind() == Frame.EventKind.OPEN);
        }
    }

    @ParameterizedTest
    @EnumSource(Frame.Mode.class)
    void afterAHandoffTheRightSecretResumesAndAWrongOneIsRefused(Frame.Mode mode) {
        Client a = join();
        Client b = join();
        a.input("one");
        assertThat(source.core.startHandoff(source.handoffTo(target, mode), rig.now)).isEmpty();
        rig.runUntil(() -> source.status().sourcePhase() == SourcePhase.DONE, 20 * SECOND);
        assertThat(a.server).isSameAs(target);

        a.hangUp();
        byte[] wrong = a.secret.clone();
        wrong[0] ^= 1;
        a.open(target, new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, a.sessionId, wrong, a.outputSeq));
        Frame.Error refused = a.last(Frame.Error.class);
        assertThat(refused.code()).isEqualTo(ErrorCode.UNKNOWN_SESSION);
        assertThat(refused.message()).contains("no session " + a.sessionId + " with that secret");
        // b's secret does not open a's session either.
        a.open(target, new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, a.sessionId, b.secret, a.outputSeq));
        assertThat(a.last(Frame.Error.class).code()).isEqualTo(ErrorCode.UNKNOWN_SESSION);

        a.resume(target);
        assertThat(a.last(Frame.Welcome.class).sessionId()).isEqualTo(a.sessionId);
        a.input("two");
        assertThat(a.outputs()).containsExactly("one#1", "two#2");
    }

    @Test
    void theSourceForgetsASecretOnceItsWelcomeWentOut() {
        Client c = join();
        assertThat(source.core.log.sessions.get(c.sessionId).secret).isNull();
        assertThat(source.core.log.sessions.get(c.sessionId).verifier).hasSize(Tokens.VERIFIER_LENGTH);
    }

    @Test
    void aSaveHoldsNoSecretAndTheRestoredServerChecksResumesAgainstTheVerifiers() throws IOException {
        Client a = join();
        Client b = join();
        a.input("saved");
        byte[] save = source.core.saveAndStop(rig.now).readAllBytes();
        rig.pump();
        assertNoSecretIn(save, "the save file");

        target.core.restore(new ByteArrayInputStream(save), rig.now);
        byte[] wrong = b.secret.clone();
        wrong[15] ^= 0x80;
        b.open(target, new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, b.sessionId, wrong, b.outputSeq));
        assertThat(b.last(Frame.Error.class).code()).isEqualTo(ErrorCode.UNKNOWN_SESSION);
        a.resume(target);
        a.input("restored");
        assertThat(a.outputs()).containsExactly("saved#1", "restored#2");
    }

    @Test
    void aSaveOfTheFormatThatHeldSecretsIsRefusedSayingWhatToDo() throws IOException {
        join();
        byte[] save = source.core.saveAndStop(rig.now).readAllBytes();
        save[11] = 1; // the u32 format version after the 8-byte magic, as format 1 wrote it

        assertThatThrownBy(() -> target.core.restore(new ByteArrayInputStream(save), rig.now))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("save file format 1 holds session secrets")
                .hasMessageContaining("restore it with the build that wrote it");
        assertThat(target.status().role()).isEqualTo(Role.STANDBY);
    }

    @Test
    void aRuntimeSectionOfTheVersionThatHeldSecretsIsRefusedSayingWhatToDo() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(RuntimeState.MAGIC);
        out.writeShort(1);
        out.writeLong(5);
        out.writeLong(2);
        out.writeLong(2);
        out.writeInt(1);
        out.writeLong(1);
        out.write(new byte[Frame.TOKEN_LENGTH]); // version 1: the secret itself
        Map<Long, Session> sessions = new TreeMap<>();

        assertThatThrownBy(() -> RuntimeState.read(new java.io.DataInputStream(
                new ByteArrayInputStream(bytes.toByteArray())), sessions, 5))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 1 holds session secrets").hasMessageContaining("reads version 2");
        assertThat(sessions).isEmpty();
    }

    @Test
    void aReplicaRefusesAnOpenWhosePayloadIsNotAVerifier() {
        join();
        assertThat(source.core.startHandoff(source.handoffTo(target, Frame.Mode.LIVE), rig.now)).isEmpty();
        rig.runUntil(() -> target.status().targetPhase() == TargetPhase.REPLICATING, 20 * SECOND);
        rig.rewrite(source, f -> f instanceof Frame.Event e && e.kind() == Frame.EventKind.OPEN
                ? new Frame.Event(e.index(), e.kind(), e.sessionId(), e.seq(), new byte[Frame.TOKEN_LENGTH]) : f);
        join(); // an OPEN as a source of the old format would ship it: the secret itself

        Frame.Error refusal = target.sentToPeers(Frame.Error.class).get(0);
        assertThat(refusal.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        assertThat(refusal.message()).contains("carries 16 bytes; a session verifier is 32");
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
    }
}
