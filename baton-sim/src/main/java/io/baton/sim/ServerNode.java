package io.baton.sim;

import io.baton.core.ServerConfig;
import io.baton.core.ServerCore;
import io.baton.core.ServerOutbox;
import io.baton.wire.Frame;

/** A server on the virtual network: the real {@link ServerCore}, its outbox wired to the network. */
final class ServerNode extends Network.Node implements ServerOutbox {

    /** Every event this server applied, by log index: a fingerprint of its kind, session, number and payload. */
    final java.util.TreeMap<Long, Long> appliedEvents = new java.util.TreeMap<>();
    /** What the core said of each snapshot it restored: whether clients waited on it meanwhile. */
    final java.util.List<Boolean> restoresAwaited = new java.util.ArrayList<>();
    final String clientEndpoint;
    final String peerEndpoint;
    private final Network net;
    ServerCore core;

    private final java.util.function.BiConsumer<String, String> trace;
    /** The first tick this server applied as the authority after taking over from a source, or MAX_VALUE. */
    long ownFromTick = Long.MAX_VALUE;

    ServerNode(String name, Network net, java.util.function.BiConsumer<String, String> trace) {
        super(name);
        this.trace = trace;
        this.net = net;
        this.clientEndpoint = name + ":7000";
        this.peerEndpoint = name + ":7001";
        net.listen(clientEndpoint, this, false);
        net.listen(peerEndpoint, this, true);
    }

    void startAuthority(ServerConfig cfg, long now, java.util.SplittableRandom random) {
        core = ServerCore.authority(cfg, this, random::nextBytes, now);
        core.advertise(name, 7000);
        net.settle(this);
    }

    void startStandby(ServerConfig cfg, java.util.SplittableRandom random) {
        ownFromTick = Long.MAX_VALUE;
        core = ServerCore.standby(cfg, this, random::nextBytes);
        core.advertise(name, 7000);
    }

    @Override
    void accepted(long conn, String from, boolean peerPort, long now) {
        if (peerPort) {
            core.peerAccepted(conn, now);
            core.peerSecured(conn, new byte[0]); // the simulated network is in the clear
        } else {
            core.clientConnected(conn, from, now);
        }
    }

    @Override
    void connected(long conn, long now) {
        core.peerSecured(conn, new byte[0]);
        core.peerConnected(conn, now);
    }

    @Override
    void frame(long conn, Frame f, long now) {
        core.frame(conn, f, now);
    }

    @Override
    void disconnected(long conn, long now) {
        core.disconnected(conn, now);
    }

    @Override
    void poll(long now) {
        core.poll(now);
    }

    @Override
    void flush(long now) {
        core.flush(now);
    }

    @Override
    long nextDeadline() {
        return core == null ? Long.MAX_VALUE : core.nextDeadline();
    }

    @Override
    public void send(long conn, Frame frame) {
        net.send(this, conn, frame);
    }

    @Override
    public void close(long conn) {
        net.close(this, conn);
    }

    @Override
    public long connect(String host, int port) {
        return net.connect(this, host + ":" + port);
    }

    @Override
    public void stateRestored(boolean awaited, long bytes) {
        restoresAwaited.add(awaited);
    }

    @Override
    public void phaseChanged(io.baton.core.TargetPhase next) {
        if (next == io.baton.core.TargetPhase.AUTHORITY) {
            ownFromTick = core.status().tick() + 1; // it holds the log up to the source's last tick
        }
    }

    @Override
    public void note(String message) {
        trace.accept(name, message);
    }

    @Override
    public void applied(long index, Frame.EventKind kind, long sessionId, long seq, byte[] payload) {
        appliedEvents.put(index, io.baton.service.Hash64.mix(io.baton.service.Hash64.mix(
                io.baton.service.Hash64.mix(kind.ordinal(), sessionId), seq), io.baton.service.Hash64.hash(0, payload)));
    }
}
