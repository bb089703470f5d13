package io.baton.core;

import io.baton.wire.Frame;

/**
 * One connection of a client session, to its home or to a handoff's target: how far its handshake got, and
 * when it last heard from the server and pinged it, which set its two timers (ping when idle, dead when
 * silent too long).
 */
final class ClientLink {

    /** How far the handshake got: CONNECTING until the driver reports it open, HELLO_SENT, READY once welcomed. */
    enum State { CONNECTING, HELLO_SENT, READY }

    final long conn;
    final HostPort server;
    private final ClientCore.Timing timing;
    private State state = State.CONNECTING;
    private long lastHeard;
    private long lastPing;

    ClientLink(long conn, HostPort server, ClientCore.Timing timing, long now) {
        this.conn = conn;
        this.server = server;
        this.timing = timing;
        this.lastHeard = now;
        this.lastPing = now;
    }

    /** Whether {@code link} is there and is connection {@code conn}. */
    static boolean carries(ClientLink link, long conn) {
        return link != null && link.conn == conn;
    }

    boolean isReady() {
        return state == State.READY;
    }

    /** The HELLO went out; the silence limit counts from here. */
    void helloSent(long now) {
        state = State.HELLO_SENT;
        lastHeard = now;
    }

    /**
     * The client-link version and tick rate the server's WELCOME said (docs/protocol.md, Versions); 0 until
     * welcomed, and the tick rate 0 below version 5.
     */
    int version;
    int tickHz;

    void welcomed() {
        state = State.READY;
    }

    void welcomed(Frame.Welcome w) {
        version = w.version();
        tickHz = w.tickHz();
        welcomed();
    }

    void heard(long now) {
        lastHeard = now;
    }

    void pinged(long now) {
        lastPing = now;
    }

    /** When silence makes the connection dead: a connection that never opens dies the same way. */
    long deadAt() {
        return lastHeard + timing.deadAfter();
    }

    /** When to ping, so that the server hears from us though we have nothing to say: only once welcomed. */
    long pingAt() {
        return state == State.READY ? Math.max(lastPing, lastHeard) + timing.heartbeat() : Long.MAX_VALUE;
    }
}
