package io.baton.core;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The connection table: what each open connection is to this server. It owns the one map from connection
 * id to kind, because every frame is routed by it and a session's outputs flow only on a connection this
 * table calls {@link Kind#CLIENT}; who may change a kind is decided by the rooms, not here.
 *
 * <p>It also knows where connections come from: each accepted connection's address key, how many sessions
 * each address holds (a session counts under the address of the last connection bound to it, until it is
 * closed), and the hello deadline of every accepted connection that has not yet said who it is.
 */
final class Connections {

    /** What a connection is to this server. */
    enum Kind {
        /** A client connection before its HELLO. */
        AWAIT_HELLO,
        /** Bound to a session, which this server serves. */
        CLIENT,
        /** A client's pre-connection to this target, with a ticket, before the switch. */
        ATTACHED,
        /** A client resuming on an orphaned target: a claim that the source is gone. */
        CLAIM,
        /** Accepted on the peer port: a source may hand off to this server. */
        PEER_IN,
        /** Opened by this source to its target. */
        PEER_OUT
    }

    /** One connection's entry. */
    static final class Conn {
        Kind kind;
        long sessionId;
        /** The remote address key the driver gave on accept ("" for peer links). */
        final String address;
        /** When it was accepted. */
        final long acceptedAt;
        /** When a frame last arrived on it (its acceptance until one has): what the idle deadline measures. */
        long heardAt;
        /** When the server last pinged it for being silent (client connections only), else 0. */
        long pingedAt;
        /** A peer connection's channel binding once the driver reported it (ServerCore.peerSecured), else null. */
        byte[] binding;
        /**
         * The client-link version chosen for a client connection at its HELLO (docs/protocol.md, Versions): what
         * every WELCOME on it is written in. 0 before its HELLO.
         */
        int version;

        Conn(Kind kind, String address, long acceptedAt) {
            this.kind = kind;
            this.address = address;
            this.acceptedAt = acceptedAt;
            this.heardAt = acceptedAt;
        }
    }

    private final Map<Long, Conn> table = new HashMap<>();
    /** Sessions held per address key (only addresses holding one or more). */
    private final Map<String, Integer> sessionsByAddress = new HashMap<>();
    /**
     * Accepted connections in the order they came, each checked once at its hello deadline: one deadline for
     * all, so the order of acceptance is the order of deadlines and the head is always the next one due.
     */
    private final ArrayDeque<long[]> helloDeadlines = new ArrayDeque<>();

    /** An outbound connection (this source's peer link): no hello deadline, no address. */
    void add(long conn, Kind kind) {
        table.put(conn, new Conn(kind, "", 0));
    }

    /** An accepted connection, which must say who it is by {@code helloDeadline}. */
    void accepted(long conn, Kind kind, String address, long now, long helloDeadline) {
        table.put(conn, new Conn(kind, address == null ? "" : address, now));
        helloDeadlines.add(new long[] {conn, helloDeadline});
    }

    Conn get(long conn) {
        return table.get(conn);
    }

    Conn remove(long conn) {
        return table.remove(conn);
    }

    /** Binds a connection to a session: from now on the session's outputs go out on it. */
    void bind(long conn, Conn c, Session s) {
        c.kind = Kind.CLIENT;
        c.sessionId = s.id;
        s.conn = conn;
        s.sentSeq = s.outputSeq;
        if (!c.address.equals(s.address)) {
            forget(s);
            s.address = c.address;
            sessionsByAddress.merge(c.address, 1, Integer::sum);
        }
    }

    /** The session was closed (or the state holding it replaced): its address holds one session fewer. */
    void forget(Session s) {
        if (s.address != null) {
            sessionsByAddress.computeIfPresent(s.address, (a, n) -> n > 1 ? n - 1 : null);
            s.address = null;
        }
    }

    /** Every session was dropped at once (a replica discarded): no address holds any. */
    void forgetAllSessions() {
        sessionsByAddress.clear();
    }

    /** Whether any connection is open (the liveness check has something to look at). */
    boolean any() {
        return !table.isEmpty();
    }

    /** Every open connection, by id: read only, for a sweep that collects before it changes anything. */
    Map<Long, Conn> all() {
        return java.util.Collections.unmodifiableMap(table);
    }

    /** How many sessions the address holds now. */
    int sessionsFrom(String address) {
        return sessionsByAddress.getOrDefault(address, 0);
    }

    /** Whether outputs may flow on the session's connection now (not during a source's cutover pause). */
    boolean isBound(Session s) {
        Conn c = table.get(s.conn);
        return c != null && c.kind == Kind.CLIENT;
    }

    /** When the next hello deadline falls, or {@link Long#MAX_VALUE}. */
    long nextHelloDeadline() {
        long[] head = helloDeadlines.peekFirst();
        return head == null ? Long.MAX_VALUE : head[1];
    }

    boolean helloDeadlinesPending() {
        return !helloDeadlines.isEmpty();
    }

    /**
     * Takes the next connection whose hello deadline has passed by {@code now} (whatever it is by now:
     * the caller decides whether it still owes its hello), or -1 if none has.
     */
    long pollHelloDeadline(long now) {
        long[] head = helloDeadlines.peekFirst();
        if (head == null || head[1] > now) {
            return -1;
        }
        helloDeadlines.pollFirst();
        return head[0];
    }
}
