package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.util.ArrayDeque;
import java.util.TreeMap;

/**
 * One client session's protocol logic, sans I/O: numbering, acknowledgement and resend of inputs; ordered,
 * duplicate-free delivery of outputs; and following the session through handoffs (MOVE, attach, SWITCH)
 * and through lost connections (resume with the session secret).
 *
 * <p>Outputs carry one sequence that continues from source to target, so the client merges whatever
 * arrives on either connection by number: the source's outputs up to SWITCH, the target's after, each
 * delivered once. Inputs are kept until acknowledged and resent on every new connection; the server drops
 * the ones it has already applied.
 */
public final class ClientCore {

    /** What happened underneath, for the SDK's lifecycle listener (same names as its events). */
    public enum Event {
        CONNECTED, MOVE_ANNOUNCED, ATTACHED_TO_TARGET, ATTACH_FAILED, MOVE_ABORTED, SWITCHED, DISCONNECTED,
        RESUMED, CLOSED
    }

    /** What the core asks of its driver. */
    public interface Outbox {
        /** Opens a connection; the driver reports {@link #connected} or {@link #disconnected} for the id. */
        long connect(String host, int port);

        void send(long conn, Frame frame);

        void close(long conn);

        /** Hands one output to the application: exactly once, in order. */
        void deliver(byte[] payload);

        void event(Event event, String detail);

        /** The session exists on the server (first welcome). */
        void established(long sessionId);

        /** The session is gone for good; nothing more will be delivered. */
        void lost(String reason);
    }

    /** Timing knobs, in nanoseconds. */
    public record Timing(long resumeWindow, long heartbeat, long deadAfter, long ackDelay, long maxBackoff) {
        /**
         * Pings after 400 ms without a frame (so that a server always hears from a live client within its
         * 1 s presence window), a connection silent for 1.5 s is dead, acks within 150 ms, backoff up to 1 s.
         */
        public static Timing defaults(long resumeWindow) {
            return new Timing(resumeWindow, 400_000_000L, 1_500_000_000L, 150_000_000L, 1_000_000_000L);
        }
    }

    private enum LinkState { CONNECTING, HELLO_SENT, READY }

    private static final class Link {
        final long conn;
        final String host;
        final int port;
        LinkState state = LinkState.CONNECTING;
        long lastReceived;
        long lastPing;

        Link(long conn, String host, int port, long now) {
            this.conn = conn;
            this.host = host;
            this.port = port;
            this.lastReceived = now;
            this.lastPing = now;
        }
    }

    private record Pending(long seq, byte[] payload) {
    }

    private static final int MAX_REORDER = 65_536;
    private static final int ACK_EVERY = 8;

    private final Outbox out;
    private final Timing timing;

    private String homeHost;
    private int homePort;
    private String targetHost;
    private int targetPort;
    private byte[] ticket;
    private long handoffId;

    private long sessionId;
    private byte[] secret;
    private long nextInputSeq = 1;
    private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
    private long inputAcked;
    private long delivered;
    private final TreeMap<Long, byte[]> reorder = new TreeMap<>();
    private long outputAckSent;
    private long ackDueAt = Long.MAX_VALUE;

    private Link primary;
    private Link secondary;
    private boolean resumingAfterSwitch;
    private boolean closed;
    private long retryAt = Long.MAX_VALUE;
    /** The source withdrew its target hint: resume there only after a SWITCH, never on a claim of our own. */
    private boolean targetWithdrawn;
    private int attempt;
    private long lostSince;

    private final java.util.Set<Defect> defects;

    public ClientCore(String host, int port, Timing timing, Outbox out) {
        this(host, port, timing, out, java.util.Set.of());
    }

    /** A client with deliberately broken behaviours: for the simulator's checker tests only. */
    public ClientCore(String host, int port, Timing timing, Outbox out, java.util.Set<Defect> defects) {
        this.defects = java.util.Set.copyOf(defects);
        this.homeHost = host;
        this.homePort = port;
        this.timing = timing;
        this.out = out;
    }

    // ---------------------------------------------------------------- entry points

    public void start(long now) {
        primary = open(homeHost, homePort, now);
    }

