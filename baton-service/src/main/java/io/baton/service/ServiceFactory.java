package io.baton.service;

import java.io.IOException;
import java.io.InputStream;

/**
 * Creates a service, fresh or from a snapshot. The runtime finds factories by name with
 * {@link java.util.ServiceLoader}, so a server can host any service on its class path.
 */
public interface ServiceFactory {

    /** The name operators use to pick this service ({@code --service NAME}). */
    String name();

    /** A service with an empty state. */
    Service create(ServiceConfig config);

    /**
     * A service restored from a snapshot written by a build whose {@link Service#schemaVersion()} was
     * {@code schemaVersion}. This is where upgraders live: a newer build converts older versions here,
     * and throws {@link UnsupportedSchemaException} for versions it does not know.
     */
    Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException;

    /**
     * A representative input, or null. A server rehearses a handoff in memory before it serves, so that
     * its code is loaded and compiled before a real handoff needs it; inputs like real ones make that
     * rehearsal exercise the paths real clients will.
     */
    default byte[] sampleInput(java.util.random.RandomGenerator random) {
        return null;
    }

    /**
     * The files of a page that plays this service in a browser, by the path each is served at ({@code "/"} for
     * the page itself), or none. A server serves them on its client port beside the WebSocket that the page's
     * sessions connect to, so that one address (and one certificate) serves both.
     */
    default java.util.Map<String, WebFile> webPage() {
        return java.util.Map.of();
    }
}
