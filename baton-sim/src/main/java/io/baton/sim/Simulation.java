package io.baton.sim;

import io.baton.arena.ArenaFactory;
import io.baton.core.HandoffRequest;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.baton.service.Hash64;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import io.baton.wire.VersionRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One simulated run from one seed: a source, a standby target and a few arena clients on a virtual
 * network; a handoff at a random instant; then the invariants. Everything random comes from the seed, so
 * {@code run(seed)} twice gives the same result. A third of the seeds hand off across versions: the source runs
 * release 1 of {@link MarkedArena}, the target release 2 (a new field, a new rule its clients see), taking release
 * 1 live or, in a quarter of those, only by stop-and-copy; the clients check that the rule changed exactly at the
 * target's first own tick.
 */
public final class Simulation {

    private static final long MS = 1_000_000L;
    private static final long MAX_STEPS = 20_000_000L;

    /**
     * What a run found. Empty {@link #violations()} means every invariant held. {@code secretsWatched} is how
     * many session secrets the run issued, each of which was searched for in the {@code bytesBetweenServers}
     * bytes one server sent another ({@link SecretWatch}).
     */
    public record Result(long seed, List<String> violations, String outcome, long steps, long virtualMillis,
                         int clients, int switched, int resumed, int joinedLate, int secretsWatched,
                         long bytesBetweenServers, String versions) {
        public boolean passed() {
            return violations.isEmpty();
        }
    }

    private static final VersionRange V4 = new VersionRange(4, 4);
    private static final VersionRange V45 = new VersionRange(4, 5);

    private final long seed;
    private final World world;
    private final Network net;
    private final List<String> violations = new ArrayList<>();

    private final java.util.function.Consumer<String> trace;
    private final java.util.function.UnaryOperator<ServerConfig> configure;
    private final java.util.Set<io.baton.core.Defect> clientDefects;
    /** Why the handoff after a restarted target was refused (RESTART_TARGET), or null. */
    private String retryRefused;
    /** When the target's pause began (PAUSE_TARGET_BEFORE_CUTOVER), 0 if it did not. */
    private long pausedFrom;

    private Simulation(long seed, java.util.function.Consumer<String> trace,
                       java.util.function.UnaryOperator<ServerConfig> configure,
                       java.util.Set<io.baton.core.Defect> clientDefects) {
        this.seed = seed;
        this.trace = trace;
        this.configure = configure;
        this.clientDefects = clientDefects;
        this.world = new World(seed);
        this.net = new Network(world);
    }

    /** Runs the scenario of one seed. */
    public static Result run(long seed) {
        return new Simulation(seed, null, c -> c, java.util.Set.of()).play();
    }

    /** Runs the scenario of one seed with the servers configured differently (shorter tickets, say). */
    static Result run(long seed, java.util.function.UnaryOperator<ServerConfig> configure) {
        return new Simulation(seed, null, configure, java.util.Set.of()).play();
    }

    /** Runs the scenario of one seed with deliberately broken clients: for the checker's own tests. */
    static Result runWithBrokenClients(long seed, io.baton.core.Defect... defects) {
        return new Simulation(seed, null, c -> c, java.util.Set.of(defects)).play();
    }

    /** Runs the scenario of one seed and narrates it: what each server and client did, in virtual time. */
    public static Result replay(long seed, java.util.function.Consumer<String> trace) {
        return new Simulation(seed, trace, c -> c, java.util.Set.of()).play();
    }

    void trace(String who, String what) {
        if (trace != null) {
            trace.accept(String.format("%10.3f ms  %-8s %s", (world.now() - World.START) / 1e6, who, what));
        }
    }

