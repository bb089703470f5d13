package io.baton.core;

/**
 * What a server is, with respect to its state. Exactly one server of a handoff pair is AUTHORITY at a time;
 * {@link #canMoveTo} is the one check of a change of role.
 */
public enum Role {
    /**
     * Applies events and serves clients (a server on its own, or the source of a handoff until cutover).
     * Next: RETIRED, when its target confirms the cutover or when it fences itself.
     */
    AUTHORITY,
    /**
     * A target waiting for, or replaying, a source's state; applies only what the source shipped. Next:
     * AUTHORITY, when it takes over at cutover, fails over on its clients' claims, or restores a save.
     */
    STANDBY,
    /** A source after cutover: applies nothing, forwards stragglers, then goes quiet. Final. */
    RETIRED;

    /** Whether {@code next} may follow this role. */
    public boolean canMoveTo(Role next) {
        return switch (this) {
            case STANDBY -> next == AUTHORITY;
            case AUTHORITY -> next == RETIRED;
            case RETIRED -> false;
        };
    }
}
