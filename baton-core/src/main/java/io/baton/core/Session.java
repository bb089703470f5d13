package io.baton.core;

import java.util.ArrayDeque;

/**
 * One session as a server keeps it. The counters and the unacknowledged outputs are replicated state
 * (they move with the snapshot and are rebuilt by replay); the connection and send position are local.
 */
final class Session {

    /** An output the client has not acknowledged yet, with the log index of the event that produced it. */
    record Out(long seq, long index, byte[] payload) {
    }

    final long id;
    /**
     * What proves a resume: {@link Tokens#verifier} of the secret, never the secret itself. Replicated: it is
     * the payload of the session's OPEN, and it is what snapshots and saves hold.
     */
    final byte[] verifier;
    /**
     * The secret itself, on the server that opened the session only, until its WELCOME has gone out (or can
     * no longer go out); then null. It is never logged, shipped or saved.
     */
    byte[] secret;

    // Replicated state.
    long inputApplied;
    long outputSeq;
    long outputAcked;
    /** Outputs the client has not acknowledged; only {@link #keep} adds and {@link #trimTo} removes. */
    final UnackedOutputs unacked = new UnackedOutputs();
    /** The payload bytes of {@link #unacked}, checked against the server's cap (ServerConfig.Limits). */
    long unackedBytes;

    // Local state.
    long conn = -1;
    long sentSeq;
    long inputAckSent;
    /** When a standalone ACK for this session's inputs is due unless an OUTPUT carries it first; 0 if none is. */
    long ackDueAt;
    /** Whether the session is in the server's list of sessions with inputs released in the current burst. */
    boolean inAckDue;
    /** Input numbers applied but not yet released (output commit): pairs of (log index, seq). */
    final ArrayDeque<long[]> unreleasedInputs = new ArrayDeque<>();
    long inputReleased;
    long disconnectedAt;
    /** The address key of the last connection bound to the session, or null (counted by {@link Connections}). */
    String address;
    /** When this server last heard from the session's client: a present client is a vote for this server. */
    long lastHeard;
    /** The last output sent before this session's target hint; acknowledging a later one proves the hint arrived. */
    long hintedAt = Long.MAX_VALUE;
    boolean moveSent;
    boolean attached;
    /** A retired source sent this session's client SWITCH: it knows where its session lives now. */
    boolean sentOn;
    /**
     * The log index of this session's OPEN while its WELCOME waits for the target's acknowledgement (a
     * session opened under output commit), else 0: a client must never hold a session the target lacks.
     */
    long welcomeHeldAt;
    /** Its client was away when the source withdrew the target hint: withdraw it first when it comes back. */
    boolean withdrawPending;
    /**
     * The highest log index of an output sent to this client while the target had not acknowledged it
     * (after COMMIT, with output commit suspended or aborted), else 0: until the target holds it, this
     * session must never be sent to the target, where it would see its history rolled back.
     */
    long unsafeUpTo;

    Session(long id, byte[] verifier) {
        this.id = id;
        this.verifier = verifier;
    }

    /** The part of this session that enters the state digest: the counters both servers must agree on. */
    long digestTerm() {
        return io.baton.service.Hash64.mix(io.baton.service.Hash64.mix(io.baton.service.Hash64.mix(0x5E55L, id),
                inputApplied), outputSeq);
    }

    /** Keeps an output until the client acknowledges it; its number must be above those kept. */
    void keep(Out o) {
        unacked.add(o);
        unackedBytes += o.payload().length;
    }

    void trimTo(long ack) {
        if (ack > outputAcked) {
            outputAcked = Math.min(ack, outputSeq);
        }
        while (!unacked.isEmpty() && unacked.first().seq() <= outputAcked) {
            unackedBytes -= unacked.pollFirst().payload().length;
        }
    }
}