    private Result play() {
        net.baseDelay = (50 + world.random.nextInt(2000)) * 1000L;
        net.jitter = world.random.nextInt(1000) * 1000L;
        net.peerDelay = (20 + world.random.nextInt(1000)) * 1000L;
        int tickHz = 10 + world.random.nextInt(51);
        trace("sim", "seed " + seed + ": delay " + net.baseDelay / 1000 + "+" + net.jitter / 1000 + " us, peer "
                + net.peerDelay / 1000 + " us, " + tickHz + " Hz");
        long stateMb = world.random.nextInt(4) == 0 ? 1 : 0;
        // The service versions come from dice of their own, so that the same-version runs stay as they were.
        java.util.SplittableRandom versionDice = new java.util.SplittableRandom(seed ^ 0x0F_5C4E_3A2L);
        boolean mixed = versionDice.nextInt(3) == 0;
        boolean stopCopyPath = mixed && versionDice.nextInt(4) == 0;
        String versions = !mixed ? "" : stopCopyPath ? "1 -> 2 stop-and-copy" : "1 -> 2 live";
        ServiceConfig serviceConfig = new ServiceConfig(tickHz, Map.of("state-mb", Long.toString(stateMb)));
        byte[] peerSecret = "simulated-peer-secret-0123456789".getBytes(StandardCharsets.UTF_8);
        ServerConfig cfg = configure.apply(ServerConfig.defaults(mixed ? MarkedArena.release1() : new ArenaFactory(),
                serviceConfig, peerSecret));
        ServerConfig serviceTargetCfg = !mixed ? cfg : configure.apply(ServerConfig.defaults(MarkedArena.release2(
                stopCopyPath ? io.baton.service.Upgrade.STOP_AND_COPY : io.baton.service.Upgrade.LIVE),
                serviceConfig, peerSecret));
        if (mixed) {
            trace("sim", "versions: source release 1, target release 2 (" + versions + ")");
        }
        // Half of the runs hand off between builds of different protocol ranges (docs/protocol.md, Versions):
        // a source speaking the test version 5 as well to a target speaking 4 only, or the reverse; a quarter
        // between two that both speak 4..5 (so version 5's CUTOVER and WELCOME are exercised), a quarter as
        // before. Clients speak 4 only or 4..5. Dice of their own, so that every other draw stays as it was.
        java.util.SplittableRandom rangeDice = new java.util.SplittableRandom(seed ^ 0x7E25_10A5_0000L);
        VersionRange[] sides = switch (rangeDice.nextInt(4)) {
            case 0 -> new VersionRange[] {V45, V4};
            case 1 -> new VersionRange[] {V4, V45};
            case 2 -> new VersionRange[] {V45, V45};
            default -> new VersionRange[] {V4, V4};
        };
        ServerConfig sourceCfg = cfg.withVersions(sides[0], sides[0]);
        ServerConfig targetCfg = serviceTargetCfg.withVersions(sides[1], sides[1]);
        trace("sim", "the source speaks versions " + sides[0] + ", the target " + sides[1]);
        ServerNode source = new ServerNode("source", net, this::trace);
        ServerNode target = new ServerNode("target", net, this::trace);
        source.startAuthority(sourceCfg, world.now(), world.random.split());
        target.startStandby(targetCfg, world.random.split());

        int n = 1 + world.random.nextInt(8);
        long stopInputs = World.START + 5000 * MS;
        // A third of the runs also hold strangers' sessions, drawn from dice of their own so that the other
        // runs stay as they were: absent ones (silent, or gone in their resume window) that may outnumber the
        // players, and double-dealers that claim at the target while they stay present at the source, fewer
        // than half of the players (the assumption docs/faults.md states: a majority of those present at
        // COMMIT is honest). With double-dealers, every player opens its session before the handoff.
        java.util.SplittableRandom dice = new java.util.SplittableRandom(seed ^ 0x5EED_57A4_6E45L);
        List<StrangerNode> strangers = new ArrayList<>();
        if (dice.nextInt(3) == 0) {
            int absent = 1 + dice.nextInt(2 * n + 3);
            int doubles = dice.nextInt((n - 1) / 2 + 1);
            for (int i = 0; i < absent + doubles; i++) {
                StrangerNode.Kind kind = i >= absent ? StrangerNode.Kind.DOUBLE
                        : dice.nextBoolean() ? StrangerNode.Kind.SILENT : StrangerNode.Kind.LEFT;
                StrangerNode stranger = new StrangerNode("stranger" + i + "-" + kind.name().toLowerCase(), net, kind);
                strangers.add(stranger);
                world.at(World.START + dice.nextInt(300) * MS, () -> net.call(stranger, stranger::start));
            }
            trace("sim", absent + " absent strangers, " + doubles + " double-dealing ones");
        }
        boolean playersEarly = strangers.stream().anyMatch(st -> st.kind() == StrangerNode.Kind.DOUBLE);
        List<ClientNode> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ClientNode c = new ClientNode("client" + i, net, "source", 7000, this::trace, clientDefects,
                    rangeDice.nextBoolean() ? V45 : V4);
            clients.add(c);
            c.clock = world::now;
            // Most clients are there before the handoff; some open their session in the middle of it.
            long start = World.START + world.random.nextInt(world.random.nextInt(4) == 0 ? 1500 : 300) * MS;
            if (playersEarly) {
                start = Math.min(start, World.START + 300 * MS);
            }
            long opensAt = start;
            world.at(opensAt, () -> net.call(c, () -> c.core.start(world.now())));
            long period = (10 + world.random.nextInt(190)) * MS;
            scheduleInputs(c, start + period, period, stopInputs);
        }
        Frame.Mode asked = world.random.nextInt(5) == 0 ? Frame.Mode.STOPCOPY : Frame.Mode.LIVE;
        // What runs: a target that takes the source's version only by stop-and-copy turns a live handoff into one.
        Frame.Mode mode = stopCopyPath ? Frame.Mode.STOPCOPY : asked;
        // Strangers gone quiet only just before COMMIT still count as present then (a second of presence):
        // the case modelled is sessions abandoned before the handoff, so with strangers it starts later.
        long handoffAt = World.START + (400 + world.random.nextInt(800) + (strangers.isEmpty() ? 0 : 1200)) * MS;
        world.at(handoffAt, () -> net.call(source, () -> source.core.startHandoff(
                new HandoffRequest("target", 7001, "target", 7000, asked), world.now()).ifPresent(
                        why -> violations.add("handoff refused: " + why))));
        Fault fault = Fault.values()[world.random.nextInt(Fault.values().length)];
        boolean[] struck = {false};
        if (mode == Frame.Mode.STOPCOPY && (fault == Fault.KILL_SOURCE_AFTER_CATCH_UP || fault == Fault.PARTITION_PEER_LINK
                || fault == Fault.CUT_PEER_LINK || fault == Fault.PAUSE_SOURCE)) {
            fault = Fault.NONE; // stop-and-copy has no catch-up; its in-doubt cutover is not handled yet (faults.md)
        }
        injectFault(fault, handoffAt, source, target, clients, struck, targetCfg, asked);

