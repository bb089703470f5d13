package io.baton.core;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import io.baton.service.UnsupportedSchemaException;
import io.baton.service.Upgrade;
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
 *
 * <p>Two releases, for the upgrade tests ({@link #v2}): schema 2 adds a field (the bytes each session sent)
 * and changes a rule (an input starting with '+' counts twice). A schema 2 build restores schema 1 state
 * (the bytes unknown: 0), applies schema 1's rules and answers schema 1's digest until {@link Service#upgrade()}.
 * Its options {@code wrongUpgrader=true} (the conversion adds one to the first session's count: its digest
 * betrays it) and {@code stuckUpgrade=true} (upgrade() leaves it at schema 1) plant the faults the runtime must
 * catch.
 */
final class TallyFactory implements ServiceFactory {

    private final int version;
    private final Upgrade fromOlder;

    /** Schema 1, the release every other test runs. */
    TallyFactory() {
        this(1, Upgrade.REFUSED);
    }

    private TallyFactory(int version, Upgrade fromOlder) {
        this.version = version;
        this.fromOlder = fromOlder;
    }

    /** The schema 2 release, taking schema 1 state {@code fromOne}. */
    static TallyFactory v2(Upgrade fromOne) {
        return new TallyFactory(2, fromOne);
    }

    @Override
    public String name() {
        return "tally";
    }

    @Override
    public int schemaVersion() {
        return version;
    }

    @Override
    public Upgrade upgradeFrom(int olderSchemaVersion) {
        return olderSchemaVersion == 1 ? fromOlder : Upgrade.REFUSED;
    }

    @Override
    public Service create(ServiceConfig config) {
        return new Tally(config, version, version, new TreeMap<>(), new TreeMap<>());
    }

    private static int ballast(ServiceConfig config) {
        return Integer.parseInt(config.options().getOrDefault("ballast", "0"));
    }

    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException {
        if (schemaVersion > version || schemaVersion < 1) {
            throw new UnsupportedSchemaException(name(), schemaVersion, version);
        }
        DataInputStream data = new DataInputStream(in);
        TreeMap<Long, Long> counts = new TreeMap<>();
        TreeMap<Long, Long> sent = new TreeMap<>();
        int n = data.readInt();
        for (int i = 0; i < n; i++) {
            long id = data.readLong();
            counts.put(id, data.readLong());
            sent.put(id, schemaVersion >= 2 ? data.readLong() : 0L); // schema 1 kept no bytes: they start at 0
        }
        data.transferTo(java.io.OutputStream.nullOutputStream()); // the ballast
        if (schemaVersion < version && Boolean.parseBoolean(config.options().get("wrongUpgrader")) && !counts.isEmpty()) {
            counts.merge(counts.firstKey(), 1L, Long::sum); // broken on purpose
        }
        return new Tally(config, version, schemaVersion, counts, sent);
    }

    private static final class Tally implements Service {
        private final String ignored;
        private final int ballast;
        private final boolean stuckUpgrade;
        /** The release this code is. */
        private final int build;
        /** The schema whose rules, digest and format this service answers: below {@link #build} until upgraded. */
        private int rules;
        private final TreeMap<Long, Long> counts;
        /** Schema 2's field: the bytes of input each session sent (kept by a schema 2 build under either rules). */
        private final TreeMap<Long, Long> sent;

        Tally(ServiceConfig config, int build, int rules, TreeMap<Long, Long> counts, TreeMap<Long, Long> sent) {
            this.ignored = config.options().get("ignore");
            this.ballast = ballast(config);
            this.stuckUpgrade = Boolean.parseBoolean(config.options().get("stuckUpgrade"));
            this.build = build;
            this.rules = rules;
            this.counts = counts;
            this.sent = sent;
        }

        @Override
        public int schemaVersion() {
            return rules;
        }

        @Override
        public void upgrade() {
            if (rules >= build) {
                throw new IllegalStateException("already at schema " + rules);
            }
            if (!stuckUpgrade) {
                rules = build;
            }
        }

        @Override
        public void onSessionOpened(long sessionId, Context ctx) {
            counts.put(sessionId, 0L);
            sent.put(sessionId, 0L);
        }

        @Override
        public void onInput(long sessionId, byte[] payload, Context ctx) {
            String text = new String(payload, StandardCharsets.UTF_8);
            if (text.equals(ignored)) {
                return;
            }
            long step = rules >= 2 && text.startsWith("+") ? 2 : 1; // schema 2's rule
            long count = counts.merge(sessionId, step, Long::sum);
            sent.merge(sessionId, (long) payload.length, Long::sum);
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
            sent.remove(sessionId);
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
                    if (rules >= 2) {
                        data.writeLong(sent.getOrDefault(e.getKey(), 0L));
                    }
                }
                data.write(new byte[ballast]);
                return Snapshot.ofBytes(bytes.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public long digest() {
            // Schema 1's digest is computable from schema 2's representation: the counts alone.
            long h = rules >= 2 ? Hash64.mix(0x7A11L, rules) : 0x7A11L;
            for (Map.Entry<Long, Long> e : counts.entrySet()) {
                h = Hash64.mix(Hash64.mix(h, e.getKey()), e.getValue());
                if (rules >= 2) {
                    h = Hash64.mix(h, sent.getOrDefault(e.getKey(), 0L));
                }
            }
            return h;
        }
    }
}
