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
}
