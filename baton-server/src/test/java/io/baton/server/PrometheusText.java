package io.baton.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4: what a scraper would refuse, it
 * refuses with the line. It checks names, label syntax and escapes, values, that each family's TYPE comes
 * once and before its samples, that a family's samples are contiguous, that no series repeats, and that a
 * histogram's buckets are cumulative and end in {@code le="+Inf"} equal to its {@code _count}.
 */
final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern HELP_OR_TYPE = Pattern.compile("# (HELP|TYPE) (\\S+)(?: (.*))?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line: its metric name, labels in order, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final Map<String, String> types = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private PrometheusText() {
    }

    /** Parses a whole exposition; throws {@link IllegalArgumentException} naming the first bad line. */
    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        Set<String> closedFamilies = new java.util.HashSet<>();
        Set<String> seriesSeen = new java.util.HashSet<>();
        Set<String> sampled = new java.util.HashSet<>();
        String family = null;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.startsWith("#")) {
                    Matcher m = HELP_OR_TYPE.matcher(line);
                    if (m.matches()) {
                        if (sampled.contains(m.group(2))) {
                            throw new IllegalArgumentException("metadata of " + m.group(2) + " after its samples");
                        }
                        family = p.meta(m, family, closedFamilies);
                    }
                    continue;
                }
                Sample s = sample(line);
                String f = p.familyOf(s.name());
                if (!f.equals(family)) {
                    if (family != null) {
                        closedFamilies.add(family);
                    }
                    if (closedFamilies.contains(f)) {
                        throw new IllegalArgumentException("samples of " + f + " are not contiguous");
                    }
                    family = f;
                }
                if (!seriesSeen.add(s.name() + s.labels())) {
                    throw new IllegalArgumentException("series repeated");
                }
                p.samples.add(s);
                sampled.add(f);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + n + " '" + line + "': " + e.getMessage(), e);
            }
        }
        p.checkHistograms();
        return p;
    }

    private String meta(Matcher m, String family, Set<String> closedFamilies) {
        String name = m.group(2);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name");
        }
        if (!name.equals(family) && family != null) {
            closedFamilies.add(family);
        }
        if (closedFamilies.contains(name)) {
            throw new IllegalArgumentException("metadata of " + name + " after its samples");
        }
        if (m.group(1).equals("TYPE")) {
            String type = m.group(3);
            if (!TYPES.contains(type)) {
                throw new IllegalArgumentException("unknown type " + type);
            }
            if (types.putIfAbsent(name, type) != null) {
                throw new IllegalArgumentException("second TYPE for " + name);
            }
        }
        return name;
    }

    /** The family a sample belongs to: a histogram's or summary's suffixed series belong to its base name. */
    private String familyOf(String name) {
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String t = types.get(base);
                if ("histogram".equals(t) || ("summary".equals(t) && !suffix.equals("_bucket"))) {
                    return base;
                }
            }
        }
        return name;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2) {
            throw new IllegalArgumentException("more than a value and a timestamp");
        }
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        return new Sample(name, labels, value(rest[0]));
    }

    /** Parses {@code name="value",...}} from {@code i}; returns the index after the closing brace. */
    private static int labels(String line, int i, Map<String, String> labels) {
        while (true) {
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || !LABEL.matcher(line.substring(i, eq)).matches()) {
                throw new IllegalArgumentException("bad label name at " + i);
            }
            if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException("label value not quoted at " + eq);
            }
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\') {
                    char e = ++j < line.length() ? line.charAt(j) : 0;
                    v.append(switch (e) {
                        case '\\' -> '\\';
                        case '"' -> '"';
                        case 'n' -> '\n';
                        default -> throw new IllegalArgumentException("bad escape at " + j);
                    });
                } else {
                    v.append(c);
                }
            }
            if (j >= line.length()) {
                throw new IllegalArgumentException("label value not closed");
            }
            if (labels.put(line.substring(i, eq), v.toString()) != null) {
                throw new IllegalArgumentException("label repeated: " + line.substring(i, eq));
            }
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                throw new IllegalArgumentException("expected , or } at " + i);
            }
        }
    }

    private static double value(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                if (!s.matches("[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException("bad value " + s);
                }
                yield Double.parseDouble(s);
            }
        };
    }

    private void checkHistograms() {
        Map<String, TreeMap<Double, Double>> buckets = new HashMap<>();
        for (Sample s : samples) {
            String base = familyOf(s.name());
            if (!"histogram".equals(types.get(base)) || !s.name().endsWith("_bucket")) {
                continue;
            }
            Map<String, String> others = new TreeMap<>(s.labels());
            String le = others.remove("le");
            if (le == null) {
                throw new IllegalArgumentException(s.name() + " without le");
            }
            buckets.computeIfAbsent(base + others, k -> new TreeMap<>()).put(value(le), s.value());
        }
        buckets.forEach((series, b) -> {
            double last = 0;
            for (double count : b.values()) {
                if (count < last) {
                    throw new IllegalArgumentException(series + ": buckets are not cumulative");
                }
                last = count;
            }
            if (!b.containsKey(Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(series + ": no +Inf bucket");
            }
            String base = series.substring(0, series.indexOf('{'));
            // the _count of the same series: the same labels but le
            double count = samples.stream()
                    .filter(s -> s.name().equals(base + "_count") && (base + new TreeMap<>(s.labels())).equals(series))
                    .mapToDouble(Sample::value).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(series + ": no _count"));
            if (count != b.get(Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(series + ": +Inf bucket " + b.get(Double.POSITIVE_INFINITY)
                        + " differs from _count " + count);
            }
        });
    }

    /** The TYPE line of a family, or null. */
    String type(String family) {
        return types.get(family);
    }

    /** The value of the one series with this name and exactly these labels; fails if there is none. */
    double value(String name, String... labelPairs) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            want.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(want))
                .mapToDouble(Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + name + want));
    }

    List<Sample> samples() {
        return samples;
    }
}
