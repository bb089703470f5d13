package io.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./baton}. */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = {
            "Move a live, stateful real-time server to a new machine without its users noticing.",
            "",
            "Start a source with 'serve', a target with 'serve --standby', then 'handoff'.",
            "'demo' does all of that on this machine and reports what the clients saw."
        },
        subcommands = {ServeCommand.class, HandoffCommand.class, StatusCommand.class, BotsCommand.class, CertsCommand.class,
            DemoCommand.class, PlayCommand.class, SimCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this directly). */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        String[] expanded;
        try {
            expanded = ConfigFile.expand(cli, args);
        } catch (IllegalArgumentException e) {
            cli.getErr().println("baton: " + e.getMessage());
            return 2;
        }
        return cli.execute(expanded);
    }

    /** The command line with every subcommand, set up as {@link #run} uses it. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("baton: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        // Help wraps at the terminal's width when there is one (80 columns otherwise, e.g. when piped), and
        // at spaces only; set here, after construction, so both reach every subcommand.
        cli.setUsageHelpAutoWidth(true);
        // serve --config puts the file's options before the command line's: the later one of a pair wins.
        cli.setOverwrittenOptionsAllowed(true);
        cli.setHelpFactory(SpaceWrappingHelp::new);
        return cli;
    }
}
