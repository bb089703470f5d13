package io.baton.harness;

import io.baton.transport.JvmOptions;
import java.util.List;
import java.util.Locale;

/**
 * What one demo run does: the workload, the kind of handoff, the fault, and how its processes run. The
 * defaults are {@code ./baton demo}'s, named once here for its options and for the benchmarks. Built one way:
 * {@link #builder()} starts from those defaults, each setting is changed by its name, and {@link Builder#build()}
 * checks the whole run at once (so no order of the changes matters); {@link #toBuilder()} starts from a run's
 * settings. A dozen numbers passed by place could not be checked by a reader.
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
    public static final int STATE_MB = 0;
    public static final int HANDOFFS = 1;
    public static final int BOT_PROCESSES = 1;
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

    /** {@code ./baton demo} with no options: every setting its default. */
    public static DemoSettings defaults() {
        return builder().build();
    }

    /** A builder holding {@code ./baton demo}'s defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        return new Builder().clients(clients).tickHz(tickHz).stateMb(stateMb).mode(mode).inputHz(inputHz)
                .warmupS(warmupS).afterS(afterS).fault(fault).handoffs(handoffs).traceStalls(traceStalls)
                .redirectPerSecond(redirectPerSecond).realtimePriority(realtimePriority).botProcesses(botProcesses)
                .serverJvm(serverJvm).botJvm(botJvm).measureHeap(measureHeap).webSocket(webSocket).tls(tls)
                .targetVersion(targetVersion);
    }

    /**
     * Demo settings by name, from {@code ./baton demo}'s defaults; each setter is the record's component of that
     * name. Nothing is checked until {@link #build()}, which refuses a run that cannot be made as the record does.
     */
    public static final class Builder {
        private int clients = CLIENTS;
        private int tickHz = TICK_HZ;
        private int stateMb = STATE_MB;
        private Mode mode = Mode.LIVE;
        private double inputHz = INPUT_HZ;
        private double warmupS = WARMUP_S;
        private double afterS = AFTER_S;
        private Fault fault = Fault.NONE;
        private int handoffs = HANDOFFS;
        private boolean traceStalls;
        private int redirectPerSecond = REDIRECT_PER_SECOND;
        private int realtimePriority = REALTIME_PRIORITY;
        private int botProcesses = BOT_PROCESSES;
        /** Null: {@link #launcherServerJvm()}, read when built. */
        private List<String> serverJvm;
        /** Null: {@link #launcherBotJvm()}, read when built. */
        private List<String> botJvm;
        private boolean measureHeap;
        private boolean webSocket;
        private boolean tls = true;
        private int targetVersion = SAME_VERSION;

        private Builder() {
        }

        public Builder clients(int n) {
            this.clients = n;
            return this;
        }

        public Builder tickHz(int hz) {
            this.tickHz = hz;
            return this;
        }

        public Builder stateMb(int mb) {
            this.stateMb = mb;
            return this;
        }

        public Builder mode(Mode m) {
            this.mode = m;
            return this;
        }

        public Builder inputHz(double hz) {
            this.inputHz = hz;
            return this;
        }

        public Builder warmupS(double seconds) {
            this.warmupS = seconds;
            return this;
        }

        public Builder afterS(double seconds) {
            this.afterS = seconds;
            return this;
        }

        public Builder fault(Fault f) {
            this.fault = f;
            return this;
        }

        public Builder handoffs(int n) {
            this.handoffs = n;
            return this;
        }

        public Builder traceStalls(boolean on) {
            this.traceStalls = on;
            return this;
        }

        public Builder redirectPerSecond(int n) {
            this.redirectPerSecond = n;
            return this;
        }

        public Builder realtimePriority(int priority) {
            this.realtimePriority = priority;
            return this;
        }

        public Builder botProcesses(int n) {
            this.botProcesses = n;
            return this;
        }

        /** The servers' JVM options; by default {@link #launcherServerJvm()}. */
        public Builder serverJvm(List<String> options) {
            this.serverJvm = List.copyOf(options);
            return this;
        }

        /** The bot processes' JVM options; by default {@link #launcherBotJvm()}. */
        public Builder botJvm(List<String> options) {
            this.botJvm = List.copyOf(options);
            return this;
        }

        public Builder measureHeap(boolean on) {
            this.measureHeap = on;
            return this;
        }

        public Builder webSocket(boolean on) {
            this.webSocket = on;
            return this;
        }

        public Builder tls(boolean on) {
            this.tls = on;
            return this;
        }

        public Builder targetVersion(int version) {
            this.targetVersion = version;
            return this;
        }

        /** The settings, checked by the record's constructor (an IllegalArgumentException in the options' words). */
        public DemoSettings build() {
            return new DemoSettings(clients, tickHz, stateMb, mode, inputHz, warmupS, afterS, fault, handoffs,
                    traceStalls, redirectPerSecond, realtimePriority, botProcesses,
                    serverJvm != null ? serverJvm : launcherServerJvm(), botJvm != null ? botJvm : launcherBotJvm(),
                    measureHeap, webSocket, tls, targetVersion);
        }
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
