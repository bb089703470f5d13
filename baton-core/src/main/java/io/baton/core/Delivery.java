package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Delivery: what of the log has been let out to the clients (the released index), the sessions whose outputs
 * or input acknowledgements wait for it, the batched ACKs and the output trims a replica must hear of. Output
 * commit decides whether effects wait; this room carries out the consequence, and it owns the hot path of
 * every input and output, which is why nothing here allocates or looks up per event beyond what it must.
 */
final class Delivery {

    private final ServerCore core;

    /** The last log index whose effects may reach clients. */
    long releasedIndex;
    /** Sessions with outputs, inputs or a WELCOME waiting for the target's acknowledgement. */
    private final Set<Session> unreleased = new LinkedHashSet<>();
    /**
     * Sessions with inputs released in the current burst, each once ({@link Session#inAckDue}): a flag and a
     * list, because a hash set's insert on every input was a tenth of the core's time at 2 M inputs/s.
     */
    private final List<Session> ackDue = new ArrayList<>();
    /** Sessions owed a standalone ACK, in the order it falls due. */
    private final ArrayDeque<Session> ackQueue = new ArrayDeque<>();
    /** Sessions over their cap on unacknowledged outputs, to close at the end of the burst. */
    private final List<Session> overCap = new ArrayList<>();
    /** Sessions whose acknowledged outputs the replica must trim too. */
    private final Set<Session> trimDue = new LinkedHashSet<>();

    Delivery(ServerCore core) {
        this.core = core;
    }

    /** An event at {@code index} is being applied: with no replica to wait for, its effects go out at once. */
    void applying(long index) {
        if (!core.commit.holds()) {
            releasedIndex = index;
        }
    }

    /** Input {@code seq} of the session was applied at {@code index}: acknowledge it now or once released. */
    void inputApplied(Session s, long index, long seq) {
        if (core.commit.holds()) {
            s.unreleasedInputs.add(new long[] {index, seq});
            unreleased.add(s);
        } else {
            s.inputReleased = seq;
            markAckDue(s);
        }
    }

    /** The service emitted an output to the session. */
    void emitted(Session s) {
        if ((s.unacked.size() > core.cfg.maxUnackedOutputs() || s.unackedBytes > core.cfg.limits().maxUnackedBytes())
                && core.role() == Role.AUTHORITY && !overCap.contains(s)) {
            overCap.add(s); // closed at the end of the burst, not inside the service's call
        }
        if (core.commit.holds()) {
            unreleased.add(s);
        } else {
            pump(s);
        }
    }

    /** A new session's WELCOME is the output of its OPEN at {@code index}: it waits like any other. */
    void holdWelcome(Session s, long index) {
        s.welcomeHeldAt = index;
        unreleased.add(s);
    }

    /** The session was closed. */
    void forget(Session s) {
        unreleased.remove(s);
    }

    /** A replica's state was replaced, or a target took authority: everything it holds counts as released. */
    void resetReleased(long index) {
        releasedIndex = index;
    }

    /** Sends a session's released outputs that its connection has not carried yet. */
    void pump(Session s) {
        if (core.role() != Role.AUTHORITY || s.conn < 0 || !core.conns.isBound(s) || s.welcomeHeldAt != 0) {
            return;
        }
        UnackedOutputs outs = s.unacked;
        for (int i = outs.firstAfter(s.sentSeq); i < outs.size(); i++) {
            Session.Out o = outs.get(i);
            if (o.index() > releasedIndex) {
                break;
            }
            core.out.send(s.conn, new Frame.Output(o.seq(), s.inputReleased, o.payload()));
            if (core.commit.tracksUnsafe() && o.index() > core.source.replicaAcked) {
                s.unsafeUpTo = Math.max(s.unsafeUpTo, o.index());
            }
            s.sentSeq = o.seq();
            s.inputAckSent = s.inputReleased;
        }
    }

    /**
     * Closes every session that went over its cap on unacknowledged outputs in this burst, connected or not:
     * a CLOSE event, and {@code SESSION_CLOSED} to its client if it is connected. A disconnected session
     * keeps what its client has not acknowledged so that it can resume; this is the bound on what that
     * costs. A server that applies nothing now (a cutover pause) leaves them to the next output.
     */
    private void closeOverCap(long now) {
        for (Session s : overCap) {
            boolean still = core.log.sessions.get(s.id) == s && (s.unacked.size() > core.cfg.maxUnackedOutputs()
                    || s.unackedBytes > core.cfg.limits().maxUnackedBytes());
            if (!still || core.role() != Role.AUTHORITY || core.stopped()) {
                continue;
            }
            core.admission.refused(Admission.Limit.MAX_UNACKED);
            String why = "session " + s.id + " holds " + s.unacked.size() + " outputs (" + s.unackedBytes
                    + " bytes) its client has not acknowledged, over the limit of " + core.cfg.maxUnackedOutputs()
                    + " outputs or " + core.cfg.limits().maxUnackedBytes() + " bytes (--max-unacked-outputs, "
                    + "--max-unacked-bytes): a client must acknowledge what it receives";
            long conn = s.conn;
            if (conn >= 0) {
                core.out.send(conn, new Frame.Error(ErrorCode.SESSION_CLOSED, why));
                core.out.close(conn);
                core.conns.remove(conn);
                s.conn = -1;
            }
            core.out.note(why);
            core.handshake.close(s, now);
        }
        overCap.clear();
    }

