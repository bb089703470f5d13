package io.baton.harness;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/** {@link Fault.Action#SLOW_LORIS}: 50 connections that each send a HELLO NEW one byte a second. */
final class SlowLoris implements StrangerAct {
    static final int SLOW_LORIS_CONNECTIONS = 50;

    @Override
    public void begin(Strangers s, int port, int targetPeerPort) {
        byte[] hello = Strangers.encode(Strangers.hello());
        for (int i = 0; i < SLOW_LORIS_CONNECTIONS; i++) {
            s.connect(port, true, false, new StrangerFrames(s) {
                int next;

                @Override
                void active(Channel ch) {
                    ch.eventLoop().scheduleAtFixedRate(() -> {
                        if (ch.isActive() && !s.stopping && next < hello.length) {
                            ch.writeAndFlush(Unpooled.wrappedBuffer(hello, next++, 1), ch.voidPromise());
                            s.bytesSent.incrementAndGet();
                        }
                    }, 0, 1, TimeUnit.SECONDS);
                }
            });
        }
    }

    /** Every connection closed by the server. */
    @Override
    public boolean kept(Strangers s) {
        return s.everyConnectionClosedByServer(intended());
    }

    @Override
    public int intended() {
        return SLOW_LORIS_CONNECTIONS;
    }

    @Override
    public void awaitDone(Strangers s, long millis) throws InterruptedException {
        Strangers.waitFor(() -> kept(s), millis);
    }
}
