package io.baton.core;

import io.baton.wire.Frame;

/**
 * Output commit on the source: while a live handoff may still end with the target in charge, outputs and
 * input acknowledgements wait until the target has acknowledged the events behind them, so nothing a client
 * has seen or been promised can be missing from the target. This room owns the commit's state, the hints
 * that precede it, its suspension when the target falls silent, and the timings that size the commit wait;
 * {@link Delivery} carries out what it decides.
 */
final class OutputCommit {

    /**
     * The states of output commit, each with its transitions and what triggers them; {@link #canMoveTo} is
     * the one check of a transition, made by {@link OutputCommit#moveTo}.
     */
    enum State {
        /**
         * Outputs go out as soon as they are applied: no handoff, one not caught up yet, or stop-and-copy
         * (whose clients wait on the stopped source instead). Next: HINTING when the target acknowledges every
         * event that queued behind its snapshot.
         */
        OFF(false, false),
        /**
         * Caught up: every client has been sent the target's address; outputs still flow while the source
         * waits for each client to acknowledge an output sent after its hint (at most {@link #HINT_WAIT}).
         * Next: COMMITTING (all acknowledged, or the wait ran out), OFF (the handoff aborted).
         */
        HINTING(false, false),
        /**
         * COMMIT went to the target, and outputs wait for its acknowledgement. Next: SUSPENDED (it acknowledged
         * nothing for the commit wait while a majority of clients is present), RELEASED (it confirmed the
         * cutover), ABANDONED (the handoff aborted).
         */
        COMMITTING(true, false),
        /**
         * The target acknowledged nothing for the commit wait: every client was told to forget it, and outputs
         * go out without it; those it may lack are tracked per session. Next: COMMITTING (it acknowledges
         * again), ABANDONED (the handoff aborted).
         */
        SUSPENDED(false, true),
        /** The target confirmed the cutover and holds everything: all was released. Final. */
        RELEASED(false, true),
        /**
         * The handoff aborted after COMMIT went to the target: outputs flow, and those it may lack are tracked
         * per session (it may still take over). Next: OFF when the next handoff starts.
         */
        ABANDONED(false, true);

        /** Whether outputs and input acknowledgements wait for the target. */
        final boolean holds;
        /** Whether an output sent now, unacknowledged by the target, makes its session unsafe to move there. */
        final boolean tracksUnsafe;

        State(boolean holds, boolean tracksUnsafe) {
            this.holds = holds;
            this.tracksUnsafe = tracksUnsafe;
        }

        boolean canMoveTo(State next) {
            return switch (this) {
                case OFF -> next == HINTING;
                case HINTING -> next == COMMITTING || next == OFF;
                case COMMITTING -> next == SUSPENDED || next == RELEASED || next == ABANDONED;
                case SUSPENDED -> next == COMMITTING || next == ABANDONED;
                case RELEASED -> false;
                case ABANDONED -> next == OFF;
            };
        }
    }

    /** The longest a source waits for its clients to acknowledge the target's address before committing. */
    static final long HINT_WAIT = 1_000_000_000L;
    /**
     * When each recent event was applied while shipping, by log index modulo the ring: how long an output has
     * waited for the target. An index older than the ring reads as the oldest the ring holds, which is later
     * than the truth, so a wait is never overstated.
     */
    private static final int APPLIED_RING = 1 << 14;

    private final ServerCore core;
    private State state = State.OFF;
    /** When the hints went out (HINTING). */
    private long hintsSentAt;
    private long[] appliedAt;
    /**
     * The commit wait ran out while no majority of the electorate was present: outputs stay held (nothing
     * the target may lack goes out) until the target acknowledges again or its link is declared lost, when
     * the source decides as for any lost link. Not a state of its own: COMMITTING with the wait's timer off.
     */
    private boolean heldForTheLink;
    /**
     * The fastest round trip to the target seen in this handoff (acknowledgement of a live event, or pong):
     * the link's own latency, which a slow link raises and a busy moment does not.
     */
    private long fastestAck = Long.MAX_VALUE;
    /**
     * The slowest recent acknowledgement of a live event: raised by each slower one, and decaying by
     * {@link #SLOW_ACK_DECAY} of the time since, so that a spell of late answers is remembered for a second
     * or so and then forgotten. See {@link #commitWait}.
     */
    private long recentSlowAck;
    private long recentSlowAckAt;
    /** How fast {@link #recentSlowAck} decays: by one nanosecond per this many nanoseconds. */
    static final long SLOW_ACK_DECAY = 16;
    /** The commit wait never grows past this many configured waits for a target that is only late. */
    static final long LATE_TARGET_WAITS = 4;
    /** The longest any event waited for the target's acknowledgement in this handoff: for the operator. */
    long longestCommitWait;
    /** How many times output commit was suspended in this handoff: for the operator. */
    int suspensions;

    OutputCommit(ServerCore core) {
        this.core = core;
    }

    State state() {
        return state;
    }

    /** Whether outputs and input acknowledgements wait for the target now. */
    boolean holds() {
        return state.holds;
    }

