package io.baton.core;

/** Where the core gets unpredictable bytes (secrets, nonces): SecureRandom in production, seeded in tests. */
@FunctionalInterface
public interface Entropy {

    void nextBytes(byte[] into);
}
