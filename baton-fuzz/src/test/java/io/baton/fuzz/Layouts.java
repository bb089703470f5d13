package io.baton.fuzz;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where the service's bytes start in the containers the targets feed, read off the documented layouts
 * (SaveFile's javadoc) rather than the code that writes them.
 */
final class Layouts {

    private Layouts() {
    }

    /** The service's part of a save file (SaveFile's layout: header, sessions, then the service), or null. */
    static byte[] serviceOfSave(byte[] save) {
        ByteBuffer b = ByteBuffer.wrap(save);
        if (b.remaining() < 14) {
            return null;
        }
        b.position(12); // magic, format
        int name = b.getShort() & 0xFFFF;
        if (b.remaining() < name + 28) {
            return null;
        }
        b.position(b.position() + name + 24); // name, tick rate, schema, index, digest
        int runtime = b.getInt();
        return runtime < 0 || runtime > b.remaining() ? null : Arrays.copyOfRange(save, b.position() + runtime, save.length);
    }
}
