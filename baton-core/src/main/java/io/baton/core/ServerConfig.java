package io.baton.core;

import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import java.util.Objects;

/**
 * Everything a server core needs to know that is not state. Durations are nanoseconds.
 *
 * @param factory          the hosted service
 * @param service          its configuration (tick rate, options)
 * @param peerSecret       shared secret that authenticates the peer link and signs attach tickets
 * @param resumeWindow     how long a disconnected session is kept for its client to resume
 * @param redirectPerSecond how many MOVE frames the source sends per second (pacing the stampede)
 * @param attachTimeout    how long after the last MOVE the source waits for clients to attach before the attach
 *                         rule (docs/handoff.md) decides: cut over without the rest, or abort
 * @param ticketTtl        how long after the handoff starts on the target its tickets are accepted
 * @param drainTimeout     how long the source keeps old connections after SWITCH before closing them
 * @param cutoverTimeout   how long the source waits for the target's answer to CUTOVER
 * @param commitWait       how long an output may wait for the target's acknowledgement before the source
 *                         gives the target up and releases it, beyond two of the fastest round trips to the
 *                         target seen in the handoff (so that a slow link is not taken for a dead one)
 * @param maxUnackedOutputs outputs kept per session before a client that never acknowledges is cut off
 * @param defects          deliberately broken behaviours, for the simulator's checker tests only; empty
 */
public record ServerConfig(
        ServiceFactory factory,
        ServiceConfig service,
        byte[] peerSecret,
        long resumeWindow,
        int redirectPerSecond,
        long attachTimeout,
        long ticketTtl,
        long drainTimeout,
        long cutoverTimeout,
        long commitWait,
        int maxUnackedOutputs,
        java.util.Set<Defect> defects) {

    private static final long SECOND = 1_000_000_000L;

    public ServerConfig {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(service, "service");
        if (peerSecret == null || peerSecret.length < 16) {
            throw new IllegalArgumentException("the peer secret must be at least 16 bytes");
        }
        defects = defects == null ? java.util.Set.of() : java.util.Set.copyOf(defects);
        if (redirectPerSecond < 1) {
            throw new IllegalArgumentException("redirectPerSecond must be positive");
        }
    }

    /**
     * Defaults: 30 s resume window, 5000 redirects/s, 3 s attach wait, 60 s tickets, 5 s drain, 2 s for the
     * answer to CUTOVER, and a commit wait of half a tick but at least 20 ms: a target that dies costs the
     * clients less than a tick.
     */
    public static ServerConfig defaults(ServiceFactory factory, ServiceConfig service, byte[] peerSecret) {
        long commitWait = Math.max(20_000_000L, SECOND / Math.max(1, service.tickHz()) / 2);
        return new ServerConfig(factory, service, peerSecret, 30 * SECOND, 5000, 3 * SECOND, 60 * SECOND,
                5 * SECOND, 2 * SECOND, commitWait, 65_536, java.util.Set.of());
    }

    public ServerConfig withTicketTtl(long nanos) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, nanos,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, defects);
    }

    public ServerConfig withRedirectPerSecond(int perSecond) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, perSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, defects);
    }

    public ServerConfig withResumeWindow(long nanos) {
        return new ServerConfig(factory, service, peerSecret, nanos, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, defects);
    }

    public ServerConfig withCommitWait(long nanos) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, nanos, maxUnackedOutputs, defects);
    }

    /** The same configuration with deliberately broken behaviours: for the checker's own tests only. */
    public ServerConfig withDefects(Defect... broken) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, java.util.Set.of(broken));
    }

    long tickPeriod() {
        return SECOND / service.tickHz();
    }
}
