package io.baton.sim;

import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TCP as the protocol sees it: connections that deliver frames in order, after a delay with jitter, or
 * break. Every frame crosses the real codec, bytes and all. What TCP hides (a lost segment is resent, so
 * it shows as delay) is modelled as delay; what it shows (resets, silence) as broken connections and
 * partitions.
 */
final class Network {

    /** Something attached to the network: a server or a client. */
    abstract static class Node {
        final String name;
        boolean alive = true;
        private long armedAt = Long.MAX_VALUE;
        /** A paused process (SIGSTOP, a long GC): nothing it is given runs before this instant, in order. */
        long frozenUntil;

        Node(String name) {
            this.name = name;
        }

        /** A connection from {@code from} (the dialling node's name: the address key of a real driver) arrived. */
        abstract void accepted(long conn, String from, boolean peerPort, long now);

        abstract void connected(long conn, long now);

        abstract void frame(long conn, Frame f, long now);

        abstract void disconnected(long conn, long now);

        abstract void poll(long now);

        abstract void flush(long now);

        abstract long nextDeadline();
    }

    private static final class Conn {
        final long id;
        final Node a;
        final Node b;
        long arrivalToA;
        long arrivalToB;
        boolean closed;
        /** One side has closed: its frames in flight still arrive, nothing new is accepted. */
        boolean closing;

        Conn(long id, Node a, Node b) {
            this.id = id;
            this.a = a;
            this.b = b;
        }

        Node other(Node n) {
            return n == a ? b : a;
        }
    }

    private record Listener(Node node, boolean peerPort) {
    }

    private final World world;
    private final Map<String, Listener> listeners = new HashMap<>();
    private final Map<Long, Conn> conns = new HashMap<>();
    private final Set<String> partitions = new HashSet<>();
    /** Sees every frame's bytes on their way: session secrets must never pass from server to server. */
    final SecretWatch secrets = new SecretWatch();
    private long nextConn = 1;
    long baseDelay = 200_000;
    long jitter = 100_000;
    long peerDelay = 100_000;
    long connectTimeout = 3_000_000_000L;

    Network(World world) {
        this.world = world;
    }

    void listen(String endpoint, Node node, boolean peerPort) {
        listeners.put(endpoint, new Listener(node, peerPort));
    }

    /** Cuts every frame between two nodes, both ways, silently, until {@link #heal}. */
    void partition(Node x, Node y) {
        partitions.add(key(x, y));
    }

    void heal(Node x, Node y) {
        partitions.remove(key(x, y));
    }

    private boolean partitioned(Node x, Node y) {
        return partitions.contains(key(x, y));
    }

    private static String key(Node x, Node y) {
        return x.name.compareTo(y.name) < 0 ? x.name + "|" + y.name : y.name + "|" + x.name;
    }

    private long delay(Node x, Node y) {
        boolean servers = x instanceof ServerNode && y instanceof ServerNode;
        long base = servers ? peerDelay : baseDelay;
        return base + (jitter > 0 ? world.random.nextLong(jitter) : 0);
    }

    long connect(Node from, String endpoint) {
        long id = nextConn++;
        Listener l = listeners.get(endpoint);
        long now = world.now();
        if (l == null || !l.node.alive) {
            world.at(now + delay(from, from), () -> call(from, () -> from.disconnected(id, world.now())));
            return id;
        }
        if (partitioned(from, l.node)) {
            world.at(now + connectTimeout, () -> call(from, () -> from.disconnected(id, world.now())));
            return id;
        }
        long there = now + delay(from, l.node);
        world.at(there, () -> {
            if (!l.node.alive || !from.alive) {
                call(from, () -> from.disconnected(id, world.now()));
                return;
            }
            Conn c = new Conn(id, from, l.node);
            c.arrivalToA = c.arrivalToB = world.now();
            conns.put(id, c);
            call(l.node, () -> l.node.accepted(id, from.name, l.peerPort, world.now()));
            long back = world.now() + delay(l.node, from);
            c.arrivalToA = back;
            world.at(back, () -> {
                if (!c.closed) {
                    call(from, () -> from.connected(id, world.now()));
                }
            });
        });
        return id;
    }

