package io.baton.wire;

/**
 * Every frame type id, in one place. A frame on the wire is {@code [u32 length][u8 type][body]} where
 * length counts the type byte and the body. Ids 0x01..0x1F travel between client and server, 0x20..0x3F
 * between source and target (the peer link); any other id is a protocol error.
 */
public final class FrameType {

    /** Client opens, resumes or attaches a session; carries the protocol version. */
    public static final int HELLO = 0x01;
    /** Server accepts a hello: session id, secret (new sessions only), inputs acknowledged. */
    public static final int WELCOME = 0x02;
    /** One numbered client input, with the client's cumulative output acknowledgement. */
    public static final int INPUT = 0x03;
    /** One numbered server output, with the server's cumulative input acknowledgement. */
    public static final int OUTPUT = 0x04;
    /** A bare cumulative acknowledgement, when there is no data to carry it. */
    public static final int ACK = 0x05;
    /** Source tells a client where the target is, with a single-use attach ticket. */
    public static final int MOVE = 0x06;
    /** Client tells the source its pre-connection to the target is attached. */
    public static final int ATTACHED = 0x07;
    /** Source tells a client to switch to the target; no output after lastOutputSeq comes from here. */
    public static final int SWITCH = 0x08;
    /** Source tells a client the handoff was aborted: stay, drop the pre-connection. */
    public static final int MOVE_ABORTED = 0x09;
    /** Liveness probe; the receiver answers with PONG. */
    public static final int PING = 0x0A;
    /** Answer to PING, echoing its value. */
    public static final int PONG = 0x0B;
    /** Client ends its session for good. */
    public static final int CLOSE = 0x0C;
    /** The sender explains why it is closing this connection (and only this one). */
    public static final int ERROR = 0x0D;
    /** Source tells a client where to resume if it loses the source during the handoff. */
    public static final int TARGET_HINT = 0x0E;
    /** Source asks whoever answers at a client endpoint to prove it is the target of its handoff. */
    public static final int PROBE = 0x0F;
    /** Target's answer to PROBE: a MAC over the handoff id and the probe's nonce. */
    public static final int PROBE_PROOF = 0x10;

    /** Source opens the peer link: version, handoff id, mode, source nonce. */
    public static final int PEER_HELLO = 0x20;
    /** Target proves it knows the peer secret and challenges the source. */
    public static final int PEER_CHALLENGE = 0x21;
    /** Source proves it knows the peer secret. */
    public static final int PEER_AUTH = 0x22;
    /** Start of a snapshot at a log index. */
    public static final int SNAPSHOT_BEGIN = 0x23;
    /** A slice of snapshot bytes. */
    public static final int SNAPSHOT_CHUNK = 0x24;
    /** End of a snapshot. */
    public static final int SNAPSHOT_END = 0x25;
    /** One applied event, shipped to the replica in log order. */
    public static final int EVENT = 0x26;
    /** A client acknowledged outputs up to a number: the replica may drop them too. */
    public static final int TRIM = 0x27;
    /** Target has applied the log up to an index. */
    public static final int REPLICA_ACK = 0x28;
    /** Source stopped at index L: apply up to L, compare digests, take authority. */
    public static final int CUTOVER = 0x29;
    /** Target's answer to CUTOVER: authority taken, or refused with its digest. */
    public static final int CUTOVER_RESULT = 0x2A;
    /** An input that reached the source after cutover, forwarded to the target. */
    public static final int FORWARD = 0x2B;
    /** Source abandons the handoff; the target discards its replica. */
    public static final int PEER_ABORT = 0x2C;
    /** Output commit is on: the target holds everything any client has seen, and may take over. */
    public static final int COMMIT = 0x2D;

    private FrameType() {
    }

    /** A readable name for logs and errors. */
    public static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case WELCOME -> "WELCOME";
            case INPUT -> "INPUT";
            case OUTPUT -> "OUTPUT";
            case ACK -> "ACK";
            case MOVE -> "MOVE";
            case ATTACHED -> "ATTACHED";
            case SWITCH -> "SWITCH";
            case MOVE_ABORTED -> "MOVE_ABORTED";
            case PING -> "PING";
            case PONG -> "PONG";
            case CLOSE -> "CLOSE";
            case ERROR -> "ERROR";
            case TARGET_HINT -> "TARGET_HINT";
            case PROBE -> "PROBE";
            case PROBE_PROOF -> "PROBE_PROOF";
            case PEER_HELLO -> "PEER_HELLO";
            case PEER_CHALLENGE -> "PEER_CHALLENGE";
            case PEER_AUTH -> "PEER_AUTH";
            case SNAPSHOT_BEGIN -> "SNAPSHOT_BEGIN";
            case SNAPSHOT_CHUNK -> "SNAPSHOT_CHUNK";
            case SNAPSHOT_END -> "SNAPSHOT_END";
            case EVENT -> "EVENT";
            case TRIM -> "TRIM";
            case REPLICA_ACK -> "REPLICA_ACK";
            case CUTOVER -> "CUTOVER";
            case CUTOVER_RESULT -> "CUTOVER_RESULT";
            case FORWARD -> "FORWARD";
            case PEER_ABORT -> "PEER_ABORT";
            case COMMIT -> "COMMIT";
            default -> "0x" + Integer.toHexString(type);
        };
    }
}
