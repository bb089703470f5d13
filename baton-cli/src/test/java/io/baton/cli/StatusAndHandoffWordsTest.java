package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.arena.ArenaFactory;
import io.baton.core.ServerConfig;
import io.baton.server.AdminClient;
import io.baton.server.BatonServer;
import io.baton.service.ServiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code status} and {@code handoff} tell an operator about real servers: a phase only where it means
 * something, and a drained source for what it is (retired, its process still running).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatusAndHandoffWordsTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    @TempDir
    Path dir;

    @Test
    void eachServerShowsOnlyItsMeaningfulPhasesAndHandoffSaysTheRetiredSourceRunsOn() throws Exception {
        Path tokenFile = dir.resolve("admin-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(30, Map.of()),
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        try (BatonServer source = BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, -1, "127.0.0.1", 0,
                TOKEN, false));
             BatonServer target = BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", 0,
                TOKEN, true))) {
            String plain = StatusCommand.text(status(source));
            assertThat(plain).contains("role          authority", "source phase  idle")
                    .as("a plain authority was never a target").doesNotContain("target phase");
            String standby = StatusCommand.text(status(target));
            assertThat(standby).contains("role          standby", "target phase  standby")
                    .as("a standby is no source").doesNotContain("source phase");

            String[] handoff = runCapturingStdout("handoff", "--admin", "127.0.0.1:" + source.adminPort(),
                    "--admin-token-file", tokenFile.toString(), "--target-peer", "127.0.0.1:" + target.peerPort());
            assertThat(handoff[0]).as("exit code; stdout %s", handoff[1]).isEqualTo("0");
            assertThat(handoff[1]).contains("done: cut over at index ", HandoffCommand.RETIRED)
                    .contains("its process runs on").contains("--exit-when-retired");

            assertThat(StatusCommand.text(status(source))).contains("role          retired", "source phase  done")
                    .doesNotContain("target phase");
            assertThat(StatusCommand.text(status(target)))
                    .as("a target that took over: both phases mean something")
                    .contains("role          authority", "source phase  idle", "target phase  authority");
        }
    }

    private static JsonNode status(BatonServer server) throws Exception {
        AdminClient.Reply r = new AdminClient("http://127.0.0.1:" + server.adminPort(), TOKEN).status();
        assertThat(r.ok()).as(r.error()).isTrue();
        return r.body();
    }

    /** Runs a command line in this JVM; returns its exit code and what it printed on stdout. */
    private static String[] runCapturingStdout(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = Main.run(args);
        } finally {
            System.setOut(original);
        }
        return new String[] {Integer.toString(code), captured.toString(StandardCharsets.UTF_8)};
    }
}
