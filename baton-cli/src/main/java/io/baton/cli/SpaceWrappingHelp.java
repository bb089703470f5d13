package io.baton.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * picocli's help, except that option and parameter descriptions wrap at spaces only.
 *
 * <p>picocli wraps with the JDK's line BreakIterator, which also breaks after ':' or '.' inside a word, so a
 * default such as {@code -XX:CompilerThreadPriority=10} or {@code .baton/admin-token} could be split across two
 * lines. Here each description line is first wrapped at spaces to what the description column holds (with
 * picocli's own hanging indent on the lines after the first); picocli then only lays out lines that fit. A
 * single word wider than the column is left to picocli.
 */
final class SpaceWrappingHelp extends Help {

    SpaceWrappingHelp(CommandSpec spec, ColorScheme scheme) {
        super(spec, scheme);
    }

    @Override
    public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals,
            ColorScheme scheme) {
        Layout layout = super.createDefaultLayout(options, positionals, scheme);
        TextTable table = layout.textTable();
        Column[] columns = table.columns();
        Column description = columns[columns.length - 1];
        int room = description.width - description.indent;
        int hanging = table.indentWrappedLines;
        IOptionRenderer optionRenderer = layout.optionRenderer();
        IParameterRenderer parameterRenderer = layout.parameterRenderer();
        return new Layout(scheme, table,
                (option, labels, cs) -> wrap(optionRenderer.render(option, labels, cs), room, hanging, cs),
                (param, labels, cs) -> wrap(parameterRenderer.render(param, labels, cs), room, hanging, cs));
    }

    /** The rows with each last cell (the description) wrapped at spaces into as many rows as it takes. */
    private static Ansi.Text[][] wrap(Ansi.Text[][] rows, int room, int hanging, ColorScheme scheme) {
        List<Ansi.Text[]> out = new ArrayList<>();
        for (Ansi.Text[] row : rows) {
            int last = row.length - 1;
            List<Ansi.Text> lines = lines(row[last], room, room - hanging);
            for (int i = 0; i < lines.size(); i++) {
                Ansi.Text[] wrapped = i == 0 ? row.clone() : emptyRow(row.length, scheme);
                wrapped[last] = i == 0 ? lines.get(0) : scheme.text(" ".repeat(hanging)).concat(lines.get(i));
                out.add(wrapped);
            }
        }
        return out.toArray(new Ansi.Text[0][]);
    }

    private static Ansi.Text[] emptyRow(int length, ColorScheme scheme) {
        Ansi.Text[] row = new Ansi.Text[length];
        Arrays.fill(row, scheme.text(""));
        return row;
    }

    /** Greedy wrap at spaces: the first line holds {@code first} characters, the others {@code rest}. */
    private static List<Ansi.Text> lines(Ansi.Text text, int first, int rest) {
        String plain = text.plainString();
        List<Ansi.Text> lines = new ArrayList<>();
        int start = 0;
        int limit = first;
        while (plain.length() - start > limit) {
            int end = plain.lastIndexOf(' ', start + limit);
            while (end > start && plain.charAt(end - 1) == ' ') {
                end--;
            }
            if (end <= start || plain.substring(start, end).isBlank()) {
                end = plain.indexOf(' ', start + limit); // one word wider than the line: it goes alone
                if (end < 0) {
                    break;
                }
            }
            lines.add(text.substring(start, end));
            start = end;
            while (start < plain.length() && plain.charAt(start) == ' ') {
                start++;
            }
            limit = rest;
        }
        if (start < plain.length() || lines.isEmpty()) {
            lines.add(text.substring(start));
        }
        return lines;
    }
}
