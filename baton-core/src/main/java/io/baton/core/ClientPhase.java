package io.baton.core;

/**
 * Where a client session stands as a whole; each of its connections has its own {@link ClientLink.State}.
 * Each constant names the phases it may move to; {@link #canMoveTo} is the one check of a transition,
 * asserted by {@link ClientCore} on every change.
 */
enum ClientPhase {
    /**
     * The ordinary course: connecting, served, following a handoff on its pre-connection, or resuming after a
     * lost connection. Next: RESUMING_AFTER_SWITCH (a SWITCH the pre-connection cannot carry), CLOSED.
     */
    OPEN,
    /**
     * A SWITCH came but there was no attached pre-connection to carry on, or it lacked outputs the source
     * sent: resuming on the new home, which resends them. Next: OPEN (welcomed there), RESUMING_AFTER_SWITCH
     * (that server was retired too and switched the session on), CLOSED.
     */
    RESUMING_AFTER_SWITCH,
    /** Closed by the application, or lost for good (refused, or not resumed within the window). Final. */
    CLOSED;

    /** Whether {@code next} may follow this phase. */
    boolean canMoveTo(ClientPhase next) {
        return switch (this) {
            case OPEN -> next == RESUMING_AFTER_SWITCH || next == CLOSED;
            case RESUMING_AFTER_SWITCH -> next == OPEN || next == RESUMING_AFTER_SWITCH || next == CLOSED;
            case CLOSED -> false;
        };
    }
}
