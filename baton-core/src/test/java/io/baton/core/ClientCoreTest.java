package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's protocol logic driven by hand, with a fake clock and a recording outbox. */
class ClientCoreTest {

    private static final long MS = 1_000_000L;

    /** Records what the core asks for. */
    static final class Recorder implements ClientCore.Outbox {
        final List<String> connects = new ArrayList<>();
        final List<long[]> closes = new ArrayList<>();
        final List<Long> releases = new ArrayList<>();
        final List<Frame> sent = new ArrayList<>();
        final List<Long> sentOn = new ArrayList<>();
        final List<String> delivered = new ArrayList<>();
        final List<ClientCore.Event> events = new ArrayList<>();
        String lost;
        long nextConn = 1;

        @Override
        public long connect(String host, int port) {
            connects.add(host + ":" + port);
            return nextConn++;
        }

        @Override
        public void send(long conn, Frame frame) {
            sent.add(frame);
            sentOn.add(conn);
        }

        @Override
        public void close(long conn) {
            closes.add(new long[] {conn});
        }

        @Override
        public void release(long conn) {
            releases.add(conn);
        }

        @Override
        public void deliver(byte[] payload) {
            delivered.add(new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void event(ClientCore.Event event, String detail) {
            events.add(event);
        }

        @Override
        public void established(long sessionId) {
        }

        @Override
        public void lost(String reason) {
            lost = reason;
        }

        <T extends Frame> List<T> sentOfType(Class<T> type) {
            List<T> out = new ArrayList<>();
            for (Frame f : sent) {
                if (type.isInstance(f)) {
                    out.add(type.cast(f));
                }
            }
            return out;
        }
    }

    private Recorder out;
    private ClientCore core;
    private long now;

    @BeforeEach
    void connect() {
        out = new Recorder();
        core = new ClientCore("source", 7000, ClientCore.Timing.defaults(30_000 * MS), out);
        now = 1_000 * MS;
        core.start(now);
        core.connected(1, now);
        core.frame(1, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), now);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Frame.Output output(long seq, String s) {
        return new Frame.Output(seq, 0, b(s));
    }

    @Test
    void deliversOutputsOnceAndInOrderWhateverOrderTheyArriveIn() {
        core.frame(1, output(1, "a"), now);
        core.frame(1, output(3, "c"), now);
        core.frame(1, output(2, "b"), now);
        core.frame(1, output(2, "b"), now);
        core.frame(1, output(1, "a"), now);
        assertThat(out.delivered).containsExactly("a", "b", "c");
    }

    @Test
    void keepsInputsUntilAcknowledgedAndResendsThemAfterResume() {
        core.send(b("i1"), now);
        core.send(b("i2"), now);
        core.send(b("i3"), now);
        core.frame(1, new Frame.Ack(1), now);
        assertThat(core.pendingInputs()).isEqualTo(2);

        core.disconnected(1, now);
        assertThat(out.events).contains(ClientCore.Event.DISCONNECTED);
        core.poll(now);
        long conn = out.nextConn - 1;
        core.connected(conn, now);
        Frame.Hello hello = out.sentOfType(Frame.Hello.class).get(1);
        assertThat(hello.kind()).isEqualTo(Frame.HelloKind.RESUME);
        assertThat(hello.sessionId()).isEqualTo(42);

        out.sent.clear();
        out.sentOn.clear();
        core.frame(conn, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 2), now);
        assertThat(out.sentOfType(Frame.Input.class)).extracting(Frame.Input::seq).containsExactly(3L);
        assertThat(out.events).contains(ClientCore.Event.RESUMED);
    }

    /** MOVE on the serving connection (1), then the pre-connection (2) to the target opens and is welcomed. */
    private void attachToTheTarget() {
        core.frame(1, new Frame.Move(7, new byte[16], "target", 7100), now);
        core.connected(2, now);
        core.frame(2, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), now);
    }

