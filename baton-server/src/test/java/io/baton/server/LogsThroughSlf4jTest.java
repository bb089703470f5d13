package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server runtime logs through SLF4J only: an operator's log pipeline sees every line, with its level and
 * the handoff's id, and stdout stays the CLI's (its ready line, its results).
 */
class LogsThroughSlf4jTest {

    @Test
    void noSourceOfTheServerRuntimePrintsToStdoutOrStderr() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            offenders = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    List<String> lines = Files.readAllLines(p);
                    return java.util.stream.IntStream.range(0, lines.size())
                            .filter(i -> lines.get(i).matches(".*System\\s*\\.\\s*(out|err)\\b.*")
                                    || lines.get(i).contains("printStackTrace("))
                            .mapToObj(i -> p + ":" + (i + 1) + ": " + lines.get(i).strip());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void theCheckFindsAPrintWhereThereIsOne() {
        assertThat("        System.out.println(\"x\");".matches(".*System\\s*\\.\\s*(out|err)\\b.*")).isTrue();
    }
}
