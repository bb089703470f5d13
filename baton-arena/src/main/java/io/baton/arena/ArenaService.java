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
 */
final class ArenaService implements Service {

    /** 2 added each player's view (the VIEW input); {@link ArenaSnapshot#readV1} still reads 1. */
    static final int SCHEMA_VERSION = 2;
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

    ArenaService(PageStore pages) {
        this(pages, 0, 0, new TreeMap<>());
    }

    ArenaService(PageStore pages, long lastTick, long rejectedEvents, NavigableMap<Long, Player> players) {
        this.pages = pages;
        this.lastTick = lastTick;
        this.rejectedEvents = rejectedEvents;
        this.players = players;
        for (Player p : players.values()) {
            playerSum += p.fingerprint();
        }
    }

    @Override
    public int schemaVersion() {
        return SCHEMA_VERSION;
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
        p.apply(move.inputId(), move.dx(), move.dy());
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
        for (Player p : players.values()) {
            int shown = p.view == 0 ? -1 : look(p);
            if (p.hasPending()) {
                playerSum -= p.fingerprint();
                ctx.send(p.sessionId, p.update(lastTick, count, seen, shown));
                playerSum += p.fingerprint();
            } else {
                ctx.send(p.sessionId, p.update(lastTick, count, seen, shown));
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

    @Override
    public Snapshot snapshot() {
        return ArenaSnapshot.capture(lastTick, rejectedEvents, players.values(), pages, digest());
    }

    @Override
    public long digest() {
        return digest(SCHEMA_VERSION);
    }

    /** The digest as schema {@code version} computed it: a restored version 1 snapshot checks against its own. */
    long digest(int version) {
        long h = Hash64.mix(version, lastTick);
        h = Hash64.mix(h, rejectedEvents);
        h = Hash64.mix(h, players.size());
        h = Hash64.mix(h, playerSum);
        return Hash64.mix(h, pages.digest());
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
}
