package io.baton.core;

/**
 * The phases of a handoff on the source. Each constant names the phases it may move to; {@link #canMoveTo}
 * is the one check of a transition, asserted by the core on every change.
 */
public enum SourcePhase {
    /** No handoff. Next: CONNECTING when an operator starts one. */
    IDLE,
    /** Opening the peer link to the target. Next: AUTHENTICATING once it is up (PEER_HELLO sent), ABORTED. */
    CONNECTING,
    /**
     * Proving each other the peer secret. Next, on a valid PEER_CHALLENGE: TRANSFERRING (live) or REDIRECTING
     * (stop-and-copy); ABORTED on a wrong proof, a refusal or a lost link.
     */
    AUTHENTICATING,
    /** Streaming the snapshot while events queue behind it. Next: CATCHING_UP after its last chunk, ABORTED. */
    TRANSFERRING,
    /**
     * Snapshot sent; waiting for the target to acknowledge it and what queued behind it, then for the clients
     * to acknowledge the target's address. Next: REDIRECTING when output commit starts, ABORTED.
     */
    CATCHING_UP,
    /**
     * Target is a warm replica; clients are told to move, paced, and attach. Next: CUTTING_OVER right after
     * the tick at which all attached (or the attach wait ran out), once the target holds it; ABORTED (a lost
     * link with a majority of clients present, or before COMMIT); FENCED (a lost link after COMMIT without one).
     */
    REDIRECTING,
    /**
     * Stopped at L; waiting for the target to verify the digest and take authority. Next: DRAINING on a good
     * CUTOVER_RESULT; ABORTED on a bad one, or a failure before CUTOVER went out; FENCED if the link is lost
     * or the answer does not come after CUTOVER went out.
     */
    CUTTING_OVER,
    /**
     * Target has authority; clients switch, stragglers' inputs are forwarded. Next: DONE when the last client
     * has left or the drain timed out.
     */
    DRAINING,
    /** All clients gone; this server is retired. Final. */
    DONE,
    /**
     * The handoff failed before cutover; the source carried on as if nothing happened. Next: CONNECTING when an
     * operator starts another, or FENCED if it loses its majority of clients while the target may still take over.
     */
    ABORTED,
    /**
     * Lost the target after catch-up without holding a majority of its clients (or during cutover): the
     * target may be taking over, so this server applies nothing more and sends its clients there. Final.
     */
    FENCED;

    /** Whether {@code next} may follow this phase. */
    public boolean canMoveTo(SourcePhase next) {
        return switch (this) {
            case IDLE -> next == CONNECTING;
            case ABORTED -> next == CONNECTING || next == FENCED;
            case CONNECTING -> next == AUTHENTICATING || next == ABORTED;
            case AUTHENTICATING -> next == TRANSFERRING || next == REDIRECTING || next == ABORTED;
            case TRANSFERRING -> next == CATCHING_UP || next == ABORTED;
            case CATCHING_UP -> next == REDIRECTING || next == ABORTED;
            case REDIRECTING -> next == CUTTING_OVER || next == ABORTED || next == FENCED;
            case CUTTING_OVER -> next == DRAINING || next == ABORTED || next == FENCED;
            case DRAINING -> next == DONE;
            case DONE, FENCED -> false;
        };
    }

    /** Whether the source applies nothing in this phase: stopped at L, and from then on for good. */
    boolean stopsApplying() {
        return this == CUTTING_OVER || this == DRAINING || this == DONE || this == FENCED;
    }

    /** Whether a handoff is under way (an operator cannot start another). */
    public boolean active() {
        return this != IDLE && this != DONE && this != ABORTED && this != FENCED;
    }
}
