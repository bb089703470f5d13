package io.baton.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code serve --config FILE}: options from a file, one {@code key=value} a line, the key a serve option's long
 * name without its dashes ({@code successor=standby-pool:7001}); blank lines and lines starting with {@code #}
 * are skipped; a flag takes {@code true} or {@code false}. The file's options are put before the command
 * line's, so the command line wins (picocli keeps the last value of an option given twice). A file that
 * cannot be read, or names an option {@code serve} does not have, stops the server before it starts, with
 * the file, the line and what to do.
 */
final class ConfigFile {

    private ConfigFile() {
    }

    /** The command line with a serve command's {@code --config} file spliced in, or as it was. */
    static String[] expand(CommandLine root, String[] args) {
        if (args.length == 0 || !args[0].equals("serve")) {
            return args;
        }
        Path file = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[i + 1]);
            } else if (args[i].startsWith("--config=")) {
                file = Path.of(args[i].substring("--config=".length()));
            }
        }
        if (file == null) {
            return args;
        }
        CommandSpec serve = root.getSubcommands().get("serve").getCommandSpec();
        List<String> out = new ArrayList<>();
        out.add(args[0]);
        out.addAll(read(serve, file));
        out.addAll(List.of(args).subList(1, args.length));
        return out.toArray(String[]::new);
    }

    private static List<String> read(CommandSpec serve, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --config " + file + ": " + e.getMessage()
                    + "; give a readable file of key=value lines");
        }
        List<String> options = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = "--config " + file + " line " + (n + 1);
            if (eq <= 0) {
                throw new IllegalArgumentException(where + " is not key=value: '" + line + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            OptionSpec o = serve.findOption("--" + key);
            if (o == null || key.equals("config")) {
                throw new IllegalArgumentException(where + ": serve has no option --" + key
                        + " (keys are serve's long option names without the dashes; see 'baton serve --help')");
            }
            if (o.type() == boolean.class || o.type() == Boolean.class) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException(where + ": --" + key + " takes true or false, was '" + value + "'");
                }
                if (value.equals("true")) {
                    options.add("--" + key);
                }
            } else {
                options.add("--" + key + "=" + value);
            }
        }
        return options;
    }
}
