package io.baton.arena;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;

/**
 * A runtime stand-in: numbers events, ticks, seeds randomness from the log index and records outputs.
 * Also drives a service, so a test reads as a list of events.
 */
final class FakeContext implements Context {

    record Output(long sessionId, byte[] payload) {
    }

    private final Service service;
    private long logIndex;
    private long tick;
    private RandomGenerator random;
    final List<Output> outputs = new ArrayList<>();
    private long outputHash;
    private BiConsumer<Long, byte[]> listener = (s, p) -> { };

    /** A context positioned after {@code logIndex} events and {@code tick} ticks, as a replica would be. */
    FakeContext(Service service, long logIndex, long tick) {
        this.service = service;
        this.logIndex = logIndex;
        this.tick = tick;
    }

    FakeContext(Service service) {
        this(service, 0, 0);
    }

    FakeContext open(long sessionId) {
        next();
        service.onSessionOpened(sessionId, this);
        return this;
    }

    FakeContext input(long sessionId, byte[] payload) {
        next();
        service.onInput(sessionId, payload, this);
        return this;
    }

    FakeContext move(long sessionId, long inputId, int dx, int dy) {
        return input(sessionId, ArenaProtocol.move(inputId, dx, dy));
    }

    FakeContext runTick() {
        next();
        tick++;
        service.onTick(this);
        return this;
    }

    FakeContext close(long sessionId) {
        next();
        service.onSessionClosed(sessionId, this);
        return this;
    }

    /** Also hands every output to {@code l}, as the runtime hands them to clients. */
    FakeContext onSend(BiConsumer<Long, byte[]> l) {
        this.listener = l;
        return this;
    }

    private void next() {
        logIndex++;
        random = null;
    }

    /** A hash of every output so far, in order, with its session. */
    long outputHash() {
        return outputHash;
    }

    /** The updates sent to one session, decoded. */
    List<ArenaProtocol.Update> updatesFor(long sessionId) {
        List<ArenaProtocol.Update> updates = new ArrayList<>();
        for (Output o : outputs) {
            if (o.sessionId() == sessionId) {
                updates.add(ArenaProtocol.decodeUpdate(o.payload()));
            }
        }
        return updates;
    }

    @Override
    public long logIndex() {
        return logIndex;
    }

    @Override
    public long tick() {
        return tick;
    }

    @Override
    public int tickHz() {
        return 30;
    }

    @Override
    public long timeMillis() {
        return tick * 1000 / 30;
    }

    @Override
    public RandomGenerator random() {
        if (random == null) {
            random = new SplittableRandom(logIndex);
        }
        return random;
    }

    @Override
    public void send(long sessionId, byte[] payload) {
        outputs.add(new Output(sessionId, payload));
        outputHash = Hash64.hash(Hash64.mix(outputHash, sessionId), payload);
        listener.accept(sessionId, payload);
    }
}
