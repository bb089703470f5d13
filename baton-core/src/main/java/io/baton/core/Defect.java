package io.baton.core;

/**
 * Deliberately broken behaviours, there only to prove that the simulator's checker catches what it
 * claims to catch: a checker that never fails proves nothing. Never enabled outside those tests.
 */
public enum Defect {
    /** The server applies an input even if it already applied that number (no deduplication). */
    APPLY_DUPLICATE_INPUTS,
    /** The client forgets unacknowledged inputs when it moves to a new connection (no resend). */
    FORGET_UNACKED_INPUTS,
    /** The target starts applying events of its own as soon as it has replicated a snapshot. */
    TAKE_AUTHORITY_EARLY,
    /** The source waits for a silent target's acknowledgement until the peer link times out (no commit wait). */
    NO_COMMIT_WAIT,
    /**
     * The fencing rule before the electorate: both servers count every session they hold, abandoned ones too,
     * so whoever opens most sessions decides whether a source that lost its target fences or aborts.
     */
    COUNT_EVERY_SESSION,
    /**
     * The log holds each session's secret itself (padded to a verifier's length) instead of its verifier, as
     * before verifiers: it reaches the target in EVENT OPEN and in snapshots (and no resume is accepted).
     */
    LOG_SESSION_SECRETS,
    /**
     * A server that takes over state of an older schema calls {@link io.baton.service.Service#upgrade()} only after
     * its first own tick, which it applies under the older rules: the cutover digest cannot tell, the clients can.
     */
    UPGRADE_ONE_TICK_LATE,
    /**
     * A target upgrades the state it restored from an older schema at once, so that it would replay the source's
     * events under the newer rules: the SNAPSHOT_END digest, the older version's, no longer matches.
     */
    UPGRADE_AT_RESTORE
}
