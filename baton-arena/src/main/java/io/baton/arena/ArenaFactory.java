package io.baton.arena;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.UnsupportedSchemaException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Creates the arena ({@code --service arena}). Option {@code state-mb=N} adds N MiB of world pages that
 * keep changing, to give handoffs a state of a chosen size; a restore takes the size from the snapshot.
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
        long mb = config.longOption("state-mb", 0);
        if (mb < 0 || mb > MAX_STATE_MB) {
            throw new IllegalArgumentException("option state-mb must be within 0.." + MAX_STATE_MB + ", was " + mb);
        }
        return new ArenaService(PageStore.create((int) (mb * 1024 * 1024 / PageStore.PAGE_SIZE)));
    }

    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException {
        // Upgraders go here: this build writes version 2 and still reads version 1 (no views) in its own case.
        switch (schemaVersion) {
            case 1:
                return ArenaSnapshot.readV1(in);
            case 2:
                return ArenaSnapshot.readV2(in);
            default:
                throw new UnsupportedSchemaException(NAME, schemaVersion, ArenaService.SCHEMA_VERSION);
        }
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
