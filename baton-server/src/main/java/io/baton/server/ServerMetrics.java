package io.baton.server;

import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The figures of {@code GET /metrics}, in the Prometheus text format through Micrometer (docs/handoff.md lists
 * them). Gauges read the core's status as of the scrape; counters and histograms are fed as things happen,
 * from the phase changes and ticks that {@link MeteredOutbox} sees. Every meter is registered up front, so
 * recording one looks nothing up and allocates nothing.
 */
final class ServerMetrics implements AutoCloseable {

    /** Prometheus's content type for the text format the registry writes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** The core's status as of the last scrape; null before the first. */
    private volatile ServerStatus status;

    private final PhaseTrack<SourcePhase> source;
    private final PhaseTrack<TargetPhase> target;
    private final Counter sourceStarted;
    private final Counter targetStarted;
    private final Counter sourceCompleted;
    private final Counter sourceAborted;
    private final Counter sourceFenced;
    private final Counter targetCompleted;
    private final Counter targetFailedOver;
    private final Counter targetDiscarded;
    private final Timer tickLateness;
    private final Timer cutoverPause;
    /** The limits whose refusal counter is registered (scrapes only, on the admin thread). */
    private final java.util.Set<String> refusalLimits = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Connections the socket layer closed as slow readers, by limit ({@link OutboundLimit}): no core counts them. */
    private final java.util.Map<String, Counter> socketCuts = new java.util.HashMap<>();

    ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        for (Role r : Role.values()) {
            stateGauge("baton.role", "role", r, "1 for the role this server has now, 0 for the others", s -> s.role() == r);
        }
        source = new PhaseTrack<>("source", SourcePhase.IDLE, ServerStatus::sourcePhase);
        target = new PhaseTrack<>("target", TargetPhase.STANDBY, ServerStatus::targetPhase);
        gauge("baton.sessions", null, "sessions known: connected, or disconnected within their resume window",
                ServerStatus::sessions);
        gauge("baton.sessions.connected", null, "sessions with a live connection", ServerStatus::connected);
        gauge("baton.log.index", null, "log index of the last event this server applied", ServerStatus::appliedIndex);
        gauge("baton.replica.lag", "events", "on a source during a handoff, events the target has not acknowledged"
                + " (how far the replica is behind); 0 otherwise", ServerStatus::replicaLag);

        // One HELP per family: Prometheus shows the first meter's description for all of its series.
        sourceStarted = started("source");
        targetStarted = started("target");
        sourceCompleted = outcome("source", "completed");
        sourceAborted = outcome("source", "aborted");
        sourceFenced = outcome("source", "fenced");
        targetCompleted = outcome("target", "completed");
        targetFailedOver = outcome("target", "failed_over");
        targetDiscarded = outcome("target", "discarded");

        for (String limit : java.util.List.of(OutboundLimit.BY_BYTES, OutboundLimit.BY_STALL)) {
            refusalLimits.add(limit);
            socketCuts.put(limit, Counter.builder("baton.refusals").tag("limit", limit)
                    .description(REFUSALS_HELP).register(registry));
        }

