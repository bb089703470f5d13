package io.baton.core;

import io.baton.wire.Frame;
import java.util.Objects;

/**
 * An operator's order to hand off.
 *
 * <p>The client endpoint is optional: without one ({@code clientHost} empty and {@code clientPort} 0, as
 * {@link #toAdvertised} makes), the source sends its clients where the target says they reach it, in its
 * PEER_CHALLENGE. With one, the operator overrides that, and the source first checks that the endpoint reaches
 * that same target (a PROBE on it, answered with the handoff's proof) before any client hears of it: a typo
 * then aborts the handoff instead of stranding every client.
 *
 * @param peerHost       where the target's peer port is
 * @param peerPort       the target's peer port
 * @param clientHost     the endpoint clients should use to reach the target, or "" for the target's own
 * @param clientPort     its port, or 0 with an empty host
 * @param mode           live (event shipping) or stop-and-copy
 */
public record HandoffRequest(String peerHost, int peerPort, String clientHost, int clientPort, Frame.Mode mode) {

    public HandoffRequest {
        Objects.requireNonNull(peerHost, "peerHost");
        Objects.requireNonNull(clientHost, "clientHost");
        Objects.requireNonNull(mode, "mode");
        if (peerPort < 1 || peerPort > 65535) {
            throw new IllegalArgumentException("the peer port must be within 1..65535, was " + peerPort);
        }
        if (clientHost.isEmpty() != (clientPort == 0)) {
            throw new IllegalArgumentException("give the client endpoint's host and port together, or neither (then "
                    + "the target's advertised endpoint is used); was '" + clientHost + "' and " + clientPort);
        }
        if (clientPort < 0 || clientPort > 65535) {
            throw new IllegalArgumentException("the client port must be within 1..65535, was " + clientPort);
        }
    }

    /** A handoff whose clients go where the target advertises. */
    public static HandoffRequest toAdvertised(String peerHost, int peerPort, Frame.Mode mode) {
        return new HandoffRequest(peerHost, peerPort, "", 0, mode);
    }

    /** Whether the operator named the client endpoint (which the source then probes), or left it to the target. */
    public boolean clientEndpointGiven() {
        return clientPort != 0;
    }

    /** The same order in another mode (a target that takes our schema version only by stop-and-copy). */
    HandoffRequest withMode(Frame.Mode other) {
        return new HandoffRequest(peerHost, peerPort, clientHost, clientPort, other);
    }

    /** The same order with the client endpoint the target advertised filled in. */
    HandoffRequest withClientEndpoint(String host, int port) {
        return new HandoffRequest(peerHost, peerPort, host, port, mode);
    }
}
