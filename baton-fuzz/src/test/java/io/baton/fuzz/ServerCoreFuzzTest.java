package io.baton.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.ProtocolException;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A stranger drives a server core with arbitrary frames on one connection, while honest clients that
 * were there first keep playing. Nothing the stranger does may make an exception escape the core, or
 * touch another session: every honest input applied once and in order, every output delivered, nothing
 * closed or refused. On the peer port, a stranger leaves an authority an authority, and a standby with
 * at most a handshake it cannot finish, after which an honest source is accepted.
 *
 * <p>The input is a script, one operation a byte ({@link #play}); a frame is written as on the wire but
 * with a two-byte length, and a frame that does not decode reaches the core as the decoder's report.
 */
class ServerCoreFuzzTest {

    private static final int HONEST_CLIENTS = 2;

    @FuzzTest
    void clientConnection(byte[] input) {
        Ledger ledger = new Ledger();
        CoreStage stage = CoreStage.authority(ledger, HONEST_CLIENTS, false);
        play(stage, new FuzzBytes(input), false, stage::checkStillAuthority);
        stage.checkHonest(ledger);
    }

    /** Byte 0, even: an authority with honest clients; odd: a standby waiting for its source. */
    @FuzzTest
    void peerConnection(byte[] input) {
        FuzzBytes script = new FuzzBytes(input);
        Ledger ledger = new Ledger();
        if (script.u8() % 2 == 0) {
            CoreStage stage = CoreStage.authority(ledger, HONEST_CLIENTS, true);
            play(stage, script, true, stage::checkStillAuthority);
            stage.checkHonest(ledger);
        } else {
            CoreStage stage = CoreStage.standby(ledger, true);
            play(stage, script, true, stage::checkStandbyUntouched);
            stage.checkHonestSourceAccepted();
        }
    }

    /**
     * Runs the script, checking {@code invariant} after each operation. Operations, by the first byte
     * modulo 8: 0-1 the stranger sends {@code [u16 n][n bytes: type, body]}; 2 honest client {@code [u8]}
     * sends an input; 3 the clock moves on {@code [u8]} times 20 ms; 4 the stranger disconnects; 5 the
     * stranger resumes its own session with output ack {@code [u8]} (client port) or offers a proof
     * {@code [32 bytes]} (peer port); 6 honest client {@code [u8]} acknowledges; 7 the stranger sends a
     * well-formed HELLO NEW (client port) or PEER_HELLO (peer port).
     */
    private static void play(CoreStage stage, FuzzBytes script, boolean peerPort, Runnable invariant) {
        while (script.hasMore()) {
            switch (script.u8() % 8) {
                case 0, 1 -> strangerFrame(stage, script.bytes(script.u16()));
                case 2 -> {
                    int which = script.u8();
                    if (stage.hasHonest()) {
                        stage.honest(which).sendInput();
                        stage.settle();
                    }
                }
                case 3 -> stage.advance(script.u8() * 20 * CoreStage.MS);
                case 4 -> stage.strangerLeaves();
                case 5 -> {
                    if (peerPort) {
                        stage.strangerSends(new Frame.PeerAuth(padded(script.bytes(Frame.MAC_LENGTH), Frame.MAC_LENGTH)));
                    } else {
                        stage.strangerResumesOwnSession(script.u8());
                    }
                }
                case 6 -> {
                    int which = script.u8();
                    if (stage.hasHonest()) {
                        stage.honest(which).acknowledge();
                        stage.settle();
                    }
                }
                default -> stage.strangerSends(peerPort
                        ? new Frame.PeerHello(Frame.PEER_VERSION, 7, Frame.Mode.LIVE, "stranger's nonce".getBytes(StandardCharsets.US_ASCII),
                                stage.factory().name(), stage.factory().schemaVersion())
                        : new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
            }
            invariant.run();
        }
    }

    private static void strangerFrame(CoreStage stage, byte[] raw) {
        if (raw.length == 0) {
            return; // the decoder refuses length 0 before the core hears of it
        }
        try {
            stage.strangerSends(FrameCodec.decode(raw[0] & 0xFF, Unpooled.wrappedBuffer(raw, 1, raw.length - 1)));
        } catch (ProtocolException e) {
            stage.strangerSendsGarbage(e);
        }
    }

    private static byte[] padded(byte[] b, int length) {
        return b.length == length ? b : java.util.Arrays.copyOf(b, length);
    }
}
