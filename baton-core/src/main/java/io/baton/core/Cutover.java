package io.baton.core;

import io.baton.wire.Frame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The cutover and the drain on the source: when to stop (right after a tick the target holds), CUTOVER and
 * its answer, the inputs held while stopped, the SWITCH to every client (paced), and the drain that follows. It owns
 * the timings of those steps; the phase moves go through {@link SourceHandoff}.
 */
final class Cutover {

    private static final long NOT_SENT = Long.MIN_VALUE;

    private final ServerCore core;
    /** The tick's log index the target must hold before CUTOVER goes out; 0 while no cutover is due. */
    private long dueAfter;
    /** When CUTOVER went out in this cutover, or {@link #NOT_SENT} (stop-and-copy streams its snapshot first). */
    private long sentAt = NOT_SENT;
    /** Inputs that reached this server while it was stopped: forwarded to the target, or applied on abort. */
    private final List<Frame.Forward> held = new ArrayList<>();
    private long drainDeadline;
    /** Attached clients still to be sent SWITCH, in session order, at {@link #switchRate} from {@link #switchStartedAt}. */
    private final ArrayDeque<Long> toSwitch = new ArrayDeque<>();
    private long switchStartedAt;
    private long switchPaced;
    private long switchRate = 1;

    Cutover(ServerCore core) {
        this.core = core;
    }

    /** Cut over right after a tick, so the whole tick period is there to hide the round trip. */
    void afterTick(long now) {
        if (!core.redirect.doneBy(now)) {
            return;
        }
        if (dueAfter == 0) {
            dueAfter = core.log.lastTickIndex; // later ticks, if the round trip is longer than a tick, join L
        }
        ifReplicated(now);
    }

    /**
     * Cuts over once the target holds the tick just applied, so that tick's outputs go out at their usual
     * time and the round trip of the cutover falls in the quiet middle of the tick period.
     */
    void ifReplicated(long now) {
        if (dueAfter != 0 && !core.commit.suspended() && core.source.phase() == SourcePhase.REDIRECTING
                && (!core.commit.holds() || core.source.replicaAcked >= dueAfter)) {
            dueAfter = 0;
            cutover(now);
        }
    }

    /** A cutover will not happen after all (the handoff aborted). */
    void cancel() {
        dueAfter = 0;
    }

    private void cutover(long now) {
        sentAt = NOT_SENT;
        core.source.moveTo(SourcePhase.CUTTING_OVER, now);
        core.milestones.stopped(core.log.appliedIndex, now);
        if (core.source.request.mode() == Frame.Mode.LIVE) {
            sendCutover(now);
        } else {
            core.snapshotOut.begin(now);
            core.snapshotOut.stream(now);
        }
    }

    void sendCutover(long now) {
        Milestones m = core.milestones;
        m.cutDigest = core.log.stateDigest();
        sentAt = now;
        long peer = core.source.link.conn;
        if (!core.commit.holds()) {
            // stop-and-copy: the target holds L, we are stopped at L
            core.out.send(peer, new Frame.Commit(m.cutIndex, core.presence.elect(now)));
        }
        long nextTickIn = Math.max(0, core.log.nextTickAt() - now);
        // The link's version decides the layout: version 5 (the test version) adds the tick at L.
        core.out.send(peer, core.source.link.version >= 5
                ? new Frame.Cutover(m.cutIndex, m.cutDigest, nextTickIn, core.log.tick)
                : new Frame.Cutover(m.cutIndex, m.cutDigest, nextTickIn));
    }

    /** Whether CUTOVER went out in this cutover: from then on the target may hold authority. */
    boolean sent() {
        return sentAt != NOT_SENT;
    }

    /** Whether the timer on CUTOVER's answer runs. */
    boolean awaitingAnswer() {
        return core.source.phase() == SourcePhase.CUTTING_OVER && sent();
    }

    long answerDue() {
        return sentAt + core.cfg.cutoverTimeout();
    }

    /** No answer to CUTOVER in time: the target may have taken authority and its answer be lost. */
    void answerTimedOut(long now) {
        // Resuming here could make two authorities.
        core.source.fence("no answer to CUTOVER within " + core.cfg.cutoverTimeout() / 1_000_000 + " ms", now);
    }

