package io.baton.wire;

/**
 * One protocol frame. Each record's javadoc draws its body, the bytes after {@code [u32 length][u8 type]}
 * ({@link FrameCodec#BODY_OFFSET}), with each field's offset from the start of the body above it; the
 * record names those offsets as {@code *_FIELD_OFFSET} constants, and the codec reads and writes every field
 * at its constant, so the diagram, the constants and the bytes cannot drift apart. {@code BODY_LENGTH} is
 * the size of a body that is all fixed fields; {@code HEADER_LENGTH} that of the fixed fields before a
 * string or a payload. All integers are big-endian, {@code str} is {@code [u16 n][n bytes UTF-8]}, and a
 * trailing {@code payload} runs to the end of the frame. Arrays are never copied or changed after
 * construction.
 */
public sealed interface Frame {

    /**
     * Protocol version spoken by this build; carried in every hello. Version 2 added the target's client
     * endpoint to PEER_CHALLENGE, the PROBE / PROBE_PROOF pair and COMMIT's electorate, which a version 1
     * peer cannot read. Version 3 added the target's WebSocket URL to MOVE, TARGET_HINT and PEER_CHALLENGE.
     */
    int VERSION = 3;
    /**
     * Peer-link protocol version spoken by this build; carried in PEER_HELLO, apart from the client link's
     * {@link #VERSION} because the two links change apart. Version 3 binds the peer proofs to the handoff id,
     * the mode and the channel, its EVENT OPEN carries a session verifier instead of the secret, and its
     * PEER_CHALLENGE the target's WebSocket URL: a version 2 peer would fail authentication without knowing
     * why, so it is told UNSUPPORTED_VERSION instead. Version 4 adds the source's service name and schema
     * version to PEER_HELLO and the target's upgrade path to PEER_CHALLENGE, both covered by the proofs
     * (docs/upgrades.md).
     */
    int PEER_VERSION = 4;
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
        static final int VERSION_FIELD_OFFSET = 0;
        static final int KIND_FIELD_OFFSET = 2;
        static final int SESSION_ID_FIELD_OFFSET = 3;
        static final int TOKEN_FIELD_OFFSET = 11;
        static final int OUTPUT_ACK_FIELD_OFFSET = 27;
        static final int BODY_LENGTH = 35;

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
        static final int VERSION_FIELD_OFFSET = 0;
        static final int SESSION_ID_FIELD_OFFSET = 2;
        static final int SECRET_FIELD_OFFSET = 10;
        static final int INPUT_ACK_FIELD_OFFSET = 26;
        static final int BODY_LENGTH = 34;

