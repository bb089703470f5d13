package io.baton.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.arena.ArenaFactory;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A port that cannot be listened on is named, with the option that moves it, before and at the start. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PortsInUseTest {

    private static BatonServer.Options on(int client, int peer, int admin) {
        return new BatonServer.Options("127.0.0.1", client, peer, "127.0.0.1", admin, TestServers.ADMIN_TOKEN, false);
    }

    @Test
    void aPortInUseIsNamedWithTheOptionThatMovesItBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> BatonServer.checkPorts(on(port, 0, 0)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("--port moves it")
                    .hasMessageContaining("in use");
            assertThatThrownBy(() -> BatonServer.checkPorts(on(0, port, 0))).hasMessageContaining("--peer-port");
            assertThatThrownBy(() -> BatonServer.checkPorts(on(0, -1, port))).hasMessageContaining("--admin-port");
        }
    }

    @Test
    void aServerStartedOnAPortInUseSaysWhichAndHoldsNothingOpen() throws Exception {
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            int peer;
            try (ServerSocket free = new ServerSocket(0)) {
                peer = free.getLocalPort();
            }
            assertThatThrownBy(() -> BatonServer.start(cfg, on(0, peer, port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("--admin-port");
            // The peer port it had bound before failing is let go: the check finds it free.
            BatonServer.checkPorts(on(0, peer, -1));
        }
    }
}
