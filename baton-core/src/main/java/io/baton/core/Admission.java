package io.baton.core;

import io.baton.wire.ErrorCode;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a stranger may cost this server before it has proven anything: the hello deadline of every accepted
 * connection, the caps on sessions (in total and per address) and the rate of new ones, and the count of
 * every refusal by the limit that made it (for the operator's {@link ServerStatus#refusals} and the
 * server's metrics). The limits' values are {@link ServerConfig.Limits}; the rooms that enforce the limits
 * on bound sessions ({@link Handshake}: idle, unacknowledged outputs, input size) count here too, so that
 * there is one list of limits and one count of each.
 */
final class Admission {

    /**
     * Every limit a server refuses or closes by, with the name its refusals are counted under (the
     * {@code limit} tag of {@code baton_refusals_total}): its flag on {@code baton serve}, less any unit.
     */
    enum Limit {
        HELLO_TIMEOUT("hello-timeout"),
        IDLE_TIMEOUT("idle-timeout"),
        MAX_SESSIONS("max-sessions"),
        MAX_SESSIONS_PER_ADDRESS("max-sessions-per-address"),
        HELLO_NEW_RATE("hello-new-rate"),
        MAX_UNACKED("max-unacked"),
        MAX_INPUT_BYTES("max-input-bytes");

        final String flag;

        Limit(String flag) {
            this.flag = flag;
        }
    }

    private final ServerCore core;
    private final EnumMap<Limit, Long> refusals = new EnumMap<>(Limit.class);
    /**
     * The HELLO NEW token bucket, as the instant it would be empty if nothing refilled it (the generic cell
     * rate algorithm: one integer, exact, no rounding); a HELLO NEW is admitted while that instant is at most
     * a burst's worth of intervals ahead of now.
     */
    private long helloBucketAt = Long.MIN_VALUE;

    Admission(ServerCore core) {
        this.core = core;
    }

    /** Counts one refusal (or closing) by {@code limit}. */
    void refused(Limit limit) {
        refusals.merge(limit, 1L, Long::sum);
    }

    /** The refusals so far, by flag name, every limit listed (zero if it never refused). */
    Map<String, Long> refusals() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Limit l : Limit.values()) {
            m.put(l.flag, refusals.getOrDefault(l, 0L));
        }
        return m;
    }

    /**
     * Whether a HELLO NEW from {@code address} may open a session now; if not, refuses the connection with
     * the limit's code and a message that names it and its flag. Takes a token from the rate bucket only
     * when it admits.
     */
    boolean admitNew(long conn, String address, long now) {
        ServerConfig.Limits limits = core.cfg.limits();
        long helloInterval = Math.max(1, 1_000_000_000L / limits.helloNewPerSecond());
        int sessions = core.log.sessions.size();
        if (sessions >= limits.maxSessions()) {
            refuse(conn, Limit.MAX_SESSIONS, ErrorCode.SESSIONS_FULL, "this server holds " + sessions
                    + " sessions, its limit (--max-sessions " + limits.maxSessions() + "); try again later", now);
            return false;
        }
        int fromAddress = core.conns.sessionsFrom(address);
        if (fromAddress >= limits.maxSessionsPerAddress()) {
            refuse(conn, Limit.MAX_SESSIONS_PER_ADDRESS, ErrorCode.ADDRESS_FULL, "address " + address + " holds "
                    + fromAddress + " sessions, the limit per address (--max-sessions-per-address "
                    + limits.maxSessionsPerAddress() + "); close one, or connect from another address", now);
            return false;
        }
        long at = Math.max(helloBucketAt, now) + helloInterval;
        if (at - now > helloInterval * limits.helloNewBurst()) {
            refuse(conn, Limit.HELLO_NEW_RATE, ErrorCode.HELLO_RATE, "more new sessions were asked for than "
                    + limits.helloNewPerSecond() + " a second after a burst of " + limits.helloNewBurst()
                    + " (--hello-new-rate, --hello-new-burst); retry in a moment", now);
            return false;
        }
        helloBucketAt = at;
        return true;
    }

    private void refuse(long conn, Limit limit, ErrorCode code, String message, long now) {
        refused(limit);
        core.reject(conn, code, message, now);
    }

    /** Whether an accepted connection's hello deadline is pending. */
    boolean helloDeadlinesPending() {
        return core.conns.helloDeadlinesPending();
    }

    long nextHelloDeadline() {
        return core.conns.nextHelloDeadline();
    }

    /**
     * The hello-deadline timer: closes every accepted connection whose deadline has passed and that has not
     * said who it is yet, a client without its HELLO answered or a peer that has not authenticated. This also
     * cuts a connection that sends a frame a byte at a time and never completes it.
     */
    void helloDeadlinesPassed(long now) {
        long ms = core.cfg.limits().helloTimeout() / 1_000_000;
        for (long conn = core.conns.pollHelloDeadline(now); conn >= 0; conn = core.conns.pollHelloDeadline(now)) {
            Connections.Conn c = core.conns.get(conn);
            if (c == null) {
                continue;
            }
            if (c.kind == Connections.Kind.AWAIT_HELLO) {
                refuse(conn, Limit.HELLO_TIMEOUT, ErrorCode.HELLO_TIMEOUT, "no complete HELLO within " + ms
                        + " ms of connecting (--hello-timeout-ms)", now);
            } else if (c.kind == Connections.Kind.PEER_IN && !core.target.link.is(conn)) {
                refuse(conn, Limit.HELLO_TIMEOUT, ErrorCode.HELLO_TIMEOUT, "no PEER_HELLO and valid PEER_AUTH "
                        + "within " + ms + " ms of connecting (--hello-timeout-ms): is the peer secret the same?", now);
            }
        }
    }
}
