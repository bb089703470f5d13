package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.ClientRuntime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seam a harness strikes through: what the servers of a process tell the observer installed for them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerObserverTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        BatonServer.observeEveryServer(ServerObserver.NONE);
        env.close();
    }

    @Test
    void theSourceTellsOfItsFlushedCutoverOnceWithTheIndexItCutAt() throws Exception {
        List<Long> heard = new CopyOnWriteArrayList<>();
        BatonServer.observeEveryServer(new ServerObserver() {
            @Override
            public void cutoverFlushed(long index) {
                heard.add(index);
            }
        });
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander a = env.add(Bystander.connect(runtime, source.clientPort()));
        a.awaitUpdatesBeyond(0, 5);

        TestServers.handOff(source, target);

        long cut = TestServers.status(source).cutoverIndex();
        assertThat(cut).isPositive();
        assertThat(heard).as("the source once; the target sends no CUTOVER").containsExactly(cut);
    }
}
