package io.baton.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ties each record's byte diagram, and its copy in docs/protocol.md, to its offset constants, as
 * {@link FrameLayoutTest} ties the constants (through the codec) to hand-written bytes: together, the
 * diagram a reader trusts is the bytes on the wire.
 */
class FrameDiagramTest {

    private static final Path SOURCE = Path.of("src/main/java/io/baton/wire/Frame.java");
    private static final Path PROTOCOL_MD = Path.of("../docs/protocol.md");

    static Stream<Class<?>> frames() {
        return Arrays.stream(Frame.class.getPermittedSubclasses());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void everyFieldHasItsOffsetOrFollowsAStringAndHasItsLength(Class<?> frame) {
        boolean afterString = false;
        for (RecordComponent c : frame.getRecordComponents()) {
            String constant = snake(c.getName()) + (afterString ? "_FIELD_LENGTH" : "_FIELD_OFFSET");
            assertThat(constants(frame)).as("%s.%s", frame.getSimpleName(), constant).contains(constant);
            afterString |= c.getType() == String.class;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void offsetsGrowInTheOrderOfTheFieldsAndEndAtTheFixedLength(Class<?> frame) throws ReflectiveOperationException {
        List<Integer> offsets = offsets(frame);
        for (int i = 1; i < offsets.size(); i++) {
            assertThat(offsets.get(i)).as("%s field %d", frame.getSimpleName(), i).isGreaterThan(offsets.get(i - 1));
        }
        int fixed = fixedLength(frame);
        assertThat(offsets).allMatch(o -> o <= fixed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void theDiagramsRulerNamesExactlyTheOffsetsAndTheFixedLength(Class<?> frame)
            throws IOException, ReflectiveOperationException {
        String javadoc = Files.readString(SOURCE);
        int at = javadoc.indexOf("    record " + frame.getSimpleName() + "(");
        assertThat(at).as("record %s in %s", frame.getSimpleName(), SOURCE).isPositive();

        assertThat(ruler(javadoc.substring(javadoc.lastIndexOf("<pre>", at))))
                .as("the ruler of %s's diagram", frame.getSimpleName()).containsExactlyElementsOf(expectedRuler(frame));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void protocolMdDrawsTheSameRuler(Class<?> frame) throws IOException, ReflectiveOperationException {
        String doc = Files.readString(PROTOCOL_MD);
        String heading = "#### " + snake(frame.getSimpleName()) + " (";
        int at = doc.indexOf(heading);
        assertThat(at).as("%s in %s", heading, PROTOCOL_MD).isPositive();

        assertThat(ruler(doc.substring(doc.indexOf("```", at))))
                .as("the ruler of %s in protocol.md", heading).containsExactlyElementsOf(expectedRuler(frame));
    }

    private static TreeSet<Integer> expectedRuler(Class<?> frame) throws ReflectiveOperationException {
        TreeSet<Integer> expected = new TreeSet<>(offsets(frame));
        expected.add(fixedLength(frame));
        return expected;
    }

    /**
     * The fixed offsets on the line after the opening of a diagram ({@code <pre>} or a fence), up to the
     * first that depends on a string's length ({@code 26+n}).
     */
    private static List<Integer> ruler(String fromOpening) {
        String line = fromOpening.lines().skip(1).findFirst().orElseThrow();
        List<Integer> ruler = new ArrayList<>();
        Matcher m = Pattern.compile("(\\S+)").matcher(line.replaceFirst("^\\s*\\*", ""));
        while (m.find() && m.group(1).matches("\\d+")) {
            ruler.add(Integer.parseInt(m.group(1)));
        }
        return ruler;
    }

    private static List<Integer> offsets(Class<?> frame) throws ReflectiveOperationException {
        List<Integer> offsets = new ArrayList<>();
        for (RecordComponent c : frame.getRecordComponents()) {
            String name = snake(c.getName()) + "_FIELD_OFFSET";
            if (constants(frame).contains(name)) {
                offsets.add(frame.getDeclaredField(name).getInt(null));
            }
        }
        return offsets;
    }

    /** BODY_LENGTH of a body of fixed fields, HEADER_LENGTH of those before a string or payload, else 0. */
    private static int fixedLength(Class<?> frame) throws ReflectiveOperationException {
        List<String> names = constants(frame);
        if (names.contains("BODY_LENGTH")) {
            return frame.getDeclaredField("BODY_LENGTH").getInt(null);
        }
        return names.contains("HEADER_LENGTH") ? frame.getDeclaredField("HEADER_LENGTH").getInt(null) : 0;
    }

    private static List<String> constants(Class<?> frame) {
        return Arrays.stream(frame.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
                .map(Field::getName).toList();
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
    }
}