    void result(Frame.CutoverResult r, long now) {
        SourceHandoff source = core.source;
        if (source.phase() != SourcePhase.CUTTING_OVER) {
            source.abort("unexpected CUTOVER_RESULT in phase " + source.phase(), now);
            return;
        }
        Milestones m = core.milestones;
        if (!r.ok()) {
            source.abort("the target's digest " + Long.toHexString(r.digest()) + " differs from the source's "
                    + Long.toHexString(m.cutDigest) + " at index " + m.cutIndex, now);
            return;
        }
        // The target holds the log up to L: release everything, then tell every client where to go.
        core.commit.confirmed();
        core.moveRole(Role.RETIRED);
        source.moveTo(SourcePhase.DRAINING, now);
        for (Frame.Forward f : held) {
            core.out.send(source.link.conn, f);
        }
        held.clear();
        // A client that attached hears the target's first tick on its pre-connection whatever this server
        // does, so its SWITCH only moves where its inputs go (until then this server forwards them): those go
        // out at the MOVEs' pace (--redirect-per-second), so that the SWITCHes, the inputs resent on them and
        // the closes of the old connections are a bounded burst at any client count (docs/handoff.md, step 5).
        // A client that never attached has no path to the target's outputs: it hears at once.
        toSwitch.clear();
        switchPaced = 0;
        switchStartedAt = now;
        for (Session s : core.log.sessions.values()) {
            if (s.conn < 0) {
                continue;
            }
            if (s.attached) {
                toSwitch.add(s.id);
            } else {
                core.out.send(s.conn, source.move(s)); // it may never have heard where to go
                switchNow(s);
            }
        }
        switchRate = Math.max(1, core.cfg.redirectPerSecond());
        drainDeadline = now + core.cfg.drainTimeout();
        core.out.note("cutover at index " + m.cutIndex + " confirmed; " + core.redirect.clientsSwitched
                + " unattached clients told to switch at once, " + toSwitch.size() + " attached ones over the next "
                + (toSwitch.size() * 1000L + switchRate - 1) / switchRate + " ms");
        switchPaced(now);
        finishDrainIfEmpty(now);
    }

    private void switchNow(Session s) {
        core.out.send(s.conn, new Frame.Switch(core.source.handoffId, s.outputSeq));
        s.sentOn = true;
        core.redirect.clientsSwitched++;
    }

    /** Whether the switch pace timer runs: attached clients still wait for their SWITCH. */
    boolean switching() {
        return draining() && !toSwitch.isEmpty();
    }

    /** The instant the pace allows the next SWITCH (rounded up), as {@link Redirect#nextMoveAt} does for MOVEs. */
    long nextSwitchAt() {
        return toSwitch.isEmpty() ? Long.MAX_VALUE
                : switchStartedAt + (switchPaced * 1_000_000_000L + switchRate - 1) / switchRate;
    }

    /**
     * The switch pace timer: SWITCH to as many attached clients as the pace allows by now. (The drain ends when
     * the last client leaves, on its disconnect, not here.)
     */
    void switchPaced(long now) {
        sendSwitches(now, false);
    }

    private void sendSwitches(long now, boolean all) {
        long allowed = (now - switchStartedAt) * switchRate / 1_000_000_000L + 1;
        while (!toSwitch.isEmpty() && (all || switchPaced < allowed)) {
            Session s = core.log.sessions.get(toSwitch.pollFirst());
            if (s != null && s.conn >= 0 && !s.sentOn) { // gone meanwhile: it resumes here or there, and hears then
                switchNow(s);
                switchPaced++;
            }
        }
    }

    /** An input reached this server while it was stopped. */
    void hold(Frame.Forward f) {
        held.add(f);
    }

    void dropHeld() {
        held.clear();
    }

    /** The handoff aborted while stopped: the held inputs are applied here after all. */
    void replayHeld(long now) {
        List<Frame.Forward> pending = new ArrayList<>(held);
        held.clear();
        for (Frame.Forward f : pending) {
            Session s = core.log.sessions.get(f.sessionId());
            if (s != null && s.conn >= 0) {
                core.handshake.input(s.conn, s, f.seq(), f.payload(), now);
            }
        }
    }

    boolean draining() {
        return core.source.phase() == SourcePhase.DRAINING;
    }

    long drainDeadline() {
        return drainDeadline;
    }

    void finishDrainIfEmpty(long now) {
        if (core.log.noneConnected()) {
            finishDrain(now);
        }
    }

    /** The drain timer, or the last client gone: close what is left and retire. */
    void finishDrain(long now) {
        sendSwitches(now, true); // whatever still waits for its SWITCH gets it now, before the close
        for (Session s : core.log.sessions.values()) {
            if (s.conn >= 0) {
                core.out.close(s.conn);
                s.conn = -1;
            }
        }
        if (core.source.link.up()) {
            core.out.close(core.source.link.conn);
        }
        core.source.moveTo(SourcePhase.DONE, now);
        core.out.note("drained; this server is retired");
    }
}
