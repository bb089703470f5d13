package io.baton.arena;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.UnsupportedSchemaException;
import io.baton.service.Upgrade;
import io.baton.service.WebFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The arena's next release, schema 3, under the same name as {@link ArenaFactory} ({@code --service arena}
 * with the version picked by the server): each player's distance travelled, pages snapshotted with a checksum
 * each, and rules 3 (moves step {@link ArenaProtocol#STEP_3} units per unit, updates carry the distance).
 *
 * <p>It takes a schema 2 state live ({@link Upgrade#LIVE}): restore converts it to schema 3's representation
 * (every distance 0, the pages' checksums computed from the block hashes, O(pages)), and the service applies
 * rules 2 and answers schema 2's digest until {@link Service#upgrade()}, which only flips the rules. A schema 1
 * state it takes by stop-and-copy only: it answers schema 1's digest, but rules 1 (a VIEW was a malformed
 * move) are not kept. docs/upgrades.md, "The arena's releases".
 */
public final class Arena3Factory implements ServiceFactory {

    /** Turns an older snapshot's contents into a schema 3 service answering as that version. */
    interface Converter {
        ArenaService convert(ArenaSnapshot.Contents contents, int fromVersion);
    }

    private final Converter converter;

    public Arena3Factory() {
        this(Arena3Factory::convert);
    }

    /** With another converter: tests show that a wrong one is caught by the older version's digest. */
    Arena3Factory(Converter converter) {
        this.converter = converter;
    }

    @Override
    public String name() {
        return ArenaFactory.NAME;
    }

    @Override
    public int schemaVersion() {
        return ArenaService.SCHEMA_3;
    }

    @Override
    public Service create(ServiceConfig config) {
        PageStore pages = ArenaFactory.pagesFor(config);
        pages.keepPageChecksums();
        return new ArenaService(pages, 0, 0, new java.util.TreeMap<>(), ArenaService.SCHEMA_3, ArenaService.SCHEMA_3);
    }

    @Override
    public Upgrade upgradeFrom(int olderSchemaVersion) {
        return switch (olderSchemaVersion) {
            case ArenaService.SCHEMA_VERSION -> Upgrade.LIVE;
            case 1 -> Upgrade.STOP_AND_COPY;
            default -> Upgrade.REFUSED;
        };
    }

    /**
     * Schema 3 as itself; 2 and 1 converted (by the whole pass restore makes anyway: the pages' block hashes,
     * then one fold of them per page) and checked against the digest the older build recorded.
     */
    @Override
    public Service restore(ServiceConfig config, int schemaVersion, InputStream in) throws IOException {
        if (schemaVersion < 1 || schemaVersion > ArenaService.SCHEMA_3) {
            throw new UnsupportedSchemaException(ArenaFactory.NAME, schemaVersion, ArenaService.SCHEMA_3);
        }
        ArenaSnapshot.Contents c = ArenaSnapshot.read(in, schemaVersion);
        ArenaService service = schemaVersion == ArenaService.SCHEMA_3
                ? new ArenaService(c.pages(), c.lastTick(), c.rejectedEvents(), c.players(), ArenaService.SCHEMA_3,
                        ArenaService.SCHEMA_3)
                : converter.convert(c, schemaVersion);
        return ArenaSnapshot.checked(service, c, schemaVersion);
    }

    /**
     * The upgrader: schema 3's representation of an older state. Each player's distance starts at 0 (no older
     * rule counted it, and rules 2 leave it there until the upgrade); the pages keep their checksums from now on.
     */
    static ArenaService convert(ArenaSnapshot.Contents c, int fromVersion) {
        for (Player p : c.players().values()) {
            p.travelled = 0;
        }
        c.pages().keepPageChecksums();
        return new ArenaService(c.pages(), c.lastTick(), c.rejectedEvents(), c.players(), fromVersion,
                ArenaService.SCHEMA_3);
    }

    @Override
    public Map<String, WebFile> webPage() {
        return ArenaPage.files();
    }

    @Override
    public byte[] sampleInput(RandomGenerator random) {
        return new ArenaFactory().sampleInput(random);
    }
}