    @Test
    void switchesToThePreConnectionMergingBothStreamsByNumber() {
        core.send(b("unacked"), now);
        core.frame(1, new Frame.Move(7, new byte[16], "target", 7100), now);
        assertThat(out.connects).containsExactly("source:7000", "target:7100");
        core.connected(2, now);
        assertThat(out.sentOfType(Frame.Hello.class).get(1).kind()).isEqualTo(Frame.HelloKind.ATTACH);
        core.frame(2, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), now);
        assertThat(out.sentOfType(Frame.Attached.class)).hasSize(1);

        core.frame(1, output(1, "from source"), now);
        core.frame(2, output(3, "target, early"), now);   // overtakes the source's last output and SWITCH
        core.frame(1, output(2, "source's last"), now);
        out.sent.clear();
        out.sentOn.clear();
        core.frame(1, new Frame.Switch(7, 2), now);

        assertThat(out.delivered).containsExactly("from source", "source's last", "target, early");
        assertThat(out.events).contains(ClientCore.Event.SWITCHED);
        assertThat(out.sentOfType(Frame.Input.class)).extracting(Frame.Input::seq).containsExactly(1L);
        assertThat(out.sentOn.get(out.sent.indexOf(out.sentOfType(Frame.Input.class).get(0)))).isEqualTo(2L);
        assertThat(out.releases).as("the old connection is let go of, for the driver to close when it suits")
                .containsExactly(1L);
        assertThat(out.closes).isEmpty();