        // A retired source drains until every session switched or its drain timeout (5 s): strangers that
        // never answer keep it that long, so their runs last longer.
        if (!world.runUntil(World.START + (strangers.isEmpty() ? 8000 : 14000) * MS, MAX_STEPS)) {
            violations.add("more than " + MAX_STEPS + " steps: the system never quiesces (livelock)");
        }
        checkDivergence(List.of(source, target));
        violations.addAll(net.secrets.leaks());
        ServerStatus src = source.core.status();
        ServerStatus tgt = target.core.status();
        trace("sim", "end: source " + src);
        trace("sim", "end: target " + tgt);
        String outcome = src.sourcePhase() == SourcePhase.DONE && tgt.targetPhase() == TargetPhase.AUTHORITY
                ? "completed" : src.sourcePhase().name().toLowerCase();
        trace("sim", "fault " + fault + (struck[0] ? " struck" : " did not strike") + ", outcome " + outcome);
        // The target was lost while CUTOVER was on its way (the fault struck a moment before the source decided
        // to cut over, its news had not arrived yet): the source cannot know whether the target took authority.
        boolean inDoubt = struck[0] && src.sourcePhase() == SourcePhase.FENCED
                && tgt.role() != io.baton.core.Role.AUTHORITY && src.lastError().contains("CUTOVER");
        // Clients wait on a restore in stop-and-copy only: that is where the driver must not pause the server
        // (the production driver collects its heap when nobody waits).
        if (!target.restoresAwaited.stream().allMatch(awaited -> awaited == (mode == Frame.Mode.STOPCOPY))) {
            violations.add("the target's restores in a " + mode + " handoff were reported as awaited "
                    + target.restoresAwaited);
        }
        boolean srcAuthority = source.alive && src.role() == io.baton.core.Role.AUTHORITY;
        boolean tgtAuthority = target.alive && tgt.role() == io.baton.core.Role.AUTHORITY;
        if (srcAuthority && tgtAuthority) {
            violations.add("two authorities at the end: source in " + src.sourcePhase() + ", target in "
                    + tgt.targetPhase());
        }
        if (struck[0] && fault == Fault.KILL_SOURCE_AFTER_CATCH_UP) {
            outcome = tgt.failedOver() ? "failed-over" : outcome.equals("completed") ? "completed" : "stranded";
            if (!tgtAuthority) {
                violations.add("the source died after catch-up but the target did not take over (target "
                        + tgt.targetPhase() + ")");
            }
        } else if (struck[0] && fault == Fault.RESTART_TARGET && retryRefused != null && !inDoubt) {
            outcome = "aborted, second handoff refused";
            if (src.role() != io.baton.core.Role.AUTHORITY) {
                violations.add("after a restarted target and a refused second handoff the source must still serve;"
                        + " it is " + src.role() + " in " + src.sourcePhase());
            }
        } else if (struck[0] && fault == Fault.PAUSE_SOURCE) {
            // Woken, the source keeps its clients (aborted), or finds them gone to the target (failed-over),
            // or carries on as if nothing happened (completed); the invariants decide, not the outcome.
            outcome = tgt.failedOver() ? "failed-over" : outcome;
        } else if (struck[0] && fault == Fault.PARTITION_PEER_LINK) {
            outcome = tgt.failedOver() ? "failed-over" : srcAuthority ? "aborted" : outcome;
            if (!srcAuthority && !tgtAuthority) {
                violations.add("no authority after a partition between the servers (source " + src.sourcePhase()
                        + ", target " + tgt.targetPhase() + ")");
            }
        } else if (inDoubt) {
            // Fencing is the only safe answer (docs/faults.md, the in-doubt cutover); the clients are
            // stranded until the target comes back, and only safety is checked.
            outcome = "in-doubt";
        } else if (struck[0] && fault.abortsHandoff()) {
            if (!outcome.equals("aborted") || src.role() != io.baton.core.Role.AUTHORITY) {
                violations.add("fault " + fault + " before cutover must abort the handoff and leave the source in"
                        + " charge; source is " + src.role() + " in " + src.sourcePhase());
            }
        } else if (!outcome.equals("completed")) {
            violations.add("handoff did not complete: source " + src.sourcePhase() + ", target " + tgt.targetPhase()
                    + (src.lastError().isEmpty() ? "" : " (" + src.lastError() + ")"));
        } else if (src.cutoverDigest() != tgt.cutoverDigest() || src.cutoverIndex() != tgt.cutoverIndex()) {
            violations.add("digest at cutover differs: source " + Long.toHexString(src.cutoverDigest()) + "@"
                    + src.cutoverIndex() + ", target " + Long.toHexString(tgt.cutoverDigest()) + "@"
                    + tgt.cutoverIndex());
        }
        if (struck[0] && (fault == Fault.HANG_TARGET_BEFORE_CUTOVER || fault == Fault.PAUSE_TARGET_BEFORE_CUTOVER)
                && !inDoubt && mode == Frame.Mode.LIVE) {
            // (Stop-and-copy stops the source until the target answers: a paused target pauses everyone.)
            // Outputs wait at most the commit wait (configured + two round trips of the peer link) for a
            // target that does not answer; add a tick, the network's worst delay both ways and slack.
            long linkRoundTrip = 2 * (net.peerDelay + net.jitter);
            // A pause that caught CUTOVER in flight stops everyone: after CUTOVER the source may not resume.
            boolean caughtCutover = fault == Fault.PAUSE_TARGET_BEFORE_CUTOVER && src.stoppedAtNanos() != 0
                    && src.stoppedAtNanos() >= pausedFrom - 2 * linkRoundTrip && src.stoppedAtNanos() <= target.frozenUntil;
            long bound = 1_000_000_000L / tickHz + cfg.commitWait() + 2 * linkRoundTrip
                    + 2 * (net.baseDelay + net.jitter) + 2 * MS;
            for (ClientNode c : clients) {
                if (c.maxGapSince > bound && !caughtCutover) {
                    violations.add(c.name + " went " + c.maxGapSince / 1000 + " us without an update after the"
                            + " target stopped answering (bound " + bound / 1000 + " us: a tick plus the commit wait)");
                }
            }
        }
        checkRuleChange(clients, mixed, target.ownFromTick);
        for (ClientNode c : clients) {
            trace(c.name, "largest gap between updates " + c.maxGap / 1000 + " us at "
                    + (c.maxGapAt - World.START) / 1000 + " us (tick period " + 1_000_000 / tickHz + " us)");
            for (String v : c.verify(inDoubt)) {
                violations.add(c.name + " (session " + c.sessionId + "): " + v);
            }
        }
        if (outcome.equals("completed") && !struck[0]) {
            // Every client the target serves at the end speaks to it in the highest version both speak.
            for (ClientNode c : clients) {
                int expected = c.versions.highestCommon(sides[1]);
                if (!c.core.isClosed() && c.core.protocolVersion() != 0 && c.core.protocolVersion() != expected) {
                    violations.add(c.name + " (versions " + c.versions + ") is served in client-link version "
                            + c.core.protocolVersion() + " by a target speaking " + sides[1] + ", not " + expected);
                }
            }
        }
        int switched = 0;
        int resumed = 0;
        int joinedLate = 0;
        for (ClientNode c : clients) {
            switched += c.switched > 0 ? 1 : 0;
            resumed += c.resumed > 0 ? 1 : 0;
            joinedLate += c.joinedElsewhere ? 1 : 0;
            if (c.sessionId == 0 && !inDoubt && source.alive) {
                // (A client whose only address is a dead server finds nobody: that takes service discovery.)
                violations.add(c.name + " never got a session, though the server it was told to use is up");
            }
        }
        return new Result(seed, List.copyOf(violations), (struck[0] ? fault.name().toLowerCase() + ": " : "") + outcome,
                world.steps(), (world.now() - World.START) / MS,
                clients.size(), switched, resumed, joinedLate, net.secrets.secretsSeen(),
                net.secrets.bytesBetweenServers(), versions);
    }

    /**
     * The new rule applies from the first tick the target owns, never to a tick the source applied: every tick a
     * client saw before {@code ownFromTick} carries no MARK, every tick from it on carries one (in a same-version
     * run, or one where the target never took over, no tick does).
     */
    private void checkRuleChange(List<ClientNode> clients, boolean upgrades, long ownFromTick) {
        for (ClientNode c : clients) {
            for (var e : c.ticksMarked.entrySet()) {
                boolean expected = upgrades && e.getKey() >= ownFromTick;
                // The MARK follows its UPDATE on the same stream: only the last tick seen may still lack it.
                boolean markOnItsWay = expected && !e.getValue() && e.getKey().equals(c.ticksMarked.lastKey());
                if (e.getValue() != expected && !markOnItsWay) {
                    violations.add(c.name + " (session " + c.sessionId + "): tick " + e.getKey() + " was applied under "
                            + (e.getValue() ? "release 2's" : "release 1's") + " rule, but " + (upgrades && ownFromTick
                            != Long.MAX_VALUE ? "the target took over from tick " + ownFromTick : "no release 2 server "
                            + "took over"));
                    break;
                }
            }
        }
    }

    /**
     * The faults a run may suffer, one per run, at a random instant of the handoff. The demo's faults on real
     * processes ({@code io.baton.harness.Fault}) name their counterparts here.
     */
    public enum Fault {
        /** No fault: the handoff must complete. */
        NONE(false),
        /** A client's connections break (a flaky network); it must resume with nothing lost. */
        CUT_CLIENT(false),
        /** Some clients cannot reach the target: their pre-connections fail, they resume after the switch. */
        BLOCK_CLIENTS_TO_TARGET(false),
        /** The peer link slows to tens of milliseconds each way. */
        SLOW_PEER_LINK(false),
        /** The target's process dies before cutover: the handoff aborts, the source carries on. */
        KILL_TARGET_BEFORE_CUTOVER(true),
        /**
         * The target's process dies before cutover and starts again as an empty standby 50-500 ms later;
         * the operator then hands off again: it completes, or is refused while the old target might still
         * have been taking over (the source cannot tell a crash from a partition), and the source carries on.
         */
        RESTART_TARGET(false),
        /** The peer link breaks before cutover: the handoff aborts, the source carries on. */
        CUT_PEER_LINK(true),
        /**
         * The target freezes before cutover, silently (no reset reaches anyone, as when its machine loses
         * power): the handoff aborts within the commit wait, and no client stalls for a tick.
         */
        HANG_TARGET_BEFORE_CUTOVER(true),
        /**
         * The target's process stops for 30 to 600 ms before cutover (a pause, a long collection), then goes
         * on: outputs wait at most the commit wait, the handoff completes.
         */
        PAUSE_TARGET_BEFORE_CUTOVER(false),
        /** The source's process dies once the target holds all clients have seen: the target takes over. */
        KILL_SOURCE_AFTER_CATCH_UP(false),
        /**
         * The source's process stops for 0.5 to 3 s once the target may take over (SIGSTOP, a long
         * collection): whatever it finds when it wakes, it never serves beside a target that took over.
         */
        PAUSE_SOURCE(false),
        /** Source and target stop hearing each other, both alive: exactly one of them keeps authority. */
        PARTITION_PEER_LINK(false);

        private final boolean abortsHandoff;

        Fault(boolean abortsHandoff) {
            this.abortsHandoff = abortsHandoff;
        }

        /** Whether, struck, it must abort the handoff and leave the source in charge. */
        public boolean abortsHandoff() {
            return abortsHandoff;
        }
    }

    private void injectFault(Fault fault, long handoffAt, ServerNode source, ServerNode target, List<ClientNode> clients,
                             boolean[] struck, ServerConfig cfg, Frame.Mode mode) {
        long at = handoffAt + world.random.nextInt(600) * MS;
        switch (fault) {
            case NONE -> { }
            case CUT_CLIENT -> {
                ClientNode victim = clients.get(world.random.nextInt(clients.size()));
                world.at(at, () -> {
                    struck[0] = true;
                    trace("sim", "fault: cutting every connection of " + victim.name);
                    net.cutAll(victim);
                });
            }
            case BLOCK_CLIENTS_TO_TARGET -> {
                List<ClientNode> blocked = new ArrayList<>();
                for (ClientNode c : clients) {
                    if (world.random.nextInt(3) == 0) {
                        blocked.add(c);
                        net.partition(c, target);
                    }
                }
                struck[0] = !blocked.isEmpty();
                trace("sim", "fault: " + blocked.size() + " clients cannot reach the target until 4 s");
                world.at(World.START + 4000 * MS, () -> blocked.forEach(c -> net.heal(c, target)));
            }
            case SLOW_PEER_LINK -> {
                struck[0] = true;
                net.peerDelay = (10 + world.random.nextInt(40)) * MS;
                trace("sim", "fault: the peer link is slow, " + net.peerDelay / MS + " ms each way");
            }
            case KILL_SOURCE_AFTER_CATCH_UP -> world.at(at, () -> {
                SourcePhase phase = source.core.status().sourcePhase();
                if (!target.core.status().canTakeOver() || phase.compareTo(SourcePhase.DRAINING) >= 0) {
                    return; // before catch-up a dead source takes its state with it: not this fault
                }
                if (source.core.status().sessions() == 0) {
                    return; // no session, no witness: a target never takes over an empty server (faults.md)
                }
                struck[0] = true;
                trace("sim", "fault: killing the source in phase " + phase);
                net.crash(source);
            });
            case RESTART_TARGET -> world.at(at, () -> {
                SourcePhase phase = source.core.status().sourcePhase();
                if (phase.compareTo(SourcePhase.CUTTING_OVER) >= 0 || phase == SourcePhase.IDLE) {
                    return;
                }
                struck[0] = true;
                net.crash(target);
                long back = world.now() + (50 + world.random.nextInt(451)) * MS;
                trace("sim", "fault: the target dies in source phase " + phase + " and restarts at "
                        + (back - World.START) / MS + " ms");
                java.util.SplittableRandom again = world.random.split();
                world.at(back, () -> {
                    net.restart(target);
                    target.startStandby(cfg, again);
                });
                world.at(back + 100 * MS, () -> net.call(source, () -> source.core.startHandoff(
                        new HandoffRequest("target", 7001, "target", 7000, mode), world.now()).ifPresent(why -> {
                            retryRefused = why;
                            trace("sim", "the second handoff was refused: " + why);
                        })));
            });
            case PAUSE_SOURCE -> world.at(at, () -> {
                SourcePhase phase = source.core.status().sourcePhase();
                if (!target.core.status().canTakeOver() || phase.compareTo(SourcePhase.DRAINING) >= 0) {
                    return;
                }
                struck[0] = true;
                long pause = (500 + world.random.nextInt(2501)) * MS;
                trace("sim", "fault: the source pauses for " + pause / MS + " ms in phase " + phase);
                source.frozenUntil = world.now() + pause;
            });
            case PARTITION_PEER_LINK -> world.at(at, () -> {
                SourcePhase phase = source.core.status().sourcePhase();
                if (phase == SourcePhase.IDLE || phase.compareTo(SourcePhase.DRAINING) >= 0) {
                    return;
                }
                struck[0] = true;
                trace("sim", "fault: partitioning source from target in phase " + phase);
                net.partition(source, target);
            });
            case PAUSE_TARGET_BEFORE_CUTOVER -> world.at(at, () -> {
                SourcePhase phase = source.core.status().sourcePhase();
                if (phase.compareTo(SourcePhase.CUTTING_OVER) >= 0 || phase == SourcePhase.IDLE) {
                    return;
                }
                struck[0] = true;
                long pause = (30 + world.random.nextInt(571)) * MS;
                trace("sim", "fault: the target pauses for " + pause / MS + " ms in source phase " + phase);
                target.frozenUntil = world.now() + pause;
                pausedFrom = world.now();
                for (ClientNode c : clients) {
                    c.watchFrom = world.now();
                }
            });
            case HANG_TARGET_BEFORE_CUTOVER -> world.at(at, () -> {
                SourcePhase phase = source.core.status().sourcePhase();
                if (phase.compareTo(SourcePhase.CUTTING_OVER) >= 0 || phase == SourcePhase.IDLE) {
                    return;
                }
                struck[0] = true;
                trace("sim", "fault: the target hangs in source phase " + phase);
                net.partition(source, target);
                for (ClientNode c : clients) {
                    net.partition(c, target);
                    c.watchFrom = world.now();
                }
            });
            case KILL_TARGET_BEFORE_CUTOVER, CUT_PEER_LINK -> world.at(at, () -> {
                SourcePhase phase = source.core.status().sourcePhase();
                if (phase.compareTo(SourcePhase.CUTTING_OVER) >= 0 || phase == SourcePhase.IDLE) {
                    return; // too late (or too early) for a fault that must strike before cutover
                }
                if (fault == Fault.KILL_TARGET_BEFORE_CUTOVER) {
                    net.crash(target);
                    struck[0] = true;
                } else {
                    struck[0] = net.cutBetween(source, target); // no link yet (still connecting): no fault
                }
                trace("sim", "fault: " + fault + " in source phase " + phase + (struck[0] ? "" : ": nothing to cut"));
            });
        }
    }

    private void scheduleInputs(ClientNode c, long at, long period, long stop) {
        if (at >= stop) {
            return;
        }
        world.at(at, () -> {
            if (c.sessionId != 0) {
                c.sendMove(world.now(), world.random.nextInt(-3, 4), world.random.nextInt(-3, 4));
            }
            scheduleInputs(c, at + period, period, stop);
        });
    }

    /**
     * The divergence check: for every log index, the events the servers released (whose effects a client
     * could have seen) must be one and the same. A source that dies takes its unreleased tail with it;
     * that tail may differ from what the target applies next, and nobody ever saw it.
     */
    private void checkDivergence(List<ServerNode> servers) {
        java.util.TreeMap<Long, Long> released = new java.util.TreeMap<>();
        java.util.Map<Long, String> by = new java.util.HashMap<>();
        for (ServerNode server : servers) {
            long upTo = server.core.status().releasedIndex();
            for (var e : server.appliedEvents.headMap(upTo, true).entrySet()) {
                Long before = released.putIfAbsent(e.getKey(), e.getValue());
                if (before != null && !before.equals(e.getValue())) {
                    violations.add("index " + e.getKey() + ": " + server.name + " released another event than "
                            + by.get(e.getKey()) + " did (the servers diverged)");
                    return;
                }
                by.putIfAbsent(e.getKey(), server.name);
            }
        }
    }

}
