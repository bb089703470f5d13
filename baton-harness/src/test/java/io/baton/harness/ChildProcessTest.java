package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildProcessTest {

    @TempDir
    Path dir;

    @Test
    void aChildIsReadyWithItsFirstJsonLineAndAnswersCommandsInOrder() throws Exception {
        try (ChildProcess child = ChildProcess.start(ScriptedChild.class, "child", dir, List.of(), List.of("a", "b"), 30)) {
            assertThat(child.ready().path("args").asText()).isEqualTo("a b");
            assertThat(child.ready().path("pid").asLong()).isEqualTo(child.pid());
            assertThat(child.clientPort()).isEqualTo(7000);
            child.command("first");
            child.command("second");
            assertThat(child.await("echo", 10).path("line").asText()).isEqualTo("first");
            assertThat(child.await("echo", 10).path("line").asText()).isEqualTo("second");
            assertThat(Files.exists(dir.resolve("child.log"))).as("its stderr goes to a log").isTrue();
        }
    }

    @Test
    void killedItIsGoneAndSaysNoMore() throws Exception {
        try (ChildProcess child = ChildProcess.start(ScriptedChild.class, "child", dir, List.of(), List.of(), 30)) {
            assertThat(child.alive()).isTrue();
            child.kill();
            assertThat(child.alive()).isFalse();
            assertThatThrownBy(() -> child.await("echo", 2)).isInstanceOf(IOException.class)
                    .hasMessageContaining("sent no 'echo'");
        }
    }

    @Test
    void theHaltingSourceRunsTheMainClassItIsGivenWithTheRestOfItsArguments() throws Exception {
        try (ChildProcess child = ChildProcess.start(HaltAfterCutoverFlushed.class, "source", dir, List.of(),
                List.of(ScriptedChild.class.getName(), "serve", "--port", "0"), 30)) {
            assertThat(child.ready().path("args").asText()).isEqualTo("serve --port 0");
        }
    }
}
