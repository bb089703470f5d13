package io.baton.arena;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.service.Snapshot;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The game: players move on a wrapping plane, every tick each gets an update, and an optional blob of
 * world pages keeps changing so that the state has a size worth moving.
 *
 * <p>Everything that reaches an output or the digest is iterated in session-id order and drawn from the
 * {@link Context}, so a replica fed the same events emits the same bytes. Events that make no sense (a
 * malformed input, an input from an unknown session, a second open of one session) are ignored and
 * counted, never thrown: a throw would stop the runtime, and counting keeps replicas in step.
 *
 * <p>One class plays two releases. Built by {@link ArenaFactory} it is schema 2 (the default release);
 * built by {@link Arena3Factory} it is schema 3: each player's distance travelled, pages snapshotted with a
 * checksum each, and rules 3 (a move steps {@link ArenaProtocol#STEP_3} units per unit, and every update is
 * an {@link ArenaProtocol#UPDATE_3} that carries the distance). A schema 3 service restored from schema 2
 * holds schema 3's representation from restore on but applies rules 2 and answers schema 2's version,
 * digest and snapshot until {@link #upgrade()}, which flips one field.
 */
final class ArenaService implements Service {

    /** 2 added each player's view (the VIEW input); {@link ArenaSnapshot#read} still reads 1. */
    static final int SCHEMA_VERSION = 2;
    /** The next release: each player's distance travelled, page checksums, rules 3 ({@link Arena3Factory}). */
    static final int SCHEMA_3 = 3;
    /** Page writes per tick and their size: enough to keep copy-on-write honest, small enough to cost nothing. */
    static final int WRITES_PER_TICK = 4;
    static final int WRITE_BYTES = 64;

    private final NavigableMap<Long, Player> players;
    private final PageStore pages;
    private final byte[] scratch = new byte[WRITE_BYTES];
    /** The positions one viewer's update shows, x and y alternating; refilled for each viewer. */
    private final int[] seen = new int[2 * ArenaProtocol.MAX_VIEW];
    private long lastTick;
    private long rejectedEvents;
    /** The sum of every player's fingerprint, kept up to date at each change so that digest() is O(1). */
    private long playerSum;
    /** The schema whose rules, digest and snapshot this service answers now: {@link #release} once upgraded. */
    private int schema;
    /** The schema of the build that made it (its factory's): 2 or 3. */
    private final int release;

    /** A new world of schema 2. */
    ArenaService(PageStore pages) {
        this(pages, 0, 0, new TreeMap<>(), SCHEMA_VERSION, SCHEMA_VERSION);
    }

    /**
     * A world of release {@code release} that answers as {@code schema} until {@link #upgrade()} (the same
     * number unless it was restored from an older version). Schema 3 needs the pages' checksums kept.
     */
    ArenaService(PageStore pages, long lastTick, long rejectedEvents, NavigableMap<Long, Player> players, int schema,
                 int release) {
        if (release != SCHEMA_VERSION && release != SCHEMA_3 || schema < 1 || schema > release
                || release == SCHEMA_3 && !pages.keepsPageChecksums()) {
            throw new IllegalArgumentException("no arena release " + release + " answering as schema " + schema);
        }
        this.pages = pages;
        this.lastTick = lastTick;
        this.rejectedEvents = rejectedEvents;
        this.players = players;
        this.schema = schema;
        this.release = release;
        for (Player p : players.values()) {
            playerSum += p.fingerprint();
        }
    }

    @Override
    public int schemaVersion() {
        return schema;
    }

    /**
     * Rules 3 from the next event on: O(1), because restore already converted the state (the distance field
     * is there, 0, and the pages' checksums are kept current); only the rules, the digest and the snapshot
     * format change.
     */
    @Override
    public void upgrade() {
        if (schema == release) {
            throw new IllegalStateException("this arena already runs schema " + release + ": upgrade() is for a service"
                    + " restored from an older version, once, when its server takes authority");
        }
        schema = release;
    }

    private boolean rules3() {
        return schema == SCHEMA_3;
    }

    @Override
    public void onSessionOpened(long sessionId, Context ctx) {
        if (players.containsKey(sessionId)) {
            rejectedEvents++;
            return;
        }
        RandomGenerator random = ctx.random();
        Player p = new Player(sessionId, random.nextInt(ArenaProtocol.WORLD_SIZE), random.nextInt(ArenaProtocol.WORLD_SIZE));
        players.put(sessionId, p);
        playerSum += p.fingerprint();
    }

    @Override
    public void onInput(long sessionId, byte[] payload, Context ctx) {
        Player p = players.get(sessionId);
        if (payload != null && payload.length > 0 && payload[0] == ArenaProtocol.VIEW) {
            int want = ArenaProtocol.decodeView(payload);
            if (p == null || want < 0) {
                rejectedEvents++;
                return;
            }
            playerSum -= p.fingerprint();
            p.view = want;
            playerSum += p.fingerprint();
            return;
        }
        ArenaProtocol.Move move = ArenaProtocol.decodeMove(payload);
        if (p == null || move == null) {
            rejectedEvents++;
            return;
        }
        playerSum -= p.fingerprint();
        p.apply(move.inputId(), move.dx(), move.dy(), rules3() ? ArenaProtocol.STEP_3 : 1);
        playerSum += p.fingerprint();
    }

    @Override
    public void onTick(Context ctx) {
        lastTick = ctx.tick();
        if (pages.count() > 0) {
            // One generator per event: whether ctx.random() hands out a fresh one per call is not ours to assume.
            RandomGenerator random = ctx.random();
            for (int i = 0; i < WRITES_PER_TICK; i++) {
                int page = random.nextInt(pages.count());
                int offset = random.nextInt(PageStore.PAGE_SIZE - WRITE_BYTES + 1);
                random.nextBytes(scratch);
                pages.write(page, offset, scratch, WRITE_BYTES);
            }
            pages.rehashDirty();
        }
        int count = players.size();
        boolean rules3 = rules3();
        for (Player p : players.values()) {
            int shown = p.view == 0 ? -1 : look(p);
            if (p.hasPending()) {
                playerSum -= p.fingerprint();
                ctx.send(p.sessionId, p.update(lastTick, count, seen, shown, rules3));
                playerSum += p.fingerprint();
            } else {
                ctx.send(p.sessionId, p.update(lastTick, count, seen, shown, rules3));
            }
        }
    }

    /**
     * Fills {@link #seen} with the first {@code viewer.view} other players in session-id order (positions as of
     * this tick, before any update is sent, so every viewer sees the same world) and returns how many.
     */
    private int look(Player viewer) {
        int m = 0;
        for (Player o : players.values()) {
            if (m == viewer.view) {
                break;
            }
            if (o != viewer) {
                seen[2 * m] = o.x;
                seen[2 * m + 1] = o.y;
                m++;
            }
        }
        return m;
    }

    @Override
    public void onSessionClosed(long sessionId, Context ctx) {
        Player p = players.remove(sessionId);
        if (p == null) {
            rejectedEvents++;
            return;
        }
        playerSum -= p.fingerprint();
    }

    /** In the format of the schema it answers as: schema 2's bytes until a restored schema 3 service upgrades. */
    @Override
    public Snapshot snapshot() {
        return ArenaSnapshot.capture(schema, lastTick, rejectedEvents, players.values(), pages, digest());
    }

    @Override
    public long digest() {
        return digest(schema);
    }

    /**
     * The digest as schema {@code version} computes it, O(1) for each: 1 and 2 over the pages' block hashes,
     * 3 over their checksums. The players' sum is the same for all three while no one has travelled, which
     * is what a state converted from schema 2 holds until it upgrades.
     */
    long digest(int version) {
        long h = Hash64.mix(version, lastTick);
        h = Hash64.mix(h, rejectedEvents);
        h = Hash64.mix(h, players.size());
        h = Hash64.mix(h, playerSum);
        return Hash64.mix(h, version >= SCHEMA_3 ? pages.checksumDigest() : pages.digest());
    }

    int playerCount() {
        return players.size();
    }

    long rejectedEvents() {
        return rejectedEvents;
    }

    int pageCount() {
        return pages.count();
    }

    PageStore pages() {
        return pages;
    }
}
