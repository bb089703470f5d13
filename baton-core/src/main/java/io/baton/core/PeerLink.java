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

    /**
     * How fast a target is assumed to restore a snapshot at the least, its time to do so allowed on top of
     * {@link #SILENCE}: 1 s per 32 MiB.
     * A target restores on its core's thread and answers nothing meanwhile; 256 MiB took it 1.8 s on the
     * shared 2-core machine, after 3.6 s of receiving, which the plain silence bound cut (docs/faults.md).
     */
    static final long RESTORE_BYTES_PER_SECOND = 32L << 20;

    /** The link's connection, or -1 while there is none. */
    long conn = -1;
    long lastHeard;
    /** Until when silence is allowed anyway (a target restoring what it was sent); 0 for none. */
    long quietAllowedUntil;
    /** When the source pings next (the source's link only). */
    long nextPing;
    /**
     * The peer-link version the target chose in PEER_CHALLENGE, once the link is authenticated: what the
     * version-dependent frames on it (CUTOVER) are written and checked in. 0 before.
     */
    int version;

    boolean up() {
        return conn >= 0;
    }

    boolean is(long c) {
        return conn >= 0 && c == conn;
    }

    /** The instant the link has been silent for {@link #SILENCE}, or the end of an allowed quiet if later. */
    long silentAt() {
        return Math.max(lastHeard + SILENCE, quietAllowedUntil);
    }

    /** The other side will be busy restoring {@code bytes} from {@code now} on, and may say nothing meanwhile. */
    void allowRestore(long bytes, long now) {
        quietAllowedUntil = now + SILENCE + bytes * 1_000_000_000L / RESTORE_BYTES_PER_SECOND;
    }

    /** Forgets the connection (already closed, or being closed) and returns it. */
    long drop() {
        long c = conn;
        conn = -1;
        quietAllowedUntil = 0;
        return c;
    }
}
