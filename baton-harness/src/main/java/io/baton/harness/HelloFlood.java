package io.baton.harness;

import static io.baton.harness.Strangers.HELLO_FLOOD;
import static io.baton.harness.Strangers.SQUAT_IN_PLACE_MS;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Fault.Action#HELLO_FLOOD}: 2,000 connections, each sending HELLO NEW, opened evenly over 0.4 s; each
 * reads what comes.
 */
final class HelloFlood implements StrangerAct {
    static final long HELLO_FLOOD_MS = 400;

    @Override
    public void begin(Strangers s, int port, int targetPeerPort) {
        if (s.tls != null) {
            floodAfterHandshakes(s, port);
            return;
        }
        int batches = 40;
        for (int b = 0; b < batches; b++) {
            s.group.next().schedule(() -> {
                for (int i = 0; i < HELLO_FLOOD / batches; i++) {
                    s.connect(port, true, false, new StrangerFrames(s) {
                        @Override
                        void active(Channel ch) {
                            s.floodFirstSentAt.compareAndSet(0, System.nanoTime());
                            s.send(ch, Strangers.hello());
                        }
                    });
                }
            }, b * HELLO_FLOOD_MS / batches, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The flood over TLS: 2,000 handshakes take the server (and this process) seconds on a small machine, and
     * HELLOs sent as each completes would trickle in at the handshakes' pace, under the rate limit. So every
     * connection completes its handshake first, and then all of them send {@code HELLO NEW} at once: the same
     * flood the limit meets in the clear, behind TLS.
     */
    private static void floodAfterHandshakes(Strangers s, int port) {
        java.util.List<Channel> ready = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger handshakes = new AtomicInteger();
        for (int i = 0; i < HELLO_FLOOD; i++) {
            s.connect(port, true, false, new StrangerFrames(s) {
                @Override
                void active(Channel ch) {
                    ch.pipeline().get(io.netty.handler.ssl.SslHandler.class).handshakeFuture().addListener(f -> {
                        if (f.isSuccess()) {
                            ready.add(ch);
                        }
                        if (handshakes.incrementAndGet() == HELLO_FLOOD) {
                            s.floodFirstSentAt.compareAndSet(0, System.nanoTime());
                            for (Channel c : ready) {
                                c.eventLoop().execute(() -> s.send(c, Strangers.hello()));
                            }
                        }
                    });
                }
            });
        }
    }

    /** Every HELLO of the flood answered, and no more welcomed than the rate limit allows over the time they took. */
    @Override
    public boolean kept(Strangers s) {
        return s.answered.get() + s.connectFailures.get() >= HELLO_FLOOD && withinRate(s);
    }

    /**
     * Whether the server welcomed no more of the flood than the HELLO NEW limit allows over the longest time it
     * could have taken them in: a full bucket (the default burst) plus the default rate for the time from the
     * first HELLO sent to the last answer heard. A fast flood must meet HELLO_RATE refusals by this; a flood that
     * a starved machine delivers slowly may rightly be welcomed whole, and is not a failure of the server's.
     */
    private static boolean withinRate(Strangers s) {
        io.baton.core.ServerConfig.Limits limits = io.baton.core.ServerConfig.Limits.defaults();
        long first = s.floodFirstSentAt.get();
        double seconds = first == 0 ? 0 : Math.max(0, s.floodLastAnsweredAt.get() - first) / 1e9;
        return s.welcomed.get() <= limits.helloNewBurst() + Math.ceil(limits.helloNewPerSecond() * seconds);
    }

    @Override
    public int intended() {
        return HELLO_FLOOD;
    }

    @Override
    public void awaitInPlace(Strangers s) throws InterruptedException {
        Strangers.waitFor(() -> s.answered.get() + s.connectFailures.get() >= HELLO_FLOOD, SQUAT_IN_PLACE_MS);
    }

    /** Until each HELLO was answered or its connection closed. */
    @Override
    public void awaitDone(Strangers s, long millis) throws InterruptedException {
        Strangers.waitFor(() -> s.answered.get() + s.connectFailures.get() >= intended(), millis);
    }
}
