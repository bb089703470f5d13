package io.baton.fuzz;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The proofs of the peer handshake as docs/protocol.md defines them (HMAC-SHA256 under the peer secret
 * of a label, the handoff id, the mode, the source's version range and the version the target chose, both
 * nonces, the channel binding, the service, its schema version and the upgrade path), computed here from the
 * protocol, not from the core's code: the honest source of the targets uses them, and a stranger, who
 * lacks the secret, cannot. The fuzzed links are in the clear: their binding is empty.
 */
final class PeerProof {

    private PeerProof() {
    }

    /**
     * What PEER_CHALLENGE carries: the target's proof, over the handshake, the client endpoint and the WebSocket
     * URL it advertises.
     */
    static byte[] target(byte[] secret, long handoffId, int mode, int min, int max, int version, byte[] sourceNonce,
            byte[] targetNonce, String service, int schema, int path, String host, int port, String webSocket) {
        byte[] h = host.getBytes(StandardCharsets.UTF_8);
        byte[] w = webSocket.getBytes(StandardCharsets.UTF_8);
        byte[] endpoint = java.nio.ByteBuffer.allocate(2 + h.length + 2 + 2 + w.length).putShort((short) h.length).put(h)
                .putShort((short) port).putShort((short) w.length).put(w).array();
        return mac(secret, "baton-target", handshake(handoffId, mode, min, max, version, sourceNonce, targetNonce,
                service, schema, path),
                endpoint);
    }

    /** What PEER_AUTH carries: the source's proof. */
    static byte[] source(byte[] secret, long handoffId, int mode, int min, int max, int version, byte[] sourceNonce,
            byte[] targetNonce, String service, int schema, int path) {
        return mac(secret, "baton-source", handshake(handoffId, mode, min, max, version, sourceNonce, targetNonce,
                service, schema, path),
                new byte[0]);
    }

    /**
     * u64 handoff, u8 mode, u8 min, u8 max, u16 version, sourceNonce, targetNonce, u16 0 and no bytes (the
     * binding of a link in the clear), u16 n and the service's name, u32 schema, u8 path.
     */
    private static byte[] handshake(long handoffId, int mode, int min, int max, int version, byte[] sourceNonce,
            byte[] targetNonce, String service, int schema, int path) {
        byte[] s = service.getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(8 + 1 + 2 + 2 + sourceNonce.length + targetNonce.length + 2 + 2 + s.length
                        + 4 + 1)
                .putLong(handoffId).put((byte) mode).put((byte) min).put((byte) max).putShort((short) version)
                .put(sourceNonce).put(targetNonce).putShort((short) 0)
                .putShort((short) s.length).put(s).putInt(schema).put((byte) path).array();
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