    void send(Node from, long id, Frame f) {
        Conn c = conns.get(id);
        if (c == null || c.closed || c.closing || !from.alive) {
            return;
        }
        Node to = c.other(from);
        if (partitioned(from, to)) {
            return;
        }
        ByteBuf buf = Unpooled.buffer(64);
        FrameCodec.encode(f, buf);
        secrets.sent(from, to, f, buf);
        long arrival = Math.max(world.now() + delay(from, to), to == c.a ? c.arrivalToA : c.arrivalToB);
        if (to == c.a) {
            c.arrivalToA = arrival;
        } else {
            c.arrivalToB = arrival;
        }
        world.at(arrival, () -> {
            if (c.closed || !to.alive) {
                return;
            }
            buf.skipBytes(FrameCodec.LENGTH_FIELD);
            int type = buf.readUnsignedByte();
            Frame decoded;
            try {
                decoded = FrameCodec.decode(type, buf);
            } catch (ProtocolException e) {
                throw new IllegalStateException("a frame did not survive the codec: " + f, e);
            }
            call(to, () -> to.frame(id, decoded, world.now()));
        });
    }

    /**
     * One side closes, as TCP does with FIN: the frames it already sent still arrive, then the other side
     * sees the close; nothing either side sends afterwards arrives.
     */
    void close(Node from, long id) {
        Conn c = conns.get(id);
        if (c == null || c.closed || c.closing) {
            return;
        }
        Node to = c.other(from);
        c.closing = true;
        world.at(world.now(), () -> call(from, () -> from.disconnected(c.id, world.now())));
        if (partitioned(from, to)) {
            return; // the FIN never arrives: the other side finds out by its own timeouts
        }
        long arrival = Math.max(world.now() + delay(from, to), to == c.a ? c.arrivalToA : c.arrivalToB);
        world.at(arrival, () -> {
            if (!c.closed) {
                c.closed = true;
                conns.remove(c.id);
                call(to, () -> to.disconnected(c.id, world.now()));
            }
        });
    }

    /** Breaks every connection of a node, as a flaky network would (resets both ways); the node lives on. */
    void cutAll(Node node) {
        for (Conn c : new ArrayList<>(conns.values())) {
            if (!c.closed && (c.a == node || c.b == node)) {
                Node other = c.other(node);
                breakConn(c, node, world.now() + delay(node, other), other, world.now() + delay(node, other));
            }
        }
    }

    /** Breaks every connection between two nodes (resets both ways); false if there was none. */
    boolean cutBetween(Node x, Node y) {
        boolean cut = false;
        for (Conn c : new ArrayList<>(conns.values())) {
            if (!c.closed && ((c.a == x && c.b == y) || (c.a == y && c.b == x))) {
                breakConn(c, x, world.now() + delay(x, y), y, world.now() + delay(x, y));
                cut = true;
            }
        }
        return cut;
    }

    /** A process dies: the kernel resets its connections, so the other sides learn of it after one delay. */
    void crash(Node node) {
        node.alive = false;
        List<Conn> mine = new ArrayList<>();
        for (Conn c : conns.values()) {
            if (!c.closed && (c.a == node || c.b == node)) {
                mine.add(c);
            }
        }
        for (Conn c : mine) {
            Node other = c.other(node);
            breakConn(c, node, Long.MAX_VALUE, other,
                    partitioned(node, other) ? Long.MAX_VALUE : world.now() + delay(node, other));
        }
    }

    /** A crashed process starts again (with no memory of its connections or timers). */
    void restart(Node node) {
        node.alive = true;
        node.armedAt = Long.MAX_VALUE;
        node.frozenUntil = 0;
    }

    private void breakConn(Conn c, Node x, long xAt, Node y, long yAt) {
        c.closed = true;
        conns.remove(c.id);
        if (xAt != Long.MAX_VALUE) {
            world.at(xAt, () -> call(x, () -> x.disconnected(c.id, world.now())));
        }
        if (yAt != Long.MAX_VALUE) {
            world.at(yAt, () -> call(y, () -> y.disconnected(c.id, world.now())));
        }
    }

    /** Runs one call into a node, then its end-of-burst flush, then arms its timer. */
    void call(Node node, Runnable r) {
        if (!node.alive) {
            return;
        }
        if (world.now() < node.frozenUntil) {
            world.at(node.frozenUntil, () -> call(node, r)); // queued behind the pause, in arrival order
            return;
        }
        r.run();
        settle(node);
    }

    void settle(Node node) {
        if (!node.alive) {
            return;
        }
        long now = world.now();
        node.flush(now);
        long deadline = node.nextDeadline();
        if (deadline < node.armedAt) {
            long at = Math.max(deadline, now);
            node.armedAt = at;
            world.at(at, () -> {
                if (node.armedAt != at || !node.alive) {
                    return;
                }
                node.armedAt = Long.MAX_VALUE;
                call(node, () -> node.poll(world.now()));
            });
        }
    }
}