        tickLateness = Timer.builder("baton.tick.lateness")
                .description("per timer that ran a tick: how long after the deadline the core asked for it ran")
                .serviceLevelObjectives(millis(0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000))
                .register(registry);
        cutoverPause = Timer.builder("baton.cutover.pause")
                .description("on a source: from stopping at the cut index to the target's confirmation")
                .serviceLevelObjectives(millis(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000))
                .register(registry);
    }

    private void stateGauge(String name, String tag, Enum<?> value, String description, StatusTest test) {
        Gauge.builder(name, this, m -> m.status == null ? Double.NaN : test.holds(m.status) ? 1 : 0)
                .tag(tag, label(value)).description(description).register(registry);
    }

    private void gauge(String name, String unit, String description, ToDoubleFunction<ServerStatus> value) {
        Gauge.builder(name, this, m -> m.status == null ? Double.NaN : value.applyAsDouble(m.status))
                .baseUnit(unit).description(description).register(registry);
    }

    private Counter started(String side) {
        return Counter.builder("baton.handoffs.started").tag("side", side)
                .description("handoffs begun: as the source (entered CONNECTING), as the target (a source authenticated)")
                .register(registry);
    }

    private Counter outcome(String side, String outcome) {
        return Counter.builder("baton.handoffs").tag("side", side).tag("outcome", outcome)
                .description("handoffs ended, by side and outcome: source completed (cutover confirmed), aborted,"
                        + " fenced; target completed, failed_over, discarded (docs/handoff.md)")
                .register(registry);
    }

    private interface StatusTest {
        boolean holds(ServerStatus s);
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static Duration[] millis(double... ms) {
        Duration[] d = new Duration[ms.length];
        for (int i = 0; i < ms.length; i++) {
            d[i] = Duration.ofNanos((long) (ms[i] * 1_000_000));
        }
        return d;
    }

    // ---------------------------------------------------------------- fed on the core's loop

    void sourceEntered(SourcePhase next, long now) {
        long spent = now - source.since;
        if (source.move(next, now) == null) {
            return;
        }
        switch (next) {
            case CONNECTING -> sourceStarted.increment();
            case DRAINING -> {
                sourceCompleted.increment();
                cutoverPause.record(spent, TimeUnit.NANOSECONDS); // DRAINING follows CUTTING_OVER only
            }
            case ABORTED -> sourceAborted.increment();
            case FENCED -> sourceFenced.increment();
            default -> { }
        }
    }

    void targetEntered(TargetPhase next, long now) {
        TargetPhase last = target.move(next, now);
        if (last == null) {
            return;
        }
        if (last == TargetPhase.AUTHENTICATING && next != TargetPhase.STANDBY) {
            targetStarted.increment();
        }
        if (next == TargetPhase.AUTHORITY) {
            (last == TargetPhase.ORPHANED ? targetFailedOver : targetCompleted).increment();
        } else if (next == TargetPhase.STANDBY && last != TargetPhase.AUTHENTICATING) {
            targetDiscarded.increment(); // a source that failed to authenticate began no handoff
        }
    }

    /**
     * One side's phase as the notes tell it, with its meters: per phase a 0/1 gauge of the phase now (from the
     * scraped status), a counter of entries and a timer of the time spent in it. Moved on the core's loop only.
     */
    private final class PhaseTrack<E extends Enum<E>> {
        private final EnumMap<E, Counter> entered;
        private final EnumMap<E, Timer> timeIn;
        private E current;
        private long since = CoreDriver.now();

        PhaseTrack(String side, E initial, Function<ServerStatus, E> now) {
            Class<E> phases = initial.getDeclaringClass();
            entered = new EnumMap<>(phases);
            timeIn = new EnumMap<>(phases);
            current = initial;
            String name = "baton." + side + ".phase";
            for (E p : phases.getEnumConstants()) {
                stateGauge(name, "phase", p, "1 for this server's phase as a " + side + " now, 0 for the others",
                        s -> now.apply(s) == p);
                entered.put(p, Counter.builder(name + ".entered").tag("phase", label(p))
                        .description("times this server entered the " + side + " phase").register(registry));
                timeIn.put(p, Timer.builder(name + ".duration").tag("phase", label(p))
                        .description("time spent in the " + side + " phase, recorded on leaving it").register(registry));
            }
        }

        /** Moves to {@code next} and returns the phase left, or null if this was no change. */
        E move(E next, long now) {
            E last = current;
            if (next == last) {
                return null;
            }
            timeIn.get(last).record(now - since, TimeUnit.NANOSECONDS);
            entered.get(next).increment();
            current = next;
            since = now;
            return last;
        }
    }

    void tickRan(long lateNanos) {
        tickLateness.record(Math.max(0, lateNanos), TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- read on the admin thread

    /** The text of {@code GET /metrics}, with the gauges at {@code now} (the last status known if null). */
    String scrape(ServerStatus now) {
        if (now != null) {
            status = now;
            refusalCounters(now);
        }
        return registry.scrape();
    }

    /**
     * {@code baton_refusals_total{limit=...}}: connections refused or closed by each limit, one series per
     * limit the core lists (it lists every limit, zero or not, so each series exists from the first scrape).
     * Read from the status, which counts them where they happen.
     */
    private static final String REFUSALS_HELP =
            "connections refused or closed by a limit, by the limit's flag on baton serve";

    /** A connection the socket layer closed as a slow reader, by {@code limit} (any event loop's thread). */
    void socketCut(String limit) {
        socketCuts.get(limit).increment();
    }

    private void refusalCounters(ServerStatus now) {
        for (String limit : now.refusals().keySet()) {
            if (refusalLimits.add(limit)) {
                FunctionCounter.builder("baton.refusals", this, m -> m.status == null ? 0
                                : m.status.refusals().getOrDefault(limit, 0L))
                        .tag("limit", limit)
                        .description(REFUSALS_HELP)
                        .register(registry);
            }
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
