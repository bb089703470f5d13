package io.baton.client;

import io.baton.core.ClientCore;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes the client's code for a handoff through its paces in memory before any session needs it: a
 * welcome, outputs, a hint and its withdrawal, a move, an attach, a switch, acknowledgements, every frame
 * through the codec both ways. Without it the first real handoff ran that code cold, loading classes and
 * interpreting on the I/O thread, and every session on the thread stalled a few milliseconds at once
 * (docs/performance.md). A few hundred rounds bring the compiler in; they take milliseconds.
 */
final class ClientRehearsal {

    static final int ROUNDS = 400;
    private static final long MS = 1_000_000L;

    private ClientRehearsal() {
    }

    /** Runs {@code rounds} scripted handoffs; returns the outputs delivered, which must be 3 per round. */
    static long run(int rounds) {
        long delivered = 0;
        for (int i = 0; i < rounds; i++) {
            delivered += round(i);
        }
        return delivered;
    }

    private static long round(int i) {
        Script out = new Script();
        ClientCore core = new ClientCore("source.rehearsal", 1, ClientCore.Timing.defaults(30_000 * MS), out);
        long t = 1_000 * MS;
        byte[] payload = {1, 2, 3, (byte) i};
        byte[] secret = new byte[Frame.TOKEN_LENGTH];
        core.start(t);
        core.connected(1, t);
        core.frame(1, out.wire(new Frame.Welcome(Frame.VERSION, 7, secret, 0)), t);
        core.send(payload, t);
        core.send(payload, t);
        core.frame(1, out.wire(new Frame.Output(1, 1, payload)), t);
        core.frame(1, out.wire(new Frame.Ack(2)), t);
        core.frame(1, out.wire(new Frame.TargetHint("target.rehearsal", 2)), t);
        core.frame(1, out.wire(Frame.TargetHint.WITHDRAWN), t);
        core.frame(1, out.wire(new Frame.Ping(t)), t);
        core.flush(t);
        core.frame(1, out.wire(new Frame.Output(2, 2, payload)), t);
        core.frame(1, out.wire(new Frame.Move(9, secret, "target.rehearsal", 2)), t);
        core.connected(2, t);
        core.frame(2, out.wire(new Frame.Welcome(Frame.VERSION, 7, secret, 2)), t);
        core.frame(2, out.wire(new Frame.Ping(t)), t);
        core.send(payload, t);
        core.frame(1, out.wire(new Frame.Switch(9, 2)), t);
        core.frame(2, out.wire(new Frame.Output(3, 3, payload)), t);
        t += 200 * MS;
        core.poll(t);
        core.flush(t);
        core.nextDeadline();
        core.close(t);
        for (Frame f : out.sent) {
            out.wire(f); // what the client sent, through the codec too
        }
        return out.delivered;
    }

    /** The driver's side, in memory: connections are numbered 1, 2...; frames are kept. */
    private static final class Script implements ClientCore.Outbox {
        final List<Frame> sent = new ArrayList<>();
        long nextConn = 1;
        long delivered;

        /** Encodes and decodes a frame as the Netty pipeline would, and returns the decoded frame. */
        Frame wire(Frame f) {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(FrameCodec.encodedSize(f));
            try {
                FrameCodec.encode(f, buf);
                buf.readInt(); // length
                int type = buf.readUnsignedByte();
                return FrameCodec.decode(type, buf);
            } catch (ProtocolException e) {
                throw new IllegalStateException("the codec refused its own " + f.getClass().getSimpleName(), e);
            } finally {
                buf.release();
            }
        }

        @Override
        public long connect(String host, int port) {
            return nextConn++;
        }

        @Override
        public void send(long conn, Frame frame) {
            sent.add(frame);
        }

        @Override
        public void close(long conn) {
        }

        @Override
        public void deliver(byte[] payload) {
            delivered++;
        }

        @Override
        public void event(ClientCore.Event event, String detail) {
        }

        @Override
        public void established(long sessionId) {
        }

        @Override
        public void lost(String reason) {
        }
    }
}
