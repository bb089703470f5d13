package io.baton.harness;

import static io.baton.harness.Strangers.SQUAT_IN_PLACE_MS;

import io.baton.wire.Frame;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/**
 * {@link Fault.Action#SQUAT_STANDBY}: one unauthenticated connection to the target's peer port that sends
 * PEER_HELLO every 2 s, and opens a new one when the target closes it, until the demo is done with it.
 */
final class Squatter implements StrangerAct {
    static final long SQUAT_EVERY_MS = 2000;

    @Override
    public void begin(Strangers s, int sourceClientPort, int targetPeerPort) {
        squat(s, targetPeerPort);
    }

    private static final io.baton.service.ServiceFactory ARENA = new io.baton.arena.ArenaFactory();

    private static void squat(Strangers s, int port) {
        s.connect(port, true, false, new StrangerFrames(s) {
            @Override
            void active(Channel ch) {
                ch.eventLoop().scheduleAtFixedRate(() -> {
                    if (ch.isActive() && !s.stopping) {
                        byte[] nonce = new byte[Frame.TOKEN_LENGTH];
                        s.random.nextBytes(nonce);
                        // Naming the demo's service and version, as the real source does: it gets a challenge.
                        s.send(ch, new Frame.PeerHello(Frame.PEER_VERSION, s.random.nextLong() & Long.MAX_VALUE,
                                Frame.Mode.LIVE, nonce, ARENA.name(), ARENA.schemaVersion()));
                    }
                }, 0, SQUAT_EVERY_MS, TimeUnit.MILLISECONDS);
            }

            @Override
            void closedByServer(Channel ch) {
                ch.eventLoop().schedule(() -> {
                    if (!s.stopping && s.alive()) {
                        squat(s, port);
                    }
                }, SQUAT_EVERY_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * In place (answered by the target) before the command. Over TLS the squatter has no certificate from the
     * CA: the peer port refuses it at the handshake, every time, and it never reaches PEER_HELLO's challenge.
     */
    @Override
    public boolean kept(Strangers s) {
        return s.tls != null
                ? s.connections.get() > 0 && s.closedByServer.get() == s.connections.get() && s.challenged.get() == 0
                : s.challenged.get() + s.errors.size() > 0;
    }

    /** Until answered by the target, at most 5 s. */
    @Override
    public void awaitInPlace(Strangers s) throws InterruptedException {
        Strangers.waitFor(() -> s.tls != null ? s.closedByServer.get() > 0 : s.challenged.get() + s.errors.size() > 0,
                SQUAT_IN_PLACE_MS);
    }
}
