package io.baton.arena;

import io.baton.service.Snapshot;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.TreeMap;

/**
 * The arena's state as bytes, schema version 2 (version 1 had no view field; {@link #read} reads it with
 * every view off) or 3. Big-endian:
 * <pre>
 * 0   u32  magic 0x4152454E ("AREN")
 * 4   u64  lastTick
 * 12  u64  rejectedEvents
 * 20  u32  pageCount
 * 24  u32  playerCount
 * 28  u32  tableBytes          length of the player table that follows
 * 32  player table, by ascending session id, one record per player:
 *         u64 sessionId, i32 x, i32 y, u64 inputsApplied, u64 inputHash, u16 view (0..64, 0 = off),
 *         [schema 3: u64 travelled,]
 *         u32 pendingCount, pendingCount x u64 inputId (applied, not yet reported)
 *     pageCount x 65536 bytes of world pages
 *         [schema 3: pageCount x (u64 checksum, 65536 bytes): each page after its checksum, PageStore.pageChecksum]
 *     u64  digest of the state   the source's digest(); restore recomputes it and refuses a mismatch
 * </pre>
 * The header and player table are serialised at capture (they are small and change every tick); the pages
 * are streamed from the shared page references only when the snapshot is opened. A schema 3 restore checks
 * every page against its checksum once the pages are in (from the block hashes any restore computes), and
 * names the first that differs.
 */
final class ArenaSnapshot implements Snapshot {

    static final int MAGIC = 0x4152454E;
    private static final int HEADER = 32;
    private static final int PLAYER_FIXED_V1 = 36;
    private static final int PLAYER_FIXED = 38;
    private static final int PLAYER_FIXED_V3 = 46;
    /** Bounds that a corrupt header cannot talk us past: 64 GiB of pages, 2^24 players. */
    private static final int MAX_PAGES = 1 << 20;
    private static final int MAX_PLAYERS = 1 << 24;

    private final byte[] head;
    private final byte[][] pages;
    /** Schema 3: each page's checksum as of capture; null for 1 and 2. */
    private final long[] checksums;
    private final byte[] tail;

    private ArenaSnapshot(byte[] head, byte[][] pages, long[] checksums, byte[] tail) {
        this.head = head;
        this.pages = pages;
        this.checksums = checksums;
        this.tail = tail;
    }

    /**
     * Captures the state on the service thread in the format of schema {@code version} (1, 2 or 3):
     * O(players + pages), no page is copied or hashed.
     */
    static ArenaSnapshot capture(int version, long lastTick, long rejectedEvents, Collection<Player> players,
                                 PageStore store, long digest) {
        int fixed = fixedBytes(version);
        int tableBytes = 0;
        for (Player p : players) {
            tableBytes += fixed + 8 * p.pendingCount();
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER + tableBytes)
                .putInt(MAGIC).putLong(lastTick).putLong(rejectedEvents)
                .putInt(store.count()).putInt(players.size()).putInt(tableBytes);
        for (Player p : players) {
            b.putLong(p.sessionId).putInt(p.x).putInt(p.y).putLong(p.inputsApplied).putLong(p.inputHash);
            if (version >= 2) {
                b.putShort((short) p.view);
            }
            if (version >= 3) {
                b.putLong(p.travelled);
            }
            b.putInt(p.pendingCount());
            for (int i = 0; i < p.pendingCount(); i++) {
                b.putLong(p.pending(i));
            }
        }
        long[] checksums = version >= 3 ? store.pageChecksums() : null;
        return new ArenaSnapshot(b.array(), store.share(), checksums, ByteBuffer.allocate(8).putLong(digest).array());
    }

    private static int fixedBytes(int version) {
        return version == 1 ? PLAYER_FIXED_V1 : version == 2 ? PLAYER_FIXED : PLAYER_FIXED_V3;
    }

    @Override
    public InputStream open() {
        int perPage = checksums == null ? 1 : 2;
        byte[][] chunks = new byte[perPage * pages.length + 2][];
        chunks[0] = head;
        for (int i = 0; i < pages.length; i++) {
            if (checksums != null) {
                chunks[1 + 2 * i] = ByteBuffer.allocate(8).putLong(checksums[i]).array();
            }
            chunks[perPage * (i + 1)] = pages[i];
        }
        chunks[chunks.length - 1] = tail;
        return new ChunkStream(chunks);
    }

    @Override
    public long size() {
        long perPage = PageStore.PAGE_SIZE + (checksums == null ? 0 : 8);
        return head.length + pages.length * perPage + tail.length;
    }

    /**
     * What a snapshot of schema {@code version} holds, read and checked for its own consistency (sizes,
     * order, bounds, schema 3's page checksums) but not yet against its digest: that needs the service built
     * from it, under the version's own digest ({@link ArenaService#digest(int)}).
     *
     * @param pages          the pages, with their checksums kept for a schema 3 snapshot
     * @param recordedDigest the digest the writing build recorded
     */
    record Contents(long lastTick, long rejectedEvents, TreeMap<Long, Player> players, PageStore pages,
                    long recordedDigest) {
    }

