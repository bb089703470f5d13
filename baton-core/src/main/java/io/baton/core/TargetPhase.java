package io.baton.core;

/**
 * The phases of a handoff on the target. Each constant names the phases it may move to and what moves it;
 * {@link #canMoveTo} is the one check of a transition, asserted by the core on every change.
 */
public enum TargetPhase {
    /** Waiting for a source to connect. Next: AUTHENTICATING on a PEER_HELLO. */
    STANDBY,
    /**
     * A source connected; proving each other the peer secret. Next: RECEIVING on a valid PEER_AUTH, STANDBY
     * (a wrong proof, a timeout, a lost link).
     */
    AUTHENTICATING,
    /**
     * Receiving a snapshot. Next: REPLICATING once it is loaded and its digest verified, STANDBY (a bad
     * snapshot, an abort, a lost link).
     */
    RECEIVING,
    /**
     * Applying the source's events as they come, outputs held: a warm replica. Next: AUTHORITY on a CUTOVER
     * whose digest matches, ORPHANED if the link is lost after COMMIT, STANDBY (a mismatch, an abort, a link
     * lost before COMMIT).
     */
    REPLICATING,
    /**
     * Lost the source after output commit began: waiting for a majority of the sessions to claim that the
     * source is gone too. Next: AUTHORITY (failed over), STANDBY (no majority came).
     */
    ORPHANED,
    /** Digest verified at L (or failed over); this server now applies events and serves the clients. Final. */
    AUTHORITY;

    /** Whether {@code next} may follow this phase. */
    public boolean canMoveTo(TargetPhase next) {
        return switch (this) {
            case STANDBY -> next == AUTHENTICATING;
            case AUTHENTICATING -> next == RECEIVING || next == STANDBY;
            case RECEIVING -> next == REPLICATING || next == STANDBY;
            case REPLICATING -> next == AUTHORITY || next == STANDBY || next == ORPHANED;
            case ORPHANED -> next == AUTHORITY || next == STANDBY;
            case AUTHORITY -> false;
        };
    }
}
