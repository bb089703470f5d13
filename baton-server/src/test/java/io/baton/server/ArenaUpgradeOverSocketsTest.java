package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.Arena3Factory;
import io.baton.arena.BotFleet;
import io.baton.arena.FleetReport;
import io.baton.core.HandoffRequest;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The arena's default release (schema 2) handed off over real sockets to its next one (schema 3), the bots
 * checking exactly-once across the version change and that the new rules show from the target's first tick
 * and never before. It needs the runtime to call {@code Service.upgrade()} when the target takes authority
 * (issue 15's "upgrade" part): without that the target stays on rules 2 and every bot that switched counts
 * rule violations, which is how this test fails on a build without it.
 */
class ArenaUpgradeOverSocketsTest {

    private static final int BOTS = 20;
    private final TestServers env = new TestServers();

    @AfterEach
    void close() {
        env.close();
    }

    @ParameterizedTest
    @EnumSource(Frame.Mode.class)
    void botsSeeRulesTwoOnTheSourceAndRulesThreeFromTheTargetsFirstTickWithNothingLost(Frame.Mode mode)
            throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(ServerConfig.defaults(new Arena3Factory(),
                new ServiceConfig(TestServers.TICK_HZ, Map.of("state-mb", "1")), TestServers.PEER_SECRET), true);
        BotFleet fleet = env.add(BotFleet.builder("127.0.0.1", source.clientPort()).clients(BOTS)
                .tickHz(TestServers.TICK_HZ).expectRules(2, 3).build());
        assertThat(fleet.start()).isEqualTo(BOTS);
        long playedTo = TestServers.status(source).tick() + 10;
        TestServers.await(Duration.ofSeconds(10)).until(() -> TestServers.status(source).tick() >= playedTo);

        HandoffRequest order = new HandoffRequest("127.0.0.1", target.peerPort(), "127.0.0.1", target.clientPort(),
                mode);
        assertThat(source.startHandoff(order).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.awaitHandoffDone(source, target);
        fleet.awaitMoved(BOTS, 10_000);
        assertThat(fleet.clientsMoved()).isEqualTo(BOTS);
        long cutTick = TestServers.status(target).tick();
        TestServers.await(Duration.ofSeconds(10)).until(() -> TestServers.status(target).tick() >= cutTick + 10);

        FleetReport report = fleet.stopAndVerify();
        assertThat(report.ruleViolations()).as(report.format()).isZero();
        assertThat(report.passed()).as(report.format()).isTrue();
        assertThat(report.updatesRules2()).isPositive();
        assertThat(report.updatesRules3()).as("every bot saw about ten ticks of the target").isGreaterThan(5L * BOTS);
    }
}
