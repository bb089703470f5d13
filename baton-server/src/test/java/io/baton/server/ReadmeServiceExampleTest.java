package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's service example is real code: what the README shows is examples/chat's room, verbatim; and a
 * service registered as the README says ({@link Counter}) is found by name through the service loader and rides
 * a live handoff between two servers with every byte counted exactly once and every tick's output delivered once,
 * in order.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadmeServiceExampleTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    /**
     * The README's service is the example project's room, examples/chat (its own Maven project, built and tested
     * against the installed artifacts by .ci/run): the code between its markers, verbatim.
     */
    @Test
    void readmeShowsTheChatRoomOfTheExampleProjectVerbatim() throws IOException {
        String source = Files.readString(Path.of("../examples/chat/src/main/java/com/example/chat/ChatRoom.java"));
        Matcher between = Pattern.compile("// README:BEGIN[^\\n]*\\n(.*?)// README:END", Pattern.DOTALL).matcher(source);
        assertThat(between.find()).as("ChatRoom.java has its README markers").isTrue();
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("README.md shows examples/chat's ChatRoom.java between its markers")
                .contains("```java\n" + between.group(1) + "```\n");
    }

    @Test
    void counterIsFoundByNameAndCountsEveryByteOnceAcrossAHandoff() throws Exception {
        ServiceFactory counter = ServiceLoader.load(ServiceFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("counter")).findFirst().orElseThrow();
        ServerConfig cfg = ServerConfig.defaults(counter, new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        BatonServer source = env.start(cfg, false);
        BatonServer target = env.start(cfg, true);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));

        List<Player> players = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Player p = new Player();
            p.client = env.add(runtime.connect(ClientOptions.builder("127.0.0.1", source.clientPort()).build(),
                    p.updates::add).get(5, TimeUnit.SECONDS));
            players.add(p);
        }
        for (int round = 0; round < 20; round++) {
            for (Player p : players) {
                p.send(round);
            }
        }
        TestServers.handOff(source, target);
        for (int round = 20; round < 40; round++) {
            for (Player p : players) {
                p.send(round);
            }
        }

        TestServers.await(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (Player p : players) {
                assertThat(p.lastCount()).isEqualTo(p.bytesSent);
            }
        });
        for (Player p : players) {
            p.assertConsecutiveTicks();
        }
    }

    /** One client: what it sent, and every update the service told it. */
    private static final class Player {
        BatonClient client;
        long bytesSent;
        final List<byte[]> updates = new CopyOnWriteArrayList<>();

        void send(int round) {
            byte[] payload = ("move " + round).getBytes(StandardCharsets.US_ASCII);
            client.send(payload);
            bytesSent += payload.length;
        }

        long lastCount() {
            return updates.isEmpty() ? -1 : ByteBuffer.wrap(updates.get(updates.size() - 1)).getLong(8);
        }

        /** One update per tick, none lost or doubled, through the handoff. */
        void assertConsecutiveTicks() {
            long previous = ByteBuffer.wrap(updates.get(0)).getLong(0);
            for (byte[] u : updates.subList(1, updates.size())) {
                long tick = ByteBuffer.wrap(u).getLong(0);
                assertThat(tick).isEqualTo(previous + 1);
                previous = tick;
            }
        }
    }
}
