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

    @Test
    void webSocketClientsFollowTheUrlTheTargetAdvertisesNotItsHostAndPort() throws Exception {
        int clientPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            clientPort = free.getLocalPort();
        }
        BatonServer source = env.start(false);
        // The endpoint it advertises leads nowhere (port 1): only the URL reaches it, with a query to tell it by.
        BatonServer target = env.add(BatonServer.start(
                io.baton.core.ServerConfig.defaults(new io.baton.arena.ArenaFactory(),
                        new io.baton.service.ServiceConfig(TestServers.TICK_HZ, java.util.Map.of()), TestServers.PEER_SECRET),
                new BatonServer.Options("127.0.0.1", clientPort, 0, "127.0.0.1", -1, null, true,
                        BatonServer.SocketLimits.DEFAULTS, "127.0.0.1:1", BatonServer.Options.DEFAULT_IO_THREADS,
                        "ws://127.0.0.1:" + clientPort + "/baton?via=advertise-ws")));
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander a = env.add(Bystander.connectWebSocket(runtime, source.clientPort()));
        Bystander b = env.add(Bystander.connectWebSocket(runtime, source.clientPort()));
        for (Bystander c : List.of(a, b)) {
            c.movePerUpdate(true);
            c.awaitUpdatesBeyond(0, 5);
        }

        // No client endpoint in the order: the clients go where the target advertises.
        assertThat(source.startHandoff(io.baton.core.HandoffRequest.toAdvertised("127.0.0.1", target.peerPort(),
                io.baton.wire.Frame.Mode.LIVE)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.awaitHandoffDone(source, target);
        assertThat(TestServers.status(target).connected()).isEqualTo(2);
        for (Bystander c : List.of(a, b)) {
            c.awaitUpdatesBeyond(c.updateCount(), 5);
            c.movePerUpdate(false);
        }
        for (Bystander c : List.of(a, b)) {
            c.awaitUpdatesBeyond(c.updateCount(), 2);
            long sent = c.lastInputId();
            c.awaitInputsApplied(sent);
            c.assertConsecutiveTicks();
            assertThat(c.appliedInputIds()).isEqualTo(LongStream.rangeClosed(1, sent).boxed().collect(Collectors.toList()));
            assertThat(c.events()).contains(LifecycleListener.Event.ATTACHED_TO_TARGET, LifecycleListener.Event.SWITCHED)
                    .doesNotContain(LifecycleListener.Event.ATTACH_FAILED, LifecycleListener.Event.DISCONNECTED);
        }
    }

    @Test
    void anAdvertisedWebSocketUrlThatIsNotOneIsRefusedNamingTheOption() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BatonServer.Options("127.0.0.1", 0, 0,
                        "127.0.0.1", -1, null, true, BatonServer.SocketLimits.DEFAULTS, null,
                        BatonServer.Options.DEFAULT_IO_THREADS, "http://game/baton"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--advertise-ws")
                .hasMessageContaining("http://game/baton");
    }
}
