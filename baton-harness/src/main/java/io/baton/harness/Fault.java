package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.sim.Simulation;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The faults a demo run can inject on real processes, the one list of them: each names when it strikes
 * (its {@link Trigger}), what it does ({@link Action}), the outcomes docs/faults.md promises, and the
 * simulator's fault that is the same one on a virtual network, where there is one. Its name on the command
 * line is the constant's, in lower case with dashes ({@code kill-source-during-cutover}).
 */
public enum Fault {
    NONE(Trigger.AT_ONCE, Action.NOTHING, List.of(Outcome.COMPLETED), Simulation.Fault.NONE,
            "no fault: the handoff completes."),
    KILL_TARGET_BEFORE_CUTOVER(Trigger.CLIENTS_REDIRECTED, Action.KILL_TARGET, List.of(Outcome.ABORTED),
            Simulation.Fault.KILL_TARGET_BEFORE_CUTOVER,
            "kill -9 the target while clients are redirected; the handoff aborts."),
    KILL_SOURCE_AFTER_CATCH_UP(Trigger.TARGET_CAUGHT_UP, Action.KILL_SOURCE, List.of(Outcome.FAILED_OVER),
            Simulation.Fault.KILL_SOURCE_AFTER_CATCH_UP,
            "kill -9 the source once the target may take over; it fails over."),
    KILL_SOURCE_DURING_CUTOVER(Trigger.CUTOVER_FLUSHED, Action.HALT_SOURCE, List.of(Outcome.COMPLETED), null,
            "the source dies the instant its CUTOVER has left for the target, before it hears the answer or "
                    + "tells a client to switch; the target completes the cutover and clients resume there."),
    KILL_SOURCE_AFTER_CUTOVER(Trigger.SOURCE_CUT_OVER, Action.KILL_SOURCE, List.of(Outcome.COMPLETED), null,
            "kill -9 the source once it has cut over; the handoff completes."),
    KILL_CLIENT(Trigger.CLIENTS_REDIRECTED, Action.KILL_BOT_PROCESS, List.of(Outcome.COMPLETED), null,
            "kill -9 one of the bot processes mid-handoff (needs --bot-processes 2+)."),
    PAUSE_SOURCE(Trigger.TARGET_CAUGHT_UP, Action.PAUSE_SOURCE, List.of(Outcome.FAILED_OVER, Outcome.COMPLETED),
            Simulation.Fault.PAUSE_SOURCE,
            "SIGSTOP the source for 2 s once the target may take over; the target either fails over or completes "
                    + "the handoff, never both in charge."),
    CUT_PEER_LINK(Trigger.CLIENTS_REDIRECTED, Action.CUT_PEER_LINK, List.of(Outcome.ABORTED),
            Simulation.Fault.CUT_PEER_LINK, "reset the peer link while clients are redirected; the handoff aborts."),
    SLOW_PEER_LINK(Trigger.AT_ONCE, Action.DELAY_PEER_LINK, List.of(Outcome.COMPLETED), Simulation.Fault.SLOW_PEER_LINK,
            "20 ms each way on the peer link; the handoff completes, slower."),
    BLOCK_CLIENTS_TO_TARGET(Trigger.AT_ONCE, Action.REFUSE_CLIENTS_TO_TARGET, List.of(Outcome.COMPLETED),
            Simulation.Fault.BLOCK_CLIENTS_TO_TARGET,
            "a third of connections to the target refused; some clients come through the fallback resume; the "
                    + "handoff completes."),
    HUGE_INPUT(Trigger.AT_ONCE, Action.HUGE_INPUT, List.of(Outcome.COMPLETED), null,
            "a client sends the largest INPUT allowed (1 MiB) every 200 ms through the handoff; the peer link "
                    + "carries each; the handoff completes."),
    SLOW_READER(Trigger.AT_ONCE, Action.SLOW_READER, List.of(Outcome.COMPLETED), null,
            "a session sends PINGs as fast as it can and never reads; the source stops reading it and closes its "
                    + "connection after 5 s unwritable; the handoff completes."),
    IDLE_CONNECTIONS(Trigger.AT_ONCE, Action.IDLE_CONNECTIONS, List.of(Outcome.COMPLETED), null,
            "3,000 connections to the source that send nothing; the hello deadline closes them; the handoff "
                    + "completes."),
    SLOW_LORIS(Trigger.AT_ONCE, Action.SLOW_LORIS, List.of(Outcome.COMPLETED), null,
            "50 connections to the source that send a HELLO one byte a second; the hello deadline cuts them; the "
                    + "handoff completes."),
    HELLO_FLOOD(Trigger.AT_ONCE, Action.HELLO_FLOOD, List.of(Outcome.COMPLETED), null,
            "2,000 HELLO NEW on 2,000 connections in 0.4 s, just before the handoff; those beyond the HELLO NEW "
                    + "rate (bursts of 1,000, then 500 a second) are refused with HELLO_RATE; the handoff completes."),
    SQUAT_STANDBY(Trigger.AT_ONCE, Action.SQUAT_STANDBY, List.of(Outcome.COMPLETED), null,
            "an unauthenticated connection to the target's peer port re-sends PEER_HELLO every 2 s (and comes "
                    + "back when closed); the real handoff still completes."),
    ABANDONED_SESSIONS_KILL_TARGET(Trigger.CLIENTS_REDIRECTED, Action.ABANDON_SESSIONS_KILL_TARGET,
            List.of(Outcome.ABORTED), Simulation.Fault.KILL_TARGET_BEFORE_CUTOVER,
            "100 sessions opened and left without CLOSE before the handoff (in their resume window, as many as the "
                    + "players), then kill -9 the target while clients are redirected; the source aborts and keeps "
                    + "serving: sessions absent at COMMIT do not vote."),
    VANISHED_CLIENT(Trigger.AT_ONCE, Action.VANISH_CLIENT, List.of(Outcome.COMPLETED), null,
            "a client's connection goes silent without FIN or RST (a proxy drops every byte); the source closes "
                    + "it and its session waits in its resume window; the handoff completes."),
    WRONG_CLIENT_ENDPOINT(Trigger.AT_ONCE, Action.GIVE_WRONG_CLIENT_ENDPOINT, List.of(Outcome.ABORTED), null,
            "the handoff is given a client endpoint where nothing listens; the source's probe finds it out before "
                    + "any client moves, the handoff aborts, and the clients stay on the source."),
    SIGTERM_SOURCE(Trigger.AT_ONCE, Action.SIGTERM_SOURCE, List.of(Outcome.COMPLETED), null,
            "the source was started with the target as its --successor, and its only order is SIGTERM: it hands "
                    + "off, drains and exits 0.");

