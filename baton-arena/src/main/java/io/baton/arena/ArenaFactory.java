package io.baton.arena;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.UnsupportedSchemaException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Creates the arena ({@code --service arena --service-version 2}), schema 2: the previous release; {@code
 * --service arena} alone hosts the newest (ServiceLookup). Option {@code state-mb=N} adds N MiB of world pages
 * that keep changing, to give handoffs a state of a chosen size; a restore takes the size from the snapshot.
 * The next release, schema 3, is {@link Arena3Factory}, under the same name; this one refuses its snapshots
 * (a downgrade).
 */
public final class ArenaFactory implements ServiceFactory {

    public static final String NAME = "arena";
    /** The most {@code state-mb} accepted: 64 GiB of pages. */
    static final long MAX_STATE_MB = 64 * 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int schemaVersion() {
        return ArenaService.SCHEMA_VERSION;
    }

    @Override
    public Service create(ServiceConfig config) {
        return new ArenaService(pagesFor(config));
    }

    /** The world pages that option {@code state-mb} asks for, checked. */
    static PageStore pagesFor(ServiceConfig config) {
        long mb = config.longOption("state-mb", 0);
        if (mb < 0 || mb > MAX_STATE_MB) {
            throw new IllegalArgumentException("option state-mb must be within 0.." + MAX_STATE_MB + ", was " + mb);
        }
        return PageStore.create((int) (mb * 1024 * 1024 / PageStore.PAGE_SIZE));
    }

    /**
     * Reads this build's version 2 and, as it always has, version 1 (no views) in its own case: a version 1
     * state is at once schema 2's (its digest checked as version 1's first). It never had an upgrade path
     * through a handoff ({@link #upgradeFrom} refuses 1, the default), only through a save file.
     */
    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException {
        if (schemaVersion != 1 && schemaVersion != ArenaService.SCHEMA_VERSION) {
            throw new UnsupportedSchemaException(NAME, schemaVersion, ArenaService.SCHEMA_VERSION);
        }
        ArenaSnapshot.Contents c = ArenaSnapshot.read(in, schemaVersion);
        return ArenaSnapshot.checked(new ArenaService(c.pages(), c.lastTick(), c.rejectedEvents(), c.players(),
                ArenaService.SCHEMA_VERSION, ArenaService.SCHEMA_VERSION), c, schemaVersion);
    }

    /** The arena page ({@link ArenaPage}): a person or a browser test plays the arena on the server's own port. */
    @Override
    public java.util.Map<String, io.baton.service.WebFile> webPage() {
        return ArenaPage.files();
    }

    @Override
    public byte[] sampleInput(java.util.random.RandomGenerator random) {
        return ArenaProtocol.move(1 + random.nextInt(1_000_000), random.nextInt(-3, 4), random.nextInt(-3, 4));
    }
}
