package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.server.BatonServer;
import io.baton.service.ServiceConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./baton handoff --abort}: the operator's way back, before cutover. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandoffAbortTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    @TempDir
    Path dir;

    @Test
    void abortStopsAHandoffUnderWayAndIsRefusedWhenThereIsNone() throws Exception {
        Path tokenFile = dir.resolve("admin-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(30, Map.of()),
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        // A "target" that accepts the peer link and never answers: the handoff waits in AUTHENTICATING.
        try (BatonServer source = BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, -1, "127.0.0.1", 0,
                TOKEN, false));
             ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String admin = "127.0.0.1:" + source.adminPort();

            assertThat(Main.run("handoff", "--admin", admin, "--admin-token-file", tokenFile.toString(), "--abort"))
                    .as("nothing to abort").isEqualTo(1);
            assertThat(Main.run("handoff", "--admin", admin, "--admin-token-file", tokenFile.toString()))
                    .as("neither a target nor --abort").isEqualTo(2);

            assertThat(source.startHandoff(io.baton.core.HandoffRequest.toAdvertised("127.0.0.1",
                    silent.getLocalPort(), io.baton.wire.Frame.Mode.LIVE)).get(5, TimeUnit.SECONDS)).isEmpty();
            assertThat(Main.run("handoff", "--admin", admin, "--admin-token-file", tokenFile.toString(), "--abort"))
                    .isZero();
            ServerStatus s = source.status().get(5, TimeUnit.SECONDS);
            assertThat(s.sourcePhase()).isEqualTo(SourcePhase.ABORTED);
            assertThat(s.lastError()).isEqualTo("aborted by the operator");
        }
    }
}
