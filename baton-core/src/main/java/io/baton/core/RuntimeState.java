package io.baton.core;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * The runtime's own part of a snapshot: log position, tick, and the session table with every
 * unacknowledged output. It precedes the service's bytes in the snapshot stream.
 *
 * <pre>
 *  [u32 magic "BTNR"][u16 version=2][u64 appliedIndex][u64 tick][u64 nextSessionId][u32 sessions]
 *  per session: [u64 id][32 verifier][u64 inputApplied][u64 outputSeq][u64 outputAcked][u32 outputs]
 *               per output: [u64 seq][u32 length][bytes]
 * </pre>
 * Version 2 holds each session's verifier (Tokens#verifier), never its secret; version 1 held the secret
 * itself, and is refused.
 */
final class RuntimeState {

    static final int MAGIC = 0x42544E52;
    static final int VERSION = 2;

    long appliedIndex;
    long tick;
    long nextSessionId;

    private RuntimeState() {
    }

    static byte[] write(long appliedIndex, long tick, long nextSessionId, Collection<Session> sessions) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + sessions.size() * 96);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeLong(appliedIndex);
            out.writeLong(tick);
            out.writeLong(nextSessionId);
            out.writeInt(sessions.size());
            for (Session s : sessions) {
                out.writeLong(s.id);
                out.write(s.verifier);
                out.writeLong(s.inputApplied);
                out.writeLong(s.outputSeq);
                out.writeLong(s.outputAcked);
                out.writeInt(s.unacked.size());
                for (Session.Out o : s.unacked) {
                    out.writeLong(o.seq());
                    out.writeInt(o.payload().length);
                    out.write(o.payload());
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the runtime section into {@code sessions} (which must be empty); the stream is left at the service bytes. */
    static RuntimeState read(DataInputStream in, Map<Long, Session> sessions, long index) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("snapshot does not start with the runtime section");
        }
        int version = in.readUnsignedShort();
        if (version == 1) {
            throw new IOException("runtime section version 1 holds session secrets themselves (a Baton build "
                    + "before peer link version 3); this server reads version " + VERSION + ", which holds only "
                    + "verifiers: hand off or restore with the build that wrote it");
        }
        if (version != VERSION) {
            throw new IOException("runtime section version " + version + " is not supported (this server reads "
                    + VERSION + ")");
        }
        RuntimeState r = new RuntimeState();
        r.appliedIndex = in.readLong();
        r.tick = in.readLong();
        r.nextSessionId = in.readLong();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long id = in.readLong();
            byte[] verifier = in.readNBytes(Tokens.VERIFIER_LENGTH);
            if (verifier.length != Tokens.VERIFIER_LENGTH) {
                throw new IOException("snapshot ends inside session " + id + "'s verifier");
            }
            Session s = new Session(id, verifier);
            s.inputApplied = in.readLong();
            s.inputReleased = s.inputApplied;
            s.outputSeq = in.readLong();
            s.outputAcked = in.readLong();
            int outs = in.readInt();
            for (int k = 0; k < outs; k++) {
                long seq = in.readLong();
                Session.Out newest = s.unacked.last();
                if (newest != null && seq <= newest.seq()) {
                    throw new IOException("session " + id + "'s output " + seq + " follows its output " + newest.seq()
                            + " in the snapshot: outputs must be in increasing order");
                }
                int len = in.readInt();
                if (len < 0 || len > (64 << 20)) {
                    throw new IOException("output of " + len + " bytes in snapshot");
                }
                s.keep(new Session.Out(seq, index, in.readNBytes(len)));
            }
            sessions.put(id, s);
        }
        return r;
    }
}
