package io.baton.arena;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A reproducible stream of game events: joins, leaves, moves, malformed inputs and ticks. */
final class Script {

    sealed interface Event permits Open, Input, Tick, Close {
    }

    record Open(long sessionId) implements Event {
    }

    record Input(long sessionId, byte[] payload) implements Event {
    }

    record Tick() implements Event {
    }

    record Close(long sessionId) implements Event {
    }

    private Script() {
    }

    static List<Event> random(long seed, int events) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Event> script = new ArrayList<>();
        List<Long> sessions = new ArrayList<>();
        long[] nextInput = new long[1 << 12];
        long nextSession = 1;
        for (int i = 0; i < events; i++) {
            int roll = r.nextInt(100);
            if (sessions.isEmpty() || roll < 5) {
                sessions.add(nextSession);
                script.add(new Open(nextSession++));
            } else if (roll < 7) {
                script.add(new Close(sessions.remove(r.nextInt(sessions.size()))));
            } else if (roll < 9) {
                script.add(new Input(sessions.get(r.nextInt(sessions.size())), new byte[] {1, 2, 3}));
            } else if (roll < 40) {
                script.add(new Tick());
            } else {
                long s = sessions.get(r.nextInt(sessions.size()));
                long id = ++nextInput[(int) s];
                script.add(new Input(s, ArenaProtocol.move(id, r.nextInt(-128, 128), r.nextInt(-128, 128))));
            }
        }
        return script;
    }

    static void apply(Event e, FakeContext ctx) {
        if (e instanceof Open o) {
            ctx.open(o.sessionId());
        } else if (e instanceof Input in) {
            ctx.input(in.sessionId(), in.payload());
        } else if (e instanceof Tick) {
            ctx.runTick();
        } else if (e instanceof Close c) {
            ctx.close(c.sessionId());
        }
    }
}
