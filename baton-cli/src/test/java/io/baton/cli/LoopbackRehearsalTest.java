package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rehearsal over loopback sockets hands its clients on from server to server, and leaves nothing
 * behind: no event loop, timer or pacer of its servers or clients, so the real server that starts next is
 * alone in the process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackRehearsalTest {

    @Test
    void handsItsClientsOnFromServerToServerAndLeavesNoThreadBehind() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        LoopbackRehearsal.Outcome o = LoopbackRehearsal.run(new ArenaFactory(), 30, 1, 1500);
        assertThat(o.handoffs()).isPositive();
        assertThat(o.completed()).as("every rehearsal handoff completes on an idle loopback").isEqualTo(o.handoffs());
        // Event loops end asynchronously after their shutdown returned: wait, boundedly, for them to go.
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.isAlive() && !before.contains(t))
                        // the JVM's own pools, Awaitility's poller, and the one connector thread every server of
                        // the process shares for its life (CoreDriver), which the real server goes on using
                        .filter(t -> !t.getName().startsWith("ForkJoinPool") && !t.getName().startsWith("process reaper")
                                && !t.getName().equals("awaitility-thread") && !t.getName().equals("baton-connector"))
                        .map(Thread::getName).collect(Collectors.toList()))
                .as("threads the rehearsal started and left running").isEmpty());
    }
}
