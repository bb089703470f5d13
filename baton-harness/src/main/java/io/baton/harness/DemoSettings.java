package io.baton.harness;

import io.baton.transport.JvmOptions;
import java.util.List;
import java.util.Locale;

/**
 * What one demo run does: the workload, the kind of handoff, the fault, and how its processes run. The
 * defaults are {@code ./baton demo}'s, named once here for its options and for the benchmarks.
 *
 * @param clients           bots, spread over {@code botProcesses} processes
 * @param tickHz            game ticks per second
 * @param stateMb           MiB of extra world state that keeps changing
 * @param mode              the kind of handoff
 * @param inputHz           inputs per second per bot
 * @param warmupS           play before the handoff, in seconds
 * @param afterS            play on the target after it, in seconds
 * @param fault             the one fault injected during the handoff
 * @param handoffs          handoffs in a row, each to a fresh standby (1 to 4)
 * @param traceStalls       print on stderr when each client's worst gap started, against the phases
 * @param redirectPerSecond fastest pace of MOVE frames, passed to the servers
 * @param realtimePriority  SCHED_FIFO priority of the servers' event loops (the bots get one more), 0 for none
 * @param botProcesses      processes the bots are spread over
 * @param serverJvm         JVM options of the servers
 * @param botJvm            JVM options of the bot processes
 * @param measureHeap       measure the source's heap per session (with jcmd, before the warm-up)
 * @param webSocket         the bots play over WebSocket ({@code bots --transport websocket}) instead of TCP
 * @param tls               TLS on every link (the servers' ports, the bots, the orchestrator), as by default; false
 *                          for every link in the clear ({@code --no-tls})
 * @param targetVersion     the arena schema the target runs ({@code --target-version}, {@code serve
 *                          --service-version}), {@link #SAME_VERSION} for the source's own release, which is then
 *                          named to neither server
 */
