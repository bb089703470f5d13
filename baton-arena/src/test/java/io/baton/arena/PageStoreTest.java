package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageStoreTest {

    private static byte[][] copyOf(byte[][] pages) {
        byte[][] copy = new byte[pages.length][];
        for (int i = 0; i < pages.length; i++) {
            copy[i] = pages[i].clone();
        }
        return copy;
    }

    @Test
    void incrementalDigestEqualsDigestComputedFromScratch() {
        PageStore store = PageStore.create(8);
        SplittableRandom r = new SplittableRandom(5);
        byte[] bytes = new byte[64];
        for (int i = 0; i < 500; i++) {
            r.nextBytes(bytes);
            // Offsets anywhere, including across 4 KiB block boundaries and at the end of a page.
            int offset = i % 50 == 0 ? PageStore.PAGE_SIZE - 64 : r.nextInt(PageStore.PAGE_SIZE - 64 + 1);
            store.write(r.nextInt(8), offset, bytes, 64);
            if (i % 7 == 0) {
                store.rehashDirty();
            }
        }
        assertThat(store.digest()).isEqualTo(PageStore.of(copyOf(store.share())).digest());
    }

    @Test
    void everyByteCountsAndWritingItBackRestoresTheDigest() {
        PageStore store = PageStore.create(2);
        long before = store.digest();
        byte[] original = {store.share()[1][4095], store.share()[1][4096]};
        store.write(1, 4095, new byte[] {(byte) (original[0] + 1), original[1]}, 2);
        assertThat(store.digest()).isNotEqualTo(before);
        store.write(1, 4095, original, 2);
        assertThat(store.digest()).isEqualTo(before);
    }

    @Test
    void sharedPagesAreCopiedBeforeTheyAreWritten() {
        PageStore store = PageStore.create(2);
        byte[][] shared = store.share();
        byte[][] frozen = copyOf(shared);
        store.write(0, 0, new byte[] {1, 2, 3, 4}, 4);
        store.write(0, 100, new byte[] {5}, 1);
        assertThat(shared[0]).isEqualTo(frozen[0]);
        assertThat(store.share()[0]).isNotEqualTo(frozen[0]).startsWith(1, 2, 3, 4);
        // A page the snapshot shares but nobody wrote stays one array: capture copied nothing.
        assertThat(store.share()[1]).isSameAs(shared[1]);
    }

    @Test
    void pageChecksumsKeptFromAnyPointEqualThoseComputedFromScratch() {
        PageStore store = PageStore.create(6);
        SplittableRandom r = new SplittableRandom(9);
        byte[] bytes = new byte[64];
        for (int i = 0; i < 400; i++) {
            if (i == 150) {
                store.keepPageChecksums(); // as a conversion at restore does, after writes of the older release
            }
            r.nextBytes(bytes);
            store.write(r.nextInt(6), r.nextInt(PageStore.PAGE_SIZE - 64 + 1), bytes, 64);
            if (i % 5 == 0) {
                store.rehashDirty();
            }
        }
        PageStore fresh = PageStore.of(copyOf(store.share()));
        fresh.keepPageChecksums();
        assertThat(store.pageChecksums()).containsExactly(fresh.pageChecksums());
        assertThat(store.checksumDigest()).isEqualTo(fresh.checksumDigest()).isNotEqualTo(store.digest());
        // Keeping checksums changes nothing schema 2 answers.
        assertThat(store.digest()).isEqualTo(fresh.digest());
    }

    @Test
    void aPageChecksumFollowsEveryByteOfItsPageOnly() {
        PageStore store = PageStore.create(3);
        store.keepPageChecksums();
        long[] before = store.pageChecksums();
        long digestBefore = store.checksumDigest();
        byte last = store.share()[1][PageStore.PAGE_SIZE - 1];
        store.write(1, PageStore.PAGE_SIZE - 1, new byte[] {(byte) (last + 1)}, 1);
        long[] after = store.pageChecksums();
        assertThat(after[0]).isEqualTo(before[0]);
        assertThat(after[2]).isEqualTo(before[2]);
        assertThat(after[1]).isNotEqualTo(before[1]);
        assertThat(store.checksumDigest()).isNotEqualTo(digestBefore);
        store.write(1, PageStore.PAGE_SIZE - 1, new byte[] {last}, 1);
        assertThat(store.pageChecksums()).containsExactly(before);
        assertThat(store.checksumDigest()).isEqualTo(digestBefore);
    }
}
