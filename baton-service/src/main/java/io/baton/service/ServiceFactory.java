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

    /**
     * The schema version this build writes and whose rules its services apply: what {@link Service#schemaVersion()}
     * returns on a service from {@link #create}, or from {@link #restore} once it is upgraded.
     */
    int schemaVersion();

    /** A service with an empty state. */
    Service create(ServiceConfig config);

    /**
     * A service restored from a snapshot written by a build whose {@link Service#schemaVersion()} was
     * {@code schemaVersion}: this build's own, or an older one that {@link #upgradeFrom} does not refuse.
     *
     * <p>For an older version this is the upgrader. The service returned holds the state converted to this
     * build's representation, but until {@link Service#upgrade()} it answers {@link Service#schemaVersion()} and
     * {@link Service#digest()} exactly as the older version would for the same state (the runtime checks that
     * digest against the one the older build computed) and, for {@link Upgrade#LIVE}, applies the older
     * version's rules to every event. Do the conversion here, however long it takes: on a live handoff this
     * runs while the source still serves. Throws {@link UnsupportedSchemaException} for a version it cannot take.
     */
    Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException;

    /**
     * How this build takes over state of an older schema version (never asked about its own, nor a newer
     * one: a newer version is a downgrade, always refused). The runtime asks before any client moves, so a
     * handoff that cannot happen is refused while the source still serves everyone. By default: refused.
     */
    default Upgrade upgradeFrom(int olderSchemaVersion) {
        return Upgrade.REFUSED;
    }

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