    public void connected(long conn, long now) {
        if (primary != null && primary.conn == conn) {
            boolean resume = sessionId != 0;
            out.send(conn, new Frame.Hello(Frame.VERSION, resume ? Frame.HelloKind.RESUME : Frame.HelloKind.NEW,
                    sessionId, resume ? secret : null, delivered));
            primary.state = LinkState.HELLO_SENT;
            primary.lastReceived = now;
        } else if (secondary != null && secondary.conn == conn) {
            out.send(conn, new Frame.Hello(Frame.VERSION, Frame.HelloKind.ATTACH, sessionId, ticket, delivered));
            secondary.state = LinkState.HELLO_SENT;
            secondary.lastReceived = now;
        } else {
            out.close(conn);
        }
    }

    public void frame(long conn, Frame f, long now) {
        if (closed) {
            return;
        }
        if (primary != null && primary.conn == conn) {
            primary.lastReceived = now;
            primaryFrame(f, now);
        } else if (secondary != null && secondary.conn == conn) {
            secondary.lastReceived = now;
            secondaryFrame(f, now);
        }
    }

    public void disconnected(long conn, long now) {
        if (closed) {
            return;
        }
        if (primary != null && primary.conn == conn) {
            primaryLost("connection to " + primary.host + ":" + primary.port + " lost", now);
        } else if (secondary != null && secondary.conn == conn) {
            boolean wasAttached = secondary.state == LinkState.READY;
            secondary = null;
            if (!wasAttached) {
                out.event(Event.ATTACH_FAILED, "could not attach to " + targetHost + ":" + targetPort
                        + "; will resume there after the switch");
            }
        }
    }

    /** Queues one input and sends it if a connection is ready. */
    public void send(byte[] payload, long now) {
        if (closed) {
            throw new IllegalStateException("the session is closed");
        }
        Pending p = new Pending(nextInputSeq++, payload);
        unacked.add(p);
        if (primary != null && primary.state == LinkState.READY) {
            out.send(primary.conn, new Frame.Input(p.seq, delivered, p.payload));
            outputAckSent = delivered;
        }
    }

    /** Ends the session on the server and lets go of every connection. */
    public void close(long now) {
        if (closed) {
            return;
        }
        if (primary != null && primary.state == LinkState.READY) {
            out.send(primary.conn, new Frame.Close());
        }
        end(null);
    }

    public void poll(long now) {
        if (closed) {
            return;
        }
        if (primary == null && now >= retryAt) {
            retry(now);
        }
        if (now >= ackDueAt) {
            sendAck();
        }
        heartbeat(primary, now);
        heartbeat(secondary, now);
    }

    /** End of a burst of frames: acknowledge what was delivered, if enough has piled up. */
    public void flush(long now) {
        if (delivered - outputAckSent >= ACK_EVERY) {
            sendAck();
        } else if (delivered > outputAckSent && ackDueAt == Long.MAX_VALUE) {
            ackDueAt = now + timing.ackDelay();
        }
    }

    public long nextDeadline() {
        if (closed) {
            return Long.MAX_VALUE;
        }
        return Math.min(Math.min(retryAt, ackDueAt), Math.min(linkDeadline(primary), linkDeadline(secondary)));
    }

    public long sessionId() {
        return sessionId;
    }

    public int pendingInputs() {
        return unacked.size();
    }

    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- frames

