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

    /** Type byte of the input that moves the player. */
    public static final byte MOVE = 1;

    /** Type byte of the input that asks to see the world (or stops seeing it). */
    public static final byte VIEW = 2;

    /** Type byte of the update of rules 1 and 2 (schema 2, the default release). */
    public static final byte UPDATE = 1;

    /**
     * Type byte of the update of rules 3 (schema 3, the next release): the same fields and the player's distance
     * travelled. A server sends one kind or the other to everyone, by the rules it applies: a target that
     * upgraded a schema 2 state sends UPDATE up to the handoff (muted, on replay) and UPDATE_3 from its first
     * tick on.
     */
    public static final byte UPDATE_3 = 3;

    /**
     * Units a move goes per unit of dx and dy under rules 3 (1 under rules 1 and 2): the rule change that
     * clients see, applied to moves from the first event the schema 3 server owns, never to one the older
     * release already applied.
     */
    public static final int STEP_3 = 2;

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
     * VIEW, client to game, 3 bytes: from the next tick on, this player's updates also carry the positions of
     * up to {@code want} other players (0 stops it). It is not a move: it is neither counted in inputsApplied
     * nor hashed, so a client's move verification is the same whether it views or not. A {@code want} above
     * {@link #MAX_VIEW} is malformed and ignored (counted as a rejected event).
     * <pre>
     * 0  u8   type = 2
     * 1  u16  want     others to see, 0..{@link #MAX_VIEW}
     * </pre>
     */
    public static final int VIEW_LENGTH = 3;

    /**
     * The most other players one update shows. The view is the first players in session-id order, the viewer
     * left out, not the nearest: the page draws the whole world, and the first ones cost O(want) per viewer
     * per tick however many players there are, where the nearest would cost a scan of every player.
     */
    public static final int MAX_VIEW = 64;

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
     *
     * <p>A player that asked to see the world ({@link #VIEW} with want &gt; 0) gets 2 + 4m bytes more:
     * <pre>
     * 39+8n      u16  m            others shown, at most want
     * 41+8n      m x (u16 x, u16 y) their positions, in session-id order
     * </pre>
     * A player that never asked, or asked for 0, gets exactly the 39 + 8n bytes above.
     *
     * <p>UPDATE_3, under rules 3, is the same with a u64 after {@code players}, 47 + 8n bytes (+ the view):
     * <pre>
     * 0  u8   type = 3
     * 1  ...  tick, inputsApplied, inputHash, x, y, players as in UPDATE
     * 37 u64  travelled       this player's distance under rules 3: |dx| + |dy| of each move, times STEP_3
     * 45 u16  n
     * 47 n x u64 inputId      then the view, as in UPDATE
     * </pre>
     */
    static final int UPDATE_HEADER = 39;
    static final int UPDATE_3_HEADER = 47;

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
     * @param others    the world view, x and y of each other player shown in turn; null when the update has
     *                  none (the player did not ask); owned by the record: do not modify
     * @param rules     the rules of the server that sent it: 2 for an {@link #UPDATE}, 3 for an {@link #UPDATE_3}
     * @param travelled the distance travelled under rules 3; 0 in an UPDATE
     */
    public record Update(long tick, long inputsApplied, long inputHash, int x, int y, long players, long[] inputIds,
                         int[] others, int rules, long travelled) {

        /** An UPDATE (rules 2). */
        public Update(long tick, long inputsApplied, long inputHash, int x, int y, long players, long[] inputIds,
                      int[] others) {
            this(tick, inputsApplied, inputHash, x, y, players, inputIds, others, 2, 0);
        }

        /** An UPDATE (rules 2) without a world view, as every client that does not ask for one gets. */
        public Update(long tick, long inputsApplied, long inputHash, int x, int y, long players, long[] inputIds) {
            this(tick, inputsApplied, inputHash, x, y, players, inputIds, null);
        }
    }

    /** Encodes a MOVE; {@code dx} and {@code dy} must fit a signed byte. */
    public static byte[] move(long inputId, int dx, int dy) {
        if (dx != (byte) dx || dy != (byte) dy) {
            throw new IllegalArgumentException("dx and dy must fit a signed byte, were " + dx + ", " + dy);
        }
        return ByteBuffer.allocate(MOVE_LENGTH).put(MOVE).putLong(inputId).put((byte) dx).put((byte) dy).array();
    }

    /** Encodes a VIEW asking for up to {@code want} others, 0..{@link #MAX_VIEW}. */
    public static byte[] view(int want) {
        if (want < 0 || want > MAX_VIEW) {
            throw new IllegalArgumentException("a view shows 0.." + MAX_VIEW + " other players, asked for " + want);
        }
        return ByteBuffer.allocate(VIEW_LENGTH).put(VIEW).putShort((short) want).array();
    }

    /** Decodes a VIEW's want, or returns -1 when the payload is not a well-formed one. */
    static int decodeView(byte[] payload) {
        if (payload == null || payload.length != VIEW_LENGTH || payload[0] != VIEW) {
            return -1;
        }
        int want = ((payload[1] & 0xFF) << 8) | (payload[2] & 0xFF);
        return want <= MAX_VIEW ? want : -1;
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
        return encodeUpdate(tick, inputsApplied, inputHash, x, y, players, ids, idCount, null, -1);
    }

    /**
     * Encodes an UPDATE; with {@code otherCount} &ge; 0 it carries a world view of that many others, whose x
     * and y alternate in {@code others}; with -1 it carries none.
     */
    static byte[] encodeUpdate(long tick, long inputsApplied, long inputHash, int x, int y, int players,
                               long[] ids, int idCount, int[] others, int otherCount) {
        int viewBytes = otherCount < 0 ? 0 : 2 + 4 * otherCount;
        ByteBuffer b = ByteBuffer.allocate(UPDATE_HEADER + 8 * idCount + viewBytes)
                .put(UPDATE).putLong(tick).putLong(inputsApplied).putLong(inputHash)
                .putInt(x).putInt(y).putInt(players).putShort((short) idCount);
        return finishUpdate(b, ids, idCount, others, otherCount);
    }

    /** Encodes an UPDATE_3: an UPDATE's fields and {@code travelled}. */
    static byte[] encodeUpdate3(long tick, long inputsApplied, long inputHash, int x, int y, int players,
                                long travelled, long[] ids, int idCount, int[] others, int otherCount) {
        int viewBytes = otherCount < 0 ? 0 : 2 + 4 * otherCount;
        ByteBuffer b = ByteBuffer.allocate(UPDATE_3_HEADER + 8 * idCount + viewBytes)
                .put(UPDATE_3).putLong(tick).putLong(inputsApplied).putLong(inputHash)
                .putInt(x).putInt(y).putInt(players).putLong(travelled).putShort((short) idCount);
        return finishUpdate(b, ids, idCount, others, otherCount);
    }

    private static byte[] finishUpdate(ByteBuffer b, long[] ids, int idCount, int[] others, int otherCount) {
        for (int i = 0; i < idCount; i++) {
            b.putLong(ids[i]);
        }
        if (otherCount >= 0) {
            b.putShort((short) otherCount);
            for (int i = 0; i < 2 * otherCount; i++) {
                b.putShort((short) others[i]);
            }
        }
        return b.array();
    }

    /**
     * Decodes an UPDATE or an UPDATE_3.
     *
     * @throws IllegalArgumentException if the payload is not exactly a well-formed update
     */
    public static Update decodeUpdate(byte[] payload) {
        boolean rules3 = payload != null && payload.length > 0 && payload[0] == UPDATE_3;
        int header = rules3 ? UPDATE_3_HEADER : UPDATE_HEADER;
        if (payload == null || payload.length < header || (payload[0] != UPDATE && !rules3)) {
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
            long travelled = rules3 ? b.getLong() : 0;
            int rules = rules3 ? 3 : 2;
            int n = Short.toUnsignedInt(b.getShort());
            int withIds = header + 8 * n;
            if (payload.length < withIds) {
                throw new IllegalArgumentException("update announces " + n + " ids but is " + payload.length + " bytes");
            }
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = b.getLong();
            }
            if (payload.length == withIds) {
                return new Update(tick, applied, hash, x, y, players, ids, null, rules, travelled);
            }
            int m = Short.toUnsignedInt(b.getShort());
            if (payload.length != withIds + 2 + 4 * m) {
                throw new IllegalArgumentException("update announces " + n + " ids and a view of " + m
                        + " players but is " + payload.length + " bytes");
            }
            int[] others = new int[2 * m];
            for (int i = 0; i < 2 * m; i++) {
                others[i] = Short.toUnsignedInt(b.getShort());
            }
            return new Update(tick, applied, hash, x, y, players, ids, others, rules, travelled);
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
