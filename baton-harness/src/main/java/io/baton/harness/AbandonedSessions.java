package io.baton.harness;

import static io.baton.harness.Strangers.SQUAT_IN_PLACE_MS;

import io.netty.channel.Channel;

/**
 * {@link Fault.Action#ABANDON_SESSIONS_KILL_TARGET}: {@link #ABANDONED_SESSIONS} sessions, each closed by
 * the stranger (no CLOSE frame, so the session waits out its resume window) as soon as it is welcomed.
 */
final class AbandonedSessions implements StrangerAct {
    /** Sessions opened and left before the handoff: as many as the demo's 100 players. */
    static final int ABANDONED_SESSIONS = 100;
    /**
     * How long the abandoned sessions have been quiet when the command is given: longer than a server counts
     * a client present (1 s), so they are absent when COMMIT goes out, as sessions left before a handoff are.
     */
    static final long ABANDONED_QUIET_MS = 1_500;

    @Override
    public void begin(Strangers s, int port, int targetPeerPort) {
        for (int i = 0; i < ABANDONED_SESSIONS; i++) {
            s.connect(port, true, false, new StrangerFrames(s) {
                @Override
                void active(Channel ch) {
                    s.send(ch, Strangers.hello());
                }

                @Override
                void welcomed(Channel ch) {
                    leaves(ch);
                }
            });
        }
    }

    /** Every abandoned session welcomed, and none closed by the server before the demo ends. */
    @Override
    public boolean kept(Strangers s) {
        return s.welcomed.get() == ABANDONED_SESSIONS && s.errors.isEmpty() && s.closedByServer.get() == 0;
    }

    @Override
    public int intended() {
        return ABANDONED_SESSIONS;
    }

    /** Until every session was welcomed (at most 5 s), then until they have been quiet long enough. */
    @Override
    public void awaitInPlace(Strangers s) throws InterruptedException {
        Strangers.waitFor(() -> s.welcomed.get() + s.errors.size() + s.connectFailures.get() >= ABANDONED_SESSIONS,
                SQUAT_IN_PLACE_MS);
        long quietFor = ABANDONED_QUIET_MS - (System.nanoTime() - s.lastLeftAt.get()) / 1_000_000;
        if (quietFor > 0) {
            Thread.sleep(quietFor); // a fixed span of the scenario, not a wait for something to happen
        }
    }
}
