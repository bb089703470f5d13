package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's timers with a fake clock: liveness of each connection, and the reconnect backoff. Every
 * check asks {@link ClientCore#nextDeadline} when to come back and polls at exactly that instant, as the
 * drivers do, so a deadline that poll does not honour (or the reverse) fails here.
 */
class ClientCoreTimersTest {

    private static final long MS = 1_000_000L;

    private ClientCoreTest.Recorder out;
    private ClientCore core;
    private long welcomedAt;

    @BeforeEach
    void connect() {
        out = new ClientCoreTest.Recorder();
        core = new ClientCore("source", 7000, ClientCore.Timing.defaults(30_000 * MS), out);
        welcomedAt = 1_000 * MS;
        core.start(welcomedAt);
        core.connected(1, welcomedAt);
        core.frame(1, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), welcomedAt);
    }

    private List<Long> pingsOn(long conn) {
        List<Long> at = new ArrayList<>();
        for (int i = 0; i < out.sent.size(); i++) {
            if (out.sent.get(i) instanceof Frame.Ping p && out.sentOn.get(i) == conn) {
                at.add(p.value());
            }
        }
        return at;
    }

    private List<Long> closed() {
        List<Long> conns = new ArrayList<>();
        out.closes.forEach(c -> conns.add(c[0]));
        return conns;
    }

    @Test
    void pingsAnIdleConnectionEveryHeartbeatAndDropsItAfterTheSilenceLimit() {
        assertThat(core.nextDeadline()).isEqualTo(welcomedAt + 400 * MS);
        core.poll(welcomedAt + 399 * MS);
        assertThat(pingsOn(1)).as("not before the heartbeat").isEmpty();

        long now = welcomedAt;
        while (core.nextDeadline() < welcomedAt + 1_500 * MS) {
            now = core.nextDeadline();
            core.poll(now);
        }
        assertThat(pingsOn(1)).containsExactly(welcomedAt + 400 * MS, welcomedAt + 800 * MS, welcomedAt + 1_200 * MS);
        assertThat(out.events).doesNotContain(ClientCore.Event.DISCONNECTED);

        now = core.nextDeadline();
        assertThat(now).isEqualTo(welcomedAt + 1_500 * MS);
        core.poll(now);
        assertThat(closed()).containsExactly(1L);
        assertThat(out.events).contains(ClientCore.Event.DISCONNECTED);
        assertThat(core.nextDeadline()).as("the first reconnect is at once").isEqualTo(now);
        core.poll(now);
        assertThat(out.connects).containsExactly("source:7000", "source:7000");
    }

    @Test
    void anyFrameFromTheServerPutsOffBothThePingAndTheSilenceLimit() {
        long heard = welcomedAt + 300 * MS;
        core.frame(1, new Frame.Ack(0), heard);
        assertThat(core.nextDeadline()).isEqualTo(heard + 400 * MS);
        core.poll(heard + 400 * MS);
        assertThat(pingsOn(1)).containsExactly(heard + 400 * MS);
        core.frame(1, new Frame.Pong(heard + 400 * MS), heard + 1_000 * MS);
        assertThat(core.nextDeadline()).isEqualTo(heard + 1_400 * MS);
    }

    @Test
    void aPreConnectionIsPingedOnceAttachedAndDroppedAloneWhenItFallsSilent() {
        core.frame(1, new Frame.Move(7, new byte[16], "target", 7100), welcomedAt);
        core.connected(2, welcomedAt);
        core.frame(2, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), welcomedAt);
        long now = welcomedAt;
        while (now < welcomedAt + 1_500 * MS) {
            now = core.nextDeadline();
            core.frame(1, new Frame.Ack(0), now); // the source keeps talking; the target does not
            core.poll(now);
        }
        assertThat(pingsOn(2)).containsExactly(welcomedAt + 400 * MS, welcomedAt + 800 * MS, welcomedAt + 1_200 * MS);
        assertThat(closed()).containsExactly(2L);
        assertThat(out.events).doesNotContain(ClientCore.Event.DISCONNECTED);
    }

    @Test
    void aPreConnectionTheTargetNeverWelcomesIsNotPingedButIsDroppedAfterTheSilenceLimit() {
        core.frame(1, new Frame.Move(7, new byte[16], "target", 7100), welcomedAt);
        core.connected(2, welcomedAt); // open, HELLO sent, and then nothing
        long now = welcomedAt;
        while (now < welcomedAt + 1_500 * MS) {
            now = core.nextDeadline();
            core.frame(1, new Frame.Ack(0), now);
            core.poll(now);
        }
        assertThat(pingsOn(2)).isEmpty();
        assertThat(closed()).containsExactly(2L);
    }

    /** Loses the serving connection, then every one as soon as it opens; returns when each reconnect was made. */
    private List<Long> reconnectTimes(long lostAt, int attempts) {
        core.disconnected(out.nextConn - 1, lostAt);
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            long now = core.nextDeadline();
            core.poll(now);
            times.add((now - lostAt) / MS);
            core.disconnected(out.nextConn - 1, now);
            lostAt = now;
        }
        return times;
    }

    @Test
    void reconnectsAtOnceThenBacksOffDoublingUpToTheMaximum() {
        assertThat(reconnectTimes(welcomedAt, 9))
                .containsExactly(0L, 50L, 100L, 200L, 400L, 800L, 1_000L, 1_000L, 1_000L);
        assertThat(out.connects).allMatch(c -> c.equals("source:7000"));
    }

    @Test
    void withATargetHintedTriesItAtOnceTooThenAlternatesWithHome() {
        core.frame(1, new Frame.TargetHint("target", 7100), welcomedAt);
        assertThat(reconnectTimes(welcomedAt, 6)).containsExactly(0L, 0L, 100L, 200L, 400L, 800L);
        assertThat(out.connects.subList(1, out.connects.size()))
                .containsExactly("source:7000", "target:7100", "source:7000", "target:7100", "source:7000",
                        "target:7100");
    }

    @Test
    void aWelcomeStartsTheBackoffAfresh() {
        reconnectTimes(welcomedAt, 4);
        long now = core.nextDeadline();
        core.poll(now);
        core.connected(out.nextConn - 1, now);
        core.frame(out.nextConn - 1, new Frame.Welcome(Frame.VERSION, 42, new byte[16], 0), now);
        assertThat(reconnectTimes(now, 3)).containsExactly(0L, 50L, 100L);
    }
}
