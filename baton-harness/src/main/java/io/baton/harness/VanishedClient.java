package io.baton.harness;

import static io.baton.harness.Strangers.SQUAT_IN_PLACE_MS;

import io.netty.channel.Channel;

/**
 * {@link Fault.Action#VANISH_CLIENT}: a session whose connection runs through a proxy that, once the session is
 * welcomed, drops every byte both ways and never closes either side: a client that vanished without FIN or
 * RST. What counts is whether the server closes its side (the proxy sees it).
 */
final class VanishedClient implements StrangerAct {
    /**
     * How long a vanished client's server has to notice, before the operator's command is given anyway: the
     * client's own bound on a silent connection (1.5 s) with a wide margin.
     */
    static final long VANISH_NOTICE_MS = 10_000;

    @Override
    public void begin(Strangers s, int port, int targetPeerPort) throws InterruptedException {
        s.proxy = FaultProxy.to("127.0.0.1", port);
        s.connect(s.proxy.port(), true, false, new StrangerFrames(s) {
            @Override
            void active(Channel ch) {
                s.send(ch, Strangers.hello());
            }

            @Override
            void welcomed(Channel ch) {
                s.proxy.blackhole();
            }
        });
    }

    /** Its connection closed by its server before the operator's command (not by the handoff's drain). */
    @Override
    public boolean kept(Strangers s) {
        return s.welcomed.get() == 1 && s.proxy.upstreamClosedByServer() == 1
                && (s.commandAt == 0 || s.proxy.lastUpstreamClosedAt() < s.commandAt);
    }

    /** Until noticed by its server, at most 10 s after it vanished. */
    @Override
    public void awaitInPlace(Strangers s) throws InterruptedException {
        Strangers.waitFor(() -> s.welcomed.get() == 1, SQUAT_IN_PLACE_MS);
        Strangers.waitFor(() -> s.proxy.upstreamClosedByServer() > 0, VANISH_NOTICE_MS);
    }
}
