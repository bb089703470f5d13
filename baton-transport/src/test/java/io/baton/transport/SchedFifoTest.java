package io.baton.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedFifoTest {

    private static final Path SELF = Path.of("/proc/thread-self/stat");

    /** Root with util-linux chrt may change its threads' policy: there, being refused is a failure. */
    private static boolean mayRaise() throws IOException {
        boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
        boolean chrt = List.of("/usr/bin/chrt", "/bin/chrt").stream().anyMatch(p -> Files.isExecutable(Path.of(p)));
        return root && chrt;
    }

    /** Runs {@code body} on a thread of its own, so that no test thread is left under SCHED_FIFO. */
    private static <T> T onFreshThread(java.util.concurrent.Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        return result.get(30, TimeUnit.SECONDS);
    }

    @Test
    void entersFifoWhereAllowedAndWhatItStartsDoesNotInheritIt() throws Exception {
        List<Object> seen = onFreshThread(() -> {
            int before = SchedFifo.policy(SELF);
            String reason = SchedFifo.enter(10);
            int after = SchedFifo.policy(SELF);
            CompletableFuture<Integer> child = new CompletableFuture<>();
            Thread c = new Thread(() -> child.complete(SchedFifo.policy(SELF)));
            c.start();
            return List.of(before, reason == null ? "" : reason, after, child.get(10, TimeUnit.SECONDS));
        });
        assertThat(seen.get(0)).as("policy before").isEqualTo(0);
        if (mayRaise()) {
            assertThat(seen.get(1)).as("refusal").isEqualTo("");
            assertThat(seen.get(2)).as("policy after").isEqualTo(SchedFifo.POLICY_FIFO);
        } else {
            assertThat((String) seen.get(1)).as("refusal").isNotBlank();
            assertThat(seen.get(2)).as("policy after a refusal").isEqualTo(0);
        }
        assertThat(seen.get(3)).as("a thread it started (reset on fork)").isEqualTo(0);
    }

    @Test
    void aMissingChrtIsReportedAndTheThreadCarriesOnAsItWas() throws Exception {
        List<Object> seen = onFreshThread(() -> List.of(SchedFifo.enter(10, "/nonexistent/chrt"), SchedFifo.policy(SELF)));
        assertThat((String) seen.get(0)).startsWith("cannot run /nonexistent/chrt");
        assertThat(seen.get(1)).isEqualTo(0);
    }

    @Test
    void prioritiesOutsideOneTo99AreRefused() {
        assertThatThrownBy(() -> SchedFifo.enter(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 99");
        assertThatThrownBy(() -> SchedFifo.enter(100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Transport.realtime(-1, r -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePolicyIsReadPastANameHoldingSpacesAndParentheses(@TempDir Path dir) throws IOException {
        StringBuilder stat = new StringBuilder("4242 (a) (b c) S");
        for (int field = 4; field <= 52; field++) {
            stat.append(' ').append(field == 41 ? 1 : field);
        }
        Path file = dir.resolve("stat");
        Files.writeString(file, stat + "\n");
        assertThat(SchedFifo.policy(file)).isEqualTo(1);
        assertThat(SchedFifo.policy(dir.resolve("missing"))).isEqualTo(-1);
    }

    @Test
    void aRealtimeGroupRunsItsTasksUnderFifoOrSaysWhyNot() throws Exception {
        List<String> refusals = new CopyOnWriteArrayList<>();
        EventLoopGroup group = Transport.group(1, "fifo-test", Thread.MAX_PRIORITY, 10, refusals::add);
        try {
            int policy = group.submit(() -> SchedFifo.policy(SELF)).get(30, TimeUnit.SECONDS);
            if (mayRaise()) {
                assertThat(refusals).isEmpty();
                assertThat(policy).isEqualTo(SchedFifo.POLICY_FIFO);
            } else {
                assertThat(refusals).hasSize(1);
                assertThat(policy).isEqualTo(0);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