    /** Notes that the session has inputs released in this burst, for {@link #flush} to acknowledge. */
    private void markAckDue(Session s) {
        if (!s.inAckDue) {
            s.inAckDue = true;
            ackDue.add(s);
        }
    }

    /**
     * A resend of input {@code seq}, already applied: the client has not seen our acknowledgement, whatever
     * we think we sent. Owe it again.
     */
    void oweAckAgain(Session s, long seq) {
        s.inputAckSent = Math.min(s.inputAckSent, seq - 1);
        markAckDue(s);
    }

    /** Whether the session's client has inputs released that no frame has acknowledged yet. */
    private boolean ackOwed(Session s) {
        return core.role() == Role.AUTHORITY && s.conn >= 0 && s.inputReleased > s.inputAckSent
                && core.conns.isBound(s)
                && core.log.sessions.get(s.id) == s; // not a session closed, or forgotten, since it was queued
    }

    /** The target acknowledged the log up to {@code index}: release what waited for it. */
    void release(long index) {
        releasedIndex = Math.max(releasedIndex, Math.min(index, core.log.appliedIndex));
        if (unreleased.isEmpty()) {
            return;
        }
        var it = unreleased.iterator();
        while (it.hasNext()) {
            Session s = it.next();
            if (s.welcomeHeldAt != 0 && s.welcomeHeldAt <= releasedIndex) {
                s.welcomeHeldAt = 0;
                if (s.conn >= 0) {
                    core.handshake.greet(s);
                }
                s.secret = null; // its client left before its WELCOME: nobody will ever be told it
            }
            while (!s.unreleasedInputs.isEmpty() && s.unreleasedInputs.peekFirst()[0] <= releasedIndex) {
                s.inputReleased = s.unreleasedInputs.pollFirst()[1];
                markAckDue(s);
            }
            pump(s);
            Session.Out last = s.unacked.last();
            if (s.unreleasedInputs.isEmpty() && s.welcomeHeldAt == 0 && (last == null || last.index() <= releasedIndex)) {
                it.remove();
            }
        }
    }

    /** Output commit ended: everything applied goes out. */
    void releaseAll() {
        release(core.log.appliedIndex);
        unreleased.clear();
    }

    /** The client acknowledged its outputs up to {@code ack}. */
    void acked(Session s, long ack, long now) {
        if (ack > s.outputAcked) {
            s.trimTo(ack);
            core.commit.outputAcked(s, ack, now);
            if (core.source.shipping() || core.role() == Role.RETIRED) {
                trimDue.add(s);
            }
        }
    }

    /** When the next standalone ACK falls due, or {@link Long#MAX_VALUE}. */
    long nextAckDue() {
        return ackQueue.isEmpty() ? Long.MAX_VALUE : ackQueue.peekFirst().ackDueAt;
    }

    boolean acksQueued() {
        return !ackQueue.isEmpty();
    }

    /**
     * End of a burst of calls. Inputs applied in it are acknowledged by the next OUTPUT to their session,
     * whose {@code ack} field carries it, or by an ACK frame a tick period later if no output went out
     * meanwhile: a separate ACK per input was a third of a busy server's writes (docs/performance.md).
     */
    void flush(long now) {
        if (!overCap.isEmpty()) {
            closeOverCap(now);
        }
        if (!ackDue.isEmpty()) {
            for (int i = 0; i < ackDue.size(); i++) {
                Session s = ackDue.get(i);
                s.inAckDue = false;
                if (s.ackDueAt == 0 && ackOwed(s)) {
                    s.ackDueAt = now + core.tickPeriod;
                    ackQueue.add(s); // in due order: every session waits the same delay
                }
            }
            ackDue.clear();
        }
        while (!ackQueue.isEmpty() && ackQueue.peekFirst().ackDueAt <= now) {
            Session s = ackQueue.pollFirst();
            s.ackDueAt = 0;
            if (ackOwed(s)) {
                s.inputAckSent = s.inputReleased;
                core.out.send(s.conn, new Frame.Ack(s.inputReleased));
            }
        }
        if (!trimDue.isEmpty()) {
            if (core.source.shipping() && core.source.link.up()) {
                for (Session s : trimDue) {
                    core.source.ship(new Frame.Trim(s.id, s.outputAcked));
                }
            }
            trimDue.clear();
        }
    }
}
