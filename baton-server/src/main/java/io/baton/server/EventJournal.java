package io.baton.server;

import io.baton.service.Hash64;
import io.baton.wire.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A diagnostic record of what a server applied, kept so that two servers' histories can be compared after
 * the fact, even when one was killed: which event went at which log index, how far the server had let
 * the effects of its events out (released them), and the digest it cut over with.
 *
 * <p>Used by {@code ./baton demo} to compute {@code diverged} on real processes. The file is written with
 * plain {@code write} calls, at most {@link #FLUSH_EVERY_NANOS} apart, so a {@code kill -9} loses at most
 * the last few milliseconds of it (the kernel keeps what was written); a comparison covers the indices
 * both files hold.
 *
 * <p>Format: a sequence of 17-byte little-endian records {@code [kind u8][a i64][b i64]}: {@code 'E'} an
 * event (a = log index, b = hash of kind, session, sequence and payload); {@code 'R'} released through
 * index a; {@code 'C'} cut over at index a with state digest b.
 */
public final class EventJournal implements AutoCloseable {

    static final long FLUSH_EVERY_NANOS = 2_000_000L;
    private static final int RECORD = 17;

    private final FileChannel file;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(RECORD * 4096).order(ByteOrder.LITTLE_ENDIAN);
    private long released;
    private long flushedAt;

    private EventJournal(FileChannel file) {
        this.file = file;
    }

    /** Creates (or truncates) a journal at {@code path}. */
    public static EventJournal create(Path path) throws IOException {
        return new EventJournal(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** The identity of one event: equal events hash equal, whichever server applied them. */
    static long eventHash(Frame.EventKind kind, long sessionId, long seq, byte[] payload) {
        long h = Hash64.mix(Hash64.mix(Hash64.mix(0xE7E47L, kind.ordinal()), sessionId), seq);
        return Hash64.hash(h, payload);
    }

    void applied(long index, Frame.EventKind kind, long sessionId, long seq, byte[] payload) {
        put('E', index, eventHash(kind, sessionId, seq, payload));
    }

    /** Cut over at {@code index} with {@code digest}: written through at once, before the CUTOVER frame leaves. */
    void cutover(long index, long digest) {
        put('C', index, digest);
        write();
    }

    /** After a burst of work: notes how far this server has released, and writes out if it is time. */
    void afterBatch(long releasedIndex, long now) {
        if (releasedIndex > released) {
            released = releasedIndex;
            put('R', releasedIndex, 0);
        }
        if (buffer.position() > 0 && now - flushedAt >= FLUSH_EVERY_NANOS) {
            write();
            flushedAt = now;
        }
    }

    private void put(char kind, long a, long b) {
        if (buffer.remaining() < RECORD) {
            write();
        }
        buffer.put((byte) kind).putLong(a).putLong(b);
    }

    private void write() {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                file.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the event journal", e);
        } finally {
            buffer.clear();
        }
    }

    @Override
    public void close() throws IOException {
        write();
        file.close();
    }

    /** One server's journal as read back: event hashes by index, the last released index, the cutover. */
    public record History(Map<Long, Long> events, long released, long cutIndex, long cutDigest) {

        /** Reads a journal; a record cut short by a kill at the end of the file is ignored. */
        public static History read(Path path) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
            Map<Long, Long> events = new HashMap<>();
            long released = 0;
            long cutIndex = 0;
            long cutDigest = 0;
            while (b.remaining() >= RECORD) {
                char kind = (char) b.get();
                long a = b.getLong();
                long v = b.getLong();
                switch (kind) {
                    case 'E' -> events.put(a, v);
                    case 'R' -> released = Math.max(released, a);
                    case 'C' -> {
                        cutIndex = a;
                        cutDigest = v;
                    }
                    default -> throw new IOException(path + ": not an event journal (record kind " + (int) kind + ")");
                }
            }
            return new History(events, released, cutIndex, cutDigest);
        }
    }

    /**
     * How two servers' histories compare over the indices both released: {@code divergent} counts the
     * indices where they let out the effects of different events (the two-authority failure), {@code
     * compared} how many indices were checked.
     */
    public record Comparison(long compared, long divergent, long firstDivergentIndex) {

        public static Comparison of(History a, History b) {
            long upTo = Math.min(a.released(), b.released());
            long compared = 0;
            long divergent = 0;
            long first = 0;
            for (Map.Entry<Long, Long> e : a.events().entrySet()) {
                long index = e.getKey();
                Long other = index <= upTo ? b.events().get(index) : null;
                if (other != null) {
                    compared++;
                    if (!other.equals(e.getValue())) {
                        divergent++;
                        first = first == 0 ? index : Math.min(first, index);
                    }
                }
            }
            return new Comparison(compared, divergent, first);
        }
    }
}
