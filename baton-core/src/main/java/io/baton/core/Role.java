package io.baton.core;

/** What a server is, with respect to its state. Exactly one server of a handoff pair is AUTHORITY at a time. */
public enum Role {
    /** Applies events and serves clients (a server on its own, or the source of a handoff until cutover). */
    AUTHORITY,
    /** A target waiting for, or replaying, a source's state; applies only what the source shipped. */
    STANDBY,
    /** A source after cutover: applies nothing, forwards stragglers, then goes quiet. */
    RETIRED
}
