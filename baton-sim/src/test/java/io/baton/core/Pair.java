package io.baton.core;

import io.baton.arena.ArenaFactory;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * A source and a target core on a lossless, instant link, and one scripted client on the source, on a virtual
 * clock: enough to steer the real cores down paths that seeded runs reach too rarely (a connect that fails,
 * a target that answers CUTOVER with another digest, a fence watch that runs its course).
 */
final class Pair {

    static final long MS = 1_000_000L;
    private static final long SOURCE_PEER_CONN = 1;
    private static final long TARGET_PEER_CONN = 101;
    private static final long CLIENT_CONN = 10;

    private record Delivery(boolean toTarget, long conn, Frame frame) {
    }

    private final ArrayDeque<Delivery> inFlight = new ArrayDeque<>();
    final ServerCore source;
    final ServerCore target;
    long now = 1_000 * MS;
    /** Whether the peer link carries frames; a cut link carries none. */
    boolean linkUp = true;
    /** Frames to the target that this predicate holds for are replaced by what {@link #onToTarget} says. */
    Predicate<Frame> intercept = f -> false;
    java.util.function.Consumer<Frame> onToTarget = f -> { };
    /** Whether the client talks (acknowledges outputs and pings); a silent client is not present. */
    boolean clientTalks = true;
    private long lastClientPing;
    private long clientAcked;

    Pair() {
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(20, Map.of()),
                "pair-test-peer-secret-0123456789".getBytes(StandardCharsets.UTF_8));
        SplittableRandom random = new SplittableRandom(11);
        source = ServerCore.authority(cfg, new Outbox(false), random.split()::nextBytes, now);
        target = ServerCore.standby(cfg, new Outbox(true), random.split()::nextBytes);
        target.advertise("target", 7000);
    }

    private final class Outbox implements ServerOutbox {
        private final boolean isTarget;

        Outbox(boolean isTarget) {
            this.isTarget = isTarget;
        }

        @Override
        public void send(long conn, Frame frame) {
            if (!isTarget && conn == CLIENT_CONN) {
                if (frame instanceof Frame.Output o) {
                    clientAcked = Math.max(clientAcked, o.seq());
                }
                return;
            }
            if (linkUp && (conn == SOURCE_PEER_CONN || conn == TARGET_PEER_CONN)) {
                inFlight.add(new Delivery(!isTarget, isTarget ? SOURCE_PEER_CONN : TARGET_PEER_CONN, frame));
            }
        }

        @Override
        public void close(long conn) {
        }

        @Override
        public long connect(String host, int port) {
            if (linkUp) {
                inFlight.add(new Delivery(true, TARGET_PEER_CONN, null)); // the accept, then the connect
            }
            return SOURCE_PEER_CONN;
        }

        @Override
        public void note(String message) {
        }
    }

    /** Opens the scripted client's session on the source. */
    void openClient() {
        source.clientConnected(CLIENT_CONN, "client", now);
        source.frame(CLIENT_CONN, new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH],
                0), now);
        settle();
    }

    void handOff(Frame.Mode mode) {
        source.startHandoff(HandoffRequest.toAdvertised("target", 7001, mode), now).ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        settle();
    }

    /** Cuts the peer link: both ends see it drop. */
    void cutLink() {
        linkUp = false;
        inFlight.clear();
        source.disconnected(SOURCE_PEER_CONN, now);
        target.disconnected(TARGET_PEER_CONN, now);
        settle();
    }

    /** Runs the virtual clock until {@code done} holds or {@code millis} have passed. */
    void runUntil(java.util.function.BooleanSupplier done, long millis) {
        long end = now + millis * MS;
        while (!done.getAsBoolean() && now < end) {
            long next = Math.min(Math.min(source.nextDeadline(), target.nextDeadline()), now + 50 * MS);
            now = Math.max(now + 1, Math.min(next, end));
            source.poll(now);
            target.poll(now);
            if (clientTalks && now - lastClientPing >= 200 * MS) {
                lastClientPing = now;
                source.frame(CLIENT_CONN, new Frame.Ack(clientAcked), now);
            }
            settle();
        }
    }

    /** Delivers what is in flight, at once, until nothing is; then ends the burst on both sides. */
    private void settle() {
        while (!inFlight.isEmpty()) {
            Delivery d = inFlight.poll();
            if (d.frame() == null) {
                target.peerAccepted(TARGET_PEER_CONN, now);
                target.peerSecured(TARGET_PEER_CONN, new byte[0]);
                source.peerSecured(SOURCE_PEER_CONN, new byte[0]);
                source.peerConnected(SOURCE_PEER_CONN, now);
            } else if (d.toTarget() && intercept.test(d.frame())) {
                onToTarget.accept(d.frame());
            } else if (d.toTarget()) {
                target.frame(d.conn(), d.frame(), now);
            } else {
                source.frame(d.conn(), d.frame(), now);
            }
            source.flush(now);
            target.flush(now);
        }
        source.flush(now);
        target.flush(now);
    }
}
