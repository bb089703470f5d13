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
    private static final byte[] PROBE = "baton-probe".getBytes(StandardCharsets.US_ASCII);

    private final Mac mac;

    Tokens(byte[] secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /**
     * The target's proof in PEER_CHALLENGE. It covers the client endpoint and the WebSocket URL the target
     * advertises, so that what the source tells its clients comes from the target that proved itself, unchanged.
     */
    byte[] targetProof(byte[] sourceNonce, byte[] targetNonce, String advertisedHost, int advertisedPort,
                       String advertisedWebSocket) {
        byte[] host = advertisedHost.getBytes(StandardCharsets.UTF_8);
        byte[] ws = advertisedWebSocket.getBytes(StandardCharsets.UTF_8);
        byte[] rest = ByteBuffer.allocate(targetNonce.length + 2 + host.length + 2 + 2 + ws.length).put(targetNonce)
                .putShort((short) host.length).put(host).putShort((short) advertisedPort)
                .putShort((short) ws.length).put(ws).array();
        return mac(TARGET, sourceNonce, rest);
    }

    byte[] sourceProof(byte[] sourceNonce, byte[] targetNonce) {
        return mac(SOURCE, sourceNonce, targetNonce);
    }

    /** The single-use ticket for one session in one handoff: 16 bytes of HMAC(handoff, session). */
    byte[] ticket(long handoffId, long sessionId) {
        byte[] ids = ByteBuffer.allocate(16).putLong(handoffId).putLong(sessionId).array();
        return Arrays.copyOf(mac(TICKET, ids, new byte[0]), 16);
    }

    /** The target's answer to a PROBE on its client port: it holds the secret and receives this handoff. */
    byte[] probeProof(long handoffId, byte[] nonce) {
        return mac(PROBE, ByteBuffer.allocate(8).putLong(handoffId).array(), nonce);
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
