package io.baton.server;

import io.baton.core.HandoffRequest;
import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.wire.Frame;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a server stops when its orchestrator asks (SIGTERM): with a successor, it hands its clients off to it
 * and returns once drained; without one, it stops taking new sessions and returns at once. The successor may
 * be a pool of standbys behind one name (several A records, or a Kubernetes Service): every address the name
 * resolves to is tried in turn, and the round repeated (the name resolved again) until one accepts, so a
 * standby that answers {@code BUSY} (it is receiving another source's handoff) or is gone costs one try. Every
 * attempt is a live handoff to the target's advertised client endpoint; one that aborts leaves the clients on
 * this server, so the next attempt starts from where the last left them.
 */
final class GracefulStop {

    private static final Logger LOG = LoggerFactory.getLogger("baton.server.stop");
    /** How often the handoff's progress is read: a log of phases, not a timing. */
    private static final long POLL_MILLIS = 50;
    /**
     * How long a drained source stays up, within the bound, for clients that were away through the handoff: they
     * know only this server's address, and resuming here sends them on. A client whose connection broke is back
     * within about 3 s (1.5 s to notice, then its backoff); one that left for good would hold the stop to the
     * bound, so the wait is shorter than that.
     */
    static final long AWAY_WAIT_MILLIS = 10_000;
    /** The wait before the next round over the successor's addresses, once every one refused. */
    private static final long ROUND_PAUSE_MILLIS = 500;

    private final BatonServer server;

    GracefulStop(BatonServer server) {
        this.server = server;
    }

    /**
     * Hands off to {@code successor} (host:peerPort) within {@code boundNanos}, or stops admitting new sessions
     * if it is null.
     */
    BatonServer.Stop run(String successor, long boundNanos) throws InterruptedException {
        long deadline = System.nanoTime() + boundNanos;
        ServerStatus now = status();
        if (now != null && now.role() == Role.RETIRED && now.sourcePhase() == SourcePhase.DRAINING) {
            return followDrain(now, deadline);
        }
        if (now != null && now.role() != Role.AUTHORITY) {
            String what = now.role() == Role.STANDBY
                    ? "a standby (target phase " + now.targetPhase() + "): it serves no client yet"
                    : "retired: its clients are on its target already";
            LOG.info("SIGTERM: nothing to hand off, this server is {}; exiting", what);
            return new BatonServer.Stop(true, "nothing to hand off (" + what + ")");
        }
        if (successor == null) {
            String why = "this server is stopping (SIGTERM) and has no successor";
            call(core -> {
                core.stopAdmitting(why + "; connect to the game's address again to be sent elsewhere");
                return null;
            });
            ServerStatus s = status();
            LOG.warn("SIGTERM without a successor (serve --successor, BATON_SUCCESSOR, or successor= in --config): "
                    + "taking no new sessions, then closing the {} connected of {} sessions at once; their clients "
                    + "must reconnect elsewhere, and anything they send meanwhile is lost", s.connected(), s.sessions());
            return new BatonServer.Stop(false, "no successor: " + s.connected() + " connected sessions closed");
        }
        String[] hp = BatonServer.hostPort(successor, "--successor");
        String host = hp[0];
        int port = Integer.parseInt(hp[1]);
        LOG.info("SIGTERM: handing off to the successor {} within {} ms, then exiting", successor,
                boundNanos / 1_000_000);
        List<String> refusals = new ArrayList<>();
        int round = 0;
        while (System.nanoTime() < deadline) {
            round++;
            List<String> addresses = resolve(host, refusals);
            for (String address : addresses) {
                if (System.nanoTime() >= deadline) {
                    break;
                }
                Attempt a = attempt(address, port, deadline);
                if (a.done()) {
                    return new BatonServer.Stop(true, "handed off to " + address + ":" + port + " (handoff "
                            + a.handoffId() + ") and drained" + awaitAway(deadline));
                }
                refusals.add(address + ":" + port + ": " + a.why());
                LOG.warn("the successor at {}:{} did not take over: {}", address, port, a.why());
                if (a.cutOver()) {
                    // Past cutover the target has the clients; nothing to retry.
                    return new BatonServer.Stop(false, "cut over to " + address + ":" + port + " but " + a.why());
                }
            }
            if (System.nanoTime() + ROUND_PAUSE_MILLIS * 1_000_000L < deadline) {
                LOG.info("no successor behind {} accepted in round {}; trying again in {} ms", successor, round,
                        ROUND_PAUSE_MILLIS);
                Thread.sleep(ROUND_PAUSE_MILLIS); // the pause between rounds of tries, not a wait for a state
            } else {
                break;
            }
        }
        return new BatonServer.Stop(false, "no successor behind " + successor + " took over within "
                + boundNanos / 1_000_000 + " ms; tried: " + String.join("; ", tail(refusals)));
    }

    /**
     * The signal came after a cutover the operator started, while the source drains (forwarding the inputs of
     * clients that have not switched yet): exiting now would cut those clients off, so the stop follows the
     * drain to its end, within the bound, as it follows a handoff still under way.
     */
    private BatonServer.Stop followDrain(ServerStatus now, long deadline) throws InterruptedException {
        String id = Long.toHexString(now.handoffId());
        LOG.info("SIGTERM: handoff {}, started before the signal, has cut over and drains ({} sessions left): "
                + "following the drain before exiting", id, now.sessions());
        ServerStatus s = now;
        while (s != null && s.sourcePhase() == SourcePhase.DRAINING && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS); // reading progress, as attempt() does
            s = status();
        }
        if (s != null && s.sourcePhase() == SourcePhase.DONE) {
            return new BatonServer.Stop(true, "handed off (handoff " + id + ", started before the signal) and drained");
        }
        return new BatonServer.Stop(false, "handoff " + id + " cut over before the signal, but its drain did not end "
                + "within the stop's bound (phase " + (s == null ? "unknown: the core did not answer" : s.sourcePhase())
                + ")");
    }

    /**
     * Drained: waits, at most {@link #AWAY_WAIT_MILLIS} and never past the bound, for the sessions whose clients
     * were away at the cutover to come back here and be sent on. Returns what the summary adds.
     */
    private String awaitAway(long deadline) throws InterruptedException {
        long until = Math.min(deadline, System.nanoTime() + AWAY_WAIT_MILLIS * 1_000_000L);
        ServerStatus s = status();
        int first = s == null ? 0 : s.sessionsAway();
        if (first == 0) {
            return "";
        }
        LOG.info("{} sessions were away through the handoff and know only this server; waiting up to {} ms for "
                + "their clients to resume here and be sent on", first, (until - System.nanoTime()) / 1_000_000);
        while (s != null && s.sessionsAway() > 0 && System.nanoTime() < until) {
            Thread.sleep(POLL_MILLIS); // reading the count, as for the handoff's phases
            s = status();
        }
        int left = s == null ? first : s.sessionsAway();
        if (left > 0) {
            LOG.warn("{} of the {} sessions away through the handoff did not come back; their clients know only "
                    + "this server, which is stopping: those sessions end here", left, first);
            return "; " + left + " of " + first + " sessions away through it did not come back";
        }
        return "; all " + first + " sessions away through it came back and were sent on";
    }

    /** The outcome of one handoff attempt. */
    private record Attempt(boolean done, boolean cutOver, String handoffId, String why) {
    }

    /**
     * One live handoff to one address, followed until drained, aborted, or the deadline. A handoff the
     * operator started before the signal is followed instead: it is moving the clients already, and a second
     * one would only be refused.
     */
    private Attempt attempt(String address, int port, long deadline) throws InterruptedException {
        ServerStatus before = status();
        boolean underWay = before != null && before.sourcePhase().active();
        if (!underWay) {
            HandoffRequest req = HandoffRequest.toAdvertised(address, port, Frame.Mode.LIVE);
            Handoff ordered = call(core -> server.handoffs().startOnLoop(core, req));
            Optional<String> refused = ordered == null ? null : ordered.refusal();
            if (refused == null) {
                return new Attempt(false, false, "", "the core did not answer");
            }
            if (refused.isPresent()) {
                return new Attempt(false, false, "", "could not start: " + refused.get());
            }
        }
        ServerStatus s = status();
        String id = s == null ? "?" : Long.toHexString(s.handoffId());
        if (s != null) {
            HandoffMdc.tag(s.handoffId());
        }
        if (underWay) {
            LOG.info("handoff {}, started before the signal, is under way (phase {}): following it instead of "
                    + "starting one to {}:{}", id, before.sourcePhase(), address, port);
        } else {
            LOG.info("handoff {} to {}:{} started", id, address, port);
        }
        SourcePhase last = null;
        while (true) {
            s = status();
            if (s == null) {
                return new Attempt(false, false, id, "the core did not answer");
            }
            SourcePhase phase = s.sourcePhase();
            if (phase != last) {
                LOG.info("handoff {}: phase {} (clients moved {}, attached {}, switched {}, replica lag {})", id,
                        phase, s.clientsMoved(), s.clientsAttached(), s.clientsSwitched(), s.replicaLag());
                last = phase;
            }
            if (!phase.active()) {
                HandoffMdc.untag(); // the lines after this one are about the stop, not this handoff
            }
            switch (phase) {
                case DONE -> {
                    return new Attempt(true, true, id, "");
                }
                case ABORTED -> {
                    return new Attempt(false, false, id, s.lastError());
                }
                case FENCED -> {
                    return new Attempt(false, true, id, "this server fenced itself: " + s.lastError());
                }
                default -> { }
            }
            if (System.nanoTime() >= deadline) {
                boolean cut = phase.compareTo(SourcePhase.CUTTING_OVER) >= 0 || s.role() == Role.RETIRED;
                if (!cut) {
                    call(core -> core.abortHandoff(CoreDriver.now()));
                    // The abort is refused once the cutover began, which may have happened since the read.
                    ServerStatus after = status();
                    cut = after != null && (after.sourcePhase().compareTo(SourcePhase.CUTTING_OVER) >= 0
                            && after.sourcePhase() != SourcePhase.ABORTED || after.role() == Role.RETIRED);
                    phase = after == null ? phase : after.sourcePhase();
                }
                return new Attempt(false, cut, id, "the stop's bound ran out in phase " + phase);
            }
            Thread.sleep(POLL_MILLIS); // reading progress for the log, as an operator's display does
        }
    }

    private static List<String> resolve(String host, List<String> refusals) {
        List<String> out = new ArrayList<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                out.add(a.getHostAddress());
            }
            if (out.size() > 1) {
                LOG.info("the successor {} resolves to {} addresses: {}", host, out.size(), out);
            }
        } catch (UnknownHostException e) {
            refusals.add(host + ": the name does not resolve");
            LOG.warn("the successor's host {} does not resolve (check --successor, the DNS name of the standby "
                    + "pool): {}", host, e.getMessage());
        }
        return out;
    }

    private ServerStatus status() {
        return call(core -> core.status());
    }

    private <T> T call(java.util.function.Function<io.baton.core.ServerCore, T> f) {
        try {
            return server.driver().call(f).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("the server's core did not answer: {}", e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static List<String> tail(List<String> all) {
        return all.size() <= 6 ? all : all.subList(all.size() - 6, all.size());
    }
}
