package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import io.baton.core.ServerStatus;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A live handoff with SDK clients over WebSocket beside one over TCP: each follows MOVE to the target over the
 * transport it came with, switches, and loses, doubles or reorders nothing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandoffOverWebSocketTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    @Test
    void webSocketClientsRideAHandoffTickByTickWithEveryInputAppliedOnce() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander a = env.add(Bystander.connectWebSocket(runtime, source.clientPort()));
        Bystander b = env.add(Bystander.connectWebSocket(runtime, source.clientPort()));
        Bystander tcp = env.add(Bystander.connect(runtime, source.clientPort()));
        List<Bystander> all = List.of(a, b, tcp);
        for (Bystander c : all) {
            c.movePerUpdate(true);
            c.awaitUpdatesBeyond(0, 5);
        }

        TestServers.handOff(source, target);
        ServerStatus s = TestServers.status(source);
        assertThat(s.clientsSwitched()).isEqualTo(3);
        assertThat(TestServers.status(target).connected()).isEqualTo(3);
        assertThat(TestServers.status(target).cutoverDigest()).isEqualTo(s.cutoverDigest());

        for (Bystander c : all) {
            c.awaitUpdatesBeyond(c.updateCount(), 10);
            c.movePerUpdate(false);
        }
        for (Bystander c : all) {
            c.awaitUpdatesBeyond(c.updateCount(), 2);
            long sent = c.lastInputId();
            assertThat(sent).as("inputs sent by session %d", c.sessionId()).isGreaterThan(10);
            c.awaitInputsApplied(sent);
            c.assertConsecutiveTicks();
            assertThat(c.appliedInputIds()).as("inputs applied exactly once, in order, across the handoff")
                    .isEqualTo(LongStream.rangeClosed(1, sent).boxed().collect(Collectors.toList()));
            assertThat(c.events()).contains(LifecycleListener.Event.SWITCHED)
                    .doesNotContain(LifecycleListener.Event.DISCONNECTED, LifecycleListener.Event.ATTACH_FAILED,
                            LifecycleListener.Event.CLOSED);
        }
    }
}
