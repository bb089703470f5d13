package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

class HelpTest {

    @Test
    void everyHelpFitsItsWidthAndShowsEachDefaultWhole() {
        for (int width : new int[] {80, 100, 120, 160}) {
            CommandLine root = Main.commandLine();
            root.setUsageHelpAutoWidth(false);
            root.setUsageHelpWidth(width);
            for (CommandLine cli : all(root)) {
                String help = help(cli);
                String where = cli.getCommandSpec().qualifiedName() + " --help at " + width + " columns";
                for (String line : help.split("\n")) {
                    assertThat(line.length()).as(where + ": " + line).isLessThanOrEqualTo(width);
                }
                // picocli alone would break after ':' or '.' inside a word (-XX:\nCompilerThreadPriority=10).
                for (OptionSpec option : cli.getCommandSpec().options()) {
                    if (option.defaultValue() != null && !option.hidden()) {
                        for (String word : option.defaultValue().split(" ")) {
                            assertThat(help).as(where + ": default of " + option.longestName()).contains(word);
                        }
                    }
                }
            }
        }
    }

    @Test
    void descriptionsAreParagraphsForPicocliToWrapNotLinesWrappedByHand() {
        for (CommandLine cli : all(Main.commandLine())) {
            if (!cli.getCommand().getClass().getPackageName().equals(Main.class.getPackageName())) {
                continue; // picocli's own 'help'
            }
            List<String> lines = new ArrayList<>(List.of(cli.getCommandSpec().usageMessage().description()));
            for (ArgSpec arg : cli.getCommandSpec().args()) {
                lines.addAll(List.of(arg.description()));
            }
            for (String line : lines) {
                if (!line.isEmpty() && !line.startsWith(" ")) { // an indented line is an example, kept as is
                    assertThat(line).as(cli.getCommandSpec().qualifiedName() + ": a sentence cut short")
                            .matches("(?s).*[.:)]");
                }
            }
        }
    }

    private static String help(CommandLine cli) {
        StringWriter out = new StringWriter();
        cli.usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    private static List<CommandLine> all(CommandLine cli) {
        List<CommandLine> all = new ArrayList<>(List.of(cli));
        for (CommandLine sub : cli.getSubcommands().values()) {
            all.addAll(all(sub));
        }
        return all;
    }
}
