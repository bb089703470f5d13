package io.baton.service;

/**
 * A fast, non-cryptographic 64-bit hash for state digests and input hash chains.
 *
 * <p>Digests here detect divergence between two honest servers, not tampering, so speed matters more
 * than resistance to chosen inputs. Eight bytes at a time, each word multiplied into the state and the
 * result avalanched at the end (the finaliser of SplitMix64).
 */
public final class Hash64 {

    private static final long K1 = 0x9E3779B97F4A7C15L;
    private static final long K2 = 0xC2B2AE3D27D4EB4FL;
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private Hash64() {
    }

    /** Hashes {@code len} bytes of {@code bytes} from {@code off}, starting from {@code seed}. */
    public static long hash(long seed, byte[] bytes, int off, int len) {
        long h = seed ^ (len * K2);
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ ((long) LONGS.get(bytes, i) * K1), 29) * K2;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (bytes[i] & 0xFFL) << shift;
        }
        h = Long.rotateLeft(h ^ (tail * K1), 29) * K2;
        return finish(h);
    }

    /** Hashes all of {@code bytes}. */
    public static long hash(long seed, byte[] bytes) {
        return hash(seed, bytes, 0, bytes.length);
    }

    /** Folds one more value into a running hash: order matters, so a chain of mixes hashes a sequence. */
    public static long mix(long h, long value) {
        return finish(Long.rotateLeft(h ^ (value * K1), 31) * K2 + K1);
    }

    private static long finish(long h) {
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
