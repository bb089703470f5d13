package io.baton.server;

import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.TargetPhase;
import java.util.Optional;

/**
 * The rules of {@code GET /healthz} and {@code GET /readyz} (docs/handoff.md states them): live while the
 * runtime is up and the core's loop runs what is queued to it; ready while this server can serve (an
 * authority) or can receive a handoff (a standby at rest with a peer port), and is not being stopped.
 */
final class Probes {

    /** How long the core's loop may take to run a queued task before the server counts as not live. */
    static final long LOOP_ANSWER_MILLIS = 1000;

    private final boolean peerPort;
    /** Why this server takes no more clients (POST /save, shutdown), or null while it does. */
    private volatile String stopping;
    private volatile boolean closed;

    Probes(boolean peerPort) {
        this.peerPort = peerPort;
    }

    /** From now on the server is not ready, whatever its core says; the first reason given stays. */
    void stopping(String why) {
        if (stopping == null) {
            stopping = why;
        }
    }

    /** The runtime is being closed: neither live nor ready. */
    void closing() {
        stopping("the server is shutting down");
        closed = true;
    }

    boolean closed() {
        return closed;
    }

    /** Empty when ready; otherwise why not, in words an operator can act on. */
    Optional<String> notReady(ServerStatus s) {
        String why = stopping;
        if (why != null) {
            return Optional.of(why);
        }
        return switch (s.role()) {
            case AUTHORITY -> Optional.empty();
            case STANDBY -> !peerPort
                    ? Optional.of("a standby without a peer port: it can receive no handoff")
                    // Only once a source has authenticated: handshakes that have not (a squatter's, say) run
                    // side by side with a real one and must not take a standby out of its pool's DNS.
                    : s.targetPhase() != TargetPhase.STANDBY && s.targetPhase() != TargetPhase.AUTHENTICATING
                            ? Optional.of("a standby busy receiving a handoff (target phase "
                                    + s.targetPhase() + "): it takes no other")
                            : Optional.empty();
            case RETIRED -> Optional.of("retired (source phase " + s.sourcePhase()
                    + "): it no longer serves; its clients are on the target");
        };
    }

    /** What {@code /readyz} says a ready server is. */
    static String readyAs(ServerStatus s) {
        return s.role() == Role.AUTHORITY ? "an authority serving clients" : "a standby ready to receive a handoff";
    }
}
