package io.baton.sim;

import io.baton.arena.ArenaFactory;
import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import io.baton.service.UnsupportedSchemaException;
import io.baton.service.Upgrade;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;

/**
 * The simulator's service in two releases, for mixed-version handoffs: release 1 is the arena as it is; release 2
 * adds a field (the marks it has sent) and a rule (after each UPDATE it sends a player, a MARK naming that tick).
 * A player's client sees the rule: a MARK for every tick the release 2 server applied, none for a tick release 1
 * applied. Release 2 restores release 1's state (marks 0) and, until {@link Service#upgrade()}, applies release 1's
 * rules and answers its digest, as docs/upgrades.md asks. The arena underneath is the one of this build in both.
 */
final class MarkedArena implements ServiceFactory {

    /** A MARK output: {@code [u8 0x4D][u64 tick]}, never an arena UPDATE (whose first byte is 1). */
    static final byte MARK = 0x4D;
    static final int MARK_LENGTH = 9;

    private final ServiceFactory arena = new ArenaFactory();
    private final int release;
    private final Upgrade fromOne;

    private MarkedArena(int release, Upgrade fromOne) {
        this.release = release;
        this.fromOne = fromOne;
    }

    static MarkedArena release1() {
        return new MarkedArena(1, Upgrade.REFUSED);
    }

    /** Release 2, taking release 1's state {@code fromOne} (LIVE or STOP_AND_COPY). */
    static MarkedArena release2(Upgrade fromOne) {
        return new MarkedArena(2, fromOne);
    }

    /** The tick a MARK names, or -1 if {@code payload} is not a MARK. */
    static long markedTick(byte[] payload) {
        return payload.length == MARK_LENGTH && payload[0] == MARK ? ByteBuffer.wrap(payload, 1, 8).getLong() : -1;
    }

    @Override
    public String name() {
        return arena.name();
    }

    @Override
    public int schemaVersion() {
        return release;
    }

    @Override
    public Upgrade upgradeFrom(int olderSchemaVersion) {
        return olderSchemaVersion == 1 ? fromOne : Upgrade.REFUSED;
    }

    @Override
    public Service create(ServiceConfig config) {
        return new Marked(arena.create(config), release, release, 0);
    }

    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException {
        if (schemaVersion < 1 || schemaVersion > release) {
            throw new UnsupportedSchemaException(name(), schemaVersion, release);
        }
        DataInputStream data = new DataInputStream(in);
        long marks = schemaVersion >= 2 ? data.readLong() : 0; // release 1 kept none
        return new Marked(arena.restore(config, arena.schemaVersion(), data), release, schemaVersion, marks);
    }

    @Override
    public byte[] sampleInput(java.util.random.RandomGenerator random) {
        return arena.sampleInput(random);
    }

    private static final class Marked implements Service {
        private final Service inner;
        private final int build;
        /** The release whose rules, digest and format this answers: below {@link #build} until upgraded. */
        private int rules;
        /** Release 2's field. */
        private long marks;

        Marked(Service inner, int build, int rules, long marks) {
            this.inner = inner;
            this.build = build;
            this.rules = rules;
            this.marks = marks;
        }

        @Override
        public int schemaVersion() {
            return rules;
        }

        @Override
        public void upgrade() {
            if (rules >= build) {
                throw new IllegalStateException("already at release " + rules);
            }
            rules = build;
        }

        @Override
        public void onSessionOpened(long sessionId, Context ctx) {
            inner.onSessionOpened(sessionId, ctx);
        }

        @Override
        public void onInput(long sessionId, byte[] payload, Context ctx) {
            inner.onInput(sessionId, payload, ctx);
        }

        @Override
        public void onTick(Context ctx) {
            if (rules < 2) {
                inner.onTick(ctx);
                return;
            }
            byte[] mark = ByteBuffer.allocate(MARK_LENGTH).put(MARK).putLong(ctx.tick()).array();
            inner.onTick(new Context() {
                @Override
                public long logIndex() {
                    return ctx.logIndex();
                }

                @Override
                public long tick() {
                    return ctx.tick();
                }

                @Override
                public int tickHz() {
                    return ctx.tickHz();
                }

                @Override
                public long timeMillis() {
                    return ctx.timeMillis();
                }

                @Override
                public java.util.random.RandomGenerator random() {
                    return ctx.random();
                }

                @Override
                public void send(long sessionId, byte[] payload) {
                    ctx.send(sessionId, payload);
                    ctx.send(sessionId, mark); // release 2's rule
                    marks++;
                }
            });
        }

        @Override
        public void onSessionClosed(long sessionId, Context ctx) {
            inner.onSessionClosed(sessionId, ctx);
        }

        @Override
        public Snapshot snapshot() {
            Snapshot s = inner.snapshot();
            if (rules < 2) {
                return s;
            }
            byte[] head = ByteBuffer.allocate(8).putLong(marks).array();
            return new Snapshot() {
                @Override
                public InputStream open() {
                    return new SequenceInputStream(new ByteArrayInputStream(head), s.open());
                }

                @Override
                public long size() {
                    return s.size() < 0 ? -1 : s.size() + head.length;
                }
            };
        }

        @Override
        public long digest() {
            // Release 1's digest is the arena's: computable from release 2's representation.
            return rules < 2 ? inner.digest() : Hash64.mix(Hash64.mix(inner.digest(), rules), marks);
        }
    }
}
