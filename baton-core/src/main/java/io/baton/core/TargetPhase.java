package io.baton.core;

/** The phases of a handoff on the target; {@link #canMoveTo} is the one check of a transition. */
public enum TargetPhase {
    /** Waiting for a source to connect. Next: AUTHENTICATING. */
    STANDBY,
    /** A source connected; proving each other the peer secret. Next: RECEIVING, STANDBY (failed). */
    AUTHENTICATING,
    /** Receiving a snapshot. Next: REPLICATING, STANDBY (failed or aborted). */
    RECEIVING,
    /** Applying the source's events as they come, outputs held: a warm replica. Next: AUTHORITY, ORPHANED, STANDBY. */
    REPLICATING,
    /**
     * Lost the source after output commit began: waiting for a majority of the sessions to claim that the
     * source is gone too. Next: AUTHORITY (failed over), STANDBY (no majority came).
     */
    ORPHANED,
    /** Digest verified at L; this server now applies events and serves the clients. Final. */
    AUTHORITY;

    public boolean canMoveTo(TargetPhase next) {
        return switch (this) {
            case STANDBY -> next == AUTHENTICATING;
            case AUTHENTICATING -> next == RECEIVING || next == REPLICATING || next == STANDBY;
            case RECEIVING -> next == REPLICATING || next == AUTHORITY || next == STANDBY;
            case REPLICATING -> next == RECEIVING || next == AUTHORITY || next == STANDBY || next == ORPHANED;
            case ORPHANED -> next == AUTHORITY || next == STANDBY;
            case AUTHORITY -> false;
        };
    }
}
