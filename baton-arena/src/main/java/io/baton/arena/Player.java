package io.baton.arena;

import io.baton.service.Hash64;
import java.util.Arrays;

/** One player's part of the world. Owned by the service thread. */
final class Player {

    private static final long[] NONE = new long[0];

    final long sessionId;
    int x;
    int y;
    long inputsApplied;
    long inputHash;
    /** How many others this player's updates show (a VIEW's want), 0 when it did not ask. */
    int view;
    /**
     * Schema 3: the distance this player travelled under rules 3, in world units (|dx| + |dy| of each move, as
     * stepped). 0 for a player converted from schema 2 (the older rules kept no such count), and it stays 0
     * under rules 2.
     */
    long travelled;
    /** Input ids applied since this player's last update, reported and cleared by the next one. */
    private long[] pending = NONE;
    private int pendingCount;
    /** A hash of the pending ids, kept alongside so that the fingerprint does not walk them. */
    private long pendingHash;

    Player(long sessionId, int x, int y) {
        this.sessionId = sessionId;
        this.x = x;
        this.y = y;
    }

    /** Restores a player as a snapshot recorded it. */
    Player(long sessionId, int x, int y, long inputsApplied, long inputHash, long[] pending) {
        this(sessionId, x, y);
        this.inputsApplied = inputsApplied;
        this.inputHash = inputHash;
        this.pending = pending;
        this.pendingCount = pending.length;
        this.pendingHash = hashOf(pending, 0, pending.length);
    }

    /** Applies a move under rules 2: one unit per unit of dx and dy. */
    void apply(long inputId, int dx, int dy) {
        apply(inputId, dx, dy, 1);
    }

    /**
     * Applies a move of {@code step} units per unit of dx and dy (1 under rules 2, {@link ArenaProtocol#STEP_3}
     * under rules 3, which also count the distance in {@link #travelled}).
     */
    void apply(long inputId, int dx, int dy, int step) {
        x = Math.floorMod(x + step * dx, ArenaProtocol.WORLD_SIZE);
        y = Math.floorMod(y + step * dy, ArenaProtocol.WORLD_SIZE);
        if (step != 1) {
            travelled += (long) step * (Math.abs(dx) + Math.abs(dy));
        }
        inputsApplied++;
        inputHash = ArenaProtocol.hashInput(inputHash, inputId, dx, dy);
        if (pendingCount == pending.length) {
            pending = Arrays.copyOf(pending, Math.max(4, pendingCount * 2));
        }
        pending[pendingCount++] = inputId;
        pendingHash = Hash64.mix(pendingHash, inputId);
    }

    boolean hasPending() {
        return pendingCount > 0;
    }

    int pendingCount() {
        return pendingCount;
    }

    long pending(int i) {
        return pending[i];
    }

    /**
     * This tick's update; it reports the pending ids (as many as fit) and forgets them. With {@code otherCount}
     * &ge; 0 it also shows that many others, x and y alternating in {@code others}; -1 shows none.
     */
    byte[] update(long tick, int players, int[] others, int otherCount) {
        return update(tick, players, others, otherCount, false);
    }

    /** As above; {@code rules3} sends the update of rules 3 ({@link ArenaProtocol#UPDATE_3}), with {@link #travelled}. */
    byte[] update(long tick, int players, int[] others, int otherCount, boolean rules3) {
        int n = Math.min(pendingCount, ArenaProtocol.MAX_IDS_PER_UPDATE);
        byte[] out = rules3
                ? ArenaProtocol.encodeUpdate3(tick, inputsApplied, inputHash, x, y, players, travelled, pending, n,
                        others, otherCount)
                : ArenaProtocol.encodeUpdate(tick, inputsApplied, inputHash, x, y, players, pending, n,
                        others, otherCount);
        if (n == pendingCount) {
            pendingCount = 0;
            pendingHash = 0;
        } else {
            System.arraycopy(pending, n, pending, 0, pendingCount - n);
            pendingCount -= n;
            pendingHash = hashOf(pending, 0, pendingCount);
        }
        return out;
    }

    /** A hash of everything about this player; the service sums these into its digest. */
    long fingerprint() {
        long h = Hash64.mix(sessionId, x);
        h = Hash64.mix(h, y);
        h = Hash64.mix(h, inputsApplied);
        h = Hash64.mix(h, inputHash);
        h = Hash64.mix(h, pendingCount);
        h = Hash64.mix(h, pendingHash);
        // Mixed in only when set, so that a player who never asked has the fingerprint schema 1 gave it, and one
        // who never travelled under rules 3 the fingerprint of schema 2: a converted state's sum is the older one's.
        h = view == 0 ? h : Hash64.mix(h, view);
        return travelled == 0 ? h : Hash64.mix(Hash64.mix(h, 0x545241564CL), travelled);
    }

    private static long hashOf(long[] ids, int from, int to) {
        long h = 0;
        for (int i = from; i < to; i++) {
            h = Hash64.mix(h, ids[i]);
        }
        return h;
    }
}
