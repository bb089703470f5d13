package io.baton.core;

/**
 * One peer link, as the source or the target sees it: its connection and when it was last heard from. Each
 * side owns one, so that a silence is always measured on the link it is about.
 */
final class PeerLink {

    /** Silence on the peer link after which either side treats it as lost. */
    static final long SILENCE = 2_000_000_000L;
    /** A source pings its link this often, so that a live target is never taken for a silent one. */
    static final long PING_INTERVAL = SILENCE / 4;

    /** The link's connection, or -1 while there is none. */
    long conn = -1;
    long lastHeard;
    /** When the source pings next (the source's link only). */
    long nextPing;

    boolean up() {
        return conn >= 0;
    }

    boolean is(long c) {
        return conn >= 0 && c == conn;
    }

    /** The instant the link has been silent for {@link #SILENCE}. */
    long silentAt() {
        return lastHeard + SILENCE;
    }

    /** Forgets the connection (already closed, or being closed) and returns it. */
    long drop() {
        long c = conn;
        conn = -1;
        return c;
    }
}
