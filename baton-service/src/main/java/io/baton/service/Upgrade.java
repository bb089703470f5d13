package io.baton.service;

/**
 * How a build takes over state that an older build of the same service wrote ({@link ServiceFactory#upgradeFrom}).
 * docs/upgrades.md says what each promises and how the runtime verifies it.
 */
public enum Upgrade {
    /**
     * The handoff stays live: {@link ServiceFactory#restore} converts the older state while the source still
     * serves, the restored service applies the older version's rules to every event replayed before cutover
     * and answers {@link Service#digest()} as that version would, and {@link Service#upgrade()} switches it to
     * this build's rules when this server takes authority. The pause does not depend on the state's size.
     */
    LIVE,
    /**
     * The restored service can answer the older version's digest but cannot apply its rules: the handoff runs
     * stop-and-copy (nothing is replayed), and the conversion in {@link ServiceFactory#restore} happens while
     * clients wait, so the pause grows with the state.
     */
    STOP_AND_COPY,
    /** This build cannot take that version's state: a handoff or restore from it is refused before any client moves. */
    REFUSED
}
