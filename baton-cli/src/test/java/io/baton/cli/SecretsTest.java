package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

    @TempDir
    Path dir;

    @Test
    void serversStartedTogetherInOneFolderShareOneSecret() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                Path file = dir.resolve("round-" + round).resolve("peer-secret");
                List<Callable<String>> racers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    racers.add(() -> Secrets.readOrCreate(file, "peer secret"));
                }
                Set<String> seen = new HashSet<>();
                for (Future<String> f : pool.invokeAll(racers)) {
                    seen.add(f.get());
                }
                assertThat(seen).hasSize(1);
                assertThat(Files.readString(file).strip()).isEqualTo(seen.iterator().next());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSecretFileThatIsTooShortIsRefusedNotUsed() throws IOException {
        Path file = dir.resolve("short");
        Files.writeString(file, "abc\n");
        assertThatThrownBy(() -> Secrets.readOrCreate(file, "peer secret")).hasMessageContaining("shorter than 16");
    }
}
