package io.baton.sim;

import io.baton.core.HandoffRequest;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.wire.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Handoffs rehearsed in memory, on the virtual network, with the service a server is about to host. A
 * server runs them before it serves so that the code of a handoff (snapshot, restore, replay, cutover,
 * the codec, the service itself) is loaded and compiled before the first real one, when a cold JVM
 * would otherwise stall the ticks while it catches up.
 */
public final class Rehearsal {

    private static final long MS = 1_000_000L;

    private Rehearsal() {
    }

    /** Rehearses handoffs for about {@code budgetMillis} of real time; returns how many ran. */
    public static int run(ServiceFactory factory, int tickHz, long budgetMillis) {
        long deadline = System.nanoTime() + budgetMillis * MS;
        int n = 0;
        while (System.nanoTime() < deadline) {
            once(factory, tickHz, n++);
        }
        return n;
    }

    private static void once(ServiceFactory factory, int tickHz, long seed) {
        World world = new World(seed);
        Network net = new Network(world);
        ServerConfig cfg = ServerConfig.defaults(factory, new ServiceConfig(tickHz, Map.of()),
                "rehearsal-peer-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ServerNode source = new ServerNode("source", net, (w, m) -> { });
        ServerNode target = new ServerNode("target", net, (w, m) -> { });
        source.startAuthority(cfg, world.now(), world.random.split());
        target.startStandby(cfg, world.random.split());
        List<Player> players = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            Player p = new Player("p" + i, net);
            players.add(p);
            world.at(World.START + i * MS, () -> net.call(p, () -> p.core.start(world.now())));
        }
        for (long t = World.START + 50 * MS; t < World.START + 1500 * MS; t += 10 * MS) {
            world.at(t, () -> {
                for (Player p : players) {
                    byte[] input = input(factory, world.random);
                    if (p.core.sessionId() != 0 && p.core.pendingInputs() < 1000) {
                        p.core.send(input, world.now());
                        net.settle(p);
                    }
                }
            });
        }
        world.at(World.START + 300 * MS, () -> net.call(source, () -> source.core.startHandoff(
                new HandoffRequest("target", 7001, "target", 7000, Frame.Mode.LIVE), world.now())));
        world.runUntil(World.START + 2000 * MS, 5_000_000L);
    }

    /** A rehearsal's input: the service's sample ({@link ServiceFactory#sampleInput}), else 8-39 random bytes. */
    public static byte[] input(ServiceFactory factory, java.util.random.RandomGenerator random) {
        byte[] input = factory.sampleInput(random);
        if (input == null) {
            input = new byte[8 + random.nextInt(32)];
            random.nextBytes(input);
        }
        return input;
    }

    /** A client that plays with sample inputs and ignores what it receives. */
    private static final class Player extends ClientCoreNode {
        Player(String name, Network net) {
            super(name, net, "source", 7000);
        }

        @Override
        public void deliver(byte[] payload) {
        }
    }
}
