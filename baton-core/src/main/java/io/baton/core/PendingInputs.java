package io.baton.core;

import io.baton.wire.Frame;
import java.util.ArrayDeque;

/**
 * A client's inputs from the moment they are numbered until the server acknowledges them: kept in order and
 * resent whole on every new connection, because the server drops the ones it has already applied.
 */
final class PendingInputs {

    private record Pending(long seq, byte[] payload) {
    }

    private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
    private long nextSeq = 1;
    private long acked;

    /** Numbers one input and keeps it until acknowledged; returns its number. */
    long add(byte[] payload) {
        long seq = nextSeq++;
        unacked.add(new Pending(seq, payload));
        return seq;
    }

    /** The server acknowledged every input up to {@code ack} (cumulative; an older ack changes nothing). */
    void acked(long ack) {
        if (ack <= acked) {
            return;
        }
        acked = ack;
        while (!unacked.isEmpty() && unacked.peekFirst().seq <= ack) {
            unacked.pollFirst();
        }
    }

    /** Sends every unacknowledged input on {@code conn}, each carrying {@code outputAck}. */
    void resend(ClientCore.Outbox out, long conn, long outputAck) {
        for (Pending p : unacked) {
            out.send(conn, new Frame.Input(p.seq, outputAck, p.payload));
        }
    }

    /** Drops what is unacknowledged: only for {@link Defect#FORGET_UNACKED_INPUTS}. */
    void forget() {
        unacked.clear();
    }

    int size() {
        return unacked.size();
    }
}
