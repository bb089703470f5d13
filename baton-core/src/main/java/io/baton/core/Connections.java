package io.baton.core;

import java.util.HashMap;
import java.util.Map;

/**
 * The connection table: what each open connection is to this server. It owns the one map from connection
 * id to kind, because every frame is routed by it and a session's outputs flow only on a connection this
 * table calls {@link Kind#CLIENT}; who may change a kind is decided by the rooms, not here.
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

        Conn(Kind kind) {
            this.kind = kind;
        }
    }

    private final Map<Long, Conn> table = new HashMap<>();

    void add(long conn, Kind kind) {
        table.put(conn, new Conn(kind));
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
    }

    /** Whether outputs may flow on the session's connection now (not during a source's cutover pause). */
    boolean isBound(Session s) {
        Conn c = table.get(s.conn);
        return c != null && c.kind == Kind.CLIENT;
    }
}
