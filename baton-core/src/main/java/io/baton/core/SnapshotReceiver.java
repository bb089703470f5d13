package io.baton.core;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Receiving a snapshot on the target: the announcement checked against this server's service, the chunks
 * bounded by it, and the state loaded and verified against the source's digest. It owns the chunks in
 * flight; the phase that follows is the target handoff's.
 */
final class SnapshotReceiver {

    private final ServerCore core;
    private Frame.SnapshotBegin begin;
    /** The chunks received so far, or null outside a snapshot. */
    private List<byte[]> chunks;
    private long received;

    SnapshotReceiver(ServerCore core) {
        this.core = core;
    }

    void begin(Frame.SnapshotBegin b) throws ProtocolException {
        TargetPhase phase = core.target.phase();
        if (phase != TargetPhase.RECEIVING && phase != TargetPhase.REPLICATING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "SNAPSHOT_BEGIN in phase " + phase);
        }
        ServerConfig cfg = core.cfg;
        if (!b.service().equals(cfg.factory().name())) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    "source runs service '" + b.service() + "', this server hosts '" + cfg.factory().name() + "'");
        }
        if (b.schemaVersion() != core.target.sourceSchema) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "SNAPSHOT_BEGIN carries schema "
                    + b.schemaVersion() + ", the source's PEER_HELLO named " + core.target.sourceSchema);
        }
        if (b.tickHz() != cfg.service().tickHz()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION,
                    "source ticks at " + b.tickHz() + " Hz, this server at " + cfg.service().tickHz() + " Hz");
        }
        begin = b;
        chunks = new ArrayList<>();
        received = 0;
    }

    void chunk(Frame.SnapshotChunk c) throws ProtocolException {
        if (chunks == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "SNAPSHOT_CHUNK outside a snapshot");
        }
        received += c.data().length;
        if (begin.totalBytes() >= 0 && received > begin.totalBytes()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "snapshot longer than announced");
        }
        chunks.add(c.data());
    }

    /** The last chunk came: load the state and check it hashes to the source's digest. */
    void end(Frame.SnapshotEnd e, long now) throws ProtocolException {
        if (chunks == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "SNAPSHOT_END outside a snapshot");
        }
        List<InputStream> parts = new ArrayList<>(chunks.size());
        for (byte[] chunk : chunks) {
            parts.add(new ByteArrayInputStream(chunk));
        }
        chunks = null;
        EventLog log = core.log;
        try (DataInputStream in = new DataInputStream(new SequenceInputStream(java.util.Collections.enumeration(parts)))) {
            int runtimeLength = in.readInt();
            if (runtimeLength < 0 || runtimeLength > received) {
                throw new IOException("runtime section of " + runtimeLength + " bytes in a snapshot of " + received);
            }
            log.load(in.readNBytes(runtimeLength), begin.index(), begin.schemaVersion(), in);
        } catch (IOException | RuntimeException ex) {
            // A service's reader may fail on corrupt bytes with any exception: the snapshot is refused either way.
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "cannot restore the snapshot: "
                    + (ex instanceof IOException ? ex.getMessage() : ex.toString()));
        }
        String wrongVersion = SchemaUpgrade.checkRestored(log.service, begin.schemaVersion(), core.cfg.factory());
        if (!wrongVersion.isEmpty()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, wrongVersion);
        }
        if (core.cfg.defects().contains(Defect.UPGRADE_AT_RESTORE)
                && log.service.schemaVersion() < core.cfg.factory().schemaVersion()) {
            log.service.upgrade(); // broken on purpose: the newer rules before this server owns anything
        }
        // Unconditional: a state restored from an older version answers that version's digest, so a wrong
        // upgrader is caught here, before any client moves (docs/upgrades.md).
        long digest = log.stateDigest();
        if (digest != e.digest()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_VIOLATION, "snapshot digest " + Long.toHexString(digest)
                    + " differs from the source's " + Long.toHexString(e.digest())
                    + (begin.schemaVersion() != core.cfg.factory().schemaVersion() ? " after restoring schema "
                    + begin.schemaVersion() + " into this build's " + core.cfg.factory().schemaVersion()
                    + ": the upgrader in ServiceFactory.restore does not keep the older version's state" : ""));
        }
        core.target.snapshotLoaded(now);
        core.out.note("restored snapshot at index " + log.appliedIndex + " (" + received + " bytes, "
                + log.sessions.size() + " sessions)");
        core.out.stateRestored(!core.target.live(), received);
    }

    /** The replica was discarded: chunks in flight are dropped. */
    void clear() {
        chunks = null;
    }
}
