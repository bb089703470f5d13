package io.baton.core;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code tally} service of the server core's tests: it counts each session's inputs and answers each
 * with {@code payload#count}, so an output names the input and its place. An input starting with '.' is
 * counted but not answered (to see standalone ACKs); one starting with '*' is answered to every session (to
 * pile outputs up for a session whose client is away). The option {@code ignore=P} makes a replica that
 * does not count inputs equal to P: a service that is not deterministic, whose digest must betray it; the
 * option {@code ballast=N} adds N zero bytes to every snapshot (a large state to send and restore), which a
 * restore reads and drops.
 */
final class TallyFactory implements ServiceFactory {

    @Override
    public String name() {
        return "tally";
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public Service create(ServiceConfig config) {
        return new Tally(config.options().get("ignore"), new TreeMap<>(), ballast(config));
    }

    private static int ballast(ServiceConfig config) {
        return Integer.parseInt(config.options().getOrDefault("ballast", "0"));
    }

    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        TreeMap<Long, Long> counts = new TreeMap<>();
        int n = data.readInt();
        for (int i = 0; i < n; i++) {
            counts.put(data.readLong(), data.readLong());
        }
        data.transferTo(java.io.OutputStream.nullOutputStream()); // the ballast
        return new Tally(config.options().get("ignore"), counts, ballast(config));
    }

    private static final class Tally implements Service {
        private final String ignored;
        private final TreeMap<Long, Long> counts;
        private final int ballast;

        Tally(String ignored, TreeMap<Long, Long> counts, int ballast) {
            this.ignored = ignored;
            this.counts = counts;
            this.ballast = ballast;
        }

        @Override
        public int schemaVersion() {
            return 1;
        }

        @Override
        public void onSessionOpened(long sessionId, Context ctx) {
            counts.put(sessionId, 0L);
        }

        @Override
        public void onInput(long sessionId, byte[] payload, Context ctx) {
            String text = new String(payload, StandardCharsets.UTF_8);
            if (text.equals(ignored)) {
                return;
            }
            long count = counts.merge(sessionId, 1L, Long::sum);
            byte[] answer = (text + "#" + count).getBytes(StandardCharsets.UTF_8);
            if (text.startsWith("*")) {
                for (long other : counts.keySet()) {
                    ctx.send(other, answer);
                }
            } else if (!text.startsWith(".")) {
                ctx.send(sessionId, answer);
            }
        }

        @Override
        public void onTick(Context ctx) {
        }

        @Override
        public void onSessionClosed(long sessionId, Context ctx) {
            counts.remove(sessionId);
        }

        @Override
        public Snapshot snapshot() {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream data = new DataOutputStream(bytes);
                data.writeInt(counts.size());
                for (Map.Entry<Long, Long> e : counts.entrySet()) {
                    data.writeLong(e.getKey());
                    data.writeLong(e.getValue());
                }
                data.write(new byte[ballast]);
                return Snapshot.ofBytes(bytes.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public long digest() {
            long h = 0x7A11L;
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                h = Hash64.mix(Hash64.mix(h, e.getKey()), e.getValue());
            }
            return h;
        }
    }
}