        public int type() {
            return FrameType.WELCOME;
        }
    }

    /**
     * <pre>
     *  0          8           16
     *  +----------+-----------+--------------------+
     *  | u64      | u64       | payload            |
     *  | seq      | outputAck | (to end of frame)  |
     *  +----------+-----------+--------------------+
     * </pre>
     * Input number seq (from 1), and the outputs the client has delivered so far.
     */
    record Input(long seq, long ack, byte[] payload) implements Frame {
        static final int SEQ_FIELD_OFFSET = 0;
        static final int ACK_FIELD_OFFSET = 8;
        static final int PAYLOAD_FIELD_OFFSET = 16;
        static final int HEADER_LENGTH = PAYLOAD_FIELD_OFFSET;

        public int type() {
            return FrameType.INPUT;
        }
    }

    /**
     * <pre>
     *  0          8          16
     *  +----------+----------+--------------------+
     *  | u64      | u64      | payload            |
     *  | seq      | inputAck | (to end of frame)  |
     *  +----------+----------+--------------------+
     * </pre>
     * Output number seq (from 1), and the inputs the server has applied so far.
     */
    record Output(long seq, long ack, byte[] payload) implements Frame {
        static final int SEQ_FIELD_OFFSET = 0;
        static final int ACK_FIELD_OFFSET = 8;
        static final int PAYLOAD_FIELD_OFFSET = 16;
        static final int HEADER_LENGTH = PAYLOAD_FIELD_OFFSET;

        public int type() {
            return FrameType.OUTPUT;
        }
    }

    /**
     * <pre>
     *  0          8
     *  +----------+
     *  | u64      |
     *  | ack      |
     *  +----------+
     * </pre>
     * Outputs delivered (client to server) or inputs applied (server to client).
     */
    record Ack(long ack) implements Frame {
        static final int ACK_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 8;

        public int type() {
            return FrameType.ACK;
        }
    }

    /**
     * <pre>
     *  0          8                24                   26+n       28+n                 30+n+m
     *  +----------+----------------+--------------------+----------+--------------------+
     *  | u64      | 16 bytes       | str (u16 n, bytes) | u16      | str (u16 m, bytes) |
     *  | handoff  | ticket         | host               | port     | webSocket          |
     *  +----------+----------------+--------------------+----------+--------------------+
     * </pre>
     * Pre-connect to host:port and attach there with the ticket. The port follows the host, at
     * {@code HOST_FIELD_OFFSET + 2 + n}, and the target's WebSocket URL follows the port: a client on WebSocket
     * connects to that URL if it is not empty, else to host:port with its own URL's scheme and path.
     */
    record Move(long handoffId, byte[] ticket, String host, int port, String webSocket) implements Frame {
        static final int HANDOFF_ID_FIELD_OFFSET = 0;
        static final int TICKET_FIELD_OFFSET = 8;
        static final int HOST_FIELD_OFFSET = 24;
        static final int HEADER_LENGTH = HOST_FIELD_OFFSET;
        static final int PORT_FIELD_LENGTH = 2;
        /** A str: at least its u16 length. */
        static final int WEB_SOCKET_FIELD_LENGTH = 2;

        /** A target without a WebSocket URL of its own. */
        public Move(long handoffId, byte[] ticket, String host, int port) {
            this(handoffId, ticket, host, port, "");
        }

        public int type() {
            return FrameType.MOVE;
        }
    }

    /**
     * <pre>
     *  0          8
     *  +----------+
     *  | u64      |
     *  | handoff  |
     *  +----------+
     * </pre>
     * The client's pre-connection to the target is attached.
     */
    record Attached(long handoffId) implements Frame {
        static final int HANDOFF_ID_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 8;

        public int type() {
            return FrameType.ATTACHED;
        }
    }

    /**
     * <pre>
     *  0          8               16
     *  +----------+---------------+
     *  | u64      | u64           |
     *  | handoff  | lastOutputSeq |
     *  +----------+---------------+
     * </pre>
     * The source sends nothing after lastOutputSeq; go to the target.
     */
    record Switch(long handoffId, long lastOutputSeq) implements Frame {
        static final int HANDOFF_ID_FIELD_OFFSET = 0;
        static final int LAST_OUTPUT_SEQ_FIELD_OFFSET = 8;
        static final int BODY_LENGTH = 16;

        public int type() {
            return FrameType.SWITCH;
        }
    }

    /**
     * <pre>
     *  0          8
     *  +----------+
     *  | u64      |
     *  | handoff  |
     *  +----------+
     * </pre>
     * The handoff was aborted; stay on this server.
     */
    record MoveAborted(long handoffId) implements Frame {
        static final int HANDOFF_ID_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 8;

        public int type() {
            return FrameType.MOVE_ABORTED;
        }
    }

    /**
     * <pre>
     *  0          8
     *  +----------+
     *  | u64      |
     *  | value    |
     *  +----------+
     * </pre>
     * Answer with a PONG carrying the same value.
     */
    record Ping(long value) implements Frame {
        static final int VALUE_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 8;

        public int type() {
            return FrameType.PING;
        }
    }

    /**
     * <pre>
     *  0          8
     *  +----------+
     *  | u64      |
     *  | value    |
     *  +----------+
     * </pre>
     * The value of the PING answered.
     */
    record Pong(long value) implements Frame {
        static final int VALUE_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 8;

        public int type() {
            return FrameType.PONG;
        }
    }

    /**
     * <pre>
     *  0
     *  + (no body)
     * </pre>
     * The client ends its session.
     */
    record Close() implements Frame {
        static final int BODY_LENGTH = 0;

        public int type() {
            return FrameType.CLOSE;
        }
    }

    /**
     * <pre>
     *  0      2                    4+n
     *  +------+--------------------+
     *  | u16  | str (u16 n, bytes) |
     *  | code | message            |
     *  +------+--------------------+
     * </pre>
     * Why the sender closes this connection ({@link ErrorCode#code()}).
     */
    record Error(ErrorCode code, String message) implements Frame {
        static final int CODE_FIELD_OFFSET = 0;
        static final int MESSAGE_FIELD_OFFSET = 2;
        static final int HEADER_LENGTH = MESSAGE_FIELD_OFFSET;

        public int type() {
            return FrameType.ERROR;
        }
    }

    /**
     * <pre>
     *  0                    2+n      4+n                  6+n+m
     *  +--------------------+--------+--------------------+
     *  | str (u16 n, bytes) | u16    | str (u16 m, bytes) |
     *  | host               | port   | webSocket          |
     *  +--------------------+--------+--------------------+
     * </pre>
     * If this client loses the source while a handoff is under way, it resumes its session at host:port, or
     * at the WebSocket URL if it is on WebSocket and the URL is not empty (sent to every client once the target
     * holds all they have seen). An empty host with port 0 (and an empty URL) withdraws the hint: the target
     * is behind what this client is about to see, so the client must not resume there on its own (it still
     * follows a SWITCH).
     */
    record TargetHint(String host, int port, String webSocket) implements Frame {
        /** The hint that withdraws any earlier one. */
        public static final TargetHint WITHDRAWN = new TargetHint("", 0, "");
        static final int HOST_FIELD_OFFSET = 0;
        static final int PORT_FIELD_LENGTH = 2;
        /** A str: at least its u16 length. */
        static final int WEB_SOCKET_FIELD_LENGTH = 2;

        /** A target without a WebSocket URL of its own. */
        public TargetHint(String host, int port) {
            this(host, port, "");
        }

        public int type() {
            return FrameType.TARGET_HINT;
        }

        public boolean withdrawn() {
            return host.isEmpty() && port == 0;
        }
    }

    /**
     * <pre>
     *  0          8                24
     *  +----------+----------------+
     *  | u64      | 16 bytes       |
     *  | handoff  | nonce          |
     *  +----------+----------------+
     * </pre>
     * A source, on a connection to the client endpoint it was told to send its clients to, asks whoever
     * answers there to prove it is the target of this handoff. Sent instead of HELLO; the answer is
     * PROBE_PROOF, or ERROR and a close.
     */
    record Probe(long handoffId, byte[] nonce) implements Frame {
        static final int HANDOFF_ID_FIELD_OFFSET = 0;
        static final int NONCE_FIELD_OFFSET = 8;
        static final int BODY_LENGTH = 24;

        public int type() {
            return FrameType.PROBE;
        }
    }

    /**
     * <pre>
     *  0          8                                  40
     *  +----------+----------------------------------+
     *  | u64      | 32 bytes                         |
     *  | handoff  | mac                              |
     *  +----------+----------------------------------+
     * </pre>
     * mac = HMAC-SHA256(secret, "baton-probe" || u64 handoff || nonce): this client endpoint reaches the
     * server that holds the peer secret and receives that handoff.
     */
    record ProbeProof(long handoffId, byte[] mac) implements Frame {
        static final int HANDOFF_ID_FIELD_OFFSET = 0;
        static final int MAC_FIELD_OFFSET = 8;
        static final int BODY_LENGTH = 40;

        public int type() {
            return FrameType.PROBE_PROOF;
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

    /**
     * How a target takes the state of the schema version its source's PEER_HELLO named, as its PEER_CHALLENGE
     * answers (a target that cannot take it refuses with ERROR instead): docs/upgrades.md.
     */
    enum SchemaPath {
        /** Both run the same schema version. */
        SAME,
        /** An older version the target upgrades live: it replays the older rules until it takes authority. */
        LIVE,
        /** An older version the target takes only by stop-and-copy: a live handoff runs stop-and-copy. */
        STOP_AND_COPY;

        static SchemaPath of(int b) throws ProtocolException {
            if (b < 0 || b >= values().length) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown schema path " + b);
            }
            return values()[b];
        }
    }

    /**
     * <pre>
     *  0      2          10     11               27                   29+n     33+n
     *  +------+----------+------+----------------+--------------------+--------+
     *  | u16  | u64      | u8   | 16 bytes       | str (u16 n, bytes) | u32    |
     *  | ver  | handoff  | mode | sourceNonce    | service            | schema |
     *  +------+----------+------+----------------+--------------------+--------+
     * </pre>
     * The source opens the peer link, naming the service it hosts and the schema version of its state (what
     * its service's {@code schemaVersion()} answers), so that the target can refuse a handoff it cannot take
     * before any state is sent. The schema follows the service, at {@code SERVICE_FIELD_OFFSET + 2 + n}.
     */
    record PeerHello(int version, long handoffId, Mode mode, byte[] nonce, String service, int schemaVersion)
            implements Frame {
        static final int VERSION_FIELD_OFFSET = 0;
        static final int HANDOFF_ID_FIELD_OFFSET = 2;
        static final int MODE_FIELD_OFFSET = 10;
        static final int NONCE_FIELD_OFFSET = 11;
        static final int SERVICE_FIELD_OFFSET = 27;
        static final int HEADER_LENGTH = SERVICE_FIELD_OFFSET;
        static final int SCHEMA_VERSION_FIELD_LENGTH = 4;

        public int type() {
            return FrameType.PEER_HELLO;
        }
    }

    /**
     * <pre>
     *  0                16                                 48                   50+n     52+n                 54+n+m  55+n+m
     *  +----------------+----------------------------------+--------------------+--------+--------------------+-------+
     *  | 16 bytes       | 32 bytes                         | str (u16 n, bytes) | u16    | str (u16 m, bytes) | u8    |
     *  | targetNonce    | mac                              | host               | port   | webSocket          | path  |
     *  +----------------+----------------------------------+--------------------+--------+--------------------+-------+
     * </pre>
     * mac = HMAC-SHA256(secret, "baton-target" || transcript || u16 n || host || u16 port || u16 m || webSocket),
     * transcript = u64 handoff || u8 mode || sourceNonce || targetNonce || u16 b || binding || u16 s || service
     * || u32 schema || u8 path: the service and schema PEER_HELLO named and the path this answers, binding being the channel's
     * (docs/protocol.md, "Authentication"). The source checks it before it sends any state: only the real
     * target gets the state, and the client endpoint it advertises (host:port, where its clients reach it;
     * empty host and port 0 for none) and its WebSocket URL (empty for none: {@code serve --advertise-ws})
     * come from that target. The port follows the host, at {@code HOST_FIELD_OFFSET + 2 + n}, and the URL the port;
     * the path (how the target takes the source's schema version: {@link SchemaPath}) comes last.
     */
    record PeerChallenge(byte[] nonce, byte[] mac, String host, int port, String webSocket, SchemaPath path)
            implements Frame {
        static final int NONCE_FIELD_OFFSET = 0;
        static final int MAC_FIELD_OFFSET = 16;
        static final int HOST_FIELD_OFFSET = 48;
        static final int HEADER_LENGTH = HOST_FIELD_OFFSET;
        static final int PORT_FIELD_LENGTH = 2;
        /** A str: at least its u16 length. */
        static final int WEB_SOCKET_FIELD_LENGTH = 2;
        static final int PATH_FIELD_LENGTH = 1;

        /** A target without a WebSocket URL of its own, of the source's own schema version. */
        public PeerChallenge(byte[] nonce, byte[] mac, String host, int port) {
            this(nonce, mac, host, port, "", SchemaPath.SAME);
        }

        /** A target of the source's own schema version. */
        public PeerChallenge(byte[] nonce, byte[] mac, String host, int port, String webSocket) {
            this(nonce, mac, host, port, webSocket, SchemaPath.SAME);
        }

        public int type() {
            return FrameType.PEER_CHALLENGE;
        }
    }

    /**
     * <pre>
     *  0                                  32
     *  +----------------------------------+
     *  | 32 bytes                         |
     *  | mac                              |
     *  +----------------------------------+
     * </pre>
     * mac = HMAC-SHA256(secret, "baton-source" || u64 handoff || u8 mode || sourceNonce || targetNonce
     * || u16 b || binding).
     */
    record PeerAuth(byte[] mac) implements Frame {
        static final int MAC_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 32;

        public int type() {
            return FrameType.PEER_AUTH;
        }
    }

    /**
     * <pre>
     *  0          8          16       20           28       30                   32+n
     *  +----------+----------+--------+------------+--------+--------------------+
     *  | u64      | u64      | u32    | u64        | u16    | str (u16 n, bytes) |
     *  | index    | tick     | schema | totalBytes | tickHz | service            |
     *  +----------+----------+--------+------------+--------+--------------------+
     * </pre>
     * A snapshot of the state after applying the log up to index follows in chunks.
     */
    record SnapshotBegin(long index, long tick, int schemaVersion, long totalBytes, int tickHz, String service)
            implements Frame {
        static final int INDEX_FIELD_OFFSET = 0;
        static final int TICK_FIELD_OFFSET = 8;
        static final int SCHEMA_VERSION_FIELD_OFFSET = 16;
        static final int TOTAL_BYTES_FIELD_OFFSET = 20;
        static final int TICK_HZ_FIELD_OFFSET = 28;
        static final int SERVICE_FIELD_OFFSET = 30;
        static final int HEADER_LENGTH = SERVICE_FIELD_OFFSET;

        public int type() {
            return FrameType.SNAPSHOT_BEGIN;
        }
    }

    /**
     * <pre>
     *  0
     *  +--------------------+
     *  | data               |
     *  | (to end of frame)  |
     *  +--------------------+
     * </pre>
     * The next slice of snapshot bytes, at most {@link FrameCodec#SNAPSHOT_CHUNK_BYTES}.
     */
    record SnapshotChunk(byte[] data) implements Frame {
        static final int DATA_FIELD_OFFSET = 0;

        public int type() {
            return FrameType.SNAPSHOT_CHUNK;
        }
    }

    /**
     * <pre>
     *  0          8
     *  +----------+
     *  | u64      |
     *  | digest   |
     *  +----------+
     * </pre>
     * The snapshot is complete; digest is the state digest at its index.
     */
    record SnapshotEnd(long digest) implements Frame {
        static final int DIGEST_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 8;

        public int type() {
            return FrameType.SNAPSHOT_END;
        }
    }

    /** Kinds of logged event. */
    enum EventKind {
        /** A session opened; payload is its 32-byte verifier (a hash of the secret, never the secret). */
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

    /**
     * <pre>
     *  0          8      9          17         25
     *  +----------+------+----------+----------+--------------------+
     *  | u64      | u8   | u64      | u64      | payload            |
     *  | index    | kind | session  | seq      | (to end of frame)  |
     *  +----------+------+----------+----------+--------------------+
     * </pre>
     * The event applied at index.
     */
    record Event(long index, EventKind kind, long sessionId, long seq, byte[] payload) implements Frame {
        static final int INDEX_FIELD_OFFSET = 0;
        static final int KIND_FIELD_OFFSET = 8;
        static final int SESSION_ID_FIELD_OFFSET = 9;
        static final int SEQ_FIELD_OFFSET = 17;
        static final int PAYLOAD_FIELD_OFFSET = 25;
        static final int HEADER_LENGTH = PAYLOAD_FIELD_OFFSET;

        public int type() {
            return FrameType.EVENT;
        }
    }

    /**
     * <pre>
     *  0          8           16
     *  +----------+-----------+
     *  | u64      | u64       |
     *  | session  | outputAck |
     *  +----------+-----------+
     * </pre>
     * The client delivered outputs up to outputAck.
     */
    record Trim(long sessionId, long outputAck) implements Frame {
        static final int SESSION_ID_FIELD_OFFSET = 0;
        static final int OUTPUT_ACK_FIELD_OFFSET = 8;
        static final int BODY_LENGTH = 16;

        public int type() {
            return FrameType.TRIM;
        }
    }

    /**
     * <pre>
     *  0          8
     *  +----------+
     *  | u64      |
     *  | index    |
     *  +----------+
     * </pre>
     * The target has applied the log up to index.
     */
    record ReplicaAck(long index) implements Frame {
        static final int INDEX_FIELD_OFFSET = 0;
        static final int BODY_LENGTH = 8;

        public int type() {
            return FrameType.REPLICA_ACK;
        }
    }

    /**
     * <pre>
     *  0          8          16                24
     *  +----------+----------+-----------------+
     *  | u64      | u64      | u64             |
     *  | index    | digest   | nextTickInNanos |
     *  +----------+----------+-----------------+
     * </pre>
     * The source stopped after index L with this digest; the next tick is due nextTickInNanos after this
     * frame was sent.
     */
    record Cutover(long index, long digest, long nextTickInNanos) implements Frame {
        static final int INDEX_FIELD_OFFSET = 0;
        static final int DIGEST_FIELD_OFFSET = 8;
        static final int NEXT_TICK_IN_NANOS_FIELD_OFFSET = 16;
        static final int BODY_LENGTH = 24;

        public int type() {
            return FrameType.CUTOVER;
        }
    }

    /**
     * <pre>
     *  0      1          9
     *  +------+----------+
     *  | u8   | u64      |
     *  | ok   | digest   |
     *  +------+----------+
     * </pre>
     * ok=1 the target took authority; ok=0 it refused (digest is its own); any other value is malformed.
     */
    record CutoverResult(boolean ok, long digest) implements Frame {
        static final int OK_FIELD_OFFSET = 0;
        static final int DIGEST_FIELD_OFFSET = 1;
        static final int BODY_LENGTH = 9;

        public int type() {
            return FrameType.CUTOVER_RESULT;
        }
    }

    /**
     * <pre>
     *  0          8          16
     *  +----------+----------+--------------------+
     *  | u64      | u64      | payload            |
     *  | session  | seq      | (to end of frame)  |
     *  +----------+----------+--------------------+
     * </pre>
     * An input that reached the source after cutover.
     */
    record Forward(long sessionId, long seq, byte[] payload) implements Frame {
        static final int SESSION_ID_FIELD_OFFSET = 0;
        static final int SEQ_FIELD_OFFSET = 8;
        static final int PAYLOAD_FIELD_OFFSET = 16;
        static final int HEADER_LENGTH = PAYLOAD_FIELD_OFFSET;

        public int type() {
            return FrameType.FORWARD;
        }
    }

    /**
     * <pre>
     *  0                    2+n
     *  +--------------------+
     *  | str (u16 n, bytes) |
     *  | reason             |
     *  +--------------------+
     * </pre>
     * The source abandons the handoff; the target discards its replica. (A source that receives one aborts
     * too, but no target sends it.)
     */
    record PeerAbort(String reason) implements Frame {
        static final int REASON_FIELD_OFFSET = 0;

        public int type() {
            return FrameType.PEER_ABORT;
        }
    }

    /**
     * <pre>
     *  0          8          12                   12+8n
     *  +----------+----------+--------------------+
     *  | u64      | u32 n    | n x u64            |
     *  | index    | electorate: session ids       |
     *  +----------+----------+--------------------+
     * </pre>
     * From this log index on, the source releases nothing the target has not acknowledged; a replica that
     * holds it may take over if the source dies. The electorate is the sessions whose clients were present
     * at the source when it sent this: the only sessions whose claims count, and the only ones whose
     * presence keeps the source in charge (docs/faults.md, fencing).
     */
    record Commit(long index, long[] electorate) implements Frame {
        static final int INDEX_FIELD_OFFSET = 0;
        static final int ELECTORATE_FIELD_OFFSET = 8;
        static final int HEADER_LENGTH = 12;

        public Commit {
            electorate = electorate.clone();
        }

        @Override
        public long[] electorate() {
            return electorate.clone();
        }

        public int type() {
            return FrameType.COMMIT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Commit c && c.index == index && java.util.Arrays.equals(c.electorate, electorate);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(index) * 31 + java.util.Arrays.hashCode(electorate);
        }

        @Override
        public String toString() {
            return "Commit[index=" + index + ", electorate=" + electorate.length + " sessions]";
        }
    }
}
