package io.baton.fuzz;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The proofs of the peer handshake as docs/protocol.md defines them (HMAC-SHA256 under the peer secret
 * of a label and both nonces), computed here from the protocol, not from the core's code: the honest
 * source of the targets uses them, and a stranger, who lacks the secret, cannot.
 */
final class PeerProof {

    private PeerProof() {
    }

    /**
     * What PEER_CHALLENGE carries: the target's proof, over both nonces, the client endpoint and the WebSocket
     * URL it advertises.
     */
    static byte[] target(byte[] secret, byte[] sourceNonce, byte[] targetNonce, String host, int port,
                         String webSocket) {
        byte[] h = host.getBytes(StandardCharsets.UTF_8);
        byte[] w = webSocket.getBytes(StandardCharsets.UTF_8);
        byte[] rest = java.nio.ByteBuffer.allocate(targetNonce.length + 2 + h.length + 2 + 2 + w.length).put(targetNonce)
                .putShort((short) h.length).put(h).putShort((short) port).putShort((short) w.length).put(w).array();
        return mac(secret, "baton-target", sourceNonce, rest);
    }

    /** What PEER_AUTH carries: the source's proof. */
    static byte[] source(byte[] secret, byte[] sourceNonce, byte[] targetNonce) {
        return mac(secret, "baton-source", sourceNonce, targetNonce);
    }

    private static byte[] mac(byte[] secret, String label, byte[] a, byte[] b) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            mac.update(a);
            mac.update(b);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
