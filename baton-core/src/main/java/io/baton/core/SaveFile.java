package io.baton.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The file a server saves its whole state to before it exits, for the restart baseline (what Baton
 * replaces: save, exit, start elsewhere, load, let the clients reconnect). Big-endian:
 * <pre>
 * 0   8    magic "BATONSAV"
 * 8   u32  format version = 2 (1 held session secrets; 2 holds only their verifiers)
 * 12  u16  n, then n bytes of UTF-8: the service's name
 * ..  u32  tick rate in Hz
 * ..  u32  the service's snapshot schema version
 * ..  u64  log index of the last applied event
 * ..  u64  state digest at that index (as in CUTOVER)
 * ..  u32  r, then r bytes: the runtime's sessions (the RuntimeState of a handoff snapshot)
 * ..  the service's snapshot, to the end of the file
 * </pre>
 */
final class SaveFile {

    private static final byte[] MAGIC = "BATONSAV".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT = 2;
    /** Sessions of a million clients fit with room to spare; anything larger is a corrupt file. */
    private static final int MAX_RUNTIME_BYTES = 1 << 30;

    record Header(String service, int tickHz, int schemaVersion, long index, long digest) {
    }

    private SaveFile() {
    }

    /** The whole file as a stream: a header and the runtime state in memory, then the service's snapshot. */
    static InputStream write(Header h, byte[] runtime, InputStream serviceSnapshot) {
        ByteArrayOutputStream head = new ByteArrayOutputStream(64 + runtime.length);
        try (DataOutputStream out = new DataOutputStream(head)) {
            out.write(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(h.service());
            out.writeInt(h.tickHz());
            out.writeInt(h.schemaVersion());
            out.writeLong(h.index());
            out.writeLong(h.digest());
            out.writeInt(runtime.length);
            out.write(runtime);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), serviceSnapshot);
    }

    static Header readHeader(DataInputStream in) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a Baton save file (no BATONSAV magic)");
        }
        int format = in.readInt();
        if (format == 1) {
            throw new IOException("save file format 1 holds session secrets themselves (written by a Baton build "
                    + "before peer link version 3); this server reads format " + FORMAT + ", which holds only their "
                    + "verifiers: restore it with the build that wrote it");
        }
        if (format != FORMAT) {
            throw new IOException("save file format " + format + " is not supported (this server reads " + FORMAT + ")");
        }
        return new Header(in.readUTF(), in.readInt(), in.readInt(), in.readLong(), in.readLong());
    }

    static byte[] readRuntime(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_RUNTIME_BYTES) {
            throw new IOException("save file announces " + length + " bytes of sessions");
        }
        byte[] runtime = in.readNBytes(length);
        if (runtime.length != length) {
            throw new IOException("save file ends inside its sessions");
        }
        return runtime;
    }
}
