package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The world view (VIEW input): who sees what, and that a client that does not ask sees no change. */
class ArenaViewTest {

    private static final ArenaFactory FACTORY = new ArenaFactory();

    private static ArenaService create() {
        return (ArenaService) FACTORY.create(new ServiceConfig(30, Map.of()));
    }

    private static ArenaProtocol.Update last(FakeContext c, long session) {
        List<ArenaProtocol.Update> us = c.updatesFor(session);
        return us.get(us.size() - 1);
    }

    @Test
    void aViewerSeesTheOthersInSessionOrderAndTheOthersSeeNothingNew() {
        ArenaService s = create();
        FakeContext c = new FakeContext(s).open(4).open(1).open(3).open(2);
        c.input(3, ArenaProtocol.view(ArenaProtocol.MAX_VIEW)).move(1, 1, 2, -3).move(2, 1, -1, 1).runTick();
        ArenaProtocol.Update u1 = last(c, 1);
        ArenaProtocol.Update u2 = last(c, 2);
        ArenaProtocol.Update u4 = last(c, 4);
        ArenaProtocol.Update u3 = last(c, 3);
        assertThat(u3.others()).containsExactly(u1.x(), u1.y(), u2.x(), u2.y(), u4.x(), u4.y());
        assertThat(u1.others()).isNull();
        assertThat(u2.others()).isNull();
        assertThat(u4.others()).isNull();
        // Not a move: the viewer's own verification figures are untouched.
        assertThat(u3.inputsApplied()).isZero();
        assertThat(u3.inputHash()).isZero();
        assertThat(s.rejectedEvents()).isZero();
    }

    @Test
    void aClientThatDoesNotAskGetsExactlyTheBytesItGotBefore() {
        List<Script.Event> script = Script.random(5, 3000);
        ArenaService plain = create();
        ArenaService viewed = create();
        FakeContext cp = new FakeContext(plain);
        FakeContext cv = new FakeContext(viewed);
        long viewer = -1;
        for (Script.Event e : script) {
            Script.apply(e, cp);
            Script.apply(e, cv);
            if (viewer < 0 && e instanceof Script.Open o) {
                viewer = o.sessionId();
                cv.input(viewer, ArenaProtocol.view(3));
                // An event for the plain run too (one it ignores), so both number their events alike.
                cp.input(viewer, new byte[] {9});
            }
        }
        assertThat(cv.outputs).hasSameSizeAs(cp.outputs).hasSizeGreaterThan(1000);
        int viewerUpdates = 0;
        int sawSomeone = 0;
        for (int i = 0; i < cp.outputs.size(); i++) {
            FakeContext.Output p = cp.outputs.get(i);
            FakeContext.Output v = cv.outputs.get(i);
            assertThat(v.sessionId()).isEqualTo(p.sessionId());
            if (p.sessionId() != viewer) {
                assertThat(v.payload()).isEqualTo(p.payload());
                continue;
            }
            viewerUpdates++;
            // The viewer's update is its plain update with the view appended.
            int m = ArenaProtocol.decodeUpdate(v.payload()).others().length / 2;
            assertThat(m).isBetween(0, 3);
            sawSomeone += m > 0 ? 1 : 0;
            assertThat(v.payload()).hasSize(p.payload().length + 2 + 4 * m);
            assertThat(java.util.Arrays.copyOf(v.payload(), p.payload().length)).isEqualTo(p.payload());
        }
        assertThat(viewerUpdates).isGreaterThan(10);
        assertThat(sawSomeone).isGreaterThan(0);
    }

