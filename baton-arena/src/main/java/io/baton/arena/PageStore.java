package io.baton.arena;

import io.baton.service.Hash64;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The bulk of the world state: fixed-size pages that are shared with snapshots until written.
 *
 * <p>A snapshot takes the page references and marks every page shared; the first write to a shared page
 * copies it first, so the snapshot keeps the bytes as they were and capture costs one flag per page, not a
 * copy of the state. Only the service thread calls these methods; a snapshot only ever reads pages that no
 * one writes any more.
 *
 * <p>The digest is kept per 4 KiB block rather than per page so that a 64-byte write costs a 4 KiB rehash,
 * and blocks are combined by addition so that one changed block updates the total without visiting the rest.
 *
 * <p>Schema 3 also keeps a checksum per page, folded from the page's sixteen block hashes (so it costs no pass
 * over the bytes): its snapshots carry each page with its checksum, and its digest sums the pages' checksums.
 * {@link #keepPageChecksums} turns that on (at restore, for a schema 2 state being converted); the block
 * hashes stay, so the schema 2 digest is still there without a pass until the service upgrades.
 */
final class PageStore {

    static final int PAGE_SIZE = 64 * 1024;
    private static final int BLOCK_SHIFT = 12;
    private static final int BLOCK_SIZE = 1 << BLOCK_SHIFT;
    private static final int BLOCKS_PER_PAGE = PAGE_SIZE / BLOCK_SIZE;

    private final byte[][] pages;
    private final boolean[] shared;
    private final long[] blockHashes;
    private final boolean[] blockDirty;
    private int[] dirtyBlocks = new int[16];
    private int dirtyCount;
    private long sum;
    /** Each page's checksum and their sum, or null and 0 while not kept (schema 2). */
    private long[] pageChecksums;
    private long pageSum;

    private PageStore(byte[][] pages) {
        this.pages = pages;
        this.shared = new boolean[pages.length];
        this.blockHashes = new long[pages.length * BLOCKS_PER_PAGE];
        this.blockDirty = new boolean[blockHashes.length];
        for (int block = 0; block < blockHashes.length; block++) {
            blockHashes[block] = hashBlock(block);
            sum += contribution(block, blockHashes[block]);
        }
    }

    /**
     * A fresh world of {@code count} pages. The content is pseudo-random from a fixed seed, not zeros, so
     * that the state costs what its size says wherever it travels.
     */
    static PageStore create(int count) {
        byte[][] pages = new byte[count][];
        for (int i = 0; i < count; i++) {
            pages[i] = new byte[PAGE_SIZE];
            new SplittableRandom(Hash64.mix(0x4152454E41L, i)).nextBytes(pages[i]);
        }
        return new PageStore(pages);
    }

    /** A store that takes ownership of pages read from a snapshot. */
    static PageStore of(byte[][] pages) {
        for (byte[] page : pages) {
            if (page.length != PAGE_SIZE) {
                throw new IllegalArgumentException("page of " + page.length + " bytes");
            }
        }
        return new PageStore(pages);
    }

    int count() {
        return pages.length;
    }

    /** Copies {@code len} bytes of {@code src} into page {@code page} at {@code offset}, copying the page first if a snapshot shares it. */
    void write(int page, int offset, byte[] src, int len) {
        byte[] target = pages[page];
        if (shared[page]) {
            target = target.clone();
            pages[page] = target;
            shared[page] = false;
        }
        System.arraycopy(src, 0, target, offset, len);
        int first = page * BLOCKS_PER_PAGE + (offset >>> BLOCK_SHIFT);
        int last = page * BLOCKS_PER_PAGE + ((offset + len - 1) >>> BLOCK_SHIFT);
        for (int block = first; block <= last; block++) {
            if (!blockDirty[block]) {
                blockDirty[block] = true;
                if (dirtyCount == dirtyBlocks.length) {
                    dirtyBlocks = Arrays.copyOf(dirtyBlocks, dirtyCount * 2);
                }
                dirtyBlocks[dirtyCount++] = block;
            }
        }
    }

    /** Hands the current pages to a snapshot: from now on they are copied before they are written. */
    byte[][] share() {
        Arrays.fill(shared, true);
        return pages.clone();
    }

    /** Rehashes the blocks written since the last call; the service calls it every tick to keep the work small. */
    void rehashDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            int block = dirtyBlocks[i];
            sum -= contribution(block, blockHashes[block]);
            blockHashes[block] = hashBlock(block);
            sum += contribution(block, blockHashes[block]);
            blockDirty[block] = false;
            if (pageChecksums != null) {
                int page = block / BLOCKS_PER_PAGE;
                pageSum -= pageContribution(page, pageChecksums[page]);
                pageChecksums[page] = foldChecksum(page);
                pageSum += pageContribution(page, pageChecksums[page]);
            }
        }
        dirtyCount = 0;
    }

    /** A digest of every byte of every page, in O(blocks written since the last rehash). */
    long digest() {
        rehashDirty();
        return Hash64.mix(pages.length, sum);
    }

    /**
     * From now on keeps each page's checksum ({@link #pageChecksum}) current: one fold of sixteen block
     * hashes per page now, O(pages) and no pass over the bytes, then one per written page per rehash.
     */
    void keepPageChecksums() {
        if (pageChecksums != null) {
            return;
        }
        rehashDirty();
        long[] checksums = new long[pages.length];
        long total = 0;
        for (int page = 0; page < pages.length; page++) {
            checksums[page] = foldChecksum(page);
            total += pageContribution(page, checksums[page]);
        }
        pageChecksums = checksums;
        pageSum = total;
    }

    boolean keepsPageChecksums() {
        return pageChecksums != null;
    }

    /** Page {@code page}'s checksum: a hash of its bytes (through its block hashes). Needs {@link #keepPageChecksums}. */
    long pageChecksum(int page) {
        rehashDirty();
        return pageChecksums[page];
    }

    /** Every page's checksum, as of now, for a snapshot; needs {@link #keepPageChecksums}. */
    long[] pageChecksums() {
        rehashDirty();
        return pageChecksums.clone();
    }

    /** Schema 3's digest of the pages: the sum of their checksums, O(1) like {@link #digest}. Needs {@link #keepPageChecksums}. */
    long checksumDigest() {
        rehashDirty();
        return Hash64.mix(Hash64.mix(3, pages.length), pageSum);
    }

    /**
     * Folds the page's block hashes, in order, into its checksum. The block hashes are of the bytes (seeded
     * with the block's number), so equal checksums mean equal pages, as far as a 64-bit hash can say.
     */
    private long foldChecksum(int page) {
        long h = page;
        int first = page * BLOCKS_PER_PAGE;
        for (int b = first; b < first + BLOCKS_PER_PAGE; b++) {
            h = Hash64.mix(h, blockHashes[b]);
        }
        return h;
    }

    private static long pageContribution(int page, long checksum) {
        return Hash64.mix(checksum, ~page);
    }

    private long hashBlock(int block) {
        return Hash64.hash(block, pages[block / BLOCKS_PER_PAGE], (block % BLOCKS_PER_PAGE) * BLOCK_SIZE, BLOCK_SIZE);
    }

    private static long contribution(int block, long hash) {
        return Hash64.mix(hash, block);
    }
}
