package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import io.baton.service.UnsupportedSchemaException;
import io.baton.service.Upgrade;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The arena's schema 2 to 3 upgrade as the runtime will drive it: the same snapshot and the same events fed
 * to the default release and to the next one restored from it, compared output by output and digest by digest
 * until {@link Service#upgrade()}, then the new rule.
 */
class ArenaUpgradeTest {

    private static final ArenaFactory TWO = new ArenaFactory();
    private static final Arena3Factory THREE = new Arena3Factory();

    private static ServiceConfig config(long stateMb) {
        return new ServiceConfig(30, Map.of("state-mb", Long.toString(stateMb)));
    }

    private static byte[] bytesOf(Snapshot snapshot) {
        try (InputStream in = snapshot.open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Service restore(ServiceFactory factory, int version, byte[] bytes) throws IOException {
        return factory.restore(config(0), version, new ByteArrayInputStream(bytes));
    }

    /** A schema 2 world that has played {@code events} events of a script, with 1 MiB of pages. */
    private static FakeContext played(ArenaService source, List<Script.Event> script) {
        FakeContext ctx = new FakeContext(source);
        for (Script.Event e : script) {
            Script.apply(e, ctx);
        }
        return ctx;
    }

    @Test
    void restoredFromTwoItAnswersAsTwoUntilUpgradeThenAppliesRulesThree() throws IOException {
        List<Script.Event> script = Script.random(21, 6000);
        ArenaService source = (ArenaService) TWO.create(config(1));
        FakeContext cs = played(source, script.subList(0, 2000));
        byte[] snapshot = bytesOf(source.snapshot());

        Service same = restore(TWO, 2, snapshot);
        Service next = restore(THREE, 2, snapshot);
        assertThat(next.schemaVersion()).isEqualTo(2);
        assertThat(next.digest()).isEqualTo(same.digest()).isEqualTo(source.digest());
        // Until it upgrades, it even writes schema 2's bytes: a save taken now restores on the older build.
        assertThat(bytesOf(next.snapshot())).isEqualTo(snapshot);

        FakeContext c2 = new FakeContext(same, cs.logIndex(), cs.tick());
        FakeContext c3 = new FakeContext(next, cs.logIndex(), cs.tick());
        for (Script.Event e : script.subList(2000, 4000)) {
            Script.apply(e, c2);
            Script.apply(e, c3);
            assertThat(next.digest()).isEqualTo(same.digest());
        }
        assertThat(c3.outputs).hasSameSizeAs(c2.outputs).hasSizeGreaterThan(500);
        assertThat(c3.outputHash()).isEqualTo(c2.outputHash());
        assertThat(c3.outputs).allSatisfy(o -> assertThat(o.payload()[0]).isEqualTo(ArenaProtocol.UPDATE));

        long before = next.digest();
        next.upgrade();
        assertThat(next.schemaVersion()).isEqualTo(3);
        assertThat(next.digest()).isNotEqualTo(before).isEqualTo(((ArenaService) next).digest(3));
        assertThatThrownBy(next::upgrade).isInstanceOf(IllegalStateException.class).hasMessageContaining("once");

        int outputsAtUpgrade = c3.outputs.size();
        for (Script.Event e : script.subList(4000, script.size())) {
            Script.apply(e, c2);
            Script.apply(e, c3);
        }
        List<FakeContext.Output> after = c3.outputs.subList(outputsAtUpgrade, c3.outputs.size());
        assertThat(after).hasSizeGreaterThan(100)
                .allSatisfy(o -> assertThat(o.payload()[0]).isEqualTo(ArenaProtocol.UPDATE_3));
        // The inputs, their order and the hash chain are the same; only the rule differs.
        for (int i = 0; i < after.size(); i++) {
            ArenaProtocol.Update u2 = ArenaProtocol.decodeUpdate(c2.outputs.get(outputsAtUpgrade + i).payload());
            ArenaProtocol.Update u3 = ArenaProtocol.decodeUpdate(after.get(i).payload());
            assertThat(u3.rules()).isEqualTo(3);
            assertThat(u3.tick()).isEqualTo(u2.tick());
            assertThat(u3.inputIds()).containsExactly(u2.inputIds());
            assertThat(u3.inputHash()).isEqualTo(u2.inputHash());
        }
        assertThat(after).anySatisfy(o -> assertThat(ArenaProtocol.decodeUpdate(o.payload()).travelled()).isPositive());
    }

    @Test
    void rulesThreeDoubleTheStepAndCountTheDistanceFromTheFirstEventAfterTheUpgradeOnly() throws IOException {
        ArenaService source = (ArenaService) TWO.create(config(0));
        FakeContext cs = new FakeContext(source).open(1).runTick().move(1, 1, 3, -4);
        Service next = restore(THREE, 2, bytesOf(source.snapshot()));
        FakeContext c = new FakeContext(next, cs.logIndex(), cs.tick());
        // Applied by the source before the snapshot (one step) and, on the replica, under rules 2 (one step).
        c.move(1, 2, 5, 0);
        next.upgrade();
        c.move(1, 3, -7, 2).runTick();
        ArenaProtocol.Update first = cs.updatesFor(1).get(0);
        ArenaProtocol.Update u = c.updatesFor(1).get(0);
        assertThat(u.rules()).isEqualTo(3);
        assertThat(u.inputIds()).containsExactly(1, 2, 3);
        assertThat(u.x()).isEqualTo(Math.floorMod(first.x() + 3 + 5 - 7 * ArenaProtocol.STEP_3, ArenaProtocol.WORLD_SIZE));
        assertThat(u.y()).isEqualTo(Math.floorMod(first.y() - 4 + 2 * ArenaProtocol.STEP_3, ArenaProtocol.WORLD_SIZE));
        assertThat(u.travelled()).isEqualTo(ArenaProtocol.STEP_3 * (7 + 2));
    }

    @Test
    void aSchemaThreeSnapshotRoundTripsPageChecksumsAndDistanceIncluded() throws IOException {
        List<Script.Event> script = Script.random(5, 4000);
        ArenaService original = (ArenaService) THREE.create(config(1));
        assertThat(original.schemaVersion()).isEqualTo(3);
        FakeContext co = played(original, script.subList(0, 2000));
        Snapshot snapshot = original.snapshot();
        byte[] bytes = bytesOf(snapshot);
        assertThat(snapshot.size()).isEqualTo(bytes.length);
        // The new encoding: 16 pages, each after its u64 checksum.
        int table = java.nio.ByteBuffer.wrap(bytes, 28, 4).getInt();
        assertThat(bytes.length).isEqualTo(32 + table + 16 * (8 + PageStore.PAGE_SIZE) + 8);
        Service replica = restore(THREE, 3, bytes);
        assertThat(replica.schemaVersion()).isEqualTo(3);
        assertThat(replica.digest()).isEqualTo(original.digest());
        assertThat(bytesOf(replica.snapshot())).isEqualTo(bytes);

        FakeContext cr = new FakeContext(replica, co.logIndex(), co.tick());
        int from = co.outputs.size();
        for (Script.Event e : script.subList(2000, script.size())) {
            Script.apply(e, co);
            Script.apply(e, cr);
            assertThat(replica.digest()).isEqualTo(original.digest());
        }
        assertThat(cr.outputs).hasSize(co.outputs.size() - from).hasSizeGreaterThan(500);
        for (int i = 0; i < cr.outputs.size(); i++) {
            assertThat(cr.outputs.get(i).payload()).isEqualTo(co.outputs.get(from + i).payload());
        }
        assertThatThrownBy(replica::upgrade).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSchemaThreePageThatDoesNotMatchItsChecksumIsNamed() {
        Service s = THREE.create(config(1));
        new FakeContext(s).open(1).runTick();
        byte[] bytes = bytesOf(s.snapshot());
        int header = 32 + 46; // one player, nothing pending
        int page5 = header + 5 * (8 + PageStore.PAGE_SIZE) + 8 + 100;
        bytes[page5] ^= 1;
        assertThatThrownBy(() -> restore(THREE, 3, bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("page 5 of 16").hasMessageContaining("checksum");
    }

    @Test
    void theDefaultReleaseRefusesSchemaThreeAndTheNextTakesTwoLiveAndOneByStopAndCopy() throws IOException {
        byte[] three = bytesOf(THREE.create(config(0)).snapshot());
        assertThat(TWO.upgradeFrom(3)).isEqualTo(Upgrade.REFUSED);
        assertThatThrownBy(() -> restore(TWO, 3, three)).isInstanceOf(UnsupportedSchemaException.class)
                .hasMessageContaining("schema version 3").hasMessageContaining("writes version 2");
        assertThat(THREE.upgradeFrom(2)).isEqualTo(Upgrade.LIVE);
        assertThat(THREE.upgradeFrom(1)).isEqualTo(Upgrade.STOP_AND_COPY);
        assertThat(THREE.upgradeFrom(0)).isEqualTo(Upgrade.REFUSED);
        assertThat(THREE.upgradeFrom(4)).isEqualTo(Upgrade.REFUSED);
        assertThatThrownBy(() -> restore(THREE, 4, three)).isInstanceOf(UnsupportedSchemaException.class)
                .hasMessageContaining("4");
        assertThatThrownBy(() -> TWO.create(config(0)).upgrade()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aConverterThatGetsAnythingWrongIsCaughtByTheOlderVersionsDigest() throws IOException {
        ArenaService source = (ArenaService) TWO.create(config(1));
        played(source, Script.random(3, 1500));
        byte[] snapshot = bytesOf(source.snapshot());

        // Plausible mistakes: a distance seeded from the moves made, a lost count, a page left out of the checksums.
        List<Arena3Factory.Converter> wrong = List.of(
                (c, v) -> new ArenaService(pagesKept(c), c.lastTick(), c.rejectedEvents(), seededDistance(c), v, 3),
                (c, v) -> new ArenaService(pagesKept(c), c.lastTick(), 0, c.players(), v, 3),
                (c, v) -> new ArenaService(pagesKept(c), c.lastTick() + 1, c.rejectedEvents(), c.players(), v, 3));
        for (Arena3Factory.Converter converter : wrong) {
            ArenaService converted = converter.convert(ArenaSnapshot.read(new ByteArrayInputStream(snapshot), 2), 2);
            // The check the runtime makes against the source's digest...
            assertThat(converted.digest()).isNotEqualTo(source.digest());
            // ...and the one restore makes itself against the digest recorded with the snapshot.
            assertThatThrownBy(() -> restore(new Arena3Factory(converter), 2, snapshot))
                    .isInstanceOf(IOException.class).hasMessageContaining("conversion from schema 2 is wrong");
        }
        assertThat(restore(new Arena3Factory(Arena3Factory::convert), 2, snapshot).digest()).isEqualTo(source.digest());
    }

    private static java.util.TreeMap<Long, Player> seededDistance(ArenaSnapshot.Contents c) {
        for (Player p : c.players().values()) {
            p.travelled = p.inputsApplied;
        }
        return c.players();
    }

    private static PageStore pagesKept(ArenaSnapshot.Contents c) {
        c.pages().keepPageChecksums();
        return c.pages();
    }

    @Test
    void theConversionHappensInRestoreSoUpgradeTouchesNoPage() throws IOException {
        ArenaService source = (ArenaService) TWO.create(config(4));
        new FakeContext(source).open(1).runTick().runTick();
        ArenaService next = (ArenaService) restore(THREE, 2, bytesOf(source.snapshot()));
        PageStore pages = next.pages();
        assertThat(pages.keepsPageChecksums()).isTrue();
        long[] checksums = pages.pageChecksums();
        next.upgrade();
        // Schema 3's digest of the pages is the sum restore already kept, not a pass made now.
        assertThat(pages.pageChecksums()).containsExactly(checksums);
        PageStore fresh = PageStore.of(pageCopies(pages));
        fresh.keepPageChecksums();
        assertThat(next.digest()).isEqualTo(next.digest(3));
        assertThat(pages.checksumDigest()).isEqualTo(fresh.checksumDigest());
    }

    private static byte[][] pageCopies(PageStore store) {
        byte[][] shared = store.share();
        byte[][] copy = new byte[shared.length][];
        for (int i = 0; i < shared.length; i++) {
            copy[i] = shared[i].clone();
        }
        return copy;
    }

    @Test
    void bothReleasesAreFoundUnderOneNameTheDefaultFirst() {
        List<ServiceFactory> arenas = ServiceLoader.load(ServiceFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("arena")).toList();
        assertThat(arenas).extracting(ServiceFactory::schemaVersion).containsExactly(2, 3);
        assertThat(arenas).extracting(f -> f.create(config(0)).schemaVersion()).containsExactly(2, 3);
    }
}
