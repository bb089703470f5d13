package io.baton.core;

import io.baton.wire.Frame;
import io.baton.wire.VersionRange;
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
 *
 * <p>Every MAC input starts with a label of its kind, and no label is a prefix of another, so a proof of one
 * kind (a target's, a source's, a ticket, a probe's answer) never stands for a proof of another, even over
 * the same fields: a target's challenge sent back as PEER_AUTH is refused.
 */
final class Tokens {

    private static final byte[] TARGET = "baton-target".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOURCE = "baton-source".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TICKET = "baton-ticket".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROBE = "baton-probe".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERIFIER = "baton-verifier".getBytes(StandardCharsets.US_ASCII);
    /** The length of a session verifier: a SHA-256. */
    static final int VERIFIER_LENGTH = 32;

    private final Mac mac;
    private final MessageDigest sha256;

    Tokens(byte[] secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 or SHA-256 is unavailable", e);
        }
    }

    /**
     * What both peer proofs are bound to: one handoff (its id and mode, as PEER_HELLO said them), one
     * channel (the bytes the driver reported for the connection: {@link ServerCore#peerSecured}), the
     * two nonces of this handshake, the service and schema version PEER_HELLO named and the upgrade path
     * PEER_CHALLENGE answered. A proof made for any other of these is not this one's.
     */
    record Transcript(long handoffId, Frame.Mode mode, VersionRange offered, int chosen, byte[] binding,
            byte[] sourceNonce, byte[] targetNonce, String service, int schemaVersion, Frame.SchemaPath path) {

        Transcript withMode(Frame.Mode other) {
            return new Transcript(handoffId, other, offered, chosen, binding, sourceNonce, targetNonce, service,
                    schemaVersion, path);
        }

        Transcript withBinding(byte[] other) {
            return new Transcript(handoffId, mode, offered, chosen, other, sourceNonce, targetNonce, service,
                    schemaVersion, path);
        }

        Transcript withPath(Frame.SchemaPath other) {
            return new Transcript(handoffId, mode, offered, chosen, binding, sourceNonce, targetNonce, service,
                    schemaVersion, other);
        }
    }

    /**
     * The target's proof in PEER_CHALLENGE. It covers the client endpoint and the WebSocket URL the target
     * advertises, so that what the source tells its clients comes from the target that proved itself, unchanged.
     */
    byte[] targetProof(Transcript t, String advertisedHost, int advertisedPort, String advertisedWebSocket) {
        byte[] host = advertisedHost.getBytes(StandardCharsets.UTF_8);
        byte[] ws = advertisedWebSocket.getBytes(StandardCharsets.UTF_8);
        byte[] endpoint = ByteBuffer.allocate(2 + host.length + 2 + 2 + ws.length).putShort((short) host.length)
                .put(host).putShort((short) advertisedPort).putShort((short) ws.length).put(ws).array();
        return mac(TARGET, transcript(t), endpoint);
    }

    /** The source's proof in PEER_AUTH: the same transcript under its own label, so neither stands for the other. */
    byte[] sourceProof(Transcript t) {
        return mac(SOURCE, transcript(t), new byte[0]);
    }

    /**
     * Why {@code mac} is not the proof {@code proof} makes of {@code t}, as far as can be told: made for the
     * other mode (PEER_HELLO was changed on the way), for another upgrade path (PEER_CHALLENGE was changed on
     * the way), made on a channel in the clear or another channel
     * (the two ends do not share one connection: a relay between them, or one end without TLS), or made
     * with another peer secret or for other nonces, which a MAC cannot tell apart.
     */
    String mismatch(byte[] mac, Transcript t, java.util.function.Function<Transcript, byte[]> proof) {
        Frame.Mode other = t.mode() == Frame.Mode.LIVE ? Frame.Mode.STOPCOPY : Frame.Mode.LIVE;
        if (same(mac, proof.apply(t.withMode(other)))) {
            return "it was made for mode " + other + ", not " + t.mode() + ": PEER_HELLO was changed on the way";
        }
        for (Frame.SchemaPath p : Frame.SchemaPath.values()) {
            if (p != t.path() && same(mac, proof.apply(t.withPath(p)))) {
                return "it was made for upgrade path " + p + ", not " + t.path() + ": PEER_CHALLENGE was changed on the way";
            }
        }
        if (t.binding().length > 0 && same(mac, proof.apply(t.withBinding(new byte[0])))) {
            return "it was made on a link in the clear, while this end's link is secured (TLS): the two ends are "
                    + "not on one connection, or one of them runs without TLS";
        }
        return "it was made with another peer secret, for another handoff or on another channel (a relay "
                + "between the two servers, or TLS on one end only): check that both servers read the same "
                + "--peer-secret-file and connect directly";
    }

    /**
     * The bytes both proofs cover: u64 handoff, u8 mode, the source's range (u8 min, u8 max) and the version
     * the target chose (u16), both nonces, u16 length and the channel binding, u16 length and the service name
     * (UTF-8), u32 schema version, u8 upgrade path. The versions are covered so that no one on the way can make
     * two servers that share a newer version settle on an older one, the service, schema and path so that no one
     * can make a target take state it did not agree to take, or a source run a handoff the target did not answer.
     */
    private static byte[] transcript(Transcript t) {
        byte[] service = t.service().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + 1 + 2 + 2 + t.sourceNonce().length + t.targetNonce().length + 2
                        + t.binding().length + 2 + service.length + 4 + 1)
                .putLong(t.handoffId()).put((byte) t.mode().ordinal()).put((byte) t.offered().min())
                .put((byte) t.offered().max()).putShort((short) t.chosen()).put(t.sourceNonce()).put(t.targetNonce())
                .putShort((short) t.binding().length).put(t.binding())
                .putShort((short) service.length).put(service).putInt(t.schemaVersion()).put((byte) t.path().ordinal())
                .array();
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

    /**
     * What a server keeps, logs, ships and saves of a session's secret: SHA-256("baton-verifier" ‖ u64 session
     * ‖ secret). The secret is 16 uniformly random bytes, so the hash cannot be inverted or searched, and holding
     * the verifier (a snapshot, a save file, an EVENT seen on the wire) does not let anyone resume the session;
     * a key would add nothing against that, and would tie every save to the server's key (docs/protocol.md,
     * "Sessions"). A RESUME is checked by hashing what the client presents and comparing in constant time.
     */
    byte[] verifier(long sessionId, byte[] secret) {
        sha256.update(VERIFIER);
        sha256.update(ByteBuffer.allocate(8).putLong(sessionId).array());
        sha256.update(secret);
        return sha256.digest();
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
