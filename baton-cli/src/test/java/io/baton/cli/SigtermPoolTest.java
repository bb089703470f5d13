package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.harness.ChildProcess;
import io.baton.server.AdminClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real source process whose successor is a pool behind one name: the name resolves (through a
 * hosts file given to the source's JVM) to two loopback addresses, the first a busy server that answers BUSY,
 * the second a waiting standby; the source tries the first, then hands off to the second, and exits 0.
 */
class SigtermPoolTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    @TempDir
    Path dir;
    private final List<ChildProcess> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ChildProcess::close);
    }

    private ChildProcess serve(String name, List<String> jvm, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--admin-port", "0", "--rehearse-ms", "0",
                "--peer-secret-file", dir.resolve("peer-secret").toString(),
                "--admin-token-file", dir.resolve("admin-token").toString()));
        args.addAll(List.of(more));
        ChildProcess p = ChildProcess.start(Main.class, name, dir, jvm, args, 60);
        started.add(p);
        return p;
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void theFirstOfThePoolThatAcceptsTakesOverAndTheSourceExitsZero() throws Exception {
        Files.writeString(dir.resolve("peer-secret"), "0123456789abcdef0123456789abcdef\n");
        Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        int peer;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            peer = s.getLocalPort(); // the pool's one peer port, on two other loopback addresses
        }
        ChildProcess busy = serve("busy", List.of(), "--host", "127.0.0.2", "--peer-port", Integer.toString(peer));
        ChildProcess standby = serve("standby", List.of(), "--standby", "--host", "127.0.0.3",
                "--peer-port", Integer.toString(peer));
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.2 standby-pool\n127.0.0.3 standby-pool\n");
        ChildProcess source = serve("source", List.of("-Djdk.net.hosts.file=" + hosts), "--host", "127.0.0.1",
                "--peer-port", "-1", "--successor", "standby-pool:" + peer);

        source.terminate();

        assertThat(source.awaitExit(40)).as("the source's exit code; its log: %s", dir.resolve("source.log"))
                .isZero();
        AdminClient standbyAdmin = new AdminClient("http://127.0.0.1:" + standby.adminPort(), TOKEN);
        assertThat(standbyAdmin.status().body().path("role").asText()).isEqualTo("authority");
        AdminClient busyAdmin = new AdminClient("http://127.0.0.1:" + busy.adminPort(), TOKEN);
        assertThat(busyAdmin.status().body().path("source_phase").asText()).isEqualTo("idle");
        String log = Files.readString(dir.resolve("source.log"));
        assertThat(log).contains("resolves to 2 addresses").contains("127.0.0.2:" + peer + " did not take over")
                .contains("BUSY").contains("handed off to 127.0.0.3:" + peer);
    }
}
