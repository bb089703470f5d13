package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.harness.Play;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./baton play} on real processes: two handoffs, there and back, the retired source restarted as the
 * next standby on its own port in between, and the Java bots verify clean at the end.
 */
class PlaySystemTest {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void handsOffThereAndBackOnTheSameTwoPortsWithTheBotsVerifyingClean() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        // Stdin that stays open and silent: the handoffs come from --every, the end from --handoffs.
        try (PipedOutputStream keyboard = new PipedOutputStream();
             PipedInputStream in = new PipedInputStream(keyboard);
             PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            Play.Settings settings = new Play.Settings(new int[] {0, 0}, 4, 30, 10, Duration.ofSeconds(1), 2, "live");
            boolean ok = Play.run(settings, Main.class, in, out);
            String text = printed.toString(StandardCharsets.UTF_8);
            assertThat(text).containsPattern("Open http://127\\.0\\.0\\.1:\\d+/ in a browser");
            assertThat(text).containsPattern("handoff 1: server-a \\(port (\\d+)\\) -> server-b \\(port \\d+\\): completed");
            assertThat(text).containsPattern("handoff 2: server-b \\(port \\d+\\) -> server-a-3 \\(port \\d+\\): completed");
            assertThat(text).contains("bots verified clean");
            assertThat(ok).as(text).isTrue();
        }
    }

    @Test
    void everyTakesSecondsMillisecondsMinutesOrZeroAndSaysWhatItWantsOtherwise() {
        assertThat(PlayCommand.duration("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(PlayCommand.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(PlayCommand.duration("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(PlayCommand.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(PlayCommand.duration("0")).isZero();
        assertThatThrownBy(() -> PlayCommand.duration("soon")).hasMessageContaining("give it as 20s, 1500ms, 2m");
    }
}