    boolean tracksUnsafe() {
        return state.tracksUnsafe;
    }

    boolean suspended() {
        return state == State.SUSPENDED;
    }

    boolean hinting() {
        return state == State.HINTING;
    }

    /**
     * Whether hints went out in this handoff and no suspension withdrew them: a client greeted or resumed now
     * is hinted too, in the source phases where hints matter (the caller checks the phase). This holds while
     * the cutover's or the abort's release runs, too: a WELCOME let out then carries the hint, as it always has.
     */
    boolean hintsStand() {
        return state != State.OFF && state != State.SUSPENDED;
    }

    /** COMMIT went to the target in this handoff: it may take over on the clients' claims if we vanish. */
    boolean shipped() {
        return state != State.OFF && state != State.HINTING;
    }

    private void moveTo(State next) {
        State was = state;
        state = Transitions.checked("output commit", state, next, state.canMoveTo(next));
        if (was.holds && !next.holds) {
            core.delivery.releaseAll();
        }
    }

    /** A handoff starts: nothing of the last one's commit or timings. */
    void reset() {
        heldForTheLink = false;
        if (state == State.ABANDONED) {
            moveTo(State.OFF);
        }
        hintsSentAt = 0;
        longestCommitWait = 0;
        fastestAck = Long.MAX_VALUE;
        recentSlowAck = 0;
        recentSlowAckAt = 0;
        suspensions = 0;
    }

    /**
     * Caught up. Before the target may take over, every client must know where it is: hint them, and start
     * output commit once each has acknowledged an output sent after its hint.
     */
    void caughtUp(long now) {
        moveTo(State.HINTING);
        hintsSentAt = now;
        for (Session s : core.log.sessions.values()) {
            hint(s);
        }
    }

    /** A client acknowledged outputs up to {@code ack}: perhaps the last hint to be proven arrived. */
    void outputAcked(Session s, long ack, long now) {
        if (state == State.HINTING && ack > s.hintedAt) {
            startIfHinted(now);
        }
    }

    /** When the hint wait runs out (HINTING). */
    long hintWaitEnds() {
        return hintsSentAt + HINT_WAIT;
    }

    /**
     * Output commit (and with it the target's right to take over) starts once every connected client has
     * acknowledged an output sent after its hint, so no client is stranded without knowing the target;
     * after {@link #HINT_WAIT}, clients that acknowledge nothing are not waited for.
     */
    void startIfHinted(long now) {
        if (state != State.HINTING) {
            return;
        }
        if (now - hintsSentAt < HINT_WAIT) {
            for (Session s : core.log.sessions.values()) {
                if (s.conn >= 0 && s.outputAcked <= s.hintedAt) {
                    return;
                }
            }
        }
        moveTo(State.COMMITTING);
        core.source.ship(new Frame.Commit(core.log.appliedIndex, core.presence.elect(now)));
        core.redirect.start(now);
    }

    /** Tells a client where to resume should this server die during the handoff. */
    void hint(Session s) {
        if (s.conn >= 0 && core.conns.isBound(s)) {
            HandoffRequest req = core.source.request;
            core.out.send(s.conn, new Frame.TargetHint(req.clientHost(), req.clientPort(), core.source.webSocket));
            s.hintedAt = s.outputSeq; // an acknowledged output after this one proves the hint arrived
        }
    }

    /**
     * Whether clients' outputs wait on the target's acknowledgement right now, while clients are redirected
     * (the cutover is decided only once the deciding tick is acknowledged, and CUTOVER's answer has its own
     * timeout).
     */
    boolean awaitingAck() {
        return state.holds && core.source.link.up() && !heldForTheLink
                && !core.cfg.defects().contains(Defect.NO_COMMIT_WAIT)
                && core.delivery.releasedIndex < core.log.appliedIndex && appliedAt != null
                && core.source.phase() == SourcePhase.REDIRECTING;
    }

    /** When the oldest unreleased event has waited the commit wait (while {@link #awaitingAck}). */
    long commitWaitEnds() {
        long applied = appliedTime(core.delivery.releasedIndex + 1);
        return applied + commitWait(applied);
    }

    /** The commit-wait timer: give the target up, or suspend the commit, whichever a majority allows. */
    void commitWaitRanOut(long now) {
        long waited = now - appliedTime(core.delivery.releasedIndex + 1);
        if (core.presence.holdsMajority(now)) {
            suspend(waited, now);
        } else {
            // Without a majority present the target may gather the claims it needs: letting out what it
            // lacks could fork the history. But a target that is only slow cannot take over while its link
            // lives, so hold the outputs (a stall, not an outage) until it answers or its link is lost (2 s
            // of silence), and decide then, as for any lost link. Fencing here, at the first slow answer,
            // let sessions that fell silent after COMMIT turn a busy target into nobody serving.
            heldForTheLink = true;
            core.out.note("the target acknowledged nothing for " + waited / 1_000_000 + " ms and no majority of"
                    + " the clients present at COMMIT is present: outputs wait for its answer or its link's loss");
        }
    }