    @Test
    void theViewShowsAtMostWhatWasAskedAndZeroStopsIt() {
        ArenaService s = create();
        FakeContext c = new FakeContext(s);
        for (long id = 1; id <= ArenaProtocol.MAX_VIEW + 6; id++) {
            c.open(id);
        }
        c.input(1, ArenaProtocol.view(ArenaProtocol.MAX_VIEW)).input(2, ArenaProtocol.view(2)).runTick();
        assertThat(last(c, 1).others()).hasSize(2 * ArenaProtocol.MAX_VIEW);
        assertThat(last(c, 2).others()).hasSize(4).containsExactly(last(c, 1).x(), last(c, 1).y(),
                last(c, 3).x(), last(c, 3).y());
        c.input(1, ArenaProtocol.view(0)).runTick();
        assertThat(last(c, 1).others()).isNull();
        c.input(2, new byte[] {ArenaProtocol.VIEW, 0, (byte) (ArenaProtocol.MAX_VIEW + 1)})
                .input(2, new byte[] {ArenaProtocol.VIEW, 1}).input(99, ArenaProtocol.view(1)).runTick();
        assertThat(s.rejectedEvents()).isEqualTo(3);
        assertThat(last(c, 2).others()).hasSize(4);
        assertThatThrownBy(() -> ArenaProtocol.view(ArenaProtocol.MAX_VIEW + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..64");
    }

    @Test
    void theViewIsStateThatAHandoffCarriesAndTheDigestCovers() throws IOException {
        ArenaService a = create();
        ArenaService b = create();
        new FakeContext(a).open(1).open(2).runTick();
        FakeContext cb = new FakeContext(b).open(1).open(2).runTick();
        cb.input(1, ArenaProtocol.view(5));
        assertThat(b.digest()).isNotEqualTo(a.digest());

        Service replica;
        try (InputStream in = b.snapshot().open()) {
            replica = FACTORY.restore(new ServiceConfig(30, Map.of()), ArenaService.SCHEMA_VERSION, in);
        }
        assertThat(replica.digest()).isEqualTo(b.digest());
        FakeContext cr = new FakeContext(replica, cb.logIndex(), cb.tick()).runTick();
        cb.runTick();
        assertThat(last(cr, 1).others()).containsExactly(last(cb, 1).others());
        assertThat(cr.outputs.get(cr.outputs.size() - 2).payload())
                .isEqualTo(cb.outputs.get(cb.outputs.size() - 2).payload());
    }

    @Test
    void aVersionOneSnapshotStillRestoresWithEveryViewOff() throws IOException {
        ArenaService s = create();
        FakeContext c = new FakeContext(s).open(1).open(2).move(1, 1, 3, 3).runTick().move(2, 1, 1, 1);
        byte[] v2;
        try (InputStream in = s.snapshot().open()) {
            v2 = in.readAllBytes();
        }
        // Version 1 is version 2 without each player's u16 view, with a digest seeded by version 1.
        ByteBuffer in = ByteBuffer.wrap(v2);
        ByteBuffer out = ByteBuffer.allocate(v2.length - 4);
        out.putInt(in.getInt()).putLong(in.getLong()).putLong(in.getLong()).putInt(in.getInt());
        int players = in.getInt();
        int table = in.getInt();
        out.putInt(players).putInt(table - 2 * players);
        for (int i = 0; i < players; i++) {
            out.putLong(in.getLong()).putInt(in.getInt()).putInt(in.getInt()).putLong(in.getLong()).putLong(in.getLong());
            assertThat(in.getShort()).isZero();
            int pending = in.getInt();
            out.putInt(pending);
            for (int k = 0; k < pending; k++) {
                out.putLong(in.getLong());
            }
        }
        out.putLong(s.digest(1));
        Service restored = FACTORY.restore(new ServiceConfig(30, Map.of()), 1, new ByteArrayInputStream(out.array()));
        assertThat(restored.digest()).isEqualTo(s.digest());
        FakeContext cr = new FakeContext(restored, c.logIndex(), c.tick()).runTick();
        c.runTick();
        assertThat(cr.outputs.get(1).payload()).isEqualTo(c.outputs.get(c.outputs.size() - 1).payload());
    }
}
