package io.baton.core;

import io.baton.wire.Frame;
import java.util.Objects;

/**
 * An operator's order to hand off.
 *
 * @param peerHost       where the target's peer port is
 * @param peerPort       the target's peer port
 * @param clientHost     the endpoint clients should use to reach the target
 * @param clientPort     its port
 * @param mode           live (event shipping) or stop-and-copy
 */
public record HandoffRequest(String peerHost, int peerPort, String clientHost, int clientPort, Frame.Mode mode) {

    public HandoffRequest {
        Objects.requireNonNull(peerHost, "peerHost");
        Objects.requireNonNull(clientHost, "clientHost");
        Objects.requireNonNull(mode, "mode");
        if (peerPort < 1 || peerPort > 65535 || clientPort < 1 || clientPort > 65535) {
            throw new IllegalArgumentException("ports must be within 1..65535");
        }
    }
}