    private void primaryFrame(Frame f, long now) {
        if (f instanceof Frame.Output o) {
            output(o.seq(), o.ack(), o.payload());
        } else if (f instanceof Frame.Ack a) {
            acked(a.ack());
        } else if (f instanceof Frame.Welcome w) {
            welcome(w, now);
        } else if (f instanceof Frame.Move m) {
            move(m, now);
        } else if (f instanceof Frame.Switch s) {
            switchOver(s, now);
        } else if (f instanceof Frame.TargetHint t) {
            if (t.withdrawn()) {
                targetWithdrawn = true; // what comes next the target may not hold: never resume there unbidden
            } else {
                targetWithdrawn = false;
                if (targetHost == null) {
                    targetHost = t.host(); // no ticket: it is where to resume if the source dies, not to attach
                    targetPort = t.port();
                }
            }
        } else if (f instanceof Frame.MoveAborted m) {
            if (secondary != null) {
                out.close(secondary.conn);
                secondary = null;
            }
            targetHost = null;
            targetWithdrawn = false;
            out.event(Event.MOVE_ABORTED, "handoff " + Long.toHexString(m.handoffId()) + " aborted");
        } else if (f instanceof Frame.Ping p) {
            out.send(primary.conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Error e) {
            serverError(e, now);
        } else if (!(f instanceof Frame.Pong)) {
            protocolBreach(primary.conn, f, now);
        }
    }

    private void secondaryFrame(Frame f, long now) {
        if (f instanceof Frame.Welcome) {
            secondary.state = LinkState.READY;
            if (primary != null && primary.state == LinkState.READY) {
                out.send(primary.conn, new Frame.Attached(handoffId));
            }
            out.event(Event.ATTACHED_TO_TARGET, targetHost + ":" + targetPort);
        } else if (f instanceof Frame.Output o) {
            // The target took authority and its first outputs overtook the source's SWITCH.
            output(o.seq(), o.ack(), o.payload());
        } else if (f instanceof Frame.Ack a) {
            acked(a.ack());
        } else if (f instanceof Frame.Ping p) {
            out.send(secondary.conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Error || f instanceof Frame.MoveAborted) {
            out.close(secondary.conn);
            secondary = null;
            out.event(Event.ATTACH_FAILED, f instanceof Frame.Error e ? e.code() + ": " + e.message() : "aborted");
        } else if (!(f instanceof Frame.Pong)) {
            out.close(secondary.conn);
            secondary = null;
        }
    }

    private void welcome(Frame.Welcome w, long now) {
        boolean fresh = sessionId == 0;
        if (fresh) {
            sessionId = w.sessionId();
            secret = w.secret();
        } else if (w.sessionId() != sessionId) {
            protocolBreach(primary.conn, w, now);
            return;
        }
        primary.state = LinkState.READY;
        homeHost = primary.host; // whoever welcomed the session serves it now
        homePort = primary.port;
        attempt = 0;
        lostSince = 0;
        retryAt = Long.MAX_VALUE;
        acked(w.inputAck());
        if (defects.contains(Defect.FORGET_UNACKED_INPUTS)) {
            unacked.clear(); // broken on purpose
        }
        for (Pending p : unacked) {
            out.send(primary.conn, new Frame.Input(p.seq, delivered, p.payload));
        }
        outputAckSent = delivered;
        if (fresh) {
            out.established(sessionId);
            out.event(Event.CONNECTED, primary.host + ":" + primary.port);
        } else {
            out.event(Event.RESUMED, (resumingAfterSwitch ? "after switch, " : "") + primary.host + ":" + primary.port);
        }
        resumingAfterSwitch = false;
    }

    private void move(Frame.Move m, long now) {
        handoffId = m.handoffId();
        targetHost = m.host();
        targetPort = m.port();
        ticket = m.ticket();
        if (primary.state != LinkState.READY) {
            return; // A retired source answering a resume: the SWITCH that follows sends us there.
        }
        if (secondary != null) {
            out.close(secondary.conn);
        }
        secondary = open(targetHost, targetPort, now);
        out.event(Event.MOVE_ANNOUNCED, targetHost + ":" + targetPort);
    }

    private void switchOver(Frame.Switch s, long now) {
        if (targetHost == null) {
            protocolBreach(primary.conn, s, now);
            return;
        }
        Link old = primary;
        homeHost = targetHost;
        homePort = targetPort;
        targetHost = null;
        targetWithdrawn = false;
        // The pre-connection carries on only from the source's last output; a client that missed some (it
        // came back to a retired source, say) resumes on the target instead, which resends them.
        if (secondary != null && secondary.state == LinkState.READY && delivered >= s.lastOutputSeq()) {
            primary = secondary;
            secondary = null;
            if (defects.contains(Defect.FORGET_UNACKED_INPUTS)) {
                unacked.clear(); // broken on purpose
            }
            for (Pending p : unacked) {
                out.send(primary.conn, new Frame.Input(p.seq, delivered, p.payload));
            }
            outputAckSent = delivered;
            out.event(Event.SWITCHED, homeHost + ":" + homePort);
        } else {
            if (secondary != null) {
                out.close(secondary.conn);
                secondary = null;
            }
            resumingAfterSwitch = true;
            primary = open(homeHost, homePort, now);
        }
        out.close(old.conn);
    }

    private void serverError(Frame.Error e, long now) {
        String reason = e.code() + ": " + e.message();
        switch (e.code()) {
            case UNKNOWN_SESSION, SESSION_CLOSED, UNSUPPORTED_VERSION -> {
                end(reason);
            }
            default -> {
                out.close(primary.conn);
                primaryLost(reason, now);
            }
        }
    }

    private void protocolBreach(long conn, Frame f, long now) {
        out.send(conn, new Frame.Error(ErrorCode.PROTOCOL_VIOLATION, "unexpected " + f.getClass().getSimpleName()));
        out.close(conn);
        if (primary != null && primary.conn == conn) {
            primaryLost("server broke the protocol", now);
        }
    }

    private void output(long seq, long ack, byte[] payload) {
        acked(ack);
        if (seq <= delivered) {
            return;
        }
        if (seq == delivered + 1) {
            out.deliver(payload);
            delivered = seq;
            while (!reorder.isEmpty() && reorder.firstKey() == delivered + 1) {
                out.deliver(reorder.pollFirstEntry().getValue());
                delivered++;
            }
            while (!reorder.isEmpty() && reorder.firstKey() <= delivered) {
                reorder.pollFirstEntry();
            }
        } else if (reorder.size() < MAX_REORDER) {
            reorder.put(seq, payload);
        }
    }

    private void acked(long ack) {
        if (ack <= inputAcked) {
            return;
        }
        inputAcked = ack;
        while (!unacked.isEmpty() && unacked.peekFirst().seq <= ack) {
            unacked.pollFirst();
        }
    }

    private void sendAck() {
        ackDueAt = Long.MAX_VALUE;
        if (primary != null && primary.state == LinkState.READY && delivered > outputAckSent) {
            out.send(primary.conn, new Frame.Ack(delivered));
            outputAckSent = delivered;
        }
    }

    // ---------------------------------------------------------------- connections

    private Link open(String host, int port, long now) {
        return new Link(out.connect(host, port), host, port, now);
    }

    private void primaryLost(String reason, long now) {
        primary = null;
        if (lostSince == 0) {
            lostSince = now;
            out.event(Event.DISCONNECTED, reason);
        }
        if (now - lostSince > timing.resumeWindow()) {
            end("could not resume within " + timing.resumeWindow() / 1_000_000 + " ms: " + reason);
            return;
        }
        // At once; and when a target is known, at once there too (the source may just have died); then doubling.
        long backoff = attempt == 0 || (attempt == 1 && targetHost != null && !targetWithdrawn) ? 0
                : Math.min(timing.maxBackoff(), 25_000_000L << Math.min(attempt, 10));
        retryAt = now + backoff;
        attempt++;
    }

    /**
     * Reconnects: alternately home and, when a handoff was announced (or a retired server named where its
     * sessions went), its target.
     */
    private void retry(long now) {
        retryAt = Long.MAX_VALUE;
        boolean toTarget = targetHost != null && (!targetWithdrawn || resumingAfterSwitch) && attempt % 2 == 0;
        primary = toTarget ? open(targetHost, targetPort, now) : open(homeHost, homePort, now);
    }

    private long linkDeadline(Link link) {
        if (link == null) {
            return Long.MAX_VALUE;
        }
        long dead = link.lastReceived + timing.deadAfter();
        return link.state == LinkState.READY
                ? Math.min(dead, Math.max(link.lastPing, link.lastReceived) + timing.heartbeat()) : dead;
    }

    private void heartbeat(Link link, long now) {
        if (link == null) {
            return;
        }
        if (now - link.lastReceived >= timing.deadAfter()) {
            out.close(link.conn);
            if (link == primary) {
                primaryLost("no word from " + link.host + ":" + link.port + " for "
                        + timing.deadAfter() / 1_000_000 + " ms", now);
            } else {
                secondary = null;
            }
            return;
        }
        if (link.state == LinkState.READY && now - link.lastReceived >= timing.heartbeat()
                && now - link.lastPing >= timing.heartbeat()) {
            link.lastPing = now;
            out.send(link.conn, new Frame.Ping(now));
        }
    }

    private void end(String reason) {
        closed = true;
        if (primary != null) {
            out.close(primary.conn);
        }
        if (secondary != null) {
            out.close(secondary.conn);
        }
        primary = null;
        secondary = null;
        out.event(Event.CLOSED, reason == null ? "closed by the application" : reason);
        if (reason != null) {
            out.lost(reason);
        }
    }
}
