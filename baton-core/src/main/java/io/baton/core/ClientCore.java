package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.VersionRange;

/**
 * One client session's protocol logic, sans I/O: numbering, acknowledgement and resend of inputs; ordered,
 * duplicate-free delivery of outputs; and following the session through handoffs (MOVE, attach, SWITCH)
 * and through lost connections (resume with the session secret).
 *
 * <p>Outputs carry one sequence that continues from source to target, so the client merges whatever
 * arrives on either connection by number: the source's outputs up to SWITCH, the target's after, each
 * delivered once. Inputs are kept until acknowledged and resent on every new connection; the server drops
 * the ones it has already applied.
 *
 * <p>This class is the façade: it routes each event to the connection it concerns and holds the session's
 * identity and {@link ClientPhase}. The rest has its own room: {@link ClientLink} (one connection and its
 * liveness), {@link ClientHandoff} (the target and the pre-connection), {@link PendingInputs},
 * {@link OutputDelivery} and {@link Reconnect}.
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

        /**
         * Opens a connection to a server that named its WebSocket URL ({@code webSocket}, empty if it named
         * none): a driver on WebSocket connects there when it is not empty; one on TCP, and by default, to
         * host:port.
         */
        default long connect(String host, int port, String webSocket) {
            return connect(host, port);
        }

        void send(long conn, Frame frame);

        void close(long conn);

        /**
         * The connection has served its purpose (a switch let go of the source): close it when convenient. The
         * core sends nothing more on it and ignores what arrives on it; the source drains until it is closed.
         * A driver carrying many sessions on one thread may spread these closes over a moment, so that a
         * cutover's closes do not all fall in the ticks its clients first hear from the target.
         */
        default void release(long conn) {
            close(conn);
        }

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

        private static final long HEARTBEAT = 400_000_000L;
        private static final long DEAD_AFTER = 1_500_000_000L;
        private static final long ACK_DELAY = 150_000_000L;
        private static final long MAX_BACKOFF = 1_000_000_000L;

        /**
         * Pings after 400 ms without a frame (so that a server always hears from a live client within its
         * 1 s presence window), a connection silent for 1.5 s is dead, acks within 150 ms, backoff up to 1 s.
         */
        public static Timing defaults(long resumeWindow) {
            return new Timing(resumeWindow, HEARTBEAT, DEAD_AFTER, ACK_DELAY, MAX_BACKOFF);
        }
    }


    private final Outbox out;
    private final Timing timing;
    private final VersionRange versions;
    private final java.util.Set<Defect> defects;
    private final PendingInputs inputs = new PendingInputs();
    private final OutputDelivery outputs;
    private final ClientHandoff handoff;
    private final Reconnect reconnect;

    private ClientPhase phase = ClientPhase.OPEN;
    private long sessionId;
    private byte[] secret;
    /** Who serves the session: the first server, then whoever welcomed it last or switched it there. */
    private HostPort home;
    /** The connection that serves the session (or is being opened to); null between a loss and the retry. */
    private ClientLink serving;

    /** The client's timers: see {@link #declareTimers}. */
    private final TimerTable timers;

    public ClientCore(String host, int port, Timing timing, Outbox out) {
        this(host, port, timing, out, java.util.Set.of());
    }

    /** A client with deliberately broken behaviours: for the simulator's checker tests only. */
    public ClientCore(String host, int port, Timing timing, Outbox out, java.util.Set<Defect> defects) {
        this(host, port, timing, out, defects, VersionRange.CLIENT_DEFAULT);
    }

    /**
     * A client speaking the client-link versions {@code versions} (within what this build can speak,
     * {@link VersionRange#speakable}): every HELLO carries them, and a WELCOME in a version outside them is a
     * protocol breach, never read.
     */
    public ClientCore(String host, int port, Timing timing, Outbox out, java.util.Set<Defect> defects,
            VersionRange versions) {
        this.versions = VersionRange.speakable(versions.min(), versions.max());
        this.defects = java.util.Set.copyOf(defects);
        this.home = new HostPort(host, port);
        this.timing = timing;
        this.out = out;
        this.outputs = new OutputDelivery(out, timing.ackDelay());
        this.handoff = new ClientHandoff(out, timing, inputs, outputs, this.versions);
        this.reconnect = new Reconnect(timing);
        this.timers = declareTimers();
    }

    /**
     * The client's timers, each declared once, in the order a poll fires them. The order matters only in that
     * a connection found dead in a poll is retried in the next (at once: its retry is then due), never in the
     * pass that found it dead.
     */
    private TimerTable declareTimers() {
        return new TimerTable(
                Timer.atDue("retry", () -> serving == null, reconnect::retryAt, this::retry),
                Timer.atDue("ack", () -> true, outputs::ackDueAt, now -> outputs.sendAck(readyServing())),
                Timer.atDue("serving dead", () -> serving != null, () -> serving.deadAt(), this::servingDead),
                Timer.atDue("serving ping", () -> serving != null, () -> serving.pingAt(), now -> ping(serving, now)),
                Timer.atDue("pre-connection dead", () -> handoff.preConnection() != null,
                        () -> handoff.preConnection().deadAt(), now -> handoff.dropPreConnection()),
                Timer.atDue("pre-connection ping", () -> handoff.preConnection() != null,
                        () -> handoff.preConnection().pingAt(), now -> ping(handoff.preConnection(), now)));
    }

    // ---------------------------------------------------------------- entry points

    public void start(long now) {
        serving = open(home, now);
    }

    public void connected(long conn, long now) {
        if (ClientLink.carries(serving, conn)) {
            boolean resume = sessionId != 0;
            out.send(conn, new Frame.Hello(versions, resume ? Frame.HelloKind.RESUME : Frame.HelloKind.NEW,
                    sessionId, resume ? secret : null, outputs.delivered()));
            serving.helloSent(now);
        } else if (ClientLink.carries(handoff.preConnection(), conn)) {
            handoff.connected(sessionId, now);
        } else {
            out.close(conn);
        }
    }

    public void frame(long conn, Frame f, long now) {
        if (phase == ClientPhase.CLOSED) {
            return;
        }
        if (ClientLink.carries(serving, conn)) {
            serving.heard(now);
            servingFrame(f, now);
        } else if (ClientLink.carries(handoff.preConnection(), conn)) {
            handoff.frame(f, readyServing(), now);
        }
    }

    public void disconnected(long conn, long now) {
        if (phase == ClientPhase.CLOSED) {
            return;
        }
        if (ClientLink.carries(serving, conn)) {
            if (!carriedOnWithoutSwitch("lost")) {
                servingLost("connection to " + serving.server + " lost", now);
            }
        } else if (ClientLink.carries(handoff.preConnection(), conn)) {
            handoff.preConnectionLost();
        }
    }

    /** Queues one input and sends it if a connection is ready. */
    public void send(byte[] payload, long now) {
        if (phase == ClientPhase.CLOSED) {
            throw new IllegalStateException("the session is closed");
        }
        long seq = inputs.add(payload);
        ClientLink ready = readyServing();
        if (ready != null) {
            out.send(ready.conn, new Frame.Input(seq, outputs.delivered(), payload));
            outputs.acknowledged();
        }
    }

    /** Ends the session on the server and lets go of every connection. */
    public void close(long now) {
        if (phase == ClientPhase.CLOSED) {
            return;
        }
        ClientLink ready = readyServing();
        if (ready != null) {
            out.send(ready.conn, new Frame.Close());
        }
        end(null);
    }

    public void poll(long now) {
        if (phase == ClientPhase.CLOSED) {
            return;
        }
        timers.poll(now);
    }

    /** End of a burst of frames: acknowledge what was delivered, if enough has piled up. */
    public void flush(long now) {
        outputs.flush(now, readyServing());
    }

    public long nextDeadline() {
        if (phase == ClientPhase.CLOSED) {
            return Long.MAX_VALUE;
        }
        return timers.nextDeadline();
    }

    public long sessionId() {
        return sessionId;
    }

    /** The client-link version of the serving connection, as its WELCOME said; 0 until welcomed. */
    public int protocolVersion() {
        return serving == null ? 0 : serving.version;
    }

    /** The serving server's tick rate, which a version 5 WELCOME carries; 0 below version 5 or until welcomed. */
    public int serverTickHz() {
        return serving == null ? 0 : serving.tickHz;
    }

    public int pendingInputs() {
        return inputs.size();
    }

    public boolean isClosed() {
        return phase == ClientPhase.CLOSED;
    }

    ClientPhase phase() {
        return phase;
    }

    // ---------------------------------------------------------------- timers

    /** The serving connection fell silent for too long: it is dead, reconnect. */
    private void servingDead(long now) {
        out.close(serving.conn);
        if (!carriedOnWithoutSwitch("silent for " + timing.deadAfter() / 1_000_000 + " ms")) {
            servingLost("no word from " + serving.server + " for " + timing.deadAfter() / 1_000_000 + " ms", now);
        }
    }

    /**
     * The connection to the source was lost or fell silent before its SWITCH came, after the target took
     * over (its outputs came on the pre-connection): the pre-connection carries on as if switched, without a
     * resume, when nothing the source sent is missing ({@link ClientHandoff#carryOnWithoutSwitch}).
     */
    private boolean carriedOnWithoutSwitch(String what) {
        HostPort target = handoff.target();
        ClientLink carried = handoff.carryOnWithoutSwitch(outputs.delivered());
        if (carried == null) {
            return false;
        }
        HostPort source = serving.server;
        home = target;
        serving = carried;
        resendInputs();
        out.event(Event.SWITCHED, home + " (the connection to " + source + " was " + what + " before its SWITCH)");
        return true;
    }

    private void ping(ClientLink link, long now) {
        link.pinged(now);
        out.send(link.conn, new Frame.Ping(now));
    }

    // ---------------------------------------------------------------- frames on the serving connection

    private void servingFrame(Frame f, long now) {
        if (f instanceof Frame.Output o) {
            inputs.acked(o.ack());
            outputs.receive(o.seq(), o.payload());
        } else if (f instanceof Frame.Ack a) {
            inputs.acked(a.ack());
        } else if (f instanceof Frame.Welcome w) {
            welcome(w, now);
        } else if (f instanceof Frame.Move m) {
            handoff.announced(m);
            if (serving.isReady()) {
                handoff.attach(now);
            } // else a retired source answering a resume: the SWITCH that follows sends us there
        } else if (f instanceof Frame.Switch s) {
            switchOver(s, now);
        } else if (f instanceof Frame.TargetHint t) {
            handoff.hinted(t);
        } else if (f instanceof Frame.MoveAborted m) {
            handoff.aborted(m);
        } else if (f instanceof Frame.Ping p) {
            out.send(serving.conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.Error e) {
            serverError(e, now);
        } else if (!(f instanceof Frame.Pong)) {
            protocolBreach(f, now);
        }
    }

    /** Why a WELCOME in a version the client does not speak is not read, naming both sides and the fix. */
    static String welcomeRefusal(Frame.Welcome w, VersionRange versions, HostPort server) {
        return "the server at " + server + " answered in client-link version " + w.version() + ", which this client "
                + "does not speak (it speaks " + versions + " and offered them in its HELLO): the server broke the "
                + "version rule (docs/protocol.md, Versions); run a Baton server that chooses within the client's range";
    }

    private void welcome(Frame.Welcome w, long now) {
        if (!versions.contains(w.version())) {
            String why = welcomeRefusal(w, versions, serving.server);
            out.send(serving.conn, new Frame.Error(ErrorCode.UNSUPPORTED_VERSION, why));
            end(why); // closes the connection
            return;
        }
        boolean fresh = sessionId == 0;
        if (fresh) {
            sessionId = w.sessionId();
            secret = w.secret();
        } else if (w.sessionId() != sessionId) {
            protocolBreach(w, now);
            return;
        }
        serving.welcomed(w);
        home = serving.server; // whoever welcomed the session serves it now
        reconnect.welcomed();
        inputs.acked(w.inputAck());
        resendInputs();
        boolean afterSwitch = phase == ClientPhase.RESUMING_AFTER_SWITCH;
        if (fresh) {
            out.established(sessionId);
            out.event(Event.CONNECTED, serving.server.toString());
        } else {
            out.event(Event.RESUMED, (afterSwitch ? "after switch, " : "") + serving.server);
        }
        if (afterSwitch) {
            moveTo(ClientPhase.OPEN);
        }
    }

    private void switchOver(Frame.Switch s, long now) {
        HostPort target = handoff.target();
        if (target == null) {
            protocolBreach(s, now);
            return;
        }
        ClientLink old = serving;
        home = target;
        // The pre-connection carries on only from the source's last output; a client that missed some (it
        // came back to a retired source, say) resumes on the target instead, which resends them.
        ClientLink carried = handoff.switched(outputs.delivered() >= s.lastOutputSeq());
        if (carried != null) {
            serving = carried;
            resendInputs();
            out.event(Event.SWITCHED, home.toString());
        } else {
            moveTo(ClientPhase.RESUMING_AFTER_SWITCH);
            serving = open(home, now);
        }
        out.release(old.conn);
    }

    private void serverError(Frame.Error e, long now) {
        String reason = e.code() + ": " + e.message();
        switch (e.code()) {
            case UNKNOWN_SESSION, SESSION_CLOSED, UNSUPPORTED_VERSION, INPUT_TOO_LARGE -> end(reason);
            default -> {
                out.close(serving.conn);
                servingLost(reason, now);
            }
        }
    }

    private void protocolBreach(Frame f, long now) {
        String what = "unexpected " + f.getClass().getSimpleName();
        out.send(serving.conn, new Frame.Error(ErrorCode.PROTOCOL_VIOLATION, what));
        out.close(serving.conn);
        servingLost("server broke the protocol", now);
    }

    /** Sends every unacknowledged input on the (new) serving connection, acknowledging what was delivered. */
    private void resendInputs() {
        if (defects.contains(Defect.FORGET_UNACKED_INPUTS)) {
            inputs.forget(); // broken on purpose
        }
        inputs.resend(out, serving.conn, outputs.delivered());
        outputs.acknowledged();
    }

    // ---------------------------------------------------------------- connections and the phase

    private ClientLink open(HostPort server, long now) {
        return new ClientLink(out.connect(server.host(), server.port(), server.webSocket()), server, timing, now);
    }

    /** The serving connection if it is ready for inputs and acks, else null. */
    private ClientLink readyServing() {
        return serving != null && serving.isReady() ? serving : null;
    }

    private void servingLost(String reason, long now) {
        serving = null;
        if (reconnect.lost(now)) {
            out.event(Event.DISCONNECTED, reason);
        }
        if (reconnect.windowExpired(now)) {
            end(reconnect.givingUp(reason));
            return;
        }
        reconnect.schedule(now, handoff.resumeTarget(false) != null);
    }

    /** Reconnects: alternately home and, when one is known and may be resumed at, the handoff's target. */
    private void retry(long now) {
        boolean targetsTurn = reconnect.retrying();
        HostPort target = handoff.resumeTarget(phase == ClientPhase.RESUMING_AFTER_SWITCH);
        serving = open(target != null && targetsTurn ? target : home, now);
    }

    private void moveTo(ClientPhase next) {
        if (!phase.canMoveTo(next)) {
            throw new IllegalStateException("client phase " + phase + " cannot move to " + next);
        }
        phase = next;
    }

    private void end(String reason) {
        moveTo(ClientPhase.CLOSED);
        if (serving != null) {
            out.close(serving.conn);
        }
        handoff.dropPreConnection();
        serving = null;
        out.event(Event.CLOSED, reason == null ? "closed by the application" : reason);
        if (reason != null) {
            out.lost(reason);
        }
    }
}
