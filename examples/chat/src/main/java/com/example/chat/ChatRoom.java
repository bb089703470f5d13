package com.example.chat;

import io.baton.service.Context;
import io.baton.service.Hash64;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import io.baton.service.UnsupportedSchemaException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

// README:BEGIN (README.md shows the code from here to README:END; ReadmeServiceExampleTest keeps them equal)
/**
 * A chat room: who is in (presence) and the last messages said (history, bounded), told to everyone as it
 * happens. Deterministic, as Baton requires: time and randomness come only from the {@link Context}.
 */
public final class ChatRoom implements Service {
    private final int historyLimit;   // messages remembered for those who come in later
    private final int maxTextBytes;   // a longer message is refused
    private final TreeMap<Long, String> present = new TreeMap<>();   // session -> name
    private final ArrayDeque<Chat.Message> history = new ArrayDeque<>(); // oldest first, at most historyLimit
    private long said;                // messages said in this room, ever: the next one's number
    private long presentSum;          // the digest's parts, kept as the state changes:
    private long historySum;          // a sum over what is present and what is remembered

    ChatRoom(int historyLimit, int maxTextBytes) {
        this.historyLimit = historyLimit;
        this.maxTextBytes = maxTextBytes;
    }

    @Override public int schemaVersion() { return 1; }

    @Override public void onSessionOpened(long s, Context ctx) {
        ctx.send(s, Chat.encode(new Chat.Welcome(s)));
        present.forEach((other, name) -> ctx.send(s, Chat.encode(new Chat.Joined(other, name))));
        for (Chat.Message m : history) {
            ctx.send(s, Chat.encode(new Chat.Message(m.number(), m.atMillis(), m.from(), m.name(), m.text(), true)));
        }
        enter(s, "guest-" + Integer.toHexString(ctx.random().nextInt(1 << 16)), ctx); // randomness from the runtime
    }

    @Override public void onInput(long s, byte[] in, Context ctx) {
        String text = in.length == 0 ? null : Chat.text(in);
        if (text == null || (in[0] != 'S' && in[0] != 'N')) {
            ctx.send(s, Chat.encode(new Chat.Refused("not an input of the chat room: 'S' text or 'N' name, in UTF-8")));
        } else if (in.length - 1 > (in[0] == 'N' ? 64 : maxTextBytes)) {
            ctx.send(s, Chat.encode(new Chat.Refused("too long: " + (in.length - 1) + " bytes, at most "
                    + (in[0] == 'N' ? 64 : maxTextBytes))));
        } else if (in[0] == 'N') {
            presentSum -= presence(s, present.get(s));
            enter(s, text, ctx);
        } else {
            Chat.Message m = new Chat.Message(said++, ctx.timeMillis(), s, present.get(s), text, false);
            byte[] out = Chat.encode(m);
            present.keySet().forEach(to -> ctx.send(to, out)); // one array for all: the runtime shares it
            history.addLast(m);
            historySum += remembered(m);
            if (history.size() > historyLimit) {
                historySum -= remembered(history.removeFirst());
            }
        }
    }

    @Override public void onTick(Context ctx) { } // a chat room has nothing to do between messages

    @Override public void onSessionClosed(long s, Context ctx) {
        presentSum -= presence(s, present.remove(s));
        byte[] out = Chat.encode(new Chat.Left(s));
        present.keySet().forEach(to -> ctx.send(to, out));
    }

    private void enter(long s, String name, Context ctx) {
        present.put(s, name);
        presentSum += presence(s, name);
        byte[] out = Chat.encode(new Chat.Joined(s, name));
        present.keySet().forEach(to -> ctx.send(to, out));
    }

    private static long presence(long s, String name) {
        return Hash64.mix(Hash64.hash(s, name.getBytes(StandardCharsets.UTF_8)), 'J');
    }

