package io.baton.core;

import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.wire.VersionRange;
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
 * @param maxUnackedOutputs outputs a session may hold unacknowledged, connected or not; one more and the
 *                         session is closed with {@code SESSION_CLOSED} (docs/protocol.md, Limits)
 * @param limits           what one connection, address or stranger may cost this server ({@link Limits})
 * @param defects          deliberately broken behaviours, for the simulator's checker tests only; empty
 * @param clientVersions   the client-link versions this server speaks (a HELLO gets the highest both speak;
 *                         docs/protocol.md, Versions); {@link VersionRange#CLIENT_DEFAULT}, 4..4, unless configured
 * @param peerVersions     the peer-link versions it speaks, as a source and as a target;
 *                         {@link VersionRange#PEER_DEFAULT}, 4..4, unless configured
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
        Limits limits,
        java.util.Set<Defect> defects,
        VersionRange clientVersions,
        VersionRange peerVersions) {

    private static final long SECOND = 1_000_000_000L;
    /** The default of {@link #maxUnackedOutputs}. */
    public static final int DEFAULT_MAX_UNACKED_OUTPUTS = 65_536;

    public ServerConfig {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(service, "service");
        if (peerSecret == null || peerSecret.length < 16) {
            throw new IllegalArgumentException("the peer secret must be at least 16 bytes");
        }
        defects = defects == null ? java.util.Set.of() : java.util.Set.copyOf(defects);
        limits = limits == null ? Limits.defaults() : limits;
        clientVersions = clientVersions == null ? VersionRange.CLIENT_DEFAULT
                : VersionRange.speakable(clientVersions.min(), clientVersions.max());
        peerVersions = peerVersions == null ? VersionRange.PEER_DEFAULT
                : VersionRange.speakable(peerVersions.min(), peerVersions.max());
        if (maxUnackedOutputs < 1) {
            throw new IllegalArgumentException("maxUnackedOutputs must be positive, was " + maxUnackedOutputs);
        }
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
                5 * SECOND, 2 * SECOND, commitWait, DEFAULT_MAX_UNACKED_OUTPUTS, Limits.defaults(),
                java.util.Set.of(), VersionRange.CLIENT_DEFAULT, VersionRange.PEER_DEFAULT);
    }

    public ServerConfig withTicketTtl(long nanos) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, nanos,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, limits, defects, clientVersions, peerVersions);
    }

    public ServerConfig withRedirectPerSecond(int perSecond) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, perSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, limits, defects, clientVersions, peerVersions);
    }

    public ServerConfig withResumeWindow(long nanos) {
        return new ServerConfig(factory, service, peerSecret, nanos, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, limits, defects, clientVersions, peerVersions);
    }

    public ServerConfig withCommitWait(long nanos) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, nanos, maxUnackedOutputs, limits, defects, clientVersions, peerVersions);
    }

    /** The same configuration with deliberately broken behaviours: for the checker's own tests only. */
    public ServerConfig withDefects(Defect... broken) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, limits,
                java.util.Set.of(broken), clientVersions, peerVersions);
    }

    /**
     * The same configuration speaking other protocol versions: each range within what this build can speak
     * ({@link VersionRange#speakable}), e.g. 4..5 for a server that also speaks the test version 5.
     */
    public ServerConfig withVersions(VersionRange client, VersionRange peer) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, limits, defects, client, peer);
    }

    /** The same configuration with other limits. */
    public ServerConfig withLimits(Limits newLimits) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, maxUnackedOutputs, newLimits, defects, clientVersions, peerVersions);
    }

    /** The same configuration with another cap on a session's unacknowledged outputs. */
    public ServerConfig withMaxUnackedOutputs(int outputs) {
        return new ServerConfig(factory, service, peerSecret, resumeWindow, redirectPerSecond, attachTimeout, ticketTtl,
                drainTimeout, cutoverTimeout, commitWait, outputs, limits, defects, clientVersions, peerVersions);
    }

    /**
     * What a connection, an address or a stranger may cost a server: every bound that a client (honest or
     * not) could otherwise push without end. Each has a default here, a flag on {@code baton serve}, and a
     * line in docs/protocol.md (Limits), which says what happens at it. Durations are nanoseconds.
     *
     * @param helloTimeout          an accepted connection (client or peer port) must complete its hello (a
     *                              client's HELLO; a source's PEER_HELLO and PEER_AUTH) within this, else it is
     *                              closed with {@code HELLO_TIMEOUT}
     * @param idleTimeout           a client connection bound to a session from which nothing arrived for this
     *                              long is closed with {@code IDLE_TIMEOUT}; its session enters its resume window
     * @param maxSessions           sessions this server keeps at once (connected or in their resume window);
     *                              a HELLO NEW beyond it is refused with {@code SESSIONS_FULL}
     * @param maxSessionsPerAddress sessions one address key may hold; beyond it {@code ADDRESS_FULL}
     * @param helloNewPerSecond     HELLO NEW accepted per second, sustained (a token bucket); beyond it
     *                              {@code HELLO_RATE}
     * @param helloNewBurst         HELLO NEW accepted at once after a quiet spell (the bucket's size)
     * @param maxUnackedBytes       payload bytes a session may hold unacknowledged, connected or not; beyond it
     *                              the session is closed with {@code SESSION_CLOSED}
     * @param maxInputBytes         the largest INPUT payload accepted from a client; a larger one is refused
     *                              with {@code INPUT_TOO_LARGE}. At most {@link #MAX_INPUT_BYTES}, what the peer
     *                              link always carries
     */
    public record Limits(
            long helloTimeout,
            long idleTimeout,
            int maxSessions,
            int maxSessionsPerAddress,
            int helloNewPerSecond,
            int helloNewBurst,
            long maxUnackedBytes,
            int maxInputBytes) {

        /**
         * The largest INPUT payload a client frame can hold: a client link's largest frame less INPUT's type
         * byte and 16-byte header. The peer link's maximum frame is sized so that an EVENT or FORWARD carrying
         * one always fits (baton-server), so no input a server accepts can abort a handoff.
         */
        public static final int MAX_INPUT_BYTES = io.baton.wire.FrameCodec.DEFAULT_MAX_FRAME - 1 - 16;
        /**
         * The shortest idle timeout: a live client pings after 400 ms of silence and the server pings a client
         * silent for 1 s, so anything shorter would cut live clients on a slow path.
         */
        public static final long MIN_IDLE_TIMEOUT = 1_500_000_000L;
        /**
         * The most sessions a server may hold: each may be in a COMMIT's electorate (8 bytes a session), which
         * must fit the peer link's largest frame (1 MiB and more).
         */
        public static final int MAX_SESSIONS = (io.baton.wire.FrameCodec.DEFAULT_MAX_FRAME - 64) / 8;

        public Limits {
            positive("helloTimeout", helloTimeout);
            positive("idleTimeout", idleTimeout);
            positive("maxSessions", maxSessions);
            positive("maxSessionsPerAddress", maxSessionsPerAddress);
            positive("helloNewPerSecond", helloNewPerSecond);
            positive("helloNewBurst", helloNewBurst);
            positive("maxUnackedBytes", maxUnackedBytes);
            positive("maxInputBytes", maxInputBytes);
            if (idleTimeout < MIN_IDLE_TIMEOUT) {
                throw new IllegalArgumentException("idleTimeout " + idleTimeout / 1_000_000 + " ms is below "
                        + MIN_IDLE_TIMEOUT / 1_000_000 + " ms: live clients, which ping after 400 ms of silence and are"
                        + " pinged after 1 s, would be cut");
            }
            if (maxSessions > MAX_SESSIONS) {
                throw new IllegalArgumentException("maxSessions " + maxSessions + " is above " + MAX_SESSIONS
                        + ": a handoff's COMMIT names up to every session, and must fit the peer link's largest frame");
            }
            if (maxInputBytes > MAX_INPUT_BYTES) {
                throw new IllegalArgumentException("maxInputBytes " + maxInputBytes + " is above "
                        + MAX_INPUT_BYTES + ", the largest INPUT payload a client frame can hold");
            }
        }

        private static void positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
        }

        /**
         * Defaults: 5 s to say hello, 5 s of silence on a bound client connection (a live client pings every
         * 400 ms, and the server pings one silent for 1 s), 20,000 sessions, 5,000 per address (the largest
         * fleet measured from one loopback address), 500 HELLO NEW a second after a burst of 1,000, 16 MiB
         * unacknowledged per session, and inputs as large as a client frame can carry.
         */
        public static Limits defaults() {
            return new Limits(5 * SECOND, 5 * SECOND, 20_000, 5_000, 500, 1_000, 16L << 20, MAX_INPUT_BYTES);
        }

        public Limits withHelloTimeout(long nanos) {
            return new Limits(nanos, idleTimeout, maxSessions, maxSessionsPerAddress, helloNewPerSecond,
                    helloNewBurst, maxUnackedBytes, maxInputBytes);
        }

        public Limits withIdleTimeout(long nanos) {
            return new Limits(helloTimeout, nanos, maxSessions, maxSessionsPerAddress, helloNewPerSecond,
                    helloNewBurst, maxUnackedBytes, maxInputBytes);
        }

        public Limits withMaxSessions(int sessions, int perAddress) {
            return new Limits(helloTimeout, idleTimeout, sessions, perAddress, helloNewPerSecond, helloNewBurst,
                    maxUnackedBytes, maxInputBytes);
        }

        public Limits withHelloNewRate(int perSecond, int burst) {
            return new Limits(helloTimeout, idleTimeout, maxSessions, maxSessionsPerAddress, perSecond, burst,
                    maxUnackedBytes, maxInputBytes);
        }

        public Limits withMaxUnackedBytes(long bytes) {
            return new Limits(helloTimeout, idleTimeout, maxSessions, maxSessionsPerAddress, helloNewPerSecond,
                    helloNewBurst, bytes, maxInputBytes);
        }

        public Limits withMaxInputBytes(int bytes) {
            return new Limits(helloTimeout, idleTimeout, maxSessions, maxSessionsPerAddress, helloNewPerSecond,
                    helloNewBurst, maxUnackedBytes, bytes);
        }
    }

    long tickPeriod() {
        return SECOND / service.tickHz();
    }
}