    /** When a fault strikes, as the watch of a handoff sees the two servers' status. */
    public enum Trigger {
        /** As soon as the handoff is under way (a proxy's fault is in place from its start). */
        AT_ONCE,
        /** The source redirects its clients: before cutover, with the target warm. */
        CLIENTS_REDIRECTED,
        /** The target holds everything the clients have seen and may take over. */
        TARGET_CAUGHT_UP,
        /** The source has cut over (draining or done). */
        SOURCE_CUT_OVER,
        /** The source itself strikes, the instant its CUTOVER is flushed: no poll from outside can hit it. */
        CUTOVER_FLUSHED;

        /** Whether this moment has come, by the source's phase and the target's status (null when it is dead). */
        boolean reached(String sourcePhase, JsonNode target) {
            return switch (this) {
                case AT_ONCE, CUTOVER_FLUSHED -> true; // the latter only arms: the source strikes it
                case CLIENTS_REDIRECTED -> sourcePhase.equals("redirecting");
                case TARGET_CAUGHT_UP -> target != null && target.path("can_take_over").asBoolean();
                case SOURCE_CUT_OVER -> sourcePhase.equals("draining") || sourcePhase.equals("done");
            };
        }
    }

    /** What a fault does when it strikes. */
    public enum Action {
        NOTHING,
        /** kill -9 the target process. */
        KILL_TARGET,
        /** kill -9 the source process. */
        KILL_SOURCE,
        /** The source halts itself as kill -9 would (it runs {@link HaltAfterCutoverFlushed}). */
        HALT_SOURCE,
        /** kill -9 the last of the bot processes. */
        KILL_BOT_PROCESS,
        /** SIGSTOP the source, SIGCONT it 2 s later. */
        PAUSE_SOURCE,
        /** A proxy on the peer link resets every connection it relays. */
        CUT_PEER_LINK,
        /** A proxy on the peer link holds every byte 20 ms, each way. */
        DELAY_PEER_LINK,
        /** A proxy between the clients and the target refuses every third connection. */
        REFUSE_CLIENTS_TO_TARGET,
        /** A {@link Strangers} session sends the largest INPUT allowed, again and again. */
        HUGE_INPUT,
        /** A {@link Strangers} session sends PINGs and never reads. */
        SLOW_READER,
        /** 3,000 {@link Strangers} connections that send nothing. */
        IDLE_CONNECTIONS,
        /** {@link Strangers} connections that send a HELLO one byte a second. */
        SLOW_LORIS,
        /** 2,000 {@link Strangers} HELLO NEW in 0.4 s, before the command. */
        HELLO_FLOOD,
        /** A {@link Strangers} connection to the target's peer port, re-sending PEER_HELLO. */
        SQUAT_STANDBY,
        /** A {@link Strangers} session whose connection is blackholed by a proxy. */
        VANISH_CLIENT,
        /** {@link Strangers} open sessions and leave them without CLOSE; at the trigger, kill -9 the target. */
        ABANDON_SESSIONS_KILL_TARGET,

