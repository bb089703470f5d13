package io.baton.core;

import io.baton.wire.Frame;
import io.baton.wire.VersionRange;

/**
 * A client's side of a handoff: the target (announced by MOVE with a ticket, or only hinted as where to
 * resume should the source die), and the pre-connection to it, attached and idle until the SWITCH decides
 * whether it carries on as the serving connection.
 */
final class ClientHandoff {

    private final ClientCore.Outbox out;
    private final ClientCore.Timing timing;
    private final PendingInputs inputs;
    private final OutputDelivery outputs;

    private HostPort target;
    private byte[] ticket;
    private long handoffId;
    /**
     * The source withdrew its target hint: resume there only after a SWITCH, never on a claim of our own. A
     * fact about the hint, not a phase: it may stand with no target known, and a MOVE leaves it as it is.
     */
    private boolean hintWithdrawn;
    private ClientLink preConnection;
    /**
     * The number of the first OUTPUT the target sent on the pre-connection, 0 while it sent none: only an
     * authority sends outputs, and every output numbered below this one is the source's.
     */
    private long firstTargetOutput;

    /** The client-link versions the session's client speaks: every HELLO it sends carries them. */
    private final VersionRange versions;

    ClientHandoff(ClientCore.Outbox out, ClientCore.Timing timing, PendingInputs inputs, OutputDelivery outputs,
            VersionRange versions) {
        this.versions = versions;
        this.out = out;
        this.timing = timing;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /** The target known, whether announced or hinted; null when there is none. */
    HostPort target() {
        return target;
    }

    /**
     * Where to resume other than home: the target, unless the source withdrew its hint and no SWITCH has
     * sent the session there since ({@code afterSwitch}). Null when there is nowhere else.
     */
    HostPort resumeTarget(boolean afterSwitch) {
        return target != null && (!hintWithdrawn || afterSwitch) ? target : null;
    }

    /** The pre-connection, or null. */
    ClientLink preConnection() {
        return preConnection;
    }

    void hinted(Frame.TargetHint t) {
        if (t.withdrawn()) {
            hintWithdrawn = true; // what comes next the target may not hold: never resume there unbidden
        } else {
            hintWithdrawn = false;
            if (target == null) {
                target = new HostPort(t.host(), t.port(), t.webSocket()); // no ticket: it is where to resume, not to attach
            }
        }
    }

    void announced(Frame.Move m) {
        handoffId = m.handoffId();
        target = new HostPort(m.host(), m.port(), m.webSocket());
        ticket = m.ticket();
    }

    /** Opens the pre-connection to the announced target, in place of any earlier one. */
    void attach(long now) {
        if (preConnection != null) {
            out.close(preConnection.conn);
        }
        preConnection = new ClientLink(out.connect(target.host(), target.port(), target.webSocket()), target, timing, now);
        out.event(ClientCore.Event.MOVE_ANNOUNCED, target.toString());
    }

    /** The pre-connection opened: attach the session there with the ticket. */
    void connected(long sessionId, long now) {
        out.send(preConnection.conn,
                new Frame.Hello(versions, Frame.HelloKind.ATTACH, sessionId, ticket, outputs.delivered()));
        preConnection.helloSent(now);
    }

    /** A frame on the pre-connection; {@code serving} is the ready serving connection, or null. */
    void frame(Frame f, ClientLink serving, long now) {
        preConnection.heard(now);
        if (f instanceof Frame.Welcome w && !versions.contains(w.version())) {
            dropPreConnection();
            out.event(ClientCore.Event.ATTACH_FAILED, ClientCore.welcomeRefusal(w, versions, target));
        } else if (f instanceof Frame.Welcome w) {
            preConnection.welcomed(w);
            if (serving != null) {
                out.send(serving.conn, new Frame.Attached(handoffId));
            }
            out.event(ClientCore.Event.ATTACHED_TO_TARGET, target.toString());
        } else if (f instanceof Frame.Output o) {
            // The target took authority and its first outputs overtook the source's SWITCH.
            if (firstTargetOutput == 0) {
                firstTargetOutput = o.seq();
            }
            inputs.acked(o.ack());
            outputs.receive(o.seq(), o.payload());
        } else if (f instanceof Frame.Ack a) {
            inputs.acked(a.ack());
        } else if (f instanceof Frame.Ping p) {
            out.send(preConnection.conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Error || f instanceof Frame.MoveAborted) {
            dropPreConnection();
            out.event(ClientCore.Event.ATTACH_FAILED,
                    f instanceof Frame.Error e ? e.code() + ": " + e.message() : "aborted");
        } else if (!(f instanceof Frame.Pong)) {
            dropPreConnection();
        }
    }

    /**
     * The serving connection to the source was lost before its SWITCH came (the source died after cutting
     * over, say): if the target has already spoken as authority on an attached pre-connection and the client
     * holds every output numbered before the target's first, the pre-connection carries on as if switched and
     * is returned; else null, and the session resumes the usual way.
     */
    ClientLink carryOnWithoutSwitch(long delivered) {
        if (preConnection == null || !preConnection.isReady() || firstTargetOutput == 0
                || delivered < firstTargetOutput - 1) {
            return null;
        }
        return switched(true);
    }

    /** The driver reports the pre-connection gone; the session still resumes at the target after the switch. */
    void preConnectionLost() {
        boolean wasAttached = preConnection.isReady();
        preConnection = null;
        if (!wasAttached) {
            out.event(ClientCore.Event.ATTACH_FAILED,
                    "could not attach to " + target + "; will resume there after the switch");
        }
    }

    /** The source aborted the handoff: forget the target and let go of the pre-connection. */
    void aborted(Frame.MoveAborted m) {
        dropPreConnection();
        target = null;
        hintWithdrawn = false;
        out.event(ClientCore.Event.MOVE_ABORTED, "handoff " + Long.toHexString(m.handoffId()) + " aborted");
    }

    /**
     * The SWITCH came; the target is the session's home now, no target any more. Returns the pre-connection
     * to carry on with if it is attached and {@code caughtUp} (the client delivered every output the source
     * sent); else lets go of it and returns null, and the session resumes on the target instead.
     */
    ClientLink switched(boolean caughtUp) {
        target = null;
        hintWithdrawn = false;
        firstTargetOutput = 0;
        ClientLink carried = preConnection;
        if (carried != null && carried.isReady() && caughtUp) {
            preConnection = null;
            return carried;
        }
        dropPreConnection();
        return null;
    }

    void dropPreConnection() {
        firstTargetOutput = 0;
        if (preConnection != null) {
            out.close(preConnection.conn);
            preConnection = null;
        }
    }
}