public record DemoSettings(int clients, int tickHz, int stateMb, Mode mode, double inputHz, double warmupS,
                           double afterS, Fault fault, int handoffs, boolean traceStalls, int redirectPerSecond,
                           int realtimePriority, int botProcesses, List<String> serverJvm, List<String> botJvm,
                           boolean measureHeap, boolean webSocket, boolean tls, int targetVersion) {

    /** {@link #targetVersion} when the target runs the source's release. */
    public static final int SAME_VERSION = 0;
    /** The arena release the source runs: the default one, schema 2. */
    public static final int SOURCE_VERSION = 2;
    /** The arena's newer release, the one a cross-version demo hands off to. */
    public static final int NEWER_VERSION = 3;

    public static final int CLIENTS = 200;
    public static final int TICK_HZ = 30;
    public static final int INPUT_HZ = 10;
    /**
     * Play before the command: long enough for the baseline window and the one before it (the noise figure,
     * {@code noise_excess_ms}) at the length a 200-client handoff's window takes, about 1.1 s.
     */
    public static final int WARMUP_S = 3;
    public static final int AFTER_S = 1;
    public static final int REDIRECT_PER_SECOND = 5000;
    /**
     * The demo's servers and bots run as a user's do: the normal scheduler (0; {@code --realtime-priority N}
     * gives their event loops SCHED_FIFO, as {@code serve --realtime-priority} does, docs/performance.md has
     * its measured effect) and the JVM options {@code ./baton} gives {@code serve} and {@code bots}
     * ({@link JvmOptions}).
     */
    public static final int REALTIME_PRIORITY = 0;

    /** The JVM options of the demo's servers: those {@code ./baton serve} runs with. */
    public static List<String> launcherServerJvm() {
        return JvmOptions.of("serve");
    }

    /** The JVM options of the demo's bot processes: those {@code ./baton bots} runs with. */
    public static List<String> launcherBotJvm() {
        return JvmOptions.of("bots");
    }

    /** The kinds of handoff a demo runs. */
    public enum Mode {
        /** Baton's live handoff. */
        LIVE,
        /** Baton's stop-and-copy. */
        STOPCOPY,
        /**
         * No Baton: the source saves its state to disk and exits, the target loads it, and clients of the kind
         * games ship today reconnect with backoff, losing what they send meanwhile.
         */
        RESTART;

        /** Its name on the command line, in the admin API and in the report. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode named(String word) {
            for (Mode m : values()) {
                if (m.word().equals(word)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--mode must be live, stopcopy or restart, was '" + word + "'");
        }
    }

    /** The bots over TCP ({@code webSocket} false) or WebSocket, with TLS on every link, as the demo runs by default. */
    public DemoSettings(int clients, int tickHz, int stateMb, Mode mode, double inputHz, double warmupS,
                        double afterS, Fault fault, int handoffs, boolean traceStalls, int redirectPerSecond,
                        int realtimePriority, int botProcesses, List<String> serverJvm, List<String> botJvm,
                        boolean measureHeap, boolean webSocket) {
        this(clients, tickHz, stateMb, mode, inputHz, warmupS, afterS, fault, handoffs, traceStalls,
                redirectPerSecond, realtimePriority, botProcesses, serverJvm, botJvm, measureHeap, webSocket, true);
    }

    /** As the canonical constructor, the target running the source's release. */
    public DemoSettings(int clients, int tickHz, int stateMb, Mode mode, double inputHz, double warmupS,
                        double afterS, Fault fault, int handoffs, boolean traceStalls, int redirectPerSecond,
                        int realtimePriority, int botProcesses, List<String> serverJvm, List<String> botJvm,
                        boolean measureHeap, boolean webSocket, boolean tls) {
        this(clients, tickHz, stateMb, mode, inputHz, warmupS, afterS, fault, handoffs, traceStalls, redirectPerSecond,
                realtimePriority, botProcesses, serverJvm, botJvm, measureHeap, webSocket, tls, SAME_VERSION);
    }

    /** These settings with the target running arena schema {@code version} ({@link #SAME_VERSION}: the source's). */
    public DemoSettings withTargetVersion(int version) {
        return new DemoSettings(clients, tickHz, stateMb, mode, inputHz, warmupS, afterS, fault, handoffs, traceStalls,
                redirectPerSecond, realtimePriority, botProcesses, serverJvm, botJvm, measureHeap, webSocket, tls,
                version);
    }

    /** The schema the source runs, as the demo's JSON says it. */
    public int sourceSchema() {
        return SOURCE_VERSION;
    }

    /** The schema the target runs, as the demo's JSON says it. */
    public int targetSchema() {
        return targetVersion == SAME_VERSION ? SOURCE_VERSION : targetVersion;
    }

    /** The bots' transport as the demo's JSON names it. */
    public String transport() {
        return webSocket ? "websocket" : "tcp";
    }

    /** Refuses a run that cannot be made, in the words of the demo's options. */
    public DemoSettings {
        serverJvm = List.copyOf(serverJvm);
        botJvm = List.copyOf(botJvm);
        if (mode == Mode.RESTART && (fault != Fault.NONE || handoffs != 1)) {
            throw new IllegalArgumentException("--mode restart is the baseline without Baton: no --fault, one --handoffs");
        }
        if (mode == Mode.RESTART && webSocket) {
            throw new IllegalArgumentException("--mode restart plays the baseline's client, which speaks TCP only: "
                    + "leave out --transport websocket");
        }
        if (clients < 1 || botProcesses < 1 || botProcesses > clients) {
            throw new IllegalArgumentException("need at least one client per bot process");
        }
        if (handoffs < 1 || handoffs > 4 || (handoffs > 1 && fault != Fault.NONE)) {
            throw new IllegalArgumentException("--handoffs must be 1 to 4, and 1 with a --fault");
        }
        if (fault == Fault.KILL_CLIENT && botProcesses < 2) {
            throw new IllegalArgumentException("--fault kill-client needs --bot-processes 2 or more");
        }
        if (targetVersion == SOURCE_VERSION) {
            throw new IllegalArgumentException("--target-version " + targetVersion + " is the release the source runs "
                    + "(arena schema " + SOURCE_VERSION + "), so nothing would be upgraded; the newer release is schema "
                    + NEWER_VERSION + ": --target-version " + NEWER_VERSION + " (or leave it out for the same version)");
        }
        if (targetVersion != SAME_VERSION && targetVersion != NEWER_VERSION) {
            throw new IllegalArgumentException("--target-version " + targetVersion + ": the arena has releases "
                    + SOURCE_VERSION + " (the source's) and " + NEWER_VERSION + "; --target-version " + NEWER_VERSION
                    + " hands off to the newer one");
        }
        if (targetVersion != SAME_VERSION && (mode == Mode.RESTART || handoffs != 1)) {
            throw new IllegalArgumentException("--target-version hands off once from schema " + SOURCE_VERSION
                    + " to " + targetVersion + " with Baton: use --mode live or stopcopy and one --handoffs");
        }
    }

    /** The bots over TCP, with TLS on every link, as the demo runs by default. */
    public DemoSettings(int clients, int tickHz, int stateMb, Mode mode, double inputHz, double warmupS,
                        double afterS, Fault fault, int handoffs, boolean traceStalls, int redirectPerSecond,
                        int realtimePriority, int botProcesses, List<String> serverJvm, List<String> botJvm,
                        boolean measureHeap) {
        this(clients, tickHz, stateMb, mode, inputHz, warmupS, afterS, fault, handoffs, traceStalls, redirectPerSecond,
                realtimePriority, botProcesses, serverJvm, botJvm, measureHeap, false, true);
    }

    /** These settings with TLS on every link ({@code tls}) or every link in the clear. */
    public DemoSettings withTls(boolean on) {
        return new DemoSettings(clients, tickHz, stateMb, mode, inputHz, warmupS, afterS, fault, handoffs, traceStalls,
                redirectPerSecond, realtimePriority, botProcesses, serverJvm, botJvm, measureHeap, webSocket, on,
                targetVersion);
    }

    /** These settings with the bots over WebSocket ({@code on}) or TCP. */
    public DemoSettings withWebSocket(boolean on) {
        return new DemoSettings(clients, tickHz, stateMb, mode, inputHz, warmupS, afterS, fault, handoffs, traceStalls,
                redirectPerSecond, realtimePriority, botProcesses, serverJvm, botJvm, measureHeap, on, tls);
    }

    /** The demo's defaults, for a workload of {@code clients} bots in {@code mode} over {@code stateMb} MiB. */
    public static DemoSettings of(int clients, int stateMb, Mode mode, int tickHz, int botProcesses,
                                  boolean measureHeap) {
        return new DemoSettings(clients, tickHz, stateMb, mode, INPUT_HZ, WARMUP_S, AFTER_S, Fault.NONE, 1, false,
                REDIRECT_PER_SECOND, REALTIME_PRIORITY, botProcesses, launcherServerJvm(), launcherBotJvm(), measureHeap);
    }

    /**
     * The priority for processes that stand for the players' own machines (bots, the floor's clients) next to
     * servers at {@code servers}: one above, so that a server's loop busy for tens of milliseconds (streaming
     * or restoring a 64 MiB snapshot) cannot hold back what the players read and send, as it would on one
     * machine at the same priority (FIFO threads do not preempt each other: every client stalled 17-50 ms at
     * the start of a 64 MiB handoff). Real players share no core with the servers.
     */
    public static int forPlayers(int servers) {
        return servers == 0 ? 0 : Math.min(99, servers + 1);
    }
}
