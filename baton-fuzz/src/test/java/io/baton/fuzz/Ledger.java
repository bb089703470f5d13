package io.baton.fuzz;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fuzz targets' service: it keeps every input it applied, per session and in order, and answers each
 * with an output carrying the same bytes. So a session's ledger says what was applied to it (once each,
 * in order, or not), and its outputs what it must have received. The factory keeps the last service it
 * made, for the targets to read.
 */
final class Ledger implements ServiceFactory {

    static final String NAME = "ledger";

    private Book last;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int schemaVersion() {
        return 1;
    }

    @Override
    public Service create(ServiceConfig config) {
        last = new Book(new TreeMap<>(), 0);
        return last;
    }

    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        long digest = data.readLong();
        int sessions = data.readInt();
        TreeMap<Long, List<byte[]>> inputs = new TreeMap<>();
        for (int i = 0; i < sessions; i++) {
            long id = data.readLong();
            int n = data.readInt();
            List<byte[]> applied = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int length = data.readInt();
                if (length < 0) {
                    throw new IOException("ledger snapshot: input of " + length + " bytes");
                }
                applied.add(data.readNBytes(length));
            }
            inputs.put(id, applied);
        }
        last = new Book(inputs, digest);
        return last;
    }

    /** The inputs the last service made applied for a session, in order; empty if it never opened. */
    List<byte[]> applied(long sessionId) {
        return last == null ? List.of() : last.inputs.getOrDefault(sessionId, List.of());
    }

    private static final class Book implements Service {
        private final TreeMap<Long, List<byte[]>> inputs;
        private long digest;

        Book(TreeMap<Long, List<byte[]>> inputs, long digest) {
            this.inputs = inputs;
            this.digest = digest;
        }

        @Override
        public int schemaVersion() {
            return 1;
        }

        @Override
        public void onSessionOpened(long sessionId, Context ctx) {
            inputs.put(sessionId, new ArrayList<>());
            digest = Hash64.mix(digest, sessionId);
        }

        @Override
        public void onInput(long sessionId, byte[] payload, Context ctx) {
            inputs.computeIfAbsent(sessionId, id -> new ArrayList<>()).add(payload);
            digest = Hash64.mix(Hash64.mix(digest, sessionId), Hash64.hash(0, payload));
            ctx.send(sessionId, payload);
        }

        @Override
        public void onTick(Context ctx) {
            digest = Hash64.mix(digest, ctx.tick());
        }

        @Override
        public void onSessionClosed(long sessionId, Context ctx) {
            inputs.remove(sessionId);
            digest = Hash64.mix(digest, ~sessionId);
        }

        @Override
        public Snapshot snapshot() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeLong(digest);
                out.writeInt(inputs.size());
                for (Map.Entry<Long, List<byte[]>> e : inputs.entrySet()) {
                    out.writeLong(e.getKey());
                    out.writeInt(e.getValue().size());
                    for (byte[] payload : e.getValue()) {
                        out.writeInt(payload.length);
                        out.write(payload);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a byte array does not fail
            }
            return Snapshot.ofBytes(bytes.toByteArray());
        }

        @Override
        public long digest() {
            return digest;
        }
    }
}
