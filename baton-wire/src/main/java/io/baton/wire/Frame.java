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
     * The newest client-link version this build speaks by default (its range is 4..4 unless configured:
     * {@link VersionRange#CLIENT_DEFAULT}). Version 2 added the target's client endpoint to PEER_CHALLENGE,
     * the PROBE / PROBE_PROOF pair and COMMIT's electorate; version 3 the target's WebSocket URL to MOVE,
     * TARGET_HINT and PEER_CHALLENGE; version 4 is the first whose HELLO carries a range (min, max) and whose
     * WELCOME says the version chosen.
     */
    int VERSION = 4;
    /**
     * The newest peer-link version this build speaks by default ({@link VersionRange#PEER_DEFAULT}), apart
     * from the client link's {@link #VERSION} because the two links change apart. Version 3 binds the peer
     * proofs to the handoff id, the mode and the channel, its EVENT OPEN carries a session verifier instead of
     * the secret, and its PEER_CHALLENGE the target's WebSocket URL; version 4 is the first whose PEER_HELLO
     * carries a range and whose PEER_CHALLENGE says the version chosen, and it adds the source's service name
     * and schema version to PEER_HELLO and the target's upgrade path to PEER_CHALLENGE, all covered by the
     * proofs (docs/upgrades.md).
     */
    int PEER_VERSION = 4;
    /**
     * The first version of either link with a range in its hello. A hello whose first byte is 0 comes from a
     * build before it: its bytes 0-1 are that build's one version, a u16 (1..3), and it is refused, never
     * read as a range.
     */
    int FIRST_RANGED_VERSION = 4;
    /**
     * The test version, 5, of both links: the codec writes and reads it, a build speaks it only when
     * configured to ({@code --client-versions 4..5}, {@code --peer-versions 4..5}), and it differs from 4 in one
     * small, real way each, so that negotiation is exercised by something a wrong choice would break: a
     * version 5 WELCOME ends with the server's tick rate, a version 5 CUTOVER with the source's tick at L
     * (docs/protocol.md, "Versions").
     */
    int NEWEST_KNOWN_VERSION = 5;
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
     *  0      1      2      3          11                 27          35
     *  +------+------+------+----------+------------------+-----------+
     *  | u8   | u8   | u8   | u64      | 16 bytes         | u64       |
     *  | min  | max  | kind | session  | secret / ticket  | outputAck |
     *  +------+------+------+----------+------------------+-----------+
     * </pre>
     * min..max are the client-link versions the client speaks (min at least 4). For NEW, session is 0 and the
     * token is zeros. For RESUME the token is the session secret, for ATTACH the ticket from MOVE. outputAck is
     * the last output the client delivered, so the server resends after it. A build before ranges wrote a u16
     * version (1..3) in bytes 0-1, so its first byte is 0: such a hello decodes as {@code v..v} and is refused.
     */
    record Hello(int minVersion, int maxVersion, HelloKind kind, long sessionId, byte[] token, long outputAck)
            implements Frame {
        static final int MIN_VERSION_FIELD_OFFSET = 0;
        static final int MAX_VERSION_FIELD_OFFSET = 1;
        static final int KIND_FIELD_OFFSET = 2;
        static final int SESSION_ID_FIELD_OFFSET = 3;
        static final int TOKEN_FIELD_OFFSET = 11;
        static final int OUTPUT_ACK_FIELD_OFFSET = 27;
        static final int BODY_LENGTH = 35;

        /** A client speaking the one version {@code version} (below 4: the hello of a build before ranges). */
        public Hello(int version, HelloKind kind, long sessionId, byte[] token, long outputAck) {
            this(version, version, kind, sessionId, token, outputAck);
        }

        /** A client speaking {@code versions}. */
        public Hello(VersionRange versions, HelloKind kind, long sessionId, byte[] token, long outputAck) {
            this(versions.min(), versions.max(), kind, sessionId, token, outputAck);
        }

        /** The range the client speaks. */
        public VersionRange versions() {
            return new VersionRange(minVersion, maxVersion);
        }

        public int type() {
            return FrameType.HELLO;
        }
    }

    /**
     * <pre>
     *  0      2          10               26         34       36
     *  +------+----------+----------------+----------+--------+
     *  | u16  | u64      | 16 bytes       | u64      | u16    |
     *  | ver  | session  | secret         | inputAck | tickHz |
     *  +------+----------+----------------+----------+--------+
     * </pre>
     * ver is the client-link version the server chose for this connection: the highest in both ranges. The
     * secret is the session's resume credential, sent once for NEW and zeros otherwise. inputAck is the last
     * input applied: the client drops inputs up to it and resends the rest. tickHz, the server's tick rate, is
     * in version 5 (the test version) only: a version 4 WELCOME ends at byte 34 ({@link #V4_BODY_LENGTH}), and
     * {@code tickHz} is 0 in it.
     */
    record Welcome(int version, long sessionId, byte[] secret, long inputAck, int tickHz) implements Frame {
        static final int VERSION_FIELD_OFFSET = 0;
        static final int SESSION_ID_FIELD_OFFSET = 2;
        static final int SECRET_FIELD_OFFSET = 10;
        static final int INPUT_ACK_FIELD_OFFSET = 26;
        static final int TICK_HZ_FIELD_OFFSET = 34;
        static final int BODY_LENGTH = 36;
        static final int V4_BODY_LENGTH = 34;

        /** A WELCOME without the version 5 field: any version below 5. */
        public Welcome(int version, long sessionId, byte[] secret, long inputAck) {
            this(version, sessionId, secret, inputAck, 0);
        }

        /** The body's length in this version's layout. */
        int bodyLength() {
            return version >= 5 ? BODY_LENGTH : V4_BODY_LENGTH;
        }

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
     *  0      1      2          10     11               27                   29+n     33+n
     *  +------+------+----------+------+----------------+--------------------+--------+
     *  | u8   | u8   | u64      | u8   | 16 bytes       | str (u16 n, bytes) | u32    |
     *  | min  | max  | handoff  | mode | sourceNonce    | service            | schema |
     *  +------+------+----------+------+----------------+--------------------+--------+
     * </pre>
     * The source opens the peer link. min..max are the peer-link versions it speaks (min at least 4); as in
     * HELLO, a first byte 0 is a build before ranges, whose bytes 0-1 were its one version (a u16, 1..3). It
     * names the service it hosts and the schema version of its state (what its service's {@code
     * schemaVersion()} answers), so that the target can refuse a handoff it cannot take before any state is
     * sent. The schema follows the service, at {@code SERVICE_FIELD_OFFSET + 2 + n}.
     */
    record PeerHello(int minVersion, int maxVersion, long handoffId, Mode mode, byte[] nonce, String service,
                     int schemaVersion) implements Frame {
        static final int MIN_VERSION_FIELD_OFFSET = 0;
        static final int MAX_VERSION_FIELD_OFFSET = 1;
        static final int HANDOFF_ID_FIELD_OFFSET = 2;
        static final int MODE_FIELD_OFFSET = 10;
        static final int NONCE_FIELD_OFFSET = 11;
        static final int SERVICE_FIELD_OFFSET = 27;
        static final int HEADER_LENGTH = SERVICE_FIELD_OFFSET;
        static final int SCHEMA_VERSION_FIELD_LENGTH = 4;

        /** A source speaking the one version {@code version} (below 4: the hello of a build before ranges). */
        public PeerHello(int version, long handoffId, Mode mode, byte[] nonce, String service, int schemaVersion) {
            this(version, version, handoffId, mode, nonce, service, schemaVersion);
        }

        /** A source speaking {@code versions}. */
        public PeerHello(VersionRange versions, long handoffId, Mode mode, byte[] nonce, String service,
                         int schemaVersion) {
            this(versions.min(), versions.max(), handoffId, mode, nonce, service, schemaVersion);
        }

        /** The range the source speaks. */
        public VersionRange versions() {
            return new VersionRange(minVersion, maxVersion);
        }

        public int type() {
            return FrameType.PEER_HELLO;
        }
    }

    /**
     * <pre>
     *  0      2                18                                 50                   52+n     54+n                 56+n+m  57+n+m
     *  +------+----------------+----------------------------------+--------------------+--------+--------------------+-------+
     *  | u16  | 16 bytes       | 32 bytes                         | str (u16 n, bytes) | u16    | str (u16 m, bytes) | u8    |
     *  | ver  | targetNonce    | mac                              | host               | port   | webSocket          | path  |
     *  +------+----------------+----------------------------------+--------------------+--------+--------------------+-------+
     * </pre>
     * ver is the peer-link version the target chose: the highest in both ranges. mac = HMAC-SHA256(secret,
     * "baton-target" || transcript || u16 n || host || u16 port || u16 m || webSocket), transcript = u64 handoff
     * || u8 mode || u8 min || u8 max || u16 ver || sourceNonce || targetNonce || u16 b || binding || u16 s ||
     * service || u32 schema || u8 path: the range and the service and schema PEER_HELLO named, the version and
     * the path this answers, binding being the channel's
     * (docs/protocol.md, "Authentication"). The source checks it before it sends any state: only the real
     * target gets the state, and the client endpoint it advertises (host:port, where its clients reach it;
     * empty host and port 0 for none) and its WebSocket URL (empty for none: {@code serve --advertise-ws})
     * come from that target. The port follows the host, at {@code HOST_FIELD_OFFSET + 2 + n}, and the URL the port;
     * the path (how the target takes the source's schema version: {@link SchemaPath}) comes last.
     */
    record PeerChallenge(int version, byte[] nonce, byte[] mac, String host, int port, String webSocket,
                         SchemaPath path) implements Frame {
        static final int VERSION_FIELD_OFFSET = 0;
        static final int NONCE_FIELD_OFFSET = 2;
        static final int MAC_FIELD_OFFSET = 18;
        static final int HOST_FIELD_OFFSET = 50;
        static final int HEADER_LENGTH = HOST_FIELD_OFFSET;
        static final int PORT_FIELD_LENGTH = 2;
        /** A str: at least its u16 length. */
        static final int WEB_SOCKET_FIELD_LENGTH = 2;
        static final int PATH_FIELD_LENGTH = 1;

        /** A target that chose this build's {@link #PEER_VERSION}, of the source's own schema version. */
        public PeerChallenge(byte[] nonce, byte[] mac, String host, int port, String webSocket) {
            this(PEER_VERSION, nonce, mac, host, port, webSocket, SchemaPath.SAME);
        }

        /**
         * A target that chose this build's {@link #PEER_VERSION}, of the source's own schema version, without a
         * WebSocket URL of its own.
         */
        public PeerChallenge(byte[] nonce, byte[] mac, String host, int port) {
            this(PEER_VERSION, nonce, mac, host, port, "", SchemaPath.SAME);
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
     * mac = HMAC-SHA256(secret, "baton-source" || u64 handoff || u8 mode || u8 min || u8 max || u16 ver
     * || sourceNonce || targetNonce || u16 b || binding).
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
     *  0          8          16                24         32
     *  +----------+----------+-----------------+----------+
     *  | u64      | u64      | u64             | u64      |
     *  | index    | digest   | nextTickInNanos | tick     |
     *  +----------+----------+-----------------+----------+
     * </pre>
     * The source stopped after index L with this digest; the next tick is due nextTickInNanos after this
     * frame was sent. tick, the source's tick at L, is in peer-link version 5 (the test version) only: a
     * version 4 CUTOVER ends at byte 24 ({@link #V4_BODY_LENGTH}) and decodes with {@link #NO_TICK}. The
     * length tells the layouts apart; the target refuses the one its link's version does not use.
     */
    record Cutover(long index, long digest, long nextTickInNanos, long tick) implements Frame {
        static final int INDEX_FIELD_OFFSET = 0;
        static final int DIGEST_FIELD_OFFSET = 8;
        static final int NEXT_TICK_IN_NANOS_FIELD_OFFSET = 16;
        static final int TICK_FIELD_OFFSET = 24;
        static final int BODY_LENGTH = 32;
        static final int V4_BODY_LENGTH = 24;
        /** {@code tick} of a CUTOVER in the version 4 layout, which has none. */
        public static final long NO_TICK = -1;

        /** A CUTOVER in the version 4 layout. */
        public Cutover(long index, long digest, long nextTickInNanos) {
            this(index, digest, nextTickInNanos, NO_TICK);
        }

        /** The body's length in this frame's layout. */
        int bodyLength() {
            return tick == NO_TICK ? V4_BODY_LENGTH : BODY_LENGTH;
        }

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
