package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A session's unacknowledged outputs: a ring kept in increasing sequence numbers whose {@code firstAfter} is
 * where a connection's sending resumes, checked against a plain list under random adds, trims and wraps.
 */
class UnackedOutputsTest {

    private static Session.Out out(long seq) {
        return new Session.Out(seq, seq * 10, new byte[] {(byte) seq});
    }

    @Test
    void agreesWithAListThroughWrapsGrowthAndTrims() {
        SplittableRandom random = new SplittableRandom(7);
        UnackedOutputs ring = new UnackedOutputs();
        List<Session.Out> model = new ArrayList<>();
        long next = 1;
        for (int step = 0; step < 20_000; step++) {
            if (random.nextInt(3) > 0 || model.isEmpty()) {
                next += 1 + random.nextInt(2); // numbers may skip, as a snapshot's may after trims
                Session.Out o = out(next);
                ring.add(o);
                model.add(o);
            } else {
                assertThat(ring.pollFirst()).isSameAs(model.remove(0));
            }
            assertThat(ring.size()).isEqualTo(model.size());
            assertThat(ring.first()).isSameAs(model.isEmpty() ? null : model.get(0));
            assertThat(ring.last()).isSameAs(model.isEmpty() ? null : model.get(model.size() - 1));
            long probe = model.isEmpty() ? next : model.get(0).seq() - 1 + random.nextInt(model.size() * 2 + 2);
            int expected = 0;
            while (expected < model.size() && model.get(expected).seq() <= probe) {
                expected++;
            }
            assertThat(ring.firstAfter(probe)).as("first output after %d", probe).isEqualTo(expected);
        }
        List<Session.Out> iterated = new ArrayList<>();
        ring.forEach(iterated::add);
        assertThat(iterated).containsExactlyElementsOf(model);
    }

    @Test
    void refusesAnOutputThatDoesNotFollowTheNewest() {
        UnackedOutputs ring = new UnackedOutputs();
        ring.add(out(5));
        assertThatThrownBy(() -> ring.add(out(5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output 5 after output 5");
        assertThatThrownBy(() -> ring.add(out(4))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ring.size()).isEqualTo(1);
    }

    @Test
    void anEmptyRingHasNothingToPollOrSend() {
        UnackedOutputs ring = new UnackedOutputs();
        assertThat(ring.first()).isNull();
        assertThat(ring.last()).isNull();
        assertThat(ring.firstAfter(0)).isZero();
        assertThatThrownBy(ring::pollFirst).isInstanceOf(java.util.NoSuchElementException.class);
        assertThatThrownBy(() -> ring.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aSnapshotWhoseOutputsAreOutOfOrderIsRefusedNamingTheSession() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(RuntimeState.MAGIC);
        out.writeShort(RuntimeState.VERSION);
        out.writeLong(9); // applied index
        out.writeLong(3); // tick
        out.writeLong(8); // next session id
        out.writeInt(1);
        out.writeLong(7); // session id
        out.write(new byte[Tokens.VERIFIER_LENGTH]);
        out.writeLong(0); // inputs applied
        out.writeLong(4); // outputs numbered
        out.writeLong(1); // outputs acknowledged
        out.writeInt(2);
        for (long seq : new long[] {3, 2}) {
            out.writeLong(seq);
            out.writeInt(1);
            out.write(0);
        }
        Map<Long, Session> sessions = new TreeMap<>();

        assertThatThrownBy(() -> RuntimeState.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                sessions, 9))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("session 7's output 2 follows its output 3")
                .hasMessageContaining("increasing order");
        assertThat(sessions).isEmpty();
    }
}