    /**
     * How long an output may wait for the target before the source gives the target up: the configured
     * wait plus two of the fastest round trips seen in this handoff, so that a slow link is not taken for
     * a dead one (a busy moment raises the slowest round trip, not the fastest); and, for a target that
     * answers but late (a busy one: on a loaded machine 30-40 ms now and then), twice its slowest recent
     * answer, up to {@link #LATE_TARGET_WAITS} configured waits. Giving a late target up costs more than
     * waiting for it: every suspension tells every client to forget the target and, once it answers, hints it
     * again (two frames per client), and at 1,000 clients those writes made the next answer later still (5-14
     * suspensions per handoff, each wave of clients stalling 140-180 ms; docs/performance.md). A dead target
     * has no recent answers to raise the wait beyond that bound. {@code at}: when the oldest output still
     * waiting was computed, the instant the recent answers are decayed to (so the deadline is fixed once set).
     */
    private long commitWait(long at) {
        long wait = core.cfg.commitWait() + (fastestAck == Long.MAX_VALUE ? 0 : 2 * fastestAck);
        long late = Math.min(LATE_TARGET_WAITS * core.cfg.commitWait(), 2 * slowAckAt(at));
        return Math.max(wait, late);
    }

    /** {@link #recentSlowAck} decayed to {@code now}. */
    private long slowAckAt(long now) {
        return Math.max(0, recentSlowAck - Math.max(0, now - recentSlowAckAt) / SLOW_ACK_DECAY);
    }

    /** Notes when an event was applied, while events are shipped. */
    void recordApplied(long index, long now) {
        if (appliedAt == null) {
            appliedAt = new long[APPLIED_RING];
        }
        appliedAt[(int) (index & (APPLIED_RING - 1))] = now;
    }

    /** When the event at {@code index} was applied (shipping only); see {@link #appliedAt}. */
    private long appliedTime(long index) {
        long oldest = core.log.appliedIndex - APPLIED_RING + 1;
        return appliedAt[(int) (Math.max(index, oldest) & (APPLIED_RING - 1))];
    }

    /** The target acknowledged {@code index}: measure the link's round trip and the longest wait. */
    void measureAck(long index, long backlogEnd, long replicaAcked, long now) {
        heldForTheLink = false; // the target answers: the commit wait counts again from what still waits
        if (index > replicaAcked && index > backlogEnd && index <= core.log.appliedIndex && appliedAt != null) {
            long took = now - appliedTime(index);
            fastestAck = Math.min(fastestAck, took);
            if (took >= slowAckAt(now)) {
                recentSlowAck = took;
                recentSlowAckAt = now;
            }
        }
        if (state.holds && index > core.delivery.releasedIndex && appliedAt != null) {
            longestCommitWait = Math.max(longestCommitWait, now - appliedTime(core.delivery.releasedIndex + 1));
        }
    }

    /** Our own ping came back after {@code rtt}. */
    void measurePong(long rtt) {
        fastestAck = Math.min(fastestAck, rtt);
    }

    /**
     * The target acknowledged nothing for the commit wait: dead, cut off, or only busy, it must not hold the
     * clients up longer. Every client is told to forget the target (in the same stream, before anything it
     * has not acknowledged), then what waited goes out. A target that died is given up when its link drops
     * or falls silent; one that answers again is trusted again at once ({@link #rearm}). Called only while a
     * majority of clients is present: those are the ones told to forget, so the target can never gather the
     * majority of claims it would need to take over without what went out.
     */
    private void suspend(long waited, long now) {
        core.out.note("the target acknowledged nothing for " + waited / 1_000_000 + " ms (the commit wait is "
                + commitWait(now - waited) / 1_000_000 + " ms): clients forget it until it catches up, and outputs go out");
        for (Session s : core.log.sessions.values()) {
            if (s.conn >= 0 && core.conns.isBound(s) && s.welcomeHeldAt == 0) {
                core.out.send(s.conn, Frame.TargetHint.WITHDRAWN);
            } else if (s.conn < 0) {
                s.withdrawPending = true;
            }
            s.hintedAt = Long.MAX_VALUE;
        }
        suspensions++;
        moveTo(State.SUSPENDED);
    }

    /**
     * During a suspension the target acknowledged again: output commit is back on (from here, outputs wait for
     * the target again), the hints go out again and the redirect and cutover carry on. While suspended every
     * applied event was released, so the target is trusted from its first acknowledgement on (the sessions it
     * may lack outputs of are those {@link Session#unsafeUpTo} marks).
     */
    void rearm() {
        moveTo(State.COMMITTING);
        for (Session s : core.log.sessions.values()) {
            hint(s);
        }
        core.out.note("the target caught up: output commit and the redirect resume");
    }

    /** The target confirmed the cutover: it holds the log up to L, so everything is released. */
    void confirmed() {
        if (state == State.COMMITTING) {
            moveTo(State.RELEASED);
        }
    }

    /** The handoff aborted: outputs flow again. */
    void aborted() {
        heldForTheLink = false;
        switch (state) {
            case HINTING -> moveTo(State.OFF);
            case COMMITTING, SUSPENDED -> moveTo(State.ABANDONED);
            default -> { }
        }
    }
}