    private static long remembered(Chat.Message m) {
        long h = Hash64.mix(Hash64.mix(Hash64.mix(m.number(), m.atMillis()), m.from()),
                Hash64.hash(0, m.name().getBytes(StandardCharsets.UTF_8)));
        return Hash64.hash(h, m.text().getBytes(StandardCharsets.UTF_8));
    }

    /** Incremental: the sums change with each event, so this is O(1), not a pass over the state. */
    @Override public long digest() {
        return Hash64.mix(Hash64.mix(Hash64.mix(said, presentSum), historySum), historyLimit);
    }

    /**
     * Cheap: copies references only (messages are immutable records; the state is bounded by the history limit
     * and the sessions present); the bytes are written later, possibly on another thread.
     */
    @Override public Snapshot snapshot() {
        Map<Long, String> who = new TreeMap<>(present);
        List<Chat.Message> kept = new ArrayList<>(history);
        long count = said;
        return new Snapshot() {
            @Override public InputStream open() {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    out.writeInt(historyLimit);
                    out.writeInt(maxTextBytes);
                    out.writeLong(count);
                    out.writeInt(who.size());
                    for (var e : who.entrySet()) {
                        out.writeLong(e.getKey());
                        out.writeUTF(e.getValue());
                    }
                    out.writeInt(kept.size());
                    for (Chat.Message m : kept) {
                        out.writeLong(m.number());
                        out.writeLong(m.atMillis());
                        out.writeLong(m.from());
                        out.writeUTF(m.name());
                        out.writeUTF(m.text());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // into memory: cannot happen
                }
                return new java.io.ByteArrayInputStream(bytes.toByteArray());
            }

            @Override public long size() { return -1; }
        };
    }

    /**
     * Registered in META-INF/services/io.baton.service.ServiceFactory; picked with --service chat. Options:
     * {@code --opt history=N} (messages remembered, default 100) and {@code --opt max-text-bytes=N} (default 1000).
     */
    public static final class Factory implements ServiceFactory {
        @Override public String name() { return "chat"; }
        @Override public int schemaVersion() { return 1; }

        @Override public Service create(ServiceConfig config) {
            return new ChatRoom(option(config, "history", 100, 10_000), option(config, "max-text-bytes", 1000, 60_000));
        }

        /** The limits travel with the state, so a target replays every event under the source's rules. */
        @Override public Service restore(ServiceConfig config, int version, InputStream in) throws IOException {
            if (version != 1) {
                throw new UnsupportedSchemaException(name(), version, schemaVersion());
            }
            DataInputStream d = new DataInputStream(in);
            int historyLimit = d.readInt();
            int maxTextBytes = d.readInt();
            if (historyLimit < 1 || historyLimit > 10_000 || maxTextBytes < 1 || maxTextBytes > 60_000) {
                throw new IOException("not a chat room's snapshot: limits " + historyLimit + ", " + maxTextBytes);
            }
            ChatRoom room = new ChatRoom(historyLimit, maxTextBytes);
            room.said = d.readLong();
            for (int i = d.readInt(); i > 0; i--) {
                long s = d.readLong();
                String name = d.readUTF();
                room.present.put(s, name);
                room.presentSum += presence(s, name);
            }
            for (int i = d.readInt(); i > 0; i--) {
                Chat.Message m = new Chat.Message(d.readLong(), d.readLong(), d.readLong(), d.readUTF(), d.readUTF(), false);
                room.history.addLast(m);
                room.historySum += remembered(m);
            }
            return room;
        }

        @Override public byte[] sampleInput(java.util.random.RandomGenerator random) {
            return Chat.say("hello " + random.nextInt(1000));
        }

        private static int option(ServiceConfig config, String key, int defaultValue, int most) {
            long v = config.longOption(key, defaultValue);
            if (v < 1 || v > most) {
                throw new IllegalArgumentException("--opt " + key + "=" + v + " is out of range: give 1 to " + most
                        + " (default " + defaultValue + ")");
            }
            return (int) v;
        }
    }
}
// README:END
