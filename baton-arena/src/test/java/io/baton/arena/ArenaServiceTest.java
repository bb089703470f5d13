package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.Snapshot;
import io.baton.service.UnsupportedSchemaException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ArenaServiceTest {

    private static final ArenaFactory FACTORY = new ArenaFactory();

    private static ServiceConfig config(long stateMb) {
        return new ServiceConfig(30, Map.of("state-mb", Long.toString(stateMb)));
    }

    private static ArenaService create(long stateMb) {
        return (ArenaService) FACTORY.create(config(stateMb));
    }

    private static Service restore(Snapshot snapshot) throws IOException {
        try (InputStream in = snapshot.open()) {
            return FACTORY.restore(config(0), ArenaService.SCHEMA_VERSION, in);
        }
    }

    private static byte[] bytesOf(Snapshot snapshot) {
        try (InputStream in = snapshot.open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void sameEventsGiveSameOutputsAndDigest() {
        List<Script.Event> script = Script.random(7, 3000);
        ArenaService a = create(1);
        ArenaService b = create(1);
        FakeContext ca = new FakeContext(a);
        FakeContext cb = new FakeContext(b);
        Set<Long> digests = new HashSet<>();
        for (Script.Event e : script) {
            Script.apply(e, ca);
            Script.apply(e, cb);
            assertThat(b.digest()).isEqualTo(a.digest());
            digests.add(a.digest());
        }
        assertThat(ca.outputs).hasSizeGreaterThan(1000);
        assertThat(cb.outputs).hasSameSizeAs(ca.outputs);
        assertThat(cb.outputHash()).isEqualTo(ca.outputHash());
        // A digest that never moves would make the comparison above worthless.
        assertThat(digests).hasSizeGreaterThan(script.size() / 2);
    }

    @Test
    void oneDifferentMoveGivesADifferentDigest() {
        ArenaService a = create(0);
        ArenaService b = create(0);
        new FakeContext(a).open(1).move(1, 1, 2, 3).runTick();
        new FakeContext(b).open(1).move(1, 1, 2, 4).runTick();
        assertThat(b.digest()).isNotEqualTo(a.digest());
    }

    @Test
    void snapshotRestoredMidRunContinuesExactlyLikeTheOriginal() throws IOException {
        List<Script.Event> script = Script.random(11, 4000);
        ArenaService original = create(1);
        FakeContext co = new FakeContext(original);
        for (Script.Event e : script.subList(0, 2000)) {
            Script.apply(e, co);
        }
        long atCapture = original.digest();
        Service replica = restore(original.snapshot());
        assertThat(replica.digest()).isEqualTo(atCapture);

        FakeContext cr = new FakeContext(replica, co.logIndex(), co.tick());
        int outputsBefore = co.outputs.size();
        for (Script.Event e : script.subList(2000, script.size())) {
            Script.apply(e, co);
            Script.apply(e, cr);
            assertThat(replica.digest()).isEqualTo(original.digest());
        }
        List<FakeContext.Output> later = co.outputs.subList(outputsBefore, co.outputs.size());
        assertThat(cr.outputs).hasSameSizeAs(later).hasSizeGreaterThan(500);
        for (int i = 0; i < later.size(); i++) {
            assertThat(cr.outputs.get(i).sessionId()).isEqualTo(later.get(i).sessionId());
            assertThat(cr.outputs.get(i).payload()).isEqualTo(later.get(i).payload());
        }
        assertThat(original.digest()).isNotEqualTo(atCapture);
    }

    @Test
    void snapshotKeepsTheStateAtCaptureWhileTheServiceKeepsTicking() throws IOException {
        ArenaService service = create(2);
        FakeContext ctx = new FakeContext(service);
        ctx.open(1).open(2).move(1, 1, 5, 5).runTick().move(2, 1, -3, 1);
        Snapshot snapshot = service.snapshot();
        long atCapture = service.digest();
        byte[] beforeTicking = bytesOf(snapshot);

        CompletableFuture<byte[]> readElsewhere = CompletableFuture.supplyAsync(() -> bytesOf(snapshot));
        for (int i = 0; i < 300; i++) {
            ctx.move(1, i + 2, 1, 1).runTick();
        }
        byte[] concurrent = readElsewhere.join();
        byte[] afterwards = bytesOf(snapshot);

        assertThat(service.digest()).isNotEqualTo(atCapture);
        assertThat(concurrent).isEqualTo(beforeTicking);
        assertThat(afterwards).isEqualTo(beforeTicking);
        Service restored = FACTORY.restore(config(0), ArenaService.SCHEMA_VERSION, new ByteArrayInputStream(afterwards));
        assertThat(restored.digest()).isEqualTo(atCapture);
        // The pages really changed after capture: the current state serialises differently.
        assertThat(bytesOf(service.snapshot())).isNotEqualTo(afterwards);
    }

    @Test
    void secondSnapshotSeesWritesMadeAfterTheFirst() throws IOException {
        ArenaService service = create(1);
        FakeContext ctx = new FakeContext(service).open(1);
        Snapshot first = service.snapshot();
        long firstDigest = service.digest();
        for (int i = 0; i < 50; i++) {
            ctx.runTick();
        }
        Snapshot second = service.snapshot();
        long secondDigest = service.digest();
        for (int i = 0; i < 50; i++) {
            ctx.runTick();
        }
        assertThat(restore(first).digest()).isEqualTo(firstDigest);
        assertThat(restore(second).digest()).isEqualTo(secondDigest).isNotEqualTo(firstDigest);
    }

    @Test
    void snapshotSizeIsTheNumberOfBytesOpenYields() {
        for (long mb : new long[] {0, 1}) {
            ArenaService service = create(mb);
            FakeContext ctx = new FakeContext(service).open(1).open(2).open(3).runTick();
            ctx.move(1, 1, 1, 1).move(1, 2, 1, 1).move(3, 1, -1, 0);
            Snapshot snapshot = service.snapshot();
            assertThat(snapshot.size()).isEqualTo(bytesOf(snapshot).length)
                    .isGreaterThanOrEqualTo(mb * 1024 * 1024);
        }
    }

    @Test
    void unknownSchemaVersionIsRejected() {
        byte[] valid = bytesOf(create(0).snapshot());
        for (int version : new int[] {0, 3, -1, 99}) {
            assertThatThrownBy(() -> FACTORY.restore(config(0), version, new ByteArrayInputStream(valid)))
                    .isInstanceOf(UnsupportedSchemaException.class)
                    .hasMessageContaining("arena").hasMessageContaining(Integer.toString(version));
        }
    }

    @Test
    void truncatedOrCorruptSnapshotIsRefused() {
        ArenaService service = create(1);
        new FakeContext(service).open(1).move(1, 1, 1, 1).runTick();
        byte[] bytes = bytesOf(service.snapshot());

        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 100);
        assertThatThrownBy(() -> FACTORY.restore(config(0), ArenaService.SCHEMA_VERSION, new ByteArrayInputStream(truncated)))
                .isInstanceOf(EOFException.class);

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 1;
        assertThatThrownBy(() -> FACTORY.restore(config(0), ArenaService.SCHEMA_VERSION, new ByteArrayInputStream(flipped)))
                .isInstanceOf(IOException.class).hasMessageContaining("digest");

        byte[] badMagic = bytes.clone();
        badMagic[0] = 0;
        assertThatThrownBy(() -> FACTORY.restore(config(0), ArenaService.SCHEMA_VERSION, new ByteArrayInputStream(badMagic)))
                .isInstanceOf(IOException.class).hasMessageContaining("magic");
    }

    @Test
    void malformedAndStrayEventsAreIgnoredAndCounted() {
        ArenaService a = create(0);
        ArenaService b = create(0);
        FakeContext ca = null;
        for (ArenaService s : List.of(a, b)) {
            ca = new FakeContext(s).open(1)
                    .input(1, null)
                    .input(1, new byte[0])
                    .input(1, new byte[] {2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0})
                    .input(1, new byte[12])
                    .input(9, ArenaProtocol.move(1, 1, 1))
                    .open(1)
                    .close(9)
                    .runTick();
        }
        assertThat(a.rejectedEvents()).isEqualTo(7);
        assertThat(a.playerCount()).isEqualTo(1);
        assertThat(ca.updatesFor(1)).singleElement().satisfies(u -> assertThat(u.inputsApplied()).isZero());
        assertThat(b.digest()).isEqualTo(a.digest());
        // The same world without the rejected events: the count is state, so the digest tells them apart.
        ArenaService clean = create(0);
        new FakeContext(clean).open(1).runTick();
        assertThat(a.digest()).isNotEqualTo(clean.digest());
    }

    @Test
    void updateReportsTickAppliedInputsHashAndPosition() {
        ArenaService service = create(0);
        FakeContext ctx = new FakeContext(service).open(7).open(8).runTick();
        ArenaProtocol.Update first = ctx.updatesFor(7).get(0);
        assertThat(first.tick()).isEqualTo(1);
        assertThat(first.inputsApplied()).isZero();
        assertThat(first.inputIds()).isEmpty();
        assertThat(first.players()).isEqualTo(2);

        ctx.move(7, 1, 100, -128).move(7, 2, -5, 4).runTick().runTick();
        List<ArenaProtocol.Update> updates = ctx.updatesFor(7);
        assertThat(updates).extracting(ArenaProtocol.Update::tick).containsExactly(1L, 2L, 3L);
        ArenaProtocol.Update moved = updates.get(1);
        assertThat(moved.inputsApplied()).isEqualTo(2);
        assertThat(moved.inputIds()).containsExactly(1, 2);
        assertThat(moved.inputHash())
                .isEqualTo(ArenaProtocol.hashInput(ArenaProtocol.hashInput(0, 1, 100, -128), 2, -5, 4));
        assertThat(moved.x()).isEqualTo(Math.floorMod(first.x() + 95, ArenaProtocol.WORLD_SIZE));
        assertThat(moved.y()).isEqualTo(Math.floorMod(first.y() - 124, ArenaProtocol.WORLD_SIZE));
        assertThat(updates.get(2).inputIds()).isEmpty();
        assertThat(updates.get(2).inputsApplied()).isEqualTo(2);
        assertThat(ctx.updatesFor(8)).hasSize(3).allSatisfy(u -> assertThat(u.inputsApplied()).isZero());

        ctx.close(8).runTick();
        assertThat(ctx.updatesFor(8)).hasSize(3);
        assertThat(ctx.updatesFor(7).get(3).players()).isEqualTo(1);
    }

    @Test
    void positionsWrapAroundTheWorld() {
        ArenaService service = create(0);
        FakeContext ctx = new FakeContext(service).open(1);
        for (int i = 1; i <= 40; i++) {
            ctx.move(1, i, -128, 127).runTick();
        }
        assertThat(ctx.updatesFor(1)).allSatisfy(u -> {
            assertThat(u.x()).isBetween(0, ArenaProtocol.WORLD_SIZE - 1);
            assertThat(u.y()).isBetween(0, ArenaProtocol.WORLD_SIZE - 1);
        });
    }

    @Test
    void digestIsAPureFunctionOfStateAndSnapshotDoesNotChangeIt() {
        ArenaService service = create(1);
        new FakeContext(service).open(1).move(1, 1, 1, 1).runTick();
        long d = service.digest();
        assertThat(service.digest()).isEqualTo(d);
        service.snapshot();
        assertThat(service.digest()).isEqualTo(d);
    }

    @Test
    void sixtyFourMebibytesRestoreExactly() throws IOException {
        // How long a restore takes is for benchmarks (bench handoff's --state-mb rows), not a unit test on a
        // shared machine: here only that a large world comes back page for page.
        ArenaService service = create(64);
        new FakeContext(service).open(1).runTick();
        Service restored = restore(service.snapshot());
        assertThat(restored.digest()).isEqualTo(service.digest());
        assertThat(((ArenaService) restored).pageCount()).isEqualTo(1024);
    }

    @Test
    void factoryIsFoundByNameThroughServiceLoader() {
        ServiceFactory found = ServiceLoader.load(ServiceFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("arena"))
                .findFirst().orElseThrow();
        assertThat(found).isInstanceOf(ArenaFactory.class);
        assertThat(found.create(config(0)).schemaVersion()).isEqualTo(ArenaService.SCHEMA_VERSION);
    }

    @Test
    void negativeStateSizeIsAConfigurationError() {
        assertThatThrownBy(() -> create(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state-mb");
    }
}
