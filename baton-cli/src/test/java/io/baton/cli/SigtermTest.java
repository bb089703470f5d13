package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.harness.ChildProcess;
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
 * SIGTERM to real server processes when the handoff cannot happen: no successor, a successor that never
 * answers (the bound runs out), and a second SIGTERM. Each stops, says so, and exits with the documented code.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SigtermTest {

    @TempDir
    Path dir;
    private final List<ChildProcess> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(ChildProcess::close);
    }

    private ChildProcess serve(String name, String... more) throws Exception {
        Files.writeString(dir.resolve("peer-secret"), "0123456789abcdef0123456789abcdef\n");
        List<String> args = new ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--port", "0", "--peer-port", "-1",
                "--admin-port", "-1", "--rehearse-ms", "0", "--peer-secret-file", dir.resolve("peer-secret").toString()));
        args.addAll(List.of(more));
        ChildProcess p = ChildProcess.start(Main.class, name, dir, List.of(), args, 60);
        started.add(p);
        return p;
    }

    private String log(String name) throws Exception {
        return Files.readString(dir.resolve(name + ".log"));
    }

    @Test
    void withoutASuccessorTheServerSaysSoAndExitsZero() throws Exception {
        ChildProcess server = serve("lone");
        server.terminate();
        assertThat(server.awaitExit(20)).isZero();
        assertThat(log("lone")).contains("SIGTERM without a successor").contains("taking no new sessions");
    }

    @Test
    void aSuccessorThatNeverAnswersEndsWhenTheBoundRunsOutAndTheServerExitsOneSayingWhatIsLost() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Accepts (the kernel does) and never says a word: each try waits out the peer link's silence.
            ChildProcess server = serve("stuck", "--successor", "127.0.0.1:" + silent.getLocalPort(),
                    "--term-timeout-s", "3");
            long t = System.nanoTime();
            server.terminate();
            assertThat(server.awaitExit(30)).isEqualTo(1);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t)).as("within the bound and a little")
                    .isLessThan(10);
            assertThat(log("stuck")).contains("took over within 3000 ms").contains("stopping anyway")
                    .contains("Closing 0 connected of 0 sessions");
        }
    }

    @Test
    void aSecondSigtermStopsAtOnce() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ChildProcess server = serve("impatient", "--successor", "127.0.0.1:" + silent.getLocalPort(),
                    "--term-timeout-s", "60");
            server.terminate();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> log("impatient").contains("handing off to the successor"));
            server.terminate();
            assertThat(server.awaitExit(20)).isEqualTo(1);
            assertThat(log("impatient")).contains("a second SIGTERM: stopping at once");
        }
    }
}
