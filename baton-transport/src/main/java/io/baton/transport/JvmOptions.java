package io.baton.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options {@code ./baton} gives a program ({@code serve}, {@code bots}), read from the one file both
 * the launcher and this class read: {@code jvm.options} next to this class (in the source tree,
 * baton-transport/src/main/resources/io/baton/transport/). Whatever starts those programs as child processes
 * (the demo, the benchmarks) starts them with these, so that what it measures is what a user runs.
 */
public final class JvmOptions {

    private JvmOptions() {
    }

    /**
     * The options under {@code [program]}, in order; empty for a program the file does not name. Lines
     * starting with {@code #} and blank lines are ignored.
     */
    public static List<String> of(String program) {
        try (InputStream in = JvmOptions.class.getResourceAsStream("jvm.options")) {
            if (in == null) {
                throw new IllegalStateException("jvm.options is missing from the classpath next to "
                        + JvmOptions.class.getName() + ": the build did not copy baton-transport's resources");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), program);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jvm.options", e);
        }
    }

    static List<String> parse(BufferedReader reader, String program) throws IOException {
        List<String> options = new ArrayList<>();
        boolean inSection = false;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (l.startsWith("[") && l.endsWith("]")) {
                inSection = l.substring(1, l.length() - 1).equals(program);
            } else if (inSection) {
                options.add(l);
            }
        }
        return List.copyOf(options);
    }
}
