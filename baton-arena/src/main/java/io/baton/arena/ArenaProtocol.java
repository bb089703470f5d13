package io.baton.arena;

import io.baton.service.Hash64;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The arena's messages, shared by the game and the bots. Integers are big-endian; a "u" type is unsigned
 * in meaning, carried in a Java type wide enough for any value the game produces.
 */
public final class ArenaProtocol {

    /** The world is a torus of this many units on each side: positions wrap around. */
    public static final int WORLD_SIZE = 1024;

    /** Type byte of the only input. */
    public static final byte MOVE = 1;

    /** Type byte of the only output. */
    public static final byte UPDATE = 1;

    /**
     * MOVE, client to game, 11 bytes:
     * <pre>
     * 0  u8   type = 1
     * 1  u64  inputId   the client's own counter 1, 2, 3...; echoed back in updates for end-to-end checks
     * 9  i8   dx
     * 10 i8   dy
     * </pre>
     */
    public static final int MOVE_LENGTH = 11;

    /**
     * UPDATE, game to client, once per tick to every player, 39 + 8n bytes:
     * <pre>
     * 0  u8   type = 1
     * 1  u64  tick            one update per tick, so a client can check it sees every tick exactly once
     * 9  u64  inputsApplied   this player's inputs applied since the session opened
     * 17 u64  inputHash       running hash of them, see {@link #hashInput}
     * 25 i32  x
     * 29 i32  y
     * 33 u32  players         players in the world
     * 37 u16  n
     * 39 n x u64 inputId      the inputs applied since the previous update, in the order applied
     * </pre>
     * An update lists at most {@link #MAX_IDS_PER_UPDATE} ids; any beyond follow in the next updates.
     */
    static final int UPDATE_HEADER = 39;

    /** The most input ids one update carries (the u16 count). */
    public static final int MAX_IDS_PER_UPDATE = 0xFFFF;

    private ArenaProtocol() {
    }

    /** A decoded MOVE. */
    record Move(long inputId, int dx, int dy) {
    }

    /**
     * A decoded UPDATE.
     *
     * @param inputIds owned by the record: do not modify
     */
    public record Update(long tick, long inputsApplied, long inputHash, int x, int y, long players, long[] inputIds) {
    }

    /** Encodes a MOVE; {@code dx} and {@code dy} must fit a signed byte. */
    public static byte[] move(long inputId, int dx, int dy) {
        if (dx != (byte) dx || dy != (byte) dy) {
            throw new IllegalArgumentException("dx and dy must fit a signed byte, were " + dx + ", " + dy);
        }
        return ByteBuffer.allocate(MOVE_LENGTH).put(MOVE).putLong(inputId).put((byte) dx).put((byte) dy).array();
    }

    /** Decodes a MOVE, or returns null when the payload is not a well-formed one. */
    static Move decodeMove(byte[] payload) {
        if (payload == null || payload.length != MOVE_LENGTH || payload[0] != MOVE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(payload, 1, MOVE_LENGTH - 1);
        return new Move(b.getLong(), b.get(), b.get());
    }

    static byte[] encodeUpdate(long tick, long inputsApplied, long inputHash, int x, int y, int players,
                               long[] ids, int idCount) {
        ByteBuffer b = ByteBuffer.allocate(UPDATE_HEADER + 8 * idCount)
                .put(UPDATE).putLong(tick).putLong(inputsApplied).putLong(inputHash)
                .putInt(x).putInt(y).putInt(players).putShort((short) idCount);
        for (int i = 0; i < idCount; i++) {
            b.putLong(ids[i]);
        }
        return b.array();
    }

    /**
     * Decodes an UPDATE.
     *
     * @throws IllegalArgumentException if the payload is not exactly a well-formed update
     */
    public static Update decodeUpdate(byte[] payload) {
        if (payload == null || payload.length < UPDATE_HEADER || payload[0] != UPDATE) {
            throw new IllegalArgumentException("not an update: " + (payload == null ? "null" : payload.length + " bytes"));
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(payload, 1, payload.length - 1);
            long tick = b.getLong();
            long applied = b.getLong();
            long hash = b.getLong();
            int x = b.getInt();
            int y = b.getInt();
            long players = Integer.toUnsignedLong(b.getInt());
            int n = Short.toUnsignedInt(b.getShort());
            if (payload.length != UPDATE_HEADER + 8 * n) {
                throw new IllegalArgumentException("update announces " + n + " ids but is " + payload.length + " bytes");
            }
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = b.getLong();
            }
            return new Update(tick, applied, hash, x, y, players, ids);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated update", e);
        }
    }

    /**
     * One step of the input hash chain that both the game and the bot keep, starting from 0: equal chains
     * mean the same inputs were applied in the same order.
     */
    public static long hashInput(long hash, long inputId, int dx, int dy) {
        return Hash64.mix(Hash64.mix(hash, inputId), (dx << 8) | (dy & 0xFF));
    }
}
