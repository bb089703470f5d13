package io.baton.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed proofs of the protocol, all HMAC-SHA256 under the peer secret: peer-link authentication in
 * both directions, and attach tickets that the target can check without having been told about them (so
 * a client that reaches the target before the source's news does is not refused).
 */
final class Tokens {

    private static final byte[] TARGET = "baton-target".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOURCE = "baton-source".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TICKET = "baton-ticket".getBytes(StandardCharsets.US_ASCII);

    private final Mac mac;

    Tokens(byte[] secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    byte[] targetProof(byte[] sourceNonce, byte[] targetNonce) {
        return mac(TARGET, sourceNonce, targetNonce);
    }

    byte[] sourceProof(byte[] sourceNonce, byte[] targetNonce) {
        return mac(SOURCE, sourceNonce, targetNonce);
    }

    /** The single-use ticket for one session in one handoff: 16 bytes of HMAC(handoff, session). */
    byte[] ticket(long handoffId, long sessionId) {
        byte[] ids = ByteBuffer.allocate(16).putLong(handoffId).putLong(sessionId).array();
        return Arrays.copyOf(mac(TICKET, ids, new byte[0]), 16);
    }

    /** Constant-time comparison, so a forger learns nothing from timing. */
    static boolean same(byte[] a, byte[] b) {
        return a != null && b != null && MessageDigest.isEqual(a, b);
    }

    private byte[] mac(byte[] label, byte[] a, byte[] b) {
        mac.update(label);
        mac.update(a);
        mac.update(b);
        return mac.doFinal();
    }
}
