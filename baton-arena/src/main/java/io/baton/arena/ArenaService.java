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

    static final int SCHEMA_VERSION = 1;
    /** Page writes per tick and their size: enough to keep copy-on-write honest, small enough to cost nothing. */
    static final int WRITES_PER_TICK = 4;
    static final int WRITE_BYTES = 64;

    private final NavigableMap<Long, Player> players;
    private final PageStore pages;
    private final byte[] scratch = new byte[WRITE_BYTES];
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
            if (p.hasPending()) {
                playerSum -= p.fingerprint();
                ctx.send(p.sessionId, p.update(lastTick, count));
                playerSum += p.fingerprint();
            } else {
                ctx.send(p.sessionId, p.update(lastTick, count));
            }
        }
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
        long h = Hash64.mix(SCHEMA_VERSION, lastTick);
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
