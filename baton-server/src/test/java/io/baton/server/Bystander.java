package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaProtocol;
import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An innocent session on a real {@link BatonClient}: it records every arena update and lifecycle event,
 * and sends moves on demand, or one after each update it receives.
 */
final class Bystander implements AutoCloseable {

    private final List<ArenaProtocol.Update> updates = new CopyOnWriteArrayList<>();
    private final List<String> undecodable = new CopyOnWriteArrayList<>();
    private final List<LifecycleListener.Event> events = new CopyOnWriteArrayList<>();
    private final AtomicReference<BatonClient> client = new AtomicReference<>();
    private final AtomicBoolean movePerUpdate = new AtomicBoolean();
    private final AtomicLong lastInputId = new AtomicLong();

    private Bystander() {
    }

    static Bystander connect(ClientRuntime runtime, int port) throws Exception {
        return connect(runtime, ClientOptions.builder("127.0.0.1", port), List.of());
    }

    /** A bystander speaking the client-link versions {@code versions} (docs/protocol.md, Versions). */
    static Bystander connect(ClientRuntime runtime, int port, io.baton.wire.VersionRange versions) throws Exception {
        return connect(runtime, ClientOptions.builder("127.0.0.1", port).versions(versions), List.of());
    }

    /** A bystander over Baton over WebSocket, at the server's client port. */
    static Bystander connectWebSocket(ClientRuntime runtime, int port) throws Exception {
        return connect(runtime, ClientOptions.builder("ws://127.0.0.1:" + port + "/baton"), List.of());
    }

    /** Over TLS when {@code trust} is not empty. */
    static Bystander connect(ClientRuntime runtime, int port, List<java.security.cert.X509Certificate> trust)
            throws Exception {
        return connect(runtime, ClientOptions.builder("127.0.0.1", port), trust);
    }

    private static Bystander connect(ClientRuntime runtime, ClientOptions.Builder builder,
                                     List<java.security.cert.X509Certificate> trust) throws Exception {
        Bystander b = new Bystander();
        ClientOptions options = builder
                .trust(trust)
                .resumeWindow(Duration.ofSeconds(10))
                .lifecycle((event, detail) -> b.events.add(event))
                .build();
        b.client.set(runtime.connect(options, b::onMessage).get(5, TimeUnit.SECONDS));
        return b;
    }

    private void onMessage(byte[] payload) {
        try {
            updates.add(ArenaProtocol.decodeUpdate(payload));
        } catch (IllegalArgumentException e) {
            undecodable.add(e.getMessage());
        }
        if (movePerUpdate.get() && client.get() != null) {
            sendMove();
        }
    }

    long sessionId() {
        return client.get().sessionId();
    }

    /** Sends the next MOVE; returns its input id (1, 2, 3...). */
    long sendMove() {
        long id = lastInputId.incrementAndGet();
        client.get().send(ArenaProtocol.move(id, 1, -1));
        return id;
    }

    long lastInputId() {
        return lastInputId.get();
    }

    /** While on, every update received is answered with a MOVE from the client's own thread. */
    void movePerUpdate(boolean on) {
        movePerUpdate.set(on);
    }

    int updateCount() {
        return updates.size();
    }

    List<LifecycleListener.Event> events() {
        return List.copyOf(events);
    }

    /** Waits until {@code more} updates arrived beyond the first {@code seen}. */
    void awaitUpdatesBeyond(int seen, int more) {
        TestServers.await(Duration.ofSeconds(5)).until(() -> updates.size() >= seen + more);
    }

    /** Waits for an update that reports at least {@code n} of this session's inputs applied. */
    void awaitInputsApplied(long n) {
        TestServers.await(Duration.ofSeconds(5)).until(() ->
                !updates.isEmpty() && updates.get(updates.size() - 1).inputsApplied() >= n);
    }

    /** Every update decoded, one per tick, with no tick missing or repeated. */
    void assertConsecutiveTicks() {
        assertThat(undecodable).as("outputs that are not arena updates").isEmpty();
        List<ArenaProtocol.Update> copy = List.copyOf(updates);
        assertThat(copy).isNotEmpty();
        long first = copy.get(0).tick();
        for (int i = 0; i < copy.size(); i++) {
            long tick = copy.get(i).tick();
            assertThat(tick).as("tick of update #%d of session %d (previous %s)", i, sessionId(),
                    i == 0 ? "none" : copy.get(i - 1).tick()).isEqualTo(first + i);
        }
    }

    /** The input ids the service reported applied, in the order it applied them. */
    List<Long> appliedInputIds() {
        List<Long> ids = new ArrayList<>();
        for (ArenaProtocol.Update u : updates) {
            for (long id : u.inputIds()) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Override
    public void close() {
        BatonClient c = client.get();
        if (c != null) {
            c.close();
        }
    }
}
