package io.baton.arena;

import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.client.MessageListener;
import io.baton.service.Hash64;
import io.baton.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Many bots against one server: connects them at a bounded rate, lets them play, then stops them and
 * verifies every one. Use once: {@link #start()}, wait or hand off, {@link #stopAndVerify}, {@link #close()}.
 *
 * <pre>{@code
 * try (BotFleet fleet = BotFleet.builder("127.0.0.1", 7000).clients(1000).progress(System.out::println).build()) {
 *     fleet.start();
 *     long from = System.nanoTime();
 *     ... hand off ...
 *     FleetReport report = fleet.stopAndVerify(from, System.nanoTime());
 * }
 * }</pre>
 */
public final class BotFleet implements AutoCloseable {

    /** Where and how every bot connects, and the rules it expects. */
    private final Bot.Settings botSettings;
    private final int clients;
    private final double inputHz;
    private final long tickPeriodNanos;
    private final int connectRate;
    private final int bindAddresses;
    private final int ioThreads;
    private final long seed;
    private final Duration settleTimeout;
    private final Duration connectTimeout;
    private final Consumer<String> progress;
    private final ClientRuntime suppliedRuntime;

    /** Filled once by start(), then only read, from any thread. */
    private volatile List<Bot> bots = List.of();
    private final ScheduledThreadPoolExecutor scheduler;
    /** When each bot first moved, in the order they did: for {@link #awaitMoved}. */
    private final ReentrantLock moveLock = new ReentrantLock();
    private final Condition movesChanged = moveLock.newCondition();
    private long[] moveTimes = new long[64];
    private int moves;

    private final Connector suppliedConnector;
    private ClientRuntime runtime;
    private long connectedNanos;
    private boolean started;
    private boolean verified;

    private BotFleet(Builder b) {
        this.botSettings = new Bot.Settings(b.host, b.port, b.webSocket, b.trust, b.sourceRules, b.targetRules);
        this.clients = b.clients;
        this.inputHz = b.inputHz;
        this.tickPeriodNanos = 1_000_000_000L / b.tickHz;
        this.connectRate = b.connectRate;
        this.bindAddresses = b.bindAddresses;
        this.ioThreads = b.ioThreads;
        this.seed = b.seed;
        this.settleTimeout = b.settleTimeout;
        this.connectTimeout = b.connectTimeout;
        this.progress = b.progress;
        this.suppliedRuntime = b.runtime;
        this.suppliedConnector = b.connector;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            // It keeps the players' time (every move is sent from here): real-time like the event loops, when
            // the process asked for that, or the servers' loops on the same cores would delay the moves.
            Thread t = new Thread(() -> {
                Transport.enterRealtime();
                r.run();
            }, "bot-scheduler");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /**
     * Connects every bot, at most {@code connectRate} a second, and starts each sending as soon as it is
     * connected. Returns once every connect has completed or failed (or the connect timeout passed after
     * the last was started), with the number connected.
     */
    public synchronized int start() throws InterruptedException {
        if (started) {
            throw new IllegalStateException("a fleet starts once");
        }
        started = true;
        Connector connector = suppliedConnector;
        if (connector == null) {
            // Rehearsed: every bot of the process shares these threads, and cold handoff code would stall them all.
            runtime = suppliedRuntime != null ? suppliedRuntime : ClientRuntime.create(ioThreads, true);
            connector = runtime::connect;
        }
        Connector connectWith = connector;
        SendPacer pacer = SendPacer.start(scheduler, inputHz);
        long begin = System.nanoTime();
        CountDownLatch done = new CountDownLatch(clients);
        AtomicInteger completed = new AtomicInteger();
        int step = Math.max(1, clients / 10);
        long interval = 1_000_000_000L / connectRate;
        List<Bot> fleet = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            String bind = bindAddresses == 0 ? null : "127.0.0." + (1 + i % bindAddresses);
            fleet.add(new Bot(botSettings, bind, Hash64.mix(seed, i), this::recordMove));
        }
        bots = List.copyOf(fleet);
        for (int i = 0; i < clients; i++) {
            Bot bot = fleet.get(i);
            scheduler.schedule(() -> bot.connect(connectWith).whenComplete((v, e) -> {
                try {
                    if (bot.connected()) {
                        bot.startSending(pacer);
                    }
                    int n = completed.incrementAndGet();
                    if (n % step == 0 && n < clients) {
                        report("connecting: " + n + "/" + clients);
                    }
                } finally {
                    done.countDown();
                }
            }), i * interval, TimeUnit.NANOSECONDS);
        }
        long wait = clients * interval + connectTimeout.toNanos();
        if (!done.await(wait, TimeUnit.NANOSECONDS)) {
            report("gave up waiting for " + done.getCount() + " connects");
        }
        connectedNanos = System.nanoTime();
        int connected = connected();
        report(String.format("connected %d/%d bots in %d ms", connected, clients, (connectedNanos - begin) / 1_000_000));
        bots.stream().map(Bot::connectFailure).filter(Objects::nonNull).findFirst()
                .ifPresent(f -> report("first connect failure: " + f));
        return connected;
    }

    /**
     * The stall distribution over bots for a window, without stopping anything: {@code [p50, p99, max]} in
     * nanoseconds, each bot's stall being its longest gap between updates in the window beyond one tick.
     * Measured over a window without a handoff, it is the baseline that machine noise alone produces.
     */
    public long[] stallPercentiles(long fromNanos, long toNanos) {
        return percentiles(stalls(fromNanos, toNanos));
    }

    /** Each bot's stall in the window, in nanoseconds, in no particular order (for merging fleets). */
    public long[] stalls(long fromNanos, long toNanos) {
        long[] stalls = new long[bots.size()];
        for (int i = 0; i < stalls.length; i++) {
            stalls[i] = bots.get(i).ledger().stallNanos(fromNanos, toNanos, tickPeriodNanos);
        }
        return stalls;
    }

    /**
     * Each bot's stall over gaps that overlap the window and end within it: for a baseline window just
     * before a handoff, which must not count the gap the handoff itself opened.
     */
    public long[] stallsEndingBy(long fromNanos, long toNanos) {
        long[] stalls = new long[bots.size()];
        for (int i = 0; i < stalls.length; i++) {
            stalls[i] = bots.get(i).ledger().stallNanosEndingBy(fromNanos, toNanos, tickPeriodNanos);
        }
        return stalls;
    }

    /** {@code [p50, p99, max]} of a set of stalls, nearest rank to 10 µs ({@link StallDistribution}), as in {@link FleetReport}. */
    public static long[] percentiles(long[] stalls) {
        return StallDistribution.ofNanos(stalls).p50p99maxNanos();
    }

    /**
     * Diagnostics: for each bot, where its worst gap in the window started and how long it was, and when
     * it first heard MOVE, attached to the target and switched, as {@code [startNanos, stallNanos,
     * moveNanos, attachedNanos, switchedNanos]} (System.nanoTime, 0 for what did not happen), to line
     * stalls up with handoff phases.
     */
    public List<long[]> worstGaps(long fromNanos, long toNanos) {
        List<long[]> gaps = new ArrayList<>();
        for (Bot bot : bots) {
            gaps.add(new long[] {bot.ledger().worstGapStartNanos(fromNanos, toNanos),
                bot.ledger().stallNanos(fromNanos, toNanos, tickPeriodNanos),
                bot.handoffMark(0), bot.handoffMark(1), bot.handoffMark(2)});
        }
        return gaps;
    }

    /** The most buckets {@link #maxGapPerBucket} fills: a minute at 50 Hz, bounded whatever it is asked. */
    public static final int MAX_GAP_BUCKETS = 3000;

    /**
     * The largest gap between consecutive updates (µs) over every bot that ended in each bucket of
     * {@code bucketNanos} from {@code fromNanos}, for {@code buckets} buckets (at most {@link #MAX_GAP_BUCKETS}):
     * across a handoff, with a bucket per tick period, the timeline of the largest gap per tick.
     */
    public int[] maxGapPerBucket(long fromNanos, long bucketNanos, int buckets) {
        if (bucketNanos <= 0) {
            throw new IllegalArgumentException("bucketNanos must be positive, was " + bucketNanos);
        }
        int[] max = new int[Math.max(0, Math.min(buckets, MAX_GAP_BUCKETS))];
        for (Bot bot : bots) {
            bot.ledger().maxGapPerBucket(fromNanos, bucketNanos, max);
        }
        return max;
    }

    /** Bots with a session. */
    public int connected() {
        return (int) bots.stream().filter(Bot::connected).count();
    }

    /** Bots that have switched to a handoff target so far: a live figure, for waiting on a handoff. */
    public int clientsSwitched() {
        return (int) bots.stream().filter(b -> b.switches() > 0).count();
    }

    /** When each bot that moved first did ({@link System#nanoTime()}), in the order they did. */
    public long[] moveTimes() {
        moveLock.lock();
        try {
            return Arrays.copyOf(moveTimes, moves);
        } finally {
            moveLock.unlock();
        }
    }

    /** Bots that have switched or resumed so far, that is, whose sessions moved: a live figure. */
    public int clientsMoved() {
        moveLock.lock();
        try {
            return moves;
        } finally {
            moveLock.unlock();
        }
    }

    /**
     * Waits until at least {@code count} bots have moved (switched, or resumed on a new connection), for at
     * most {@code timeoutMillis}.
     *
     * @return the {@link System#nanoTime()} at which the {@code count}-th bot moved; if fewer moved in time,
     *         the instant the wait gave up
     */
    public long awaitMoved(int count, long timeoutMillis) throws InterruptedException {
        moveLock.lock();
        try {
            long remaining = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (moves < count) {
                if (remaining <= 0) {
                    return System.nanoTime();
                }
                remaining = movesChanged.awaitNanos(remaining);
            }
            return count <= 0 ? System.nanoTime() : moveTimes[count - 1];
        } finally {
            moveLock.unlock();
        }
    }

    private void recordMove(long nanos) {
        moveLock.lock();
        try {
            if (moves == moveTimes.length) {
                moveTimes = Arrays.copyOf(moveTimes, moves * 2);
            }
            moveTimes[moves++] = nanos;
            movesChanged.signalAll();
        } finally {
            moveLock.unlock();
        }
    }

    /** {@link #stopAndVerify(long, long)} with the stall measured from the end of {@link #start()} to the end of the run. */
    public synchronized FleetReport stopAndVerify() throws InterruptedException {
        return verify(connectedNanos, 0, true);
    }

    /**
     * Stops every bot sending, waits (up to the settle timeout, shared by all) until the game reports all
     * their inputs applied, verifies each bot, closes their sessions and reports. The stall figures cover
     * update gaps overlapping {@code [fromNanos, toNanos]}, both {@link System#nanoTime()} values; pass
     * the instants around a handoff to measure what it cost the clients.
     */
    public FleetReport stopAndVerify(long fromNanos, long toNanos) throws InterruptedException {
        return verify(fromNanos, toNanos, false);
    }

    private synchronized FleetReport verify(long fromNanos, long toNanos, boolean toEnd) throws InterruptedException {
        if (!started || verified) {
            throw new IllegalStateException(started ? "already verified" : "not started");
        }
        verified = true;
        for (Bot bot : bots) {
            bot.stopSending();
        }
        report("stopped sending; waiting up to " + settleTimeout.toMillis() + " ms for every input to be applied");
        long deadline = System.nanoTime() + settleTimeout.toNanos();
        int unsettled = 0;
        for (Bot bot : bots) {
            if (bot.connected() && !bot.ledger().awaitApplied(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                unsettled++;
            }
        }
        if (unsettled > 0) {
            report(unsettled + " bots still wait for inputs to be applied");
        }
        long refused = bots.stream().mapToLong(Bot::refusedSends).sum();
        if (refused > 0) {
            // Not a failure (a refused move was never sent), but a sign the server fell behind.
            report(refused + " moves skipped because a client's send buffer was full");
        }
        long to = toEnd ? System.nanoTime() : toNanos;
        List<FleetReport.Outcome> outcomes = new ArrayList<>(bots.size());
        int shown = 0;
        for (int i = 0; i < bots.size(); i++) {
            Bot bot = bots.get(i);
            BotLedger.Verdict v = bot.connected() ? bot.ledger().verdict() : null;
            long stall = v == null ? 0 : bot.ledger().stallNanos(fromNanos, to, tickPeriodNanos);
            outcomes.add(new FleetReport.Outcome(v, bot.switches() > 0, bot.resumes() > 0, bot.moved(), stall));
            if (v != null && !v.ok() && shown++ < 5) {
                report("bot " + i + ": " + String.join(", ", v.problems()));
            }
        }
        for (Bot bot : bots) {
            bot.close();
        }
        FleetReport report = FleetReport.aggregate(outcomes);
        report(report.passed() ? "all " + clients + " bots verified" : report.failedVerifications() + " bots failed verification");
        return report;
    }

    /** Closes every session and stops the fleet's threads, and the client runtime if the fleet created it. */
    @Override
    public synchronized void close() {
        for (Bot bot : bots) {
            bot.close();
        }
        scheduler.shutdownNow();
        if (runtime != null && suppliedRuntime == null) {
            runtime.close();
        }
    }

    private void report(String line) {
        if (progress != null) {
            progress.accept(line);
        }
    }

    /**
     * Opens a bot's session: {@link ClientRuntime#connect} unless told otherwise, e.g. a client of the kind
     * a benchmark compares Baton with.
     */
    @FunctionalInterface
    public interface Connector {
        CompletableFuture<BatonClient> connect(ClientOptions options, MessageListener listener);
    }

    /** Settings, each with a default suited to a demo on one machine. */
    public static final class Builder {
        private final String host;
        private final int port;
        private boolean webSocket;
        private int clients = 100;
        private double inputHz = 10;
        private int tickHz = 30;
        private int connectRate = 500;
        private int bindAddresses;
        private List<java.security.cert.X509Certificate> trust = List.of();
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        private long seed = 1;
        private int sourceRules;
        private int targetRules;
        private Duration settleTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Consumer<String> progress;
        /** When each bot first moved, in the order they did: for {@link #awaitMoved}. */
    private final ReentrantLock moveLock = new ReentrantLock();
    private final Condition movesChanged = moveLock.newCondition();
    private long[] moveTimes = new long[64];
    private int moves;

    private ClientRuntime runtime;
        private Connector connector;

        private Builder(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
        }

        /** How many bots (default 100). */
        public Builder clients(int n) {
            this.clients = n;
            return this;
        }

        /** Moves per second per bot (default 10). */
        public Builder inputHz(double hz) {
            this.inputHz = hz;
            return this;
        }

        /** The server's tick rate (default 30): stalls are measured beyond one tick period. */
        public Builder tickHz(int hz) {
            this.tickHz = hz;
            return this;
        }

        /** Connects per second at most (default 500), so that a large fleet does not stampede the server. */
        public Builder connectRate(int perSecond) {
            this.connectRate = perSecond;
            return this;
        }

        /**
         * Spreads the bots' local addresses over 127.0.0.1..127.0.0.n (default 0: any address), so that a
         * large fleet against a loopback server does not run out of ports on one address.
         */
        public Builder bindAddresses(int n) {
            this.bindAddresses = n;
            return this;
        }

        /**
         * Whether the bots play over WebSocket ({@code ws://host:port/baton}, or {@code wss://} with TLS, on the
         * server's client port) instead of TCP (default false).
         */
        public Builder webSocket(boolean on) {
            this.webSocket = on;
            return this;
        }

        /** TLS for every bot, trusting {@code certificates} (the operator's CA); empty (the default): in the clear. */
        public Builder trust(List<java.security.cert.X509Certificate> certificates) {
            this.trust = List.copyOf(certificates);
            return this;
        }

        /** I/O threads of the client runtime the fleet creates (default half the processors). */
        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        /**
         * The rules every bot expects of the server it starts on and of the one it is handed off to (2 or 3,
         * {@link ArenaProtocol.Update#rules}); an update that shows other rules than its server's is a rule
         * violation and fails the bot. Default 0 and 0: the first update's rules, on both.
         */
        public Builder expectRules(int source, int target) {
            this.sourceRules = source;
            this.targetRules = target;
            return this;
        }

        /** Seeds the bots' moves and send phases (default 1), for runs that can be repeated. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How long {@link BotFleet#stopAndVerify} waits for the last inputs to be applied (default 10 s). */
        public Builder settleTimeout(Duration d) {
            this.settleTimeout = Objects.requireNonNull(d, "settleTimeout");
            return this;
        }

        /** How long {@link BotFleet#start} waits for connects after the last one began (default 30 s). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "connectTimeout");
            return this;
        }

        /** Receives progress lines (default none); called from several threads. */
        public Builder progress(Consumer<String> lines) {
            this.progress = lines;
            return this;
        }

        /** Uses this client runtime rather than creating one; the fleet then leaves it open on close. */
        public Builder runtime(ClientRuntime r) {
            this.runtime = r;
            return this;
        }

        /** Opens the bots' sessions with this instead of a client runtime; the fleet does not close it. */
        public Builder connector(Connector c) {
            this.connector = c;
            return this;
        }

        public BotFleet build() {
            if (clients < 0) {
                throw new IllegalArgumentException("clients must not be negative, was " + clients);
            }
            if (!(inputHz > 0 && inputHz <= 1000)) {
                throw new IllegalArgumentException("inputHz must be within (0, 1000], was " + inputHz);
            }
            if (tickHz < 1 || tickHz > 1000) {
                throw new IllegalArgumentException("tickHz must be within 1..1000, was " + tickHz);
            }
            if (connectRate < 1 || connectRate > 1_000_000) {
                throw new IllegalArgumentException("connectRate must be within 1..1000000, was " + connectRate);
            }
            if (bindAddresses < 0 || bindAddresses > 254) {
                throw new IllegalArgumentException("bindAddresses must be within 0..254, was " + bindAddresses);
            }
            if (ioThreads < 1) {
                throw new IllegalArgumentException("ioThreads must be positive, was " + ioThreads);
            }
            for (int r : new int[] {sourceRules, targetRules}) {
                if (r != 0 && r != 2 && r != 3) {
                    throw new IllegalArgumentException("the arena's rules are 2 or 3 (0: whatever the first update"
                            + " shows), was " + r);
                }
            }
            return new BotFleet(this);
        }
    }
}
