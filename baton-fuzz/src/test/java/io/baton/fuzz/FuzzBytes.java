package io.baton.fuzz;

import java.util.Arrays;

/**
 * A fuzz input read as a script: numbers and byte strings, big-endian, taken in order. Past the end
 * every number reads as 0 and every byte string as empty, so that any input is a whole script.
 */
final class FuzzBytes {

    private final byte[] data;
    private int at;

    FuzzBytes(byte[] data) {
        this.data = data;
    }

    boolean hasMore() {
        return at < data.length;
    }

    int u8() {
        return at < data.length ? data[at++] & 0xFF : 0;
    }

    int u16() {
        return u8() << 8 | u8();
    }

    long u64() {
        return (long) u16() << 48 | (long) u16() << 32 | (long) u16() << 16 | u16();
    }

    /** Whatever is left. */
    byte[] rest() {
        return bytes(data.length - at);
    }

    /** Up to {@code n} bytes: fewer where the input ends first. */
    byte[] bytes(int n) {
        int end = Math.min(data.length, at + n);
        byte[] b = Arrays.copyOfRange(data, at, end);
        at = end;
        return b;
    }
}
