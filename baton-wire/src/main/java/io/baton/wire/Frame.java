package io.baton.wire;

/**
 * One protocol frame. Each record's javadoc draws its body, the bytes after {@code [u32 length][u8 type]};
 * all integers are big-endian, {@code str} is {@code [u16 n][n bytes UTF-8]}, and a trailing
 * {@code payload} runs to the end of the frame. Arrays are never copied or changed after construction.
 */
public sealed interface Frame {

    /** Protocol version spoken by this build; carried in every hello. */
    int VERSION = 1;
    /** Length of tickets, secrets and nonces. */
    int TOKEN_LENGTH = 16;
    /** Length of an HMAC-SHA256. */
    int MAC_LENGTH = 32;

    /** The id from {@link FrameType}. */
    int type();

    /** What a hello asks for. */
    enum HelloKind {
        /** Open a new session. */
        NEW,
        /** Continue a session on a new connection, proven by its secret. */
        RESUME,
        /** Pre-connect to a handoff target, proven by a single-use ticket. */
        ATTACH;

        static HelloKind of(int b) throws ProtocolException {
            if (b < 0 || b >= values().length) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown hello kind " + b);
            }
            return values()[b];
        }
    }

    /**
     * <pre>
     *  0      2      3          11                 27          35
     *  +------+------+----------+------------------+-----------+
     *  | u16  | u8   | u64      | 16 bytes         | u64       |
     *  | ver  | kind | session  | secret / ticket  | outputAck |
     *  +------+------+----------+------------------+-----------+
     * </pre>
     * For NEW, session is 0 and the token is zeros. For RESUME the token is the session secret, for ATTACH
     * the ticket from MOVE. outputAck is the last output the client delivered, so the server resends after it.
     */
    record Hello(int version, HelloKind kind, long sessionId, byte[] token, long outputAck) implements Frame {
        public int type() {
            return FrameType.HELLO;
        }
    }

    /**
     * <pre>
     *  0      2          10               26         34
     *  +------+----------+----------------+----------+
     *  | u16  | u64      | 16 bytes       | u64      |
     *  | ver  | session  | secret         | inputAck |
     *  +------+----------+----------------+----------+
     * </pre>
     * The secret is the session's resume credential, sent once for NEW and zeros otherwise. inputAck is
     * the last input applied: the client drops inputs up to it and resends the rest.
     */
    record Welcome(int version, long sessionId, byte[] secret, long inputAck) implements Frame {
        public int type() {
            return FrameType.WELCOME;
        }
    }

    /** {@code [u64 seq][u64 outputAck][payload]}: input number seq (from 1), and outputs delivered so far. */
    record Input(long seq, long ack, byte[] payload) implements Frame {
        public int type() {
            return FrameType.INPUT;
        }
    }

    /** {@code [u64 seq][u64 inputAck][payload]}: output number seq (from 1), and inputs applied so far. */
    record Output(long seq, long ack, byte[] payload) implements Frame {
        public int type() {
            return FrameType.OUTPUT;
        }
    }

    /** {@code [u64 ack]}: outputs delivered (client to server) or inputs applied (server to client). */
    record Ack(long ack) implements Frame {
        public int type() {
            return FrameType.ACK;
        }
    }

    /** {@code [u64 handoff][16 bytes ticket][str host][u16 port]}: pre-connect to host:port and attach. */
    record Move(long handoffId, byte[] ticket, String host, int port) implements Frame {
        public int type() {
            return FrameType.MOVE;
        }
    }

    /** {@code [u64 handoff]}: the client's pre-connection to the target is attached. */
    record Attached(long handoffId) implements Frame {
        public int type() {
            return FrameType.ATTACHED;
        }
    }

    /** {@code [u64 handoff][u64 lastOutputSeq]}: the source sends nothing after lastOutputSeq; go to the target. */
    record Switch(long handoffId, long lastOutputSeq) implements Frame {
        public int type() {
            return FrameType.SWITCH;
        }
    }

    /** {@code [u64 handoff]}: the handoff was aborted; stay on this server. */
    record MoveAborted(long handoffId) implements Frame {
        public int type() {
            return FrameType.MOVE_ABORTED;
        }
    }

    /** {@code [u64 value]}: answer with a PONG carrying the same value. */
    record Ping(long value) implements Frame {
        public int type() {
            return FrameType.PING;
        }
    }

    /** {@code [u64 value]}: the value of the PING answered. */
    record Pong(long value) implements Frame {
        public int type() {
            return FrameType.PONG;
        }
    }

    /** Empty body: the client ends its session. */
    record Close() implements Frame {
        public int type() {
            return FrameType.CLOSE;
        }
    }

    /** {@code [u16 code][str message]}: why the sender closes this connection. */
    record Error(ErrorCode code, String message) implements Frame {
        public int type() {
            return FrameType.ERROR;
        }
    }

    /**
     * {@code [str host][u16 port]}: if this client loses the source while a handoff is under way, it
     * resumes its session at host:port (sent to every client once the target holds all they have seen).
     * An empty host with port 0 withdraws the hint: the target is behind what this client is about to see,
     * so the client must not resume there on its own (it still follows a SWITCH).
     */
    record TargetHint(String host, int port) implements Frame {
        /** The hint that withdraws any earlier one. */
        public static final TargetHint WITHDRAWN = new TargetHint("", 0);

        public int type() {
            return FrameType.TARGET_HINT;
        }

        public boolean withdrawn() {
            return host.isEmpty() && port == 0;
        }
    }

    /** Handoff modes carried in PEER_HELLO. */
    enum Mode {
        /** Snapshot, then ship every event: the target is a warm replica and cutover is one round trip. */
        LIVE,
        /** Stop at L, then snapshot: the pause grows with the state. */
        STOPCOPY;

        static Mode of(int b) throws ProtocolException {
            if (b < 0 || b >= values().length) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown handoff mode " + b);
            }
            return values()[b];
        }
    }

    /** {@code [u16 ver][u64 handoff][u8 mode][16 bytes nonce]}: the source opens the peer link. */
    record PeerHello(int version, long handoffId, Mode mode, byte[] nonce) implements Frame {
        public int type() {
            return FrameType.PEER_HELLO;
        }
    }

    /**
     * {@code [16 bytes nonce][32 bytes mac]}: mac = HMAC-SHA256(secret, "baton-target" || sourceNonce ||
     * targetNonce). The source checks it before it sends any state: only the real target gets the state.
     */
    record PeerChallenge(byte[] nonce, byte[] mac) implements Frame {
        public int type() {
            return FrameType.PEER_CHALLENGE;
        }
    }

    /** {@code [32 bytes mac]}: mac = HMAC-SHA256(secret, "baton-source" || sourceNonce || targetNonce). */
    record PeerAuth(byte[] mac) implements Frame {
        public int type() {
            return FrameType.PEER_AUTH;
        }
    }

    /**
     * {@code [u64 index][u64 tick][u32 schema][u64 bytes][u16 tickHz][str service]}: a snapshot of the
     * state after applying the log up to index follows in chunks.
     */
    record SnapshotBegin(long index, long tick, int schemaVersion, long totalBytes, int tickHz, String service)
            implements Frame {
        public int type() {
            return FrameType.SNAPSHOT_BEGIN;
        }
    }

    /** {@code [payload]}: the next slice of snapshot bytes. */
    record SnapshotChunk(byte[] data) implements Frame {
        public int type() {
            return FrameType.SNAPSHOT_CHUNK;
        }
    }

    /** {@code [u64 digest]}: the snapshot is complete; digest is the state digest at its index. */
    record SnapshotEnd(long digest) implements Frame {
        public int type() {
            return FrameType.SNAPSHOT_END;
        }
    }

    /** Kinds of logged event. */
    enum EventKind {
        /** A session opened; payload is its 16-byte secret. */
        OPEN,
        /** An input; seq is its number in the session. */
        INPUT,
        /** A tick; session and seq are 0. */
        TICK,
        /** A session closed. */
        CLOSE;

        static EventKind of(int b) throws ProtocolException {
            if (b < 0 || b >= values().length) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown event kind " + b);
            }
            return values()[b];
        }
    }

    /** {@code [u64 index][u8 kind][u64 session][u64 seq][payload]}: the event applied at index. */
    record Event(long index, EventKind kind, long sessionId, long seq, byte[] payload) implements Frame {
        public int type() {
            return FrameType.EVENT;
        }
    }

    /** {@code [u64 session][u64 outputAck]}: the client delivered outputs up to outputAck. */
    record Trim(long sessionId, long outputAck) implements Frame {
        public int type() {
            return FrameType.TRIM;
        }
    }


    /** {@code [u64 index]}: the target has applied the log up to index. */
    record ReplicaAck(long index) implements Frame {
        public int type() {
            return FrameType.REPLICA_ACK;
        }
    }

    /**
     * {@code [u64 index][u64 digest][u64 nextTickInNanos]}: the source stopped after index L with this
     * digest; the next tick is due nextTickInNanos after this frame was sent.
     */
    record Cutover(long index, long digest, long nextTickInNanos) implements Frame {
        public int type() {
            return FrameType.CUTOVER;
        }
    }

    /** {@code [u8 ok][u64 digest]}: ok=1 the target took authority; ok=0 it refused (digest is its own). */
    record CutoverResult(boolean ok, long digest) implements Frame {
        public int type() {
            return FrameType.CUTOVER_RESULT;
        }
    }

    /** {@code [u64 session][u64 seq][payload]}: an input that reached the source after cutover. */
    record Forward(long sessionId, long seq, byte[] payload) implements Frame {
        public int type() {
            return FrameType.FORWARD;
        }
    }

    /** {@code [str reason]}: the source abandons the handoff. */
    record PeerAbort(String reason) implements Frame {
        public int type() {
            return FrameType.PEER_ABORT;
        }
    }

    /**
     * {@code [u64 index]}: from this log index on, the source releases nothing the target has not
     * acknowledged; a replica that holds it may take over if the source dies.
     */
    record Commit(long index) implements Frame {
        public int type() {
            return FrameType.COMMIT;
        }
    }
}
