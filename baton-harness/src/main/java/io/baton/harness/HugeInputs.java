package io.baton.harness;

import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/**
 * {@link Fault.Action#HUGE_INPUT}: one session that sends the largest INPUT allowed every 200 ms, and reads (and
 * drops) what comes.
 */
final class HugeInputs implements StrangerAct {
    static final long HUGE_INPUT_EVERY_MS = 200;
    static final int HUGE_INPUTS_AT_MOST = 50;
    /**
     * The largest INPUT payload the client link allows: a frame's length (type, seq, outputAck, payload) at
     * the client link's maximum frame.
     */
    static final int HUGE_INPUT_PAYLOAD = FrameCodec.DEFAULT_MAX_FRAME - 1 - 16;

    @Override
    public void begin(Strangers s, int port, int targetPeerPort) {
        s.connect(port, true, false, new StrangerFrames(s) {
            long seq;

            @Override
            void active(Channel ch) {
                s.send(ch, Strangers.hello());
                byte[] payload = new byte[HUGE_INPUT_PAYLOAD];
                s.random.nextBytes(payload); // whatever a client may send: the arena ignores what it cannot parse
                ch.eventLoop().scheduleAtFixedRate(() -> {
                    if (ch.isActive() && !s.stopping && seq < HUGE_INPUTS_AT_MOST && ch.isWritable()) {
                        s.send(ch, new Frame.Input(++seq, 0, payload));
                    }
                }, HUGE_INPUT_EVERY_MS, HUGE_INPUT_EVERY_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Every huge INPUT taken without an ERROR. */
    @Override
    public boolean kept(Strangers s) {
        return s.welcomed.get() == 1 && s.errors.isEmpty() && s.framesSent.get() > 1;
    }
}
