package io.baton.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.baton.arena.ArenaFactory;
import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.TargetPhase;
import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary bytes where a state is restored: a save file ({@code ServerCore.restore}), the arena's own
 * snapshot ({@code ArenaFactory.restore}), and a snapshot arriving over an authenticated peer link. Each
 * must end in a restored state or a clean refusal (an IOException, UnsupportedSchemaException among them,
 * not caused by a runtime exception or by running out of memory; on the peer link, an ERROR and a clean
 * standby), within a timeout, and allocate at most a fixed amount plus a multiple of the input: a length
 * field must never make a few bytes cost gigabytes.
 */
class RestoreFuzzTest {

    /**
     * A core, a service and the bookkeeping of a restore, and what the formats' own caps allow a header
     * to ask for before any data (the arena's page table, up to 2^20 references); far below what an
     * unchecked length field asks for.
     */
    private static final long FIXED_BUDGET = 16L << 20;
    private static final long BUDGET_PER_BYTE = 8;
    /** Snapshot bytes per SNAPSHOT_CHUNK in the peer-link target: several chunks even for small inputs. */
    private static final int CHUNK = 1024;

    private static long budget(byte[] input) {
        return FIXED_BUDGET + BUDGET_PER_BYTE * input.length;
    }

    /** The whole input is a save file for a standby hosting the arena. */
    @FuzzTest
    @Timeout(10)
    void saveFile(byte[] input) throws Exception {
        restoreSave(input);
    }

    private static void restoreSave(byte[] input) throws Exception {
        CoreStage stage = AllocationMeter.within(budget(input), "restoring a save of " + input.length + " bytes", () -> {
            CoreStage s = CoreStage.standby(new ArenaFactory(), false);
            try {
                s.core.restore(new ByteArrayInputStream(input), s.now);
            } catch (IOException e) {
                requireClean(e, "a save of " + input.length + " bytes");
            }
            return s;
        });
        ServerStatus st = stage.core.status();
        boolean restored = st.role() == Role.AUTHORITY;
        boolean clean = st.role() == Role.STANDBY && st.targetPhase() == TargetPhase.STANDBY && st.sessions() == 0;
        expect(restored || clean, "after a refused save the standby is " + st.role() + " in phase " + st.targetPhase()
                + " with " + st.sessions() + " sessions");
    }

    /**
     * Byte 0 is the schema version, the rest the arena's snapshot. A snapshot that restores must read
     * back as the very bytes it came from (trailing bytes aside: the stream may go on).
     */
    @FuzzTest
    @Timeout(10)
    void arenaSnapshot(byte[] input) throws Exception {
        restoreArena(input);
    }

    private static void restoreArena(byte[] input) throws Exception {
        FuzzBytes in = new FuzzBytes(input);
        int schema = in.u8();
        byte[] snapshot = in.rest();
        Service restored = AllocationMeter.within(budget(input), "restoring an arena snapshot of " + snapshot.length
                + " bytes", () -> {
            try {
                return new ArenaFactory().restore(new ServiceConfig(CoreStage.TICK_HZ, Map.of()), schema,
                        new ByteArrayInputStream(snapshot));
            } catch (IOException e) {
                requireClean(e, "an arena snapshot of " + snapshot.length + " bytes");
                return null;
            }
        });
        if (restored != null) {
            byte[] again = restored.snapshot().open().readAllBytes();
            expect(again.length <= snapshot.length && Arrays.equals(again, Arrays.copyOf(snapshot, again.length)),
                    "a restored arena snapshot of " + snapshot.length + " bytes reads back as " + again.length
                            + " other bytes");
        }
    }

    /**
     * A source that passed the handshake sends a snapshot: {@code [u64 index][u64 digest]} for
     * SNAPSHOT_BEGIN and SNAPSHOT_END, then the snapshot stream, in chunks. The standby ends up
     * replicating it, or refuses it with an ERROR and is a clean standby again; no exception escapes.
     */
    @FuzzTest
    @Timeout(10)
    void handoffSnapshot(byte[] input) throws Exception {
        receiveSnapshot(input);
    }

    private static void receiveSnapshot(byte[] input) throws Exception {
        FuzzBytes in = new FuzzBytes(input);
        long index = in.u64();
        long digest = in.u64();
        byte[] stream = in.rest();
        long[] link = new long[1];
        CoreStage stage = AllocationMeter.within(budget(input), "receiving a snapshot of " + stream.length + " bytes",
                () -> {
            CoreStage s = CoreStage.standby(new ArenaFactory(), true);
            link[0] = s.honestSourceConnects();
            s.core.frame(link[0], new Frame.SnapshotBegin(index, 0, 1, stream.length, CoreStage.TICK_HZ,
                    ArenaFactory.NAME), s.now);
            for (int at = 0; at < stream.length; at += CHUNK) {
                s.core.frame(link[0], new Frame.SnapshotChunk(Arrays.copyOfRange(stream, at,
                        Math.min(stream.length, at + CHUNK))), s.now);
            }
            s.core.frame(link[0], new Frame.SnapshotEnd(digest), s.now);
            s.core.flush(s.now);
            return s;
        });
        ServerStatus st = stage.core.status();
        if (st.targetPhase() != TargetPhase.REPLICATING) {
            List<Frame> told = stage.wire.take(link[0]);
            expect(st.targetPhase() == TargetPhase.STANDBY && st.role() == Role.STANDBY && st.sessions() == 0,
                    "a refused snapshot left the standby " + st.role() + " in phase " + st.targetPhase());
            expect(stage.wire.isClosed(link[0]) && told.stream().anyMatch(f -> f instanceof Frame.Error),
                    "a refused snapshot's link was not closed with an ERROR: " + told);
        }
    }

    /** A refusal must be the parser's own: not a runtime exception or an exhausted heap, wrapped. */
    private static void requireClean(IOException e, String what) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException || cause instanceof Error) {
            throw new AssertionError(what + " was refused only because restoring it threw " + cause, e);
        }
    }

    private static void expect(boolean holds, String violation) {
        if (!holds) {
            throw new AssertionError(violation);
        }
    }
}
