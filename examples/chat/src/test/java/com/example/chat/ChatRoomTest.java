package com.example.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.service.Context;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The room without a server, as the runtime drives it: events in order with a context of its own. The same
 * events give the same outputs and digest; a restored snapshot continues exactly where the room was.
 */
class ChatRoomTest {

    /** What the runtime hands the service for one event, recording what it sends. */
    private static final class Recorder implements Context {
        long index;
        final List<String> sent = new ArrayList<>();

        @Override public long logIndex() { return index; }
        @Override public long tick() { return index / 3; }
        @Override public int tickHz() { return 30; }
        @Override public long timeMillis() { return tick() * 33; }
        @Override public RandomGenerator random() { return new SplittableRandom(index); }
        @Override public void send(long session, byte[] payload) { sent.add(session + ":" + Chat.decode(payload)); }
    }

    private static final ServiceConfig CONFIG = new ServiceConfig(30, Map.of("history", "4"));

    /** A script of events: sessions 1..3 come, rename, chat, one leaves. */
    private static void play(Service room, Recorder ctx, int from, int to) {
        for (int i = from; i < to; i++) {
            ctx.index = i + 1;
            long s = 1 + i % 3;
            if (i < 3) {
                room.onSessionOpened(s, ctx);
            } else if (i < 6) {
                room.onInput(s, Chat.name("n" + s), ctx);
            } else if (i == 20) {
                room.onSessionClosed(2, ctx);
            } else if (i % 5 == 0) {
                room.onTick(ctx);
            } else if (!(i > 20 && s == 2)) {
                room.onInput(s, Chat.say("m" + i), ctx);
            }
        }
    }

    @Test
    void theSameEventsGiveTheSameOutputsAndDigest() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Service one = new ChatRoom.Factory().create(CONFIG);
        Service two = new ChatRoom.Factory().create(CONFIG);
        play(one, a, 0, 40);
        play(two, b, 0, 40);
        assertThat(a.sent).isEqualTo(b.sent).isNotEmpty();
        assertThat(one.digest()).isEqualTo(two.digest());
    }

    @Test
    void aRestoredSnapshotContinuesExactlyWhereTheRoomWas() throws IOException {
        Service original = new ChatRoom.Factory().create(CONFIG);
        Recorder before = new Recorder();
        play(original, before, 0, 25);
        Service restored = new ChatRoom.Factory().restore(CONFIG, 1, original.snapshot().open());
        assertThat(restored.digest()).isEqualTo(original.digest());

        Recorder a = new Recorder();
        Recorder b = new Recorder();
        play(original, a, 25, 40);
        play(restored, b, 25, 40);
        assertThat(b.sent).isEqualTo(a.sent).isNotEmpty();
        assertThat(restored.digest()).isEqualTo(original.digest());
    }

    @Test
    void theDigestTellsRoomsApartThatDiffer() {
        Service one = new ChatRoom.Factory().create(CONFIG);
        Service two = new ChatRoom.Factory().create(CONFIG);
        play(one, new Recorder(), 0, 30);
        play(two, new Recorder(), 0, 29);
        assertThat(one.digest()).isNotEqualTo(two.digest());
    }

    @Test
    void aNewcomerIsToldWhoIsInAndOnlyTheLastMessagesOfTheBoundedHistory() {
        Service room = new ChatRoom.Factory().create(CONFIG);
        Recorder ctx = new Recorder();
        play(room, ctx, 0, 40);
        ctx.sent.clear();
        ctx.index = 41;
        room.onSessionOpened(9, ctx);
        List<String> toNewcomer = ctx.sent.stream().filter(l -> l.startsWith("9:")).toList();
        assertThat(toNewcomer.get(0)).isEqualTo("9:" + new Chat.Welcome(9));
        assertThat(toNewcomer).filteredOn(l -> l.contains("Message[")).hasSize(4).allMatch(l -> l.contains("history=true"));
        assertThat(toNewcomer).filteredOn(l -> l.contains("Joined[session=1, name=n1]")).hasSize(1);
        assertThat(toNewcomer).noneMatch(l -> l.contains("Joined[session=2,"));
    }

    @Test
    void anInputThatIsNotTheRoomsIsRefusedToItsSenderAlone() {
        Service room = new ChatRoom.Factory().create(CONFIG);
        Recorder ctx = new Recorder();
        play(room, ctx, 0, 3);
        long before = room.digest();
        ctx.sent.clear();
        room.onInput(1, new byte[] {'X', 'y'}, ctx);
        room.onInput(1, Chat.say("x".repeat(1001)), ctx);
        assertThat(ctx.sent).hasSize(2).allMatch(l -> l.startsWith("1:Refused["));
        assertThat(room.digest()).isEqualTo(before);
    }
}
