package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.core.HandoffRequest;
import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Starting in-process servers on loopback, reading their status, and cleaning up after a test. */
final class TestServers implements AutoCloseable {

    static final byte[] PEER_SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_SECRET = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    static final String ADMIN_TOKEN = "admin-token-0123456789";
    static final int TICK_HZ = 30;

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** A server with the shared peer secret, serving at once ({@code standby=false}) or waiting as a target. */
    BatonServer start(boolean standby) throws InterruptedException {
        return start(PEER_SECRET, standby);
    }

    BatonServer start(byte[] peerSecret, boolean standby) throws InterruptedException {
        return start(ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TICK_HZ, Map.of()), peerSecret), standby);
    }

    BatonServer start(ServerConfig cfg, boolean standby) throws InterruptedException {
        return start(cfg, standby, null);
    }

    /** With {@code tls} on every port (null: in the clear). */
    BatonServer start(ServerConfig cfg, boolean standby, BatonServer.TlsFiles tls) throws InterruptedException {
        BatonServer server = BatonServer.start(cfg,
                new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", 0, ADMIN_TOKEN, standby).withTls(tls));
        resources.push(server);
        return server;
    }

    /** Registers something to close after the test; closed in reverse order of registration. */
    <T extends AutoCloseable> T add(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // Best effort: a test that failed may leave things half closed.
            }
        }
    }

    static ServerStatus status(BatonServer server) throws Exception {
        return server.status().get(5, TimeUnit.SECONDS);
    }

    /** A standby that no source authenticated to: still waiting, no replica, no session, nothing applied. */
    static void assertNothingReached(BatonServer standby) throws Exception {
        ServerStatus s = status(standby);
        assertThat(s.role()).isEqualTo(Role.STANDBY);
        assertThat(s.targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(s.sessions()).isZero();
        assertThat(s.appliedIndex()).isZero();
        assertThat(s.handoffId()).isZero();
    }

    /** A handoff order from source to target, everything on loopback. */
    static HandoffRequest handoffTo(BatonServer target) {
        return new HandoffRequest("127.0.0.1", target.peerPort(), "127.0.0.1", target.clientPort(), Frame.Mode.LIVE);
    }

    static ConditionFactory await(Duration atMost) {
        return Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(20));
    }

    /** Starts a live handoff and waits until the source is DONE and the target holds authority. */
    static void handOff(BatonServer source, BatonServer target) throws Exception {
        assertThat(source.startHandoff(handoffTo(target)).get(5, TimeUnit.SECONDS)).isEmpty();
        awaitHandoffDone(source, target);
    }

    static void awaitHandoffDone(BatonServer source, BatonServer target) {
        await(Duration.ofSeconds(15)).untilAsserted(() -> {
            ServerStatus s = status(source);
            if (s.sourcePhase() == SourcePhase.ABORTED) {
                // Not an AssertionError, so Awaitility fails at once instead of waiting out its time.
                throw new IllegalStateException("the handoff aborted: " + s.lastError());
            }
            assertThat(s.sourcePhase()).isEqualTo(SourcePhase.DONE);
            ServerStatus t = status(target);
            assertThat(t.role()).isEqualTo(Role.AUTHORITY);
            assertThat(t.targetPhase()).isEqualTo(TargetPhase.AUTHORITY);
        });
    }
}
