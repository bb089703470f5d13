package io.baton.server;

import io.baton.service.Context;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@link Counter}, whose tick can be made to hang: a service stuck on the core's thread, as a bug would leave it. */
final class StuckService implements Service {

    private final Service counter = new Counter();
    private final Factory factory;

    private StuckService(Factory factory) {
        this.factory = factory;
    }

    @Override public int schemaVersion() { return counter.schemaVersion(); }
    @Override public void onSessionOpened(long s, Context ctx) { counter.onSessionOpened(s, ctx); }
    @Override public void onInput(long s, byte[] in, Context ctx) { counter.onInput(s, in, ctx); }
    @Override public void onSessionClosed(long s, Context ctx) { counter.onSessionClosed(s, ctx); }
    @Override public long digest() { return counter.digest(); }
    @Override public Snapshot snapshot() { return counter.snapshot(); }

    @Override
    public void onTick(Context ctx) {
        CountDownLatch gate = factory.gate;
        if (gate != null) {
            factory.stuck.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        counter.onTick(ctx);
    }

    static final class Factory implements ServiceFactory {
        private volatile CountDownLatch gate;
        private volatile CountDownLatch stuck;

        /** Makes the next tick hang, and returns once it does. */
        void stick() throws InterruptedException {
            stuck = new CountDownLatch(1);
            gate = new CountDownLatch(1);
            if (!stuck.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no tick came to hang in");
            }
        }

        void release() {
            CountDownLatch g = gate;
            gate = null;
            if (g != null) {
                g.countDown();
            }
        }

        @Override public String name() { return "stuck-counter"; }
        @Override public int schemaVersion() { return 1; }
        @Override public Service create(ServiceConfig config) { return new StuckService(this); }

        @Override
        public Service restore(ServiceConfig config, int version, InputStream in) throws IOException {
            throw new IOException("a test service that is never restored");
        }
    }
}
