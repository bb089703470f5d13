package io.baton.core;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A session's outputs that its client has not acknowledged, oldest first, their sequence numbers increasing:
 * a ring that also finds, in O(log n), the first output after a given number. A connection's send position
 * is such a number. With a deque, a session that sends one output per input while many wait for their
 * acknowledgement walked all of them from the oldest for every output it sent: a tenth of the server thread's
 * time in {@code bench throughput} (docs/performance.md, "The send position found, not walked to").
 */
final class UnackedOutputs implements Iterable<Session.Out> {

    /** A power of two, so that a position wraps with a mask. */
    private Session.Out[] ring = new Session.Out[8];
    private int head;
    private int size;

    /** Appends {@code o}, whose number must be above every number held. */
    void add(Session.Out o) {
        if (size > 0 && o.seq() <= last().seq()) {
            throw new IllegalArgumentException("output " + o.seq() + " after output " + last().seq());
        }
        if (size == ring.length) {
            Session.Out[] bigger = new Session.Out[ring.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = get(i);
            }
            ring = bigger;
            head = 0;
        }
        ring[(head + size) & (ring.length - 1)] = o;
        size++;
    }

    /** The oldest, or null if none is held. */
    Session.Out first() {
        return size == 0 ? null : ring[head];
    }

    /** The newest, or null if none is held. */
    Session.Out last() {
        return size == 0 ? null : get(size - 1);
    }

    /** Removes and returns the oldest; there must be one. */
    Session.Out pollFirst() {
        if (size == 0) {
            throw new NoSuchElementException("no unacknowledged output");
        }
        Session.Out o = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        return o;
    }

    /** The {@code i}-th oldest, from 0. */
    Session.Out get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("output " + i + " of " + size);
        }
        return ring[(head + i) & (ring.length - 1)];
    }

    /** The position of the oldest output numbered above {@code seq}; {@link #size()} if there is none. */
    int firstAfter(long seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (get(mid).seq() <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Iterator<Session.Out> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Session.Out next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return get(next++);
            }
        };
    }
}
