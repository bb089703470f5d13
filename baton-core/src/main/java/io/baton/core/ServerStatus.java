package io.baton.core;

/**
 * What an operator can read about a server at one instant (the admin API's {@code /status}).
 *
 * @param role             authority, standby or retired
 * @param sourcePhase      the handoff phase if this server is (or was) a source
 * @param targetPhase      the handoff phase if this server is (or was) a target
 * @param handoffId        the current or last handoff, 0 if none
 * @param sessions         sessions known (connected or within their resume window)
 * @param connected        sessions with a live connection
 * @param appliedIndex     log index of the last applied event
 * @param tick             the last tick applied
 * @param replicaLag       events the target has not acknowledged yet (source, during a handoff), else 0
 * @param clientsMoved     clients told to move
 * @param clientsAttached  clients whose pre-connection to the target is attached
 * @param clientsSwitched  clients told to switch
 * @param cutoverIndex     L, once cut over, else 0
 * @param cutoverDigest    state digest at L, once computed, else 0
 * @param digest           the state digest now
 * @param stoppedAtNanos   the driver clock when the source stopped applying, 0 if not yet
 * @param authorityAtNanos the driver clock when the target took authority, 0 if not yet
 * @param firstEventAtNanos the driver clock when the target applied its first event after authority
 * @param lastError        the reason of the last abort or refusal, or empty
 * @param releasedIndex    the last log index whose effects clients may have seen
 * @param failedOver       whether this server took authority because its source died (not by cutover)
 * @param canTakeOver      a replica holding everything any client has seen: it would take over if its source died
 * @param longestCommitWaitNanos the longest any event's effects waited for the target's acknowledgement
 *                         in the current or last handoff (source)
 * @param sourcePhaseSinceNanos the driver clock when the source entered its current phase
 * @param commitSuspensions how often output commit was suspended in the current or last handoff because the
 *                         target acknowledged nothing for the commit wait
 * @param refusals         connections refused or closed by each limit since this server started, by the
 *                         limit's flag on {@code baton serve} ({@code max-sessions}, {@code hello-timeout}, …;
 *                         every limit listed, in a fixed order, zero if it never refused)
 * @param sessionsAway     on a retired source: sessions whose clients were away when it cut over and have not
 *                         come back to be sent on to the target (they only know this server's address), within
 *                         their resume window; 0 otherwise
 * @param upgrade          how the current or last handoff's state changes schema version, as its source or target
 *                         reports it ("upgrade arena 2 -> 3: live (...)"; docs/upgrades.md), empty when both run
 *                         the same version or before the target answered
 */
public record ServerStatus(
        Role role,
        SourcePhase sourcePhase,
        TargetPhase targetPhase,
        long handoffId,
        int sessions,
        int connected,
        long appliedIndex,
        long tick,
        long replicaLag,
        int clientsMoved,
        int clientsAttached,
        int clientsSwitched,
        long cutoverIndex,
        long cutoverDigest,
        long digest,
        long stoppedAtNanos,
        long authorityAtNanos,
        long firstEventAtNanos,
        String lastError,
        long releasedIndex,
        boolean failedOver,
        boolean canTakeOver,
        long longestCommitWaitNanos,
        long sourcePhaseSinceNanos,
        int commitSuspensions,
        java.util.Map<String, Long> refusals,
        int sessionsAway,
        String upgrade) {

    public ServerStatus {
        upgrade = upgrade == null ? "" : upgrade;
        refusals = refusals == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(refusals));
    }
}