        /** The operator's order names, as the client endpoint, a loopback port where nothing listens. */
        GIVE_WRONG_CLIENT_ENDPOINT,
        /** No operator's order: the source, started with the target as its successor, gets SIGTERM. */
        SIGTERM_SOURCE;

        /** Whether this action is {@link Strangers}' to play, from the handoff's start. */
        boolean strangers() {
            return switch (this) {
                case HUGE_INPUT, SLOW_READER, IDLE_CONNECTIONS, SLOW_LORIS, HELLO_FLOOD, SQUAT_STANDBY, VANISH_CLIENT,
                     ABANDON_SESSIONS_KILL_TARGET -> true;
                default -> false;
            };
        }

        /** Whether the peer link must run through a {@link FaultProxy} for this action. */
        boolean proxiesPeerLink() {
            return this == CUT_PEER_LINK || this == DELAY_PEER_LINK;
        }
    }

    /** How a handoff ended, in the words of the demo's report. */
    public enum Outcome {
        COMPLETED, ABORTED, FAILED_OVER;

        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Trigger trigger;
    private final Action action;
    private final List<Outcome> promised;
    private final Simulation.Fault simulated;
    private final String description;

    Fault(Trigger trigger, Action action, List<Outcome> promised, Simulation.Fault simulated, String description) {
        this.trigger = trigger;
        this.action = action;
        this.promised = promised;
        this.simulated = simulated;
        this.description = description;
    }

    /** The fault of this command-line name. */
    public static Fault named(String name) {
        for (Fault f : values()) {
            if (f.cliName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + name + "'; see --help");
    }

    /** Its name on the command line and in reports. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public Trigger trigger() {
        return trigger;
    }

    public Action action() {
        return action;
    }

    /** The outcomes docs/faults.md promises, the likelier first. */
    public List<Outcome> promised() {
        return promised;
    }

    /** The promise as the report's {@code expected_outcome} says it: {@code failed-over or completed}. */
    public String expectedOutcome() {
        return promised.stream().map(Outcome::word).collect(Collectors.joining(" or "));
    }

    /** Whether a handoff that ended in {@code outcome} kept this fault's promise. */
    public boolean kept(String outcome) {
        return promised.stream().anyMatch(o -> o.word().equals(outcome));
    }

    /** The simulator's fault that is this one on a virtual network, if it has one. */
    public Optional<Simulation.Fault> simulated() {
        return Optional.ofNullable(simulated);
    }

    /** One sentence: what it does and how the handoff ends, for --help. */
    public String description() {
        return description;
    }
}
