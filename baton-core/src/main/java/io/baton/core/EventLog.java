package io.baton.core;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.wire.Frame;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The log: the hosted service, the session table, the log position and the tick schedule, which is the
 * replicated state. {@link #apply} is the one path by which an event changes it, on the authority and on a
 * replica alike, so both compute the same; what an event releases, ships or acknowledges is the other rooms'
 * business, told from here.
 */
final class EventLog {

    static final byte[] EMPTY = new byte[0];
    /** Ticks made up at once after a stall before the schedule is re-anchored. */
    private static final int MAX_CATCH_UP_TICKS = 3;

    private final ServerCore core;
    private final Ctx ctx = new Ctx();

    Service service;
    final TreeMap<Long, Session> sessions = new TreeMap<>();
    long appliedIndex;
    long tick;
    long nextSessionId = 1;
    /** Sum of every session's digest term, kept as sessions change so the digest is O(1). */
    private long sessionsSum;
    /** The log index of the last tick applied: a cutover decided after it waits for the target to hold it. */
    long lastTickIndex;
    /** When the next tick is due (an authority's schedule). */
    private long nextTickAt;

    EventLog(ServerCore core) {
        this.core = core;
    }

    private final class Ctx implements Context {
        long index;

        @Override
        public long logIndex() {
            return index;
        }

        @Override
        public long tick() {
            return tick;
        }

        @Override
        public int tickHz() {
            return core.cfg.service().tickHz();
        }

        @Override
        public long timeMillis() {
            return tick * 1000L / core.cfg.service().tickHz();
        }

        @Override
        public RandomGenerator random() {
            return new SplittableRandom(Hash64.mix(0xBA70_0000L, index));
        }

        @Override
        public void send(long sessionId, byte[] payload) {
            Session s = sessions.get(sessionId);
            if (s == null) {
                return;
            }
            sessionsSum -= s.digestTerm();
            s.outputSeq++;
            sessionsSum += s.digestTerm();
            s.keep(new Session.Out(s.outputSeq, index, payload));
            core.delivery.emitted(s);
        }
    }

    /** Set only by the planted defect {@link Defect#UPGRADE_ONE_TICK_LATE}: upgrade after the next tick. */
    boolean upgradeAfterTick;

    /** Applies one event: the single path for the authority and for a replica, so both compute the same. */
    void apply(Frame.EventKind kind, long sessionId, long seq, byte[] payload, long now) {
        long index = ++appliedIndex;
        ctx.index = index;
        core.delivery.applying(index);
        switch (kind) {
            case OPEN -> {
                Session s = new Session(sessionId, payload);
                sessions.put(sessionId, s);
                nextSessionId = Math.max(nextSessionId, sessionId + 1);
                sessionsSum += s.digestTerm();
                service.onSessionOpened(sessionId, ctx);
            }
            case INPUT -> {
                Session s = sessions.get(sessionId);
                sessionsSum -= s.digestTerm();
                s.inputApplied = seq;
                sessionsSum += s.digestTerm();
                core.delivery.inputApplied(s, index, seq);
                service.onInput(sessionId, payload, ctx);
            }
            case TICK -> {
                tick = seq;
                lastTickIndex = index;
                service.onTick(ctx);
                if (upgradeAfterTick) { // the planted defect UPGRADE_ONE_TICK_LATE
                    upgradeAfterTick = false;
                    service.upgrade();
                }
                if (core.role() == Role.STANDBY) {
                    core.target.pingAttached();
                }
            }
            case CLOSE -> {
                Session s = sessions.remove(sessionId);
                sessionsSum -= s.digestTerm();
                core.delivery.forget(s);
                core.conns.forget(s);
                service.onSessionClosed(sessionId, ctx);
            }
        }
        core.out.applied(index, kind, sessionId, seq, payload);
        core.source.applied(index, kind, sessionId, seq, payload, now);
        core.milestones.applied(core.role() == Role.AUTHORITY, now);
    }

    /** A fresh service: the state of a server that starts as the authority. */
    void fresh() {
        service = core.cfg.factory().create(core.cfg.service());
    }

    long nextTickAt() {
        return nextTickAt;
    }

    /** The tick schedule starts (again) with a tick at {@code at}: on taking authority. */
    void ticksFrom(long at) {
        nextTickAt = at;
    }

    /** Whether the tick schedule runs: an authority that has not stopped applying. */
    boolean ticking() {
        return core.role() == Role.AUTHORITY && !core.stopped() && service != null;
    }

    /** The tick timer: the ticks due by now, at most a few at once, then the schedule re-anchored. */
    void runTicks(long now) {
        int n = 0;
        while (now >= nextTickAt && n++ < MAX_CATCH_UP_TICKS && !core.stopped()) {
            nextTickAt += core.tickPeriod;
            apply(Frame.EventKind.TICK, 0, tick + 1, EMPTY, now);
            core.cutover.afterTick(now);
        }
        if (!core.stopped() && now >= nextTickAt) {
            core.out.note("tick schedule overrun; re-anchoring after " + (now - nextTickAt) / 1_000_000 + " ms");
            nextTickAt = now + core.tickPeriod;
        }
    }

    long stateDigest() {
        long h = Hash64.mix(Hash64.mix(Hash64.mix(0xD16E57L, appliedIndex), tick), nextSessionId);
        return Hash64.mix(Hash64.mix(h, sessionsSum), service.digest());
    }

    /** The runtime's part of a snapshot or a save: log position, tick and the session table. */
    byte[] runtimeState() {
        return RuntimeState.write(appliedIndex, tick, nextSessionId, sessions.values());
    }

    /**
     * Replaces this server's state with a captured one (a handoff's snapshot, or a save): the runtime's
     * sessions from {@code runtime}, then the service from {@code serviceBytes}.
     */
    void load(byte[] runtime, long index, int schemaVersion, InputStream serviceBytes) throws IOException {
        reset();
        RuntimeState r = RuntimeState.read(new DataInputStream(new ByteArrayInputStream(runtime)), sessions, index);
        appliedIndex = r.appliedIndex;
        tick = r.tick;
        nextSessionId = r.nextSessionId;
        for (Session s : sessions.values()) {
            sessionsSum += s.digestTerm();
        }
        service = core.cfg.factory().restore(core.cfg.service(), schemaVersion, serviceBytes);
    }

    /** Forgets the whole state: a clean standby. */
    void reset() {
        service = null;
        upgradeAfterTick = false;
        sessions.clear();
        core.conns.forgetAllSessions();
        appliedIndex = tick = 0;
        nextSessionId = 1;
        sessionsSum = 0;
        core.delivery.resetReleased(0);
    }

    /** How many sessions have a client connected right now. */
    int connected() {
        int connected = 0;
        for (Session s : sessions.values()) {
            if (s.conn >= 0) {
                connected++;
            }
        }
        return connected;
    }

    /** Whether no session has a client connected. */
    boolean noneConnected() {
        for (Session s : sessions.values()) {
            if (s.conn >= 0) {
                return false;
            }
        }
        return true;
    }
}
