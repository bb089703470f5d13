package io.baton.server;

import io.baton.core.ServerOutbox;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.baton.wire.Frame;

/**
 * The driver's outbox with {@link ServerMetrics} listening in: it passes every call through and takes the
 * core's phase changes from its {@code phaseChanged} calls (telling the source's to {@link Handoffs} too), and
 * from {@code applied} the ticks that a poll ran.
 *
 * <p>Per frame and per event it adds one call and, for ticks, one increment: nothing is allocated.
 */
final class MeteredOutbox implements ServerOutbox, PollObserver {

    private final ServerOutbox driver;
    private final ServerMetrics metrics;
    /** The handles of handoffs ordered through this runtime, told of every source phase. */
    private final Handoffs handoffs;
    /** Ticks applied since the driver's poll began; only the core's loop touches it. */
    private int ticksInPoll;

    MeteredOutbox(ServerOutbox driver, ServerMetrics metrics, Handoffs handoffs) {
        this.driver = driver;
        this.metrics = metrics;
        this.handoffs = handoffs;
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
    public void stateRestored(boolean awaited, long bytes) {
        driver.stateRestored(awaited, bytes);
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
    }

    @Override
    public void phaseChanged(SourcePhase next) {
        metrics.sourceEntered(next, CoreDriver.now());
        handoffs.sourceEntered(next);
        driver.phaseChanged(next);
    }

    @Override
    public void phaseChanged(TargetPhase next) {
        metrics.targetEntered(next, CoreDriver.now());
        driver.phaseChanged(next);
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
