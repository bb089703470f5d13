package io.baton.sim;

import io.baton.wire.Frame;

/**
 * A stranger's session on the virtual network: not a player, and not checked like one, but there to steer
 * fencing if the rule let it. It speaks raw frames (no {@code ClientCore}): it opens a session at the
 * source, then behaves as its {@link Kind} says.
 */
final class StrangerNode extends Network.Node {

    private static final long PING_INTERVAL = 300_000_000L;

    /** What a stranger does once it has its session. */
    enum Kind {
        /** Says nothing more and answers nothing, its connection left open: never present, never claims. */
        SILENT,
        /** Drops its connection without CLOSE: its session waits out the resume window, absent. */
        LEFT,
        /**
         * Stays present at the source (pings it, acknowledges every output), and as soon as it learns where
         * the target is, also resumes there: a claim that the source is gone, while it is plainly not.
         */
        DOUBLE
    }

    private final Network net;
    private final Kind kind;
    private long toSource = -1;
    private long toTarget = -1;
    private long sessionId;
    private byte[] secret;
    private long outputSeq;
    private long nextPing = Long.MAX_VALUE;

    StrangerNode(String name, Network net, Kind kind) {
        super(name);
        this.net = net;
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }

    /** Opens its session at the source. */
    void start() {
        toSource = net.connect(this, "source:7000");
    }

    @Override
    void accepted(long conn, boolean peerPort, long now) {
        throw new IllegalStateException("strangers do not listen");
    }

    @Override
    void connected(long conn, long now) {
        if (conn == toSource) {
            net.send(this, conn, new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, null, 0));
        } else if (conn == toTarget) {
            net.send(this, conn, new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, sessionId, secret, outputSeq));
        }
    }

    @Override
    void frame(long conn, Frame f, long now) {
        if (f instanceof Frame.Welcome w && conn == toSource && sessionId == 0) {
            sessionId = w.sessionId();
            secret = w.secret();
            switch (kind) {
                case SILENT -> { }
                case LEFT -> {
                    net.close(this, toSource);
                    toSource = -1;
                }
                case DOUBLE -> nextPing = now + PING_INTERVAL;
            }
            return;
        }
        if (kind != Kind.DOUBLE) {
            return; // the silent one hears everything and answers nothing
        }
        if (f instanceof Frame.Output o && conn == toSource) {
            outputSeq = Math.max(outputSeq, o.seq());
            net.send(this, conn, new Frame.Ack(o.seq()));
        } else if (f instanceof Frame.Ping p) {
            net.send(this, conn, new Frame.Pong(p.value()));
        } else if (f instanceof Frame.TargetHint h && !h.host().isEmpty() && toTarget < 0) {
            toTarget = net.connect(this, h.host() + ":" + h.port());
        } else if (f instanceof Frame.Move m && toTarget < 0) {
            toTarget = net.connect(this, m.host() + ":" + m.port());
        }
    }

    @Override
    void disconnected(long conn, long now) {
        if (conn == toSource) {
            toSource = -1;
            nextPing = Long.MAX_VALUE;
        } else if (conn == toTarget) {
            toTarget = -1;
        }
    }

    @Override
    void poll(long now) {
        if (toSource >= 0 && now >= nextPing) {
            net.send(this, toSource, new Frame.Ping(now));
            nextPing = now + PING_INTERVAL;
        }
    }

    @Override
    void flush(long now) {
    }

    @Override
    long nextDeadline() {
        return nextPing;
    }
}
