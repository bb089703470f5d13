package io.baton.fuzz;

import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A client that keeps to the protocol, played by hand against one server core: it opens a session,
 * sends numbered inputs, acknowledges outputs and answers pings, and writes down anything a correct
 * server would never do to it. Whatever a stranger does on another connection, {@link #check} must hold.
 */
final class HonestClient {

    private final int index;
    private final CoreStage stage;
    private long conn = -1;
    private long sessionId = -1;
    private byte[] secret;
    private long inputAck;
    private final List<byte[]> sent = new ArrayList<>();
    private final List<byte[]> received = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    HonestClient(int index, CoreStage stage) {
        this.index = index;
        this.stage = stage;
    }

    long conn() {
        return conn;
    }

    long sessionId() {
        return sessionId;
    }

    /** The session's resume credential: only for tests that show the checks catch a stolen session. */
    byte[] secret() {
        return secret;
    }

    void open() {
        conn = stage.wire.open();
        stage.core.clientConnected(conn, "honest", stage.now);
        stage.core.frame(conn, new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0),
                stage.now);
    }

    void sendInput() {
        byte[] payload = ("honest " + index + " input " + (sent.size() + 1)).getBytes(StandardCharsets.US_ASCII);
        sent.add(payload);
        stage.core.frame(conn, new Frame.Input(sent.size(), received.size(), payload), stage.now);
    }

    void acknowledge() {
        stage.core.frame(conn, new Frame.Ack(received.size()), stage.now);
    }

    void ping() {
        stage.core.frame(conn, new Frame.Ping(stage.now), stage.now);
    }

    /** Reads what the server sent; returns whether there was anything. */
    boolean read() {
        List<Frame> frames = stage.wire.take(conn);
        for (Frame f : frames) {
            if (f instanceof Frame.Welcome w && sessionId == -1) {
                sessionId = w.sessionId();
                secret = w.secret();
                inputAck = Math.max(inputAck, w.inputAck());
            } else if (f instanceof Frame.Output o) {
                if (o.seq() != received.size() + 1) {
                    violations.add("output " + o.seq() + " after output " + received.size());
                }
                received.add(o.payload());
                inputAck = Math.max(inputAck, o.ack());
            } else if (f instanceof Frame.Ack a) {
                inputAck = Math.max(inputAck, a.ack());
            } else if (f instanceof Frame.Ping p) {
                stage.core.frame(conn, new Frame.Pong(p.value()), stage.now);
            } else if (!(f instanceof Frame.Pong)) {
                violations.add("unexpected " + f);
            }
        }
        return !frames.isEmpty();
    }

    void closedByServer() {
        violations.add("the server closed the connection");
    }

    /** Every input applied once and in order, every output received once and in order, nothing else. */
    void check(Ledger ledger) {
        String who = "honest client " + index + " (session " + sessionId + ")";
        expect(violations.isEmpty(), who + ": " + violations);
        expect(sessionId != -1, who + " was never welcomed");
        expect(same(ledger.applied(sessionId), sent), who + " sent " + sent.size() + " inputs, the service applied "
                + ledger.applied(sessionId).size() + (ledger.applied(sessionId).size() == sent.size() ? " others" : ""));
        expect(same(received, sent), who + " received " + received.size() + " outputs for " + sent.size() + " inputs");
        expect(inputAck == sent.size(), who + " sent " + sent.size() + " inputs, " + inputAck + " acknowledged");
    }

    private static boolean same(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static void expect(boolean holds, String violation) {
        if (!holds) {
            throw new AssertionError(violation);
        }
    }
}