    /** Reads a snapshot of schema {@code version}: 1 (no views, every view off), 2 (views) or 3. */
    static Contents read(InputStream in, int version) throws IOException {
        if (version < 1 || version > ArenaService.SCHEMA_3) {
            throw new IllegalArgumentException("no arena snapshot format " + version);
        }
        int fixed = fixedBytes(version);
        ByteBuffer h = ByteBuffer.wrap(readExactly(in, HEADER));
        if (h.getInt() != MAGIC) {
            throw new IOException("not an arena snapshot (bad magic)");
        }
        long lastTick = h.getLong();
        long rejected = h.getLong();
        int pageCount = h.getInt();
        int playerCount = h.getInt();
        int tableBytes = h.getInt();
        if (pageCount < 0 || pageCount > MAX_PAGES || playerCount < 0 || playerCount > MAX_PLAYERS
                || tableBytes < (long) playerCount * fixed) {
            throw new IOException("corrupt arena snapshot header: pages " + pageCount + ", players " + playerCount
                    + ", table " + tableBytes + " bytes");
        }
        TreeMap<Long, Player> players = readPlayers(ByteBuffer.wrap(readExactly(in, tableBytes)), playerCount, version);
        byte[][] pages = new byte[pageCount][];
        long[] checksums = version >= 3 ? new long[pageCount] : null;
        for (int i = 0; i < pageCount; i++) {
            if (checksums != null) {
                checksums[i] = ByteBuffer.wrap(readExactly(in, 8)).getLong();
            }
            pages[i] = readExactly(in, PageStore.PAGE_SIZE);
        }
        long recorded = ByteBuffer.wrap(readExactly(in, 8)).getLong();
        PageStore store = PageStore.of(pages);
        if (checksums != null) {
            store.keepPageChecksums();
            for (int i = 0; i < pageCount; i++) {
                if (store.pageChecksum(i) != checksums[i]) {
                    throw new IOException("arena snapshot page " + i + " of " + pageCount + " does not match its checksum:"
                            + " corrupt in transit? Take the snapshot again");
                }
            }
        }
        return new Contents(lastTick, rejected, players, store, recorded);
    }

    /**
     * Checks that a service built from {@code contents} answers, as schema {@code version}, the digest the
     * writing build recorded; a converter that lost or changed anything the older version covers fails here.
     */
    static ArenaService checked(ArenaService service, Contents contents, int version) throws IOException {
        if (service.digest(version) != contents.recordedDigest()) {
            throw new IOException("arena snapshot of schema " + version + " does not restore to its recorded digest "
                    + Long.toHexString(contents.recordedDigest()) + " (got " + Long.toHexString(service.digest(version))
                    + "): corrupt in transit, or this build's conversion from schema " + version + " is wrong");
        }
        return service;
    }

    private static TreeMap<Long, Player> readPlayers(ByteBuffer t, int count, int version) throws IOException {
        int fixed = fixedBytes(version);
        TreeMap<Long, Player> players = new TreeMap<>();
        long previous = 0;
        for (int i = 0; i < count; i++) {
            if (t.remaining() < fixed) {
                throw new IOException("corrupt arena snapshot: player table too short");
            }
            long sessionId = t.getLong();
            int x = t.getInt();
            int y = t.getInt();
            long applied = t.getLong();
            long hash = t.getLong();
            int view = version == 1 ? 0 : Short.toUnsignedInt(t.getShort());
            long travelled = version >= 3 ? t.getLong() : 0;
            int pendingCount = t.getInt();
            if ((i > 0 && Long.compare(sessionId, previous) <= 0) || x < 0 || x >= ArenaProtocol.WORLD_SIZE
                    || y < 0 || y >= ArenaProtocol.WORLD_SIZE || view > ArenaProtocol.MAX_VIEW || pendingCount < 0
                    || travelled < 0
                    || pendingCount > t.remaining() / 8) {
                throw new IOException("corrupt arena snapshot: player record " + i);
            }
            long[] pending = new long[pendingCount];
            for (int k = 0; k < pendingCount; k++) {
                pending[k] = t.getLong();
            }
            Player p = new Player(sessionId, x, y, applied, hash, pending);
            p.view = view;
            p.travelled = travelled;
            players.put(sessionId, p);
            previous = sessionId;
        }
        if (t.hasRemaining()) {
            throw new IOException("corrupt arena snapshot: " + t.remaining() + " stray bytes in the player table");
        }
        return players;
    }

    /**
     * Reads {@code n} bytes, growing the buffer with the bytes that actually arrive: a corrupt header's length
     * must not allocate what the stream never holds (a fuzzer found 33 bytes that asked for 2 GiB).
     */
    private static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new EOFException("arena snapshot ends early: wanted " + n + " bytes, got " + bytes.length);
        }
        return bytes;
    }

    /** An input stream over byte arrays that nobody writes any more, read in place. */
    private static final class ChunkStream extends InputStream {
        private final byte[][] chunks;
        private int chunk;
        private int pos;

        ChunkStream(byte[][] chunks) {
            this.chunks = chunks;
        }

        @Override
        public int read() {
            while (chunk < chunks.length) {
                if (pos < chunks[chunk].length) {
                    return chunks[chunk][pos++] & 0xFF;
                }
                chunk++;
                pos = 0;
            }
            return -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            int copied = 0;
            while (copied < len && chunk < chunks.length) {
                int n = Math.min(len - copied, chunks[chunk].length - pos);
                System.arraycopy(chunks[chunk], pos, b, off + copied, n);
                copied += n;
                pos += n;
                if (pos == chunks[chunk].length) {
                    chunk++;
                    pos = 0;
                }
            }
            return copied == 0 ? -1 : copied;
        }

        @Override
        public int available() {
            return chunk < chunks.length ? chunks[chunk].length - pos : 0;
        }
    }
}
