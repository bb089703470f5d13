package io.baton.server;

import io.baton.core.ServerOutbox;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.baton.wire.Frame;

/**
 * The driver's outbox with {@link ServerMetrics} listening in: it passes every call through and takes from
 * the core's notes its phase changes, and from {@code applied} the ticks that a poll ran. The core has no
 * metrics hook of its own; the notes are the one place it announces each phase change.
 *
 * <p>Per frame and per event it adds one call and, for ticks, one increment: nothing is allocated.
 */
final class MeteredOutbox implements ServerOutbox, PollObserver {

    private static final String SOURCE_PHASE = "source phase ";
    private static final String TARGET_PHASE = "target phase ";
    /** A replica dropped goes back to STANDBY without a "target phase" note. */
    private static final String REPLICA_DISCARDED = "replica discarded: ";

    private final ServerOutbox driver;
    private final ServerMetrics metrics;
    /** Ticks applied since the driver's poll began; only the core's loop touches it. */
    private int ticksInPoll;

    MeteredOutbox(ServerOutbox driver, ServerMetrics metrics) {
        this.driver = driver;
        this.metrics = metrics;
    }

    @Override
    public void send(long conn, Frame frame) {
        driver.send(conn, frame);
    }

    @Override
    public void close(long conn) {
        driver.close(conn);
    }

    @Override
    public long connect(String host, int port) {
        return driver.connect(host, port);
    }

    @Override
    public void stateRestored(boolean awaited) {
        driver.stateRestored(awaited);
    }

    @Override
    public void applied(long index, Frame.EventKind kind, long sessionId, long seq, byte[] payload) {
        if (kind == Frame.EventKind.TICK) {
            ticksInPoll++;
        }
        driver.applied(index, kind, sessionId, seq, payload);
    }

    @Override
    public void note(String message) {
        driver.note(message);
        long now = CoreDriver.now();
        if (message.startsWith(SOURCE_PHASE)) {
            SourcePhase next = phase(SourcePhase.class, message.substring(SOURCE_PHASE.length()));
            if (next != null) {
                metrics.sourceEntered(next, now);
            }
        } else if (message.startsWith(TARGET_PHASE)) {
            TargetPhase next = phase(TargetPhase.class, message.substring(TARGET_PHASE.length()));
            if (next != null) {
                metrics.targetEntered(next, now);
            }
        } else if (message.startsWith(REPLICA_DISCARDED)) {
            metrics.targetEntered(TargetPhase.STANDBY, now);
        }
    }

    private static <E extends Enum<E>> E phase(Class<E> type, String name) {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            return null; // another note that starts alike: not a phase change
        }
    }

    @Override
    public void polling() {
        ticksInPoll = 0;
    }

    @Override
    public void polled(long dueAt, long ranAt) {
        if (ticksInPoll > 0) {
            metrics.tickRan(ranAt - dueAt);
        }
    }
}