        // Until the driver closes it, the old connection is ignored: a stray frame is not delivered, and its
        // close later is no loss of the serving connection.
        core.frame(1, output(4, "stray on the old connection"), now);
        core.disconnected(1, now);
        assertThat(out.delivered).containsExactly("from source", "source's last", "target, early");
        assertThat(out.connects).containsExactly("source:7000", "target:7100");
        assertThat(out.events).doesNotContain(ClientCore.Event.DISCONNECTED);
    }

    @Test
    void aSourceLostAfterTheTargetSpokeLeavesThePreConnectionServingWithoutAResume() {
        core.send(b("unacked"), now);
        attachToTheTarget();
        core.frame(1, output(1, "source's last"), now);
        core.frame(2, output(2, "target's first"), now); // the target took over; the source's SWITCH never comes
        out.sent.clear();
        out.sentOn.clear();

        core.disconnected(1, now);

        assertThat(out.events).contains(ClientCore.Event.SWITCHED).doesNotContain(ClientCore.Event.DISCONNECTED);
        assertThat(out.connects).as("no new connection: the pre-connection carries on").hasSize(2);
        assertThat(out.sentOfType(Frame.Input.class)).extracting(Frame.Input::seq).containsExactly(1L);
        assertThat(out.sentOn).containsOnly(2L);
        core.frame(2, output(3, "target's second"), now);
        assertThat(out.delivered).containsExactly("source's last", "target's first", "target's second");
    }

    @Test
    void aSourceLostBeforeItsLastOutputsArrivedResumesOnTheTargetRatherThanSkipThem() {
        attachToTheTarget();
        core.frame(1, output(1, "one"), now);
        core.frame(2, output(3, "target's first"), now); // 2 was the source's and died with its connection

        core.disconnected(1, now);

        assertThat(out.events).contains(ClientCore.Event.DISCONNECTED).doesNotContain(ClientCore.Event.SWITCHED);
        assertThat(out.delivered).containsExactly("one");
    }

    @Test
    void aSourceLostWhileTheTargetIsStillAReplicaIsAnOrdinaryLoss() {
        attachToTheTarget();
        core.frame(1, output(1, "one"), now);

        core.disconnected(1, now); // no OUTPUT on the pre-connection: nothing says the target is in charge

        assertThat(out.events).contains(ClientCore.Event.DISCONNECTED).doesNotContain(ClientCore.Event.SWITCHED);
    }

    @Test
    void aSwitchNamingOutputsNotYetDeliveredResumesOnTheTargetInsteadOfPromotingThePreConnection() {
        attachToTheTarget();
        core.frame(1, output(1, "one"), now);
        // The source's SWITCH says it sent up to 3, but 2 and 3 never arrived (a retired source answering a
        // resume, say): promoting the pre-connection would wait for them forever.
        core.frame(1, new Frame.Switch(7, 3), now);
        assertThat(out.events).doesNotContain(ClientCore.Event.SWITCHED);
        assertThat(out.connects).containsExactly("source:7000", "target:7100", "target:7100");
        core.connected(3, now);
        Frame.Hello hello = out.sentOfType(Frame.Hello.class).get(2);
        assertThat(hello.kind()).isEqualTo(Frame.HelloKind.RESUME);
        assertThat(hello.outputAck()).as("the target resends from what was delivered").isEqualTo(1);
    }

    @Test
    void aWithdrawnHintKeepsTheClientFromResumingAtTheTargetOnItsOwn() {
        core.frame(1, new Frame.TargetHint("target", 7100), now);
        core.frame(1, Frame.TargetHint.WITHDRAWN, now);
        core.disconnected(1, now);
        for (int i = 0; i < 6; i++) {
            now = Math.max(now + 1, core.nextDeadline());
            core.poll(now);
            core.disconnected(out.nextConn - 1, now);
        }
        assertThat(out.connects).as("only ever back to the source").allMatch(c -> c.equals("source:7000"));

        // A new hint restores it.
        core.poll(now = core.nextDeadline());
        core.connected(out.nextConn - 1, now);
        core.frame(out.nextConn - 1, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), now);
        core.frame(out.nextConn - 1, new Frame.TargetHint("target", 7100), now);
        core.disconnected(out.nextConn - 1, now);
        for (int i = 0; i < 3; i++) {
            now = Math.max(now + 1, core.nextDeadline());
            core.poll(now);
            core.disconnected(out.nextConn - 1, now);
        }
        assertThat(out.connects).contains("target:7100");
    }

    @Test
    void resumesOnTheTargetAfterSwitchWhenThePreConnectionFailed() {
        core.frame(1, new Frame.Move(7, new byte[16], "target", 7100), now);
        core.disconnected(2, now);
        assertThat(out.events).contains(ClientCore.Event.ATTACH_FAILED);
        core.frame(1, new Frame.Switch(7, 0), now);
        assertThat(out.connects).containsExactly("source:7000", "target:7100", "target:7100");
        core.connected(3, now);
        Frame.Hello hello = out.sentOfType(Frame.Hello.class).get(1);
        assertThat(hello.kind()).isEqualTo(Frame.HelloKind.RESUME);
        core.frame(3, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), now);
        assertThat(out.events).contains(ClientCore.Event.RESUMED);
    }

    @Test
    void anUnknownSessionEndsTheSessionForGood() {
        core.disconnected(1, now);
        core.poll(now);
        core.connected(2, now);
        core.frame(2, new Frame.Error(ErrorCode.UNKNOWN_SESSION, "gone"), now);
        assertThat(core.isClosed()).isTrue();
        assertThat(out.lost).contains("gone");
    }

    @Test
    void acknowledgesDeliveredOutputsAfterABurstOrADelay() {
        for (int i = 1; i <= 3; i++) {
            core.frame(1, output(i, "x"), now);
        }
        core.flush(now);
        assertThat(out.sentOfType(Frame.Ack.class)).isEmpty();
        now += 149 * MS;
        core.poll(now);
        assertThat(out.sentOfType(Frame.Ack.class)).as("not before the ack delay").isEmpty();
        now += MS;
        core.poll(now);
        assertThat(out.sentOfType(Frame.Ack.class)).extracting(Frame.Ack::ack).containsExactly(3L);
    }

    @Test
    void givesUpAfterTheResumeWindow() {
        core.disconnected(1, now);
        for (int i = 0; i < 100 && !core.isClosed(); i++) {
            now = Math.max(now + 1, core.nextDeadline());
            core.poll(now);
            core.disconnected(out.nextConn - 1, now);
        }
        assertThat(core.isClosed()).isTrue();
        assertThat(out.lost).contains("could not resume");
    }
}
