package com.example.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import io.baton.core.HandoffRequest;
import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.SourcePhase;
import io.baton.server.BatonServer;
import io.baton.server.Handoff;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat room handed off live between two servers in this JVM (a source and a standby target, loopback,
 * ephemeral ports), ordered and watched through the Java API, while four clients of the Java SDK chat before,
 * during every phase of, and after it: every message each client sent reaches every client exactly once, in
 * the order sent, and every client sees the room's one order.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatHandoffTest {

    private static final byte[] PEER_SECRET = "an example's peer secret, 32 B+".getBytes(StandardCharsets.US_ASCII);
    private static final int CLIENTS = 4;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T resource) {
        open.add(resource);
        return resource;
    }

    /** One chatter: what it said, in order, and everything the room told it, in order. */
    private static final class Chatter {
        BatonClient client;
        final List<String> said = new ArrayList<>();
        final List<Chat.Event> heard = new CopyOnWriteArrayList<>();
        final List<LifecycleListener.Event> lifecycle = new CopyOnWriteArrayList<>();

        synchronized void say(String text) {
            said.add(text);
            client.send(Chat.say(text));
        }

        List<Chat.Message> messages() {
            return heard.stream().filter(e -> e instanceof Chat.Message).map(e -> (Chat.Message) e)
                    .collect(Collectors.toList());
        }
    }

    @Test
    void everyMessageReachesEveryClientExactlyOnceInOrderAcrossALiveHandoff() throws Exception {
        ServerConfig cfg = ServerConfig.defaults(new ChatRoom.Factory(), new ServiceConfig(30, Map.of()), PEER_SECRET);
        // No admin API (port -1): the Java API alone orders the handoff.
        BatonServer source = opened(BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", -1,
                null, false)));
        BatonServer target = opened(BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", -1,
                null, true)));
        ClientRuntime runtime = opened(ClientRuntime.create(1));

        List<Chatter> chatters = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Chatter c = new Chatter();
            c.client = opened(runtime.connect(ClientOptions.builder("127.0.0.1", source.clientPort())
                    .lifecycle((event, detail) -> c.lifecycle.add(event)).build(),
                    bytes -> c.heard.add(Chat.decode(bytes))).get(10, TimeUnit.SECONDS));
            chatters.add(c);
        }
        // Everyone is in and has seen everyone come in before anything is said: then every message said reaches all.
        for (int i = 0; i < CLIENTS; i++) {
            chatters.get(i).client.send(Chat.name("chatter-" + i));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> chatters.stream().allMatch(c -> c.heard.stream()
                .filter(e -> e instanceof Chat.Joined j && j.name().startsWith("chatter-")).count() >= CLIENTS));

        round(chatters, "before", 20);
        List<SourcePhase> phases = new CopyOnWriteArrayList<>();
        Handoff handoff = source.handoff(HandoffRequest.toAdvertised("127.0.0.1", target.peerPort(), Frame.Mode.LIVE))
                .get(10, TimeUnit.SECONDS)
                .onProgress(p -> {
                    phases.add(p.phase());
                    round(chatters, p.phase().name(), 5); // something said in every phase of the handoff
                });
        Handoff.Outcome outcome = handoff.outcome().get(30, TimeUnit.SECONDS);
        assertThat(outcome.result()).as("the handoff's outcome (%s)", outcome.reason()).isEqualTo(Handoff.Result.COMPLETED);
        assertThat(phases).contains(SourcePhase.TRANSFERRING, SourcePhase.REDIRECTING, SourcePhase.CUTTING_OVER,
                SourcePhase.DRAINING, SourcePhase.DONE);
        assertThat(target.status().get(5, TimeUnit.SECONDS).role()).isEqualTo(Role.AUTHORITY);
        round(chatters, "after", 20);

        int total = chatters.stream().mapToInt(c -> c.said.size()).sum();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> chatters.stream()
                .allMatch(c -> c.messages().size() >= total));
        List<Chat.Message> order = chatters.get(0).messages();
        for (Chatter c : chatters) {
            List<Chat.Message> heard = c.messages();
            assertThat(heard).as("what %s heard: the room's one order, nothing lost or doubled", c.client.sessionId())
                    .isEqualTo(order);
            assertThat(c.lifecycle).as("the SDK followed the session to the target").contains(
                    LifecycleListener.Event.SWITCHED);
            for (Chatter sender : chatters) {
                assertThat(heard.stream().filter(m -> m.from() == sender.client.sessionId()).map(Chat.Message::text)
                        .collect(Collectors.toList())).as("what %s said, as %s heard it", sender.client.sessionId(),
                        c.client.sessionId()).isEqualTo(sender.said);
            }
        }
        assertThat(order).extracting(Chat.Message::number).as("numbered from 0 without a gap")
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, total).boxed().toList());
        assertThat(order).noneMatch(Chat.Message::history);
    }

    @Test
    void aLateComerIsToldWhoIsInAndTheBoundedHistory() throws Exception {
        ServerConfig cfg = ServerConfig.defaults(new ChatRoom.Factory(), new ServiceConfig(30, Map.of("history", "3")),
                PEER_SECRET);
        BatonServer server = opened(BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, -1, "127.0.0.1", -1,
                null, false)));
        ClientRuntime runtime = opened(ClientRuntime.create(1));
        Chatter first = new Chatter();
        first.client = opened(runtime.connect(ClientOptions.builder("127.0.0.1", server.clientPort()).build(),
                bytes -> first.heard.add(Chat.decode(bytes))).get(10, TimeUnit.SECONDS));
        first.client.send(Chat.name("ada"));
        for (int i = 0; i < 5; i++) {
            first.say("line " + i);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> first.messages().size() == 5);

        Chatter late = new Chatter();
        late.client = opened(runtime.connect(ClientOptions.builder("127.0.0.1", server.clientPort()).build(),
                bytes -> late.heard.add(Chat.decode(bytes))).get(10, TimeUnit.SECONDS));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> late.heard.size() >= 6);

        assertThat(late.heard.get(0)).isEqualTo(new Chat.Welcome(late.client.sessionId()));
        assertThat(late.heard.get(1)).isEqualTo(new Chat.Joined(first.client.sessionId(), "ada"));
        assertThat(late.messages()).extracting(Chat.Message::text).containsExactly("line 2", "line 3", "line 4");
        assertThat(late.messages()).allMatch(Chat.Message::history);
        assertThat(late.heard.get(5)).isInstanceOf(Chat.Joined.class)
                .matches(e -> ((Chat.Joined) e).session() == late.client.sessionId());
        late.client.close();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> first.heard.contains(new Chat.Left(late.client.sessionId())));
    }

    private static void round(List<Chatter> chatters, String when, int each) {
        for (int n = 0; n < each; n++) {
            for (Chatter c : chatters) {
                c.say(when + " " + n + " from " + c.client.sessionId());
            }
        }
    }
}
