package io.baton.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmOptionsTest {

    private static List<String> parse(String text, String program) throws IOException {
        return JvmOptions.parse(new BufferedReader(new StringReader(text)), program);
    }

    @Test
    void takesTheOptionsOfItsSectionOnlySkippingCommentsAndBlankLines() throws IOException {
        String text = "# header\n-Xss1m\n\n[serve]\n-XX:+UseG1GC\n  # indented comment\n-Xms1g\n\n[bots]\n-Xmx2g\n";
        assertThat(parse(text, "serve")).containsExactly("-XX:+UseG1GC", "-Xms1g");
        assertThat(parse(text, "bots")).containsExactly("-Xmx2g");
        assertThat(parse(text, "demo")).isEmpty();
    }

    @Test
    void theShippedFileNamesServeAndBotsWithoutSchedulerOrJitSettings() {
        for (String program : List.of("serve", "bots")) {
            List<String> options = JvmOptions.of(program);
            assertThat(options).as(program).isNotEmpty();
            // A figure counts with what a user gets; scheduler and JIT tuning stay options (docs/performance.md).
            assertThat(options).as(program).noneMatch(o -> o.contains("Tiered") || o.contains("Compiler")
                    || o.contains("ThreadPriority"));
        }
    }

    /** The launcher reads the same file with awk; both must see the same options (run where awk exists). */
    @Test
    void theLauncherReadsTheSameOptions() throws Exception {
        Path file = Path.of("src/main/resources/io/baton/transport/jvm.options").toAbsolutePath();
        Path launcher = file.getParent().resolve("../../../../../../../baton").normalize();
        String script = Files.readString(launcher);
        int from = script.indexOf("awk ");
        String awk = script.substring(script.indexOf('\'', from) + 1, script.indexOf('\'', script.indexOf('\'', from) + 1));
        for (String program : List.of("serve", "bots")) {
            Process p = new ProcessBuilder("awk", "-v", "want=[" + program + "]", awk, file.toString())
                    .redirectErrorStream(true).start();
            List<String> lines = new ArrayList<>(new String(p.getInputStream().readAllBytes()).lines().toList());
            assertThat(p.waitFor()).isZero();
            assertThat(lines).as(program).isEqualTo(JvmOptions.of(program));
        }
    }
}
