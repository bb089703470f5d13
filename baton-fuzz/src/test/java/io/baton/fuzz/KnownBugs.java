package io.baton.fuzz;

import java.nio.ByteBuffer;

/**
 * Inputs that set off a bug these targets found and that is not fixed yet, so that fuzzing goes on past
 * it instead of stopping at it every time. Each bug's own input is kept and replayed by a disabled
 * regression test named here (docs/fuzzing.md lists them); when a bug is fixed, delete its predicate and
 * enable its test.
 */
final class KnownBugs {

    private static final int ARENA_MAGIC = 0x4152454E;
    /** ArenaSnapshot's header: magic, lastTick, rejectedEvents, pageCount, playerCount, then tableBytes. */
    private static final int ARENA_TABLE_BYTES = 28;
    private static final int ARENA_HEADER = 32;

    private KnownBugs() {
    }

    /**
     * {@code ArenaSnapshot.readV1} allocates the player table's announced length before reading it: 33
     * bytes that announce 2 GiB allocate 2 GiB. Replayed by {@code RestoreFuzzTest#arenaTableAllocatedBeforeRead}
     * and {@code RestoreFuzzTest#saveWithArenaTableAllocatedBeforeRead}.
     */
    static boolean arenaTableBeyondInput(byte[] arena) {
        if (arena == null || arena.length < ARENA_HEADER) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(arena);
        return b.getInt(0) == ARENA_MAGIC && b.getInt(ARENA_TABLE_BYTES) > arena.length - ARENA_HEADER;
    }

    /**
     * {@code ServerCore.snapshotEnd} hands a negative runtime length from the snapshot stream to
     * {@code readNBytes}, whose IllegalArgumentException escapes {@code ServerCore.frame}. Replayed by
     * {@code RestoreFuzzTest#negativeRuntimeLengthEscapesTheCore}.
     */
    static boolean negativeRuntimeLength(byte[] stream) {
        return stream.length >= 4 && ByteBuffer.wrap(stream).getInt(0) < 0;
    }
}
