package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.core.ServerConfig;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import org.junit.jupiter.api.Test;

/**
 * The peer link carries whatever a client may send (docs/protocol.md, Framing and Limits): the EVENT and the
 * FORWARD of the largest INPUT payload a server accepts fit in the peer link's maximum frame.
 */
class PeerFrameLimitTest {

    @Test
    void theLargestAcceptedInputFitsThePeerLinkAsAnEventAndAsAForward() {
        byte[] largest = new byte[ServerConfig.Limits.MAX_INPUT_BYTES];
        assertThat(ServerConfig.Limits.defaults().maxInputBytes()).isEqualTo(largest.length);
        // What a client frame holds: INPUT at the client link's maximum, nothing more.
        assertThat(FrameCodec.encodedSize(new Frame.Input(1, 0, largest)) - FrameCodec.LENGTH_FIELD)
                .isEqualTo(FrameCodec.DEFAULT_MAX_FRAME);
        for (Frame f : new Frame[] {new Frame.Event(1, Frame.EventKind.INPUT, 1, 1, largest),
                new Frame.Forward(1, 1, largest)}) {
            assertThat(FrameCodec.encodedSize(f) - FrameCodec.LENGTH_FIELD).as(f.getClass().getSimpleName())
                    .isLessThanOrEqualTo(BatonServer.PEER_MAX_FRAME);
        }
    }
}
