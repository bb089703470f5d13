package io.baton.service;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** A consistent capture of a service's state, serialised lazily. */
public interface Snapshot {

    /**
     * Opens the serialised bytes. May be called on another thread than the service's, while the service
     * keeps running; the bytes must nevertheless be those of the state when the snapshot was taken.
     */
    InputStream open();

    /** The number of bytes {@link #open()} yields, or -1 if not known in advance. */
    long size();

    /** A snapshot of already serialised bytes, for services whose state is small. */
    static Snapshot ofBytes(byte[] bytes) {
        return new Snapshot() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public long size() {
                return bytes.length;
            }
        };
    }
}
