package io.baton.sim;

import io.baton.arena.ArenaProtocol;
import io.baton.core.ClientCore;
import java.util.ArrayList;
import java.util.List;

/**
 * A client on the virtual network: the real {@link ClientCore}, playing arena like a bot, and keeping
 * everything it sent and everything the game told it, for the checks at the end.
 */
final class ClientNode extends ClientCoreNode {

    long sessionId;
    long sent;
    long hash;
    final List<Long> appliedIds = new ArrayList<>();
    /**
     * Every tick whose UPDATE this client received, and whether a MARK followed it ({@link MarkedArena}'s release 2
     * rule): the simulation checks the rule changed exactly at the target's first own tick.
     */
    final java.util.TreeMap<Long, Boolean> ticksMarked = new java.util.TreeMap<>();
    final List<String> problems = new ArrayList<>();
    long lastTick = -1;
    long lastUpdateAt;
    long maxGap;
    long maxGapAt;
    /** Gaps that end at or after this instant are also measured apart, in {@link #maxGapSince}. */
    long watchFrom = Long.MAX_VALUE;
    long maxGapSince;
    java.util.function.LongSupplier clock = () -> 0;
    long lastInputsApplied;
    long lastInputHash;
    int switched;
    int resumed;
    /** Its session began on another server than the one it was told to use (sent on by a retired source). */
    boolean joinedElsewhere;
    String lostReason;
    private final java.util.function.BiConsumer<String, String> trace;

    ClientNode(String name, Network net, String host, int port, java.util.function.BiConsumer<String, String> trace,
               java.util.Set<io.baton.core.Defect> defects) {
        this(name, net, host, port, trace, defects, io.baton.wire.VersionRange.CLIENT_DEFAULT);
    }

    ClientNode(String name, Network net, String host, int port, java.util.function.BiConsumer<String, String> trace,
               java.util.Set<io.baton.core.Defect> defects, io.baton.wire.VersionRange versions) {
        super(name, net, host, port, defects, versions);
        this.trace = trace;
    }

    @Override
    void frame(long conn, io.baton.wire.Frame f, long now) {
        if (TRACE_FRAMES) {
            trace.accept(name, "conn " + conn + " <- " + f);
        }
        super.frame(conn, f, now);
    }

    @Override
    void connected(long conn, long now) {
        if (TRACE_FRAMES) {
            trace.accept(name, "conn " + conn + " connected");
        }
        super.connected(conn, now);
    }

    @Override
    void disconnected(long conn, long now) {
        if (TRACE_FRAMES) {
            trace.accept(name, "conn " + conn + " disconnected");
        }
        super.disconnected(conn, now);
    }

    /** Narrate every frame a client receives in replays (-Dbaton.sim.frames=true): verbose, for debugging. */
    private static final boolean TRACE_FRAMES = Boolean.getBoolean("baton.sim.frames");

    void sendMove(long now, int dx, int dy) {
        if (core.isClosed()) {
            return;
        }
        long id = ++sent;
        hash = ArenaProtocol.hashInput(hash, id, dx, dy);
        core.send(ArenaProtocol.move(id, dx, dy), now);
        net.settle(this);
    }

    @Override
    public void deliver(byte[] payload) {
        long marked = MarkedArena.markedTick(payload);
        if (marked >= 0) {
            if (marked != lastTick || ticksMarked.get(marked) != Boolean.FALSE) {
                problems.add("a MARK for tick " + marked + " after the update of tick " + lastTick);
            }
            ticksMarked.put(marked, true);
            return;
        }
        ArenaProtocol.Update u = ArenaProtocol.decodeUpdate(payload);
        if (u == null) {
            problems.add("undecodable output");
            return;
        }
        if (lastTick >= 0 && u.tick() != lastTick + 1) {
            problems.add("tick " + u.tick() + " after " + lastTick);
        }
        lastTick = u.tick();
        ticksMarked.put(u.tick(), false);
        long t = clock.getAsLong();
        if (lastUpdateAt != 0 && t - lastUpdateAt > maxGap) {
            maxGap = t - lastUpdateAt;
            maxGapAt = lastUpdateAt;
        }
        if (lastUpdateAt != 0 && t >= watchFrom) {
            maxGapSince = Math.max(maxGapSince, t - lastUpdateAt);
        }
        lastUpdateAt = t;
        for (long id : u.inputIds()) {
            appliedIds.add(id);
        }
        lastInputsApplied = u.inputsApplied();
        lastInputHash = u.inputHash();
    }

    @Override
    public void event(ClientCore.Event event, String detail) {
        trace.accept(name, event + " " + detail);
        if (event == ClientCore.Event.SWITCHED) {
            switched++;
        } else if (event == ClientCore.Event.RESUMED) {
            resumed++;
        } else if (event == ClientCore.Event.CONNECTED && !detail.startsWith("source:")) {
            joinedElsewhere = true; // its first session began on the target: it came after the handoff
        }
    }

    @Override
    public void established(long id) {
        sessionId = id;
    }

    @Override
    public void lost(String reason) {
        lostReason = reason;
    }

    /** Whether the game applied exactly what this client sent, in order, once each. */
    /**
     * What went wrong for this client. {@code stranded}: its servers are in an in-doubt cutover, where
     * nobody may serve it, so only safety is checked (nothing doubled, nothing out of order), not that
     * every input sent was applied.
     */
    List<String> verify(boolean stranded) {
        List<String> v = new ArrayList<>(problems);
        if (lostReason != null && !stranded) {
            v.add("session lost: " + lostReason);
        }
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (long id : appliedIds) {
            if (!seen.add(id)) {
                v.add("input id " + id + " applied twice (duplicated)");
                break;
            }
        }
        for (int i = 0; i < appliedIds.size(); i++) {
            if (appliedIds.get(i) != i + 1) {
                v.add("applied input #" + (i + 1) + " was id " + appliedIds.get(i));
                break;
            }
        }
        if (stranded) {
            return v;
        }
        if (appliedIds.size() != sent) {
            v.add("sent " + sent + " inputs, game applied " + appliedIds.size());
        }
        if (lastInputsApplied != sent || lastInputHash != hash) {
            v.add("game's count/hash " + lastInputsApplied + "/" + Long.toHexString(lastInputHash) + " differ from "
                    + sent + "/" + Long.toHexString(hash));
        }
        return v;
    }
}
