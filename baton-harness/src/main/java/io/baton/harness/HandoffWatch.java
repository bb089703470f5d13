package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.server.AdminClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows handoffs on both servers' admin APIs, strikes the fault when its {@link Fault.Trigger} comes,
 * and tells how each ended. It owns the proxies a fault needs and records the source's phases as it saw
 * them (the timeline of the benchmark's report).
 */
final class HandoffWatch implements AutoCloseable {

    private static final long GIVE_UP_NANOS = 120_000_000_000L;

    /** What the watch saw last: each server's status (the source's may be its last before it died). */
    record Watched(JsonNode source, JsonNode target, String outcome) {
    }

    /** Where the source is told to find the target: its peer port and clients' endpoint, maybe via a proxy. */
    record Route(int peerPort, int clientPort) {
    }

    private final Fault fault;
    /** The source's phases as seen: ms after the command, phase, clients moved/attached/switched. */
    private final List<Map<String, Object>> timeline = new ArrayList<>();
    private FaultProxy peerProxy;
    private FaultProxy clientProxy;
    private Strangers strangers;
    /** When the fault struck, and when the watch saw the handoff abort (System.nanoTime, 0 if not). */
    private long struckAt;
    private long abortSeenAt;

    /** What the strangers trust when the cluster runs TLS (they speak it too, as any client could); null: clear. */
    private java.nio.file.Path tlsCa;

    HandoffWatch(Fault fault, java.nio.file.Path tlsCa) {
        this(fault);
        this.tlsCa = tlsCa;
    }

    HandoffWatch(Fault fault) {
        this.fault = fault;
    }

    /**
     * A proxy stands where a faulty network would, between source and target or between the clients and
     * the target, and only for the faults that need it: a proxy adds a hop of user space to every frame it
     * relays, which a handoff over a healthy network should not pay.
     */
    Route route(int sourceClientPort, int peerPort, int targetClientPort) throws InterruptedException {
        Fault.Action action = fault.action();
        if (action.strangers()) {
            // In place before the operator's command, as a proxy is: the strangers are there when it comes.
            strangers = Strangers.start(action, sourceClientPort, peerPort,
                    tlsCa == null ? null : io.baton.transport.Tls.client(io.baton.transport.Tls.certificates(tlsCa)));
            strangers.awaitInPlace();
        }
        if (action.proxiesPeerLink()) {
            peerProxy = FaultProxy.to("127.0.0.1", peerPort);
            if (action == Fault.Action.DELAY_PEER_LINK) {
                peerProxy.delay(20);
            }
            return new Route(peerProxy.port(), targetClientPort);
        }
        if (action == Fault.Action.GIVE_WRONG_CLIENT_ENDPOINT) {
            return new Route(peerPort, portWhereNothingListens());
        }
        if (action == Fault.Action.REFUSE_CLIENTS_TO_TARGET) {
            clientProxy = FaultProxy.to("127.0.0.1", targetClientPort);
            clientProxy.refuseEvery(3);
            return new Route(peerPort, clientProxy.port());
        }
        return new Route(peerPort, targetClientPort);
    }

    /** A loopback port that was free a moment ago: bound by nobody, so a connection to it is refused. */
    private static int portWhereNothingListens() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free loopback port for the wrong client endpoint: "
                    + e.getMessage(), e);
        }
    }

    /** Returns once the outcome is known: completed, aborted, or failed-over; gives up after 120 s. */
    Watched watch(AdminClient sourceAdmin, AdminClient targetAdmin, long t0, ChildProcess source,
                  ChildProcess target, List<ChildProcess> bots) throws Exception {
        String last = "";
        boolean struck = fault == Fault.NONE;
        JsonNode src = sourceAdmin.status().body();
        long deadline = t0 + GIVE_UP_NANOS;
        while (System.nanoTime() < deadline) {
            if (source.alive()) {
                try {
                    src = sourceAdmin.status().body();
                } catch (IOException e) {
                    // It died between our check and the call: keep its last status.
                }
            }
            JsonNode tgt = target.alive() ? targetAdmin.status().body() : null;
            String phase = src.path("source_phase").asText();
            if (!phase.equals(last)) {
                record(src, phase, t0);
                last = phase;
            }
            if (!struck) {
                struck = strike(phase, tgt, source, target, bots, t0);
            }
            if (tgt != null && tgt.path("failed_over").asBoolean()) {
                Demo.say("%6.0f ms  the target failed over", Demo.msSince(t0));
                return new Watched(src, tgt, Fault.Outcome.FAILED_OVER.word());
            }
            if (fault.trigger() == Fault.Trigger.CUTOVER_FLUSHED && tgt != null
                    && tgt.path("authority_at_nanos").asLong() != 0 && struckAt == 0) {
                struckAt = tgt.path("authority_at_nanos").asLong(); // the source halted as the target took over
            }
            if (struck && (phase.equals("done") || (!source.alive() && tgt != null
                    && tgt.path("role").asText().equals("authority") && !tgt.path("failed_over").asBoolean()
                    && !tgt.path("cutover_digest").asText().equals("0")))) {
                return new Watched(src, tgt, Fault.Outcome.COMPLETED.word());
            }
            if (struck && phase.equals("aborted") && source.alive()) {
                abortSeenAt = src.path("source_phase_since_nanos").asLong(); // the same machine's monotonic clock
                return new Watched(src, tgt, Fault.Outcome.ABORTED.word());
            }
            // Polling the admin API for a progress display: every 20 ms with a fault (the polls time its
            // moment), else every 50 ms (100 HTTP requests a second had been a fifth busy thing on two cores).
            Thread.sleep(fault == Fault.NONE ? 50 : 20);
        }
        throw new IllegalStateException("the handoff did not finish within 120 s");
    }

    private void record(JsonNode src, String phase, long t0) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("ms", Demo.round(Demo.msSince(t0)));
        step.put("phase", phase);
        step.put("moved", src.path("clients_moved").asLong());
        step.put("attached", src.path("clients_attached").asLong());
        step.put("switched", src.path("clients_switched").asLong());
        timeline.add(step);
        Demo.say("%6.0f ms  source %s (moved %d, attached %d, switched %d)", Demo.msSince(t0), phase,
                src.path("clients_moved").asLong(), src.path("clients_attached").asLong(),
                src.path("clients_switched").asLong());
    }

    /** Strikes the fault if this is its moment; returns whether it has struck. */
    private boolean strike(String phase, JsonNode tgt, ChildProcess source, ChildProcess target,
                           List<ChildProcess> bots, long t0) throws InterruptedException {
        if (!fault.trigger().reached(phase, tgt)) {
            return false;
        }
        if (fault.action() == Fault.Action.HALT_SOURCE) {
            Demo.say("%6.0f ms  fault armed: the source halts once its CUTOVER is sent", Demo.msSince(t0));
            return true;
        }
        struckAt = System.nanoTime();
        Demo.say("%6.0f ms  fault: %s", Demo.msSince(t0), fault.cliName());
        switch (fault.action()) {
            case KILL_TARGET, ABANDON_SESSIONS_KILL_TARGET -> target.kill();
            case KILL_SOURCE -> source.kill();
            case KILL_BOT_PROCESS -> bots.remove(bots.size() - 1).kill();
            case CUT_PEER_LINK -> peerProxy.cutAll();
            case PAUSE_SOURCE -> {
                try {
                    source.pauseFor(2000);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot pause the source: " + e.getMessage(), e);
                }
            }
            default -> { } // a proxy's or the strangers' fault: in place from the start
        }
        return true;
    }

    /** The strangers of a hostile fault, if it has them. */
    java.util.Optional<Strangers> strangers() {
        return java.util.Optional.ofNullable(strangers);
    }

    /** The source's phases, as seen by every watch so far. */
    List<Map<String, Object>> timeline() {
        return timeline;
    }

    /** When the fault struck (System.nanoTime), 0 if it did not. */
    long struckAt() {
        return struckAt;
    }

    /** When the source's phase became aborted (System.nanoTime), 0 if it did not. */
    long abortSeenAt() {
        return abortSeenAt;
    }

    @Override
    public void close() {
        if (strangers != null) {
            strangers.close();
        }
        if (peerProxy != null) {
            peerProxy.close();
        }
        if (clientProxy != null) {
            clientProxy.close();
        }
    }
}
