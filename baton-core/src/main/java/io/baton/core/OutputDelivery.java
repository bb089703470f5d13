package io.baton.core;

import io.baton.wire.Frame;
import java.util.TreeMap;

/**
 * The outputs the server sends, handed to the application once each and in order whichever connection they
 * came on (one sequence runs on from source to target), and when to acknowledge them.
 */
final class OutputDelivery {

    /** Outputs held while a gap before them fills; beyond this they are dropped, to come again by resend. */
    private static final int MAX_EARLY = 65_536;
    /** Delivered outputs that, unacknowledged, make a burst worth an ACK at once rather than after the delay. */
    private static final int ACK_EVERY = 8;

    private final ClientCore.Outbox out;
    private final long ackDelay;
    private long delivered;
    private final TreeMap<Long, byte[]> early = new TreeMap<>();
    private long ackSent;
    private long ackDueAt = Long.MAX_VALUE;

    OutputDelivery(ClientCore.Outbox out, long ackDelay) {
        this.out = out;
        this.ackDelay = ackDelay;
    }

    /** One output arrived: delivered now if it is the next, held if it is early, dropped if seen before. */
    void receive(long seq, byte[] payload) {
        if (seq <= delivered) {
            return;
        }
        if (seq == delivered + 1) {
            out.deliver(payload);
            delivered = seq;
            while (!early.isEmpty() && early.firstKey() == delivered + 1) {
                out.deliver(early.pollFirstEntry().getValue());
                delivered++;
            }
            while (!early.isEmpty() && early.firstKey() <= delivered) {
                early.pollFirstEntry();
            }
        } else if (early.size() < MAX_EARLY) {
            early.put(seq, payload);
        }
    }

    /** The number of the last output delivered, which every frame to the server acknowledges. */
    long delivered() {
        return delivered;
    }

    /** A frame carrying {@link #delivered} went to the server: nothing is left to acknowledge. */
    void acknowledged() {
        ackSent = delivered;
    }

    /** End of a burst: acknowledge at once if enough piled up, else within the ack delay. */
    void flush(long now, ClientLink ready) {
        if (delivered - ackSent >= ACK_EVERY) {
            sendAck(ready);
        } else if (delivered > ackSent && ackDueAt == Long.MAX_VALUE) {
            ackDueAt = now + ackDelay;
        }
    }

    long ackDueAt() {
        return ackDueAt;
    }

    /** Sends an ACK on {@code ready} (null when no connection is ready) if anything is unacknowledged. */
    void sendAck(ClientLink ready) {
        ackDueAt = Long.MAX_VALUE;
        if (ready != null && delivered > ackSent) {
            out.send(ready.conn, new Frame.Ack(delivered));
            ackSent = delivered;
        }
    }
}
