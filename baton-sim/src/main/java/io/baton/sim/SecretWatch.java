package io.baton.sim;

import io.baton.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The invariant that session secrets never travel between servers (docs/protocol.md, "Sessions"): it sees
 * every frame as the bytes that cross the network, learns each secret from the WELCOME a server sends its
 * client, keeps every byte one server sends another (the peer link, a probe), and at the end searches those
 * bytes for each secret. The search is at the end because a source ships a session's OPEN before it sends
 * that session's WELCOME.
 */
final class SecretWatch {

    private static final byte[] NO_SECRET = new byte[Frame.TOKEN_LENGTH];

    private final List<byte[]> secrets = new ArrayList<>();
    private final List<String> owners = new ArrayList<>();
    private final ByteArrayOutputStream betweenServers = new ByteArrayOutputStream();

    /** A frame left {@code from} for {@code to} as the readable bytes of {@code encoded} (left unread). */
    void sent(Network.Node from, Network.Node to, Frame f, ByteBuf encoded) {
        boolean fromServer = from instanceof ServerNode;
        if (fromServer && to instanceof ServerNode) {
            betweenServers.writeBytes(ByteBufUtil.getBytes(encoded));
        } else if (fromServer && f instanceof Frame.Welcome w && !Arrays.equals(w.secret(), NO_SECRET)) {
            secrets.add(w.secret().clone());
            owners.add("session " + w.sessionId() + " of " + to.name);
        }
    }

    /** How many secrets it learnt: a run that issued none checked nothing. */
    int secretsSeen() {
        return secrets.size();
    }

    /** How many bytes passed from one server to another. */
    int bytesBetweenServers() {
        return betweenServers.size();
    }

    /** One line per secret found in what a server sent another server. */
    List<String> leaks() {
        byte[] hay = betweenServers.toByteArray();
        // Candidates by their first two bytes, so that each position of the haystack costs one lookup.
        boolean[] starts = new boolean[1 << 16];
        for (byte[] s : secrets) {
            starts[(s[0] & 0xFF) << 8 | (s[1] & 0xFF)] = true;
        }
        boolean[] found = new boolean[secrets.size()];
        for (int i = 0; i + Frame.TOKEN_LENGTH <= hay.length; i++) {
            if (!starts[(hay[i] & 0xFF) << 8 | (hay[i + 1] & 0xFF)]) {
                continue;
            }
            for (int k = 0; k < secrets.size(); k++) {
                if (!found[k] && Arrays.equals(hay, i, i + Frame.TOKEN_LENGTH, secrets.get(k), 0, Frame.TOKEN_LENGTH)) {
                    found[k] = true;
                }
            }
        }
        List<String> leaks = new ArrayList<>();
        for (int k = 0; k < found.length; k++) {
            if (found[k]) {
                leaks.add("the secret of " + owners.get(k) + " crossed from one server to another (it must stay "
                        + "with its client and the server that opened it; the log and snapshots hold a verifier)");
            }
        }
        return leaks;
    }
}
