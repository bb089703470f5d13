package io.baton.sim;

import io.baton.core.ClientCore;
import io.baton.wire.Frame;

/**
 * A client on the virtual network: the real {@link ClientCore}, its outbox wired to the network. What the
 * client does with what it receives is the subclass's business.
 */
abstract class ClientCoreNode extends Network.Node implements ClientCore.Outbox {

    final Network net;
    final ClientCore core;
    /** The client-link versions it speaks. */
    final io.baton.wire.VersionRange versions;

    ClientCoreNode(String name, Network net, String host, int port) {
        this(name, net, host, port, java.util.Set.of());
    }

    ClientCoreNode(String name, Network net, String host, int port, java.util.Set<io.baton.core.Defect> defects) {
        this(name, net, host, port, defects, io.baton.wire.VersionRange.CLIENT_DEFAULT);
    }

    /** A client speaking the client-link versions {@code versions}. */
    ClientCoreNode(String name, Network net, String host, int port, java.util.Set<io.baton.core.Defect> defects,
                   io.baton.wire.VersionRange versions) {
        super(name);
        this.net = net;
        this.versions = versions;
        this.core = new ClientCore(host, port, ClientCore.Timing.defaults(30_000_000_000L), this, defects, versions);
    }

    @Override
    void accepted(long conn, String from, boolean peerPort, long now) {
        throw new IllegalStateException("clients do not listen");
    }

    @Override
    void connected(long conn, long now) {
        core.connected(conn, now);
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
        return core.nextDeadline();
    }

    @Override
    public long connect(String host, int port) {
        return net.connect(this, host + ":" + port);
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
    public void event(ClientCore.Event event, String detail) {
    }

    @Override
    public void established(long sessionId) {
    }

    @Override
    public void lost(String reason) {
    }
}
