package io.baton.fuzz;

import io.baton.core.ServerOutbox;
import io.baton.wire.Frame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The network as one server core sees it, for the fuzz targets: frames the core sends wait per
 * connection until the stage hands them to whoever holds the other end; a close the core asks for is
 * remembered until the stage reports it back as a disconnect, as a driver would. Nothing travels by itself.
 */
final class Wire implements ServerOutbox {

    private final Map<Long, ArrayDeque<Frame>> inboxes = new HashMap<>();
    private final Set<Long> closed = new HashSet<>();
    private final List<Long> closing = new ArrayList<>();
    private long nextConn = 1;
    private long lastConnect = -1;

    /** A new connection id, for either side of this server. */
    long open() {
        return nextConn++;
    }

    @Override
    public void send(long conn, Frame frame) {
        if (!closed.contains(conn)) {
            inboxes.computeIfAbsent(conn, c -> new ArrayDeque<>()).add(frame);
        }
    }

    @Override
    public void close(long conn) {
        if (closed.add(conn)) {
            closing.add(conn);
        }
    }

    @Override
    public long connect(String host, int port) {
        lastConnect = open();
        return lastConnect;
    }

    /** The connection the core last asked to open ({@link #connect}), or -1. */
    long lastConnect() {
        return lastConnect;
    }

    @Override
    public void note(String message) {
        // The core's log: nothing the targets judge by.
    }

    /** What the core sent on a connection since the last call, oldest first. */
    List<Frame> take(long conn) {
        ArrayDeque<Frame> inbox = inboxes.remove(conn);
        return inbox == null ? List.of() : new ArrayList<>(inbox);
    }

    /** The connections the core closed since the last call, in order. */
    List<Long> takeClosed() {
        List<Long> done = new ArrayList<>(closing);
        closing.clear();
        return done;
    }

    boolean isClosed(long conn) {
        return closed.contains(conn);
    }
}
