package io.baton.core;

import io.baton.wire.Frame;
import io.baton.wire.FrameType;

/**
 * The source's check that a client endpoint the operator gave reaches the target of its handoff, before any
 * client is told of it (a hint or a MOVE). The source opens a connection to that endpoint like any other
 * ({@link ServerOutbox#connect}), sends PROBE with a fresh nonce, and expects PROBE_PROOF: a MAC under the
 * peer secret over the handoff id and the nonce, which only the server receiving this handoff can make. Any
 * other outcome (refused, closed, an ERROR, a wrong proof, no answer within the peer link's silence limit)
 * aborts the handoff with a reason that names the endpoint. It owns its connection and its deadline; the
 * phase moves are {@link SourceHandoff}'s.
 */
final class EndpointProbe {

    /** How long the endpoint has to answer: as long as the peer link may stay silent. */
    static final long TIMEOUT = PeerLink.SILENCE;

    /** Where a probe stands. */
    enum State {
        /** No endpoint to check: none given, or the handoff ended. */
        NONE,
        /** Connecting to the endpoint. */
        CONNECTING,
        /** PROBE sent, waiting for PROBE_PROOF. */
        SENT,
        /** The endpoint answered with the proof: clients may be sent there. */
        PROVEN
    }

    private final ServerCore core;
    private State state = State.NONE;
    private long conn = -1;
    private byte[] nonce;
    private long deadline;
    private String endpoint = "";

    EndpointProbe(ServerCore core) {
        this.core = core;
    }

    State state() {
        return state;
    }

    /** Starts checking {@code host:port} for the handoff under way. */
    void start(String host, int port, long now) {
        closeConnection();
        endpoint = host + ":" + port;
        state = State.CONNECTING;
        deadline = now + TIMEOUT;
        conn = core.out.connect(host, port);
        core.out.note("probing the client endpoint " + endpoint + " before any client is sent there");
    }

    boolean is(long c) {
        return conn >= 0 && c == conn;
    }

    /** Whether an answer is awaited (the probe's timer runs). */
    boolean pending() {
        return state == State.CONNECTING || state == State.SENT;
    }

    /** Whether clients may be told the endpoint: none needed checking, or it proved to be the target. */
    boolean settled() {
        return state == State.NONE || state == State.PROVEN;
    }

    /** Whether the endpoint answered with this handoff's proof. */
    boolean proven() {
        return state == State.PROVEN;
    }

    long deadline() {
        return deadline;
    }

    /** The connection is up: ask for the proof. */
    void connected(long now) {
        if (state != State.CONNECTING) {
            closeConnection();
            return;
        }
        state = State.SENT;
        nonce = core.random(Frame.TOKEN_LENGTH);
        core.out.send(conn, new Frame.Probe(core.source.handoffId, nonce));
    }

    /** The endpoint's answer. */
    void frame(Frame f, long now) {
        if (state != State.SENT) {
            return;
        }
        if (f instanceof Frame.ProbeProof p) {
            if (p.handoffId() == core.source.handoffId
                    && Tokens.same(p.mac(), core.tokens.probeProof(core.source.handoffId, nonce))) {
                state = State.PROVEN;
                closeConnection();
                core.out.note("the client endpoint " + endpoint + " reaches the target of this handoff");
                core.source.endpointProven(now);
            } else {
                fail("it answered with a proof that is not this handoff's: a server with another peer secret, "
                        + "or the target of another handoff", now);
            }
        } else if (f instanceof Frame.Error e) {
            fail("a Baton server answered, but not the target of this handoff: " + e.code() + " " + e.message(), now);
        } else {
            fail("it answered " + FrameType.name(f.type()) + " instead of PROBE_PROOF", now);
        }
    }

    /** The connection closed or could not be made. */
    void lost(long now) {
        conn = -1;
        if (state == State.CONNECTING) {
            fail("nothing accepts connections there (refused, or no answer)", now);
        } else if (state == State.SENT) {
            fail("it closed the connection without proving it is the target (a server of protocol version 1, or "
                    + "not a Baton client port?)", now);
        }
    }

    /** The endpoint sent bytes that are not frames. */
    void badFrame(String why, long now) {
        fail("it sent bytes that are not Baton frames (" + why + "): not a Baton client port", now);
    }

    /** The probe's timer: no answer in time. */
    void timedOut(long now) {
        fail("no answer within " + TIMEOUT / 1_000_000 + " ms", now);
    }

    private void fail(String what, long now) {
        String checked = endpoint;
        closeConnection();
        state = State.NONE;
        core.source.abort("the client endpoint " + checked + " does not reach the target: " + what
                + "; no client was moved. --client-endpoint must be where clients reach the target's client port "
                + "(its --port, or its --advertise); leave it out to use the endpoint the target advertises", now);
    }

    /** The handoff ended (or a new one starts): forget the probe. */
    void reset() {
        closeConnection();
        state = State.NONE;
    }

    private void closeConnection() {
        if (conn >= 0) {
            core.out.close(conn);
            conn = -1;
        }
    }
}
