package io.baton.server;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.TreeMap;

/**
 * Counts the bytes each player sent and tells each player its count every tick: the server tests' small service
 * (the README's example was this once; it is examples/chat's room now).
 */
public final class Counter implements Service {
    private final TreeMap<Long, Long> counts = new TreeMap<>(); // session -> bytes applied

    @Override public int schemaVersion() { return 1; }
    @Override public void onSessionOpened(long s, Context ctx) { counts.put(s, 0L); }
    @Override public void onInput(long s, byte[] in, Context ctx) { counts.merge(s, (long) in.length, Long::sum); }
    @Override public void onSessionClosed(long s, Context ctx) { counts.remove(s); }

    @Override public void onTick(Context ctx) {
        counts.forEach((s, n) -> ctx.send(s, ByteBuffer.allocate(16).putLong(ctx.tick()).putLong(n).array()));
    }

    @Override public long digest() { // a pass over the state: fine while it is small
        long h = 0;
        for (var e : counts.entrySet()) h = Hash64.mix(Hash64.mix(h, e.getKey()), e.getValue());
        return h;
    }

    @Override public Snapshot snapshot() { // small state: copying it now is cheap
        ByteBuffer b = ByteBuffer.allocate(16 * counts.size());
        counts.forEach((s, n) -> b.putLong(s).putLong(n));
        return Snapshot.ofBytes(b.array());
    }

    /** Registered in META-INF/services/io.baton.service.ServiceFactory; picked with --service counter. */
    public static final class Factory implements ServiceFactory {
        @Override public String name() { return "counter"; }
        @Override public int schemaVersion() { return 1; }
        @Override public Service create(ServiceConfig config) { return new Counter(); }

        @Override public Service restore(ServiceConfig config, int version, InputStream in) throws IOException {
            Counter c = new Counter();
            DataInputStream d = new DataInputStream(in);
            while (true) {
                long s;
                try { s = d.readLong(); } catch (EOFException end) { return c; }
                c.counts.put(s, d.readLong());
            }
        }
    }
}
