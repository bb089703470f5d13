package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.server.BatonServer;
import io.baton.server.ServerObserver;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rehearsal over loopback sockets hands its clients on from server to server, unseen by the process's
 * server observer, and leaves nothing behind: no event loop, timer or pacer of its servers or clients, so the
 * real server that starts next is alone in the process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackRehearsalTest {

    @Test
    void handsItsClientsOnFromServerToServerAndLeavesNoThreadBehind() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        // A harness's fault halts the process at an instant of a handoff: the rehearsal's are not it. (The
        // kill-source-during-cutover demo halted its source in the rehearsal's first cutover before this.)
        java.util.concurrent.atomic.AtomicInteger observed = new java.util.concurrent.atomic.AtomicInteger();
        BatonServer.observeEveryServer(new ServerObserver() {
            @Override
            public void cutoverFlushed(long index) {
                observed.incrementAndGet();
            }
        });
        LoopbackRehearsal.Outcome o;
        try {
            o = LoopbackRehearsal.run(new ArenaFactory(), 30, 1, 1500);
        } finally {
            BatonServer.observeEveryServer(ServerObserver.NONE);
        }
        assertThat(observed).as("cutovers the process's observer heard of").hasValue(0);
        assertThat(o.completed()).as("rehearsal handoffs completed (of %d)", o.handoffs()).isPositive();
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

    @Test
    void rehearsesOverTlsWhenTheServerServesTls() throws Exception {
        LoopbackRehearsal.Outcome o = LoopbackRehearsal.run(new ArenaFactory(), 30, 1, 1500, true);
        assertThat(o.completed()).as("TLS rehearsal handoffs completed (of %d)", o.handoffs()).isPositive();
    }
}
