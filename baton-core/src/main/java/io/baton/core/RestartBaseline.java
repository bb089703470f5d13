package io.baton.core;

import io.baton.service.Snapshot;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The restart baseline, what Baton replaces: save the whole state and stop for good, or load a save and take
 * authority. It owns the one fact that a save was made, which no handoff can undo, and is kept apart so that
 * the handoff's rooms never see a save's corner cases.
 */
final class RestartBaseline {

    private final ServerCore core;
    /** The header of the save this server stopped at, or null if it never saved. */
    private SaveFile.Header saved;

    RestartBaseline(ServerCore core) {
        this.core = core;
    }

    /** Stopped for good by a save: nothing may start this server again. */
    boolean saved() {
        return saved != null;
    }

    InputStream saveAndStop(long now) {
        EventLog log = core.log;
        if (saved != null) {
            // Already stopped at this state (an earlier save could not be written): the same state again.
            return SaveFile.write(saved, log.runtimeState(), log.service.snapshot().open());
        }
        Role role = core.role();
        if (role != Role.AUTHORITY || log.service == null || core.stopped()) {
            throw new IllegalStateException("this server is " + role + (core.stopped() ? ", stopped" : "")
                    + ": only a running authority can save its state");
        }
        if (core.source.phase().active() || (core.target.phase() == TargetPhase.AUTHORITY && core.target.link.up())) {
            throw new IllegalStateException("a handoff is under way (phase " + core.source.phase() + "); save after it");
        }
        if (core.presence.watching()) {
            throw new IllegalStateException("the last target may still take over; save in "
                    + Math.max(0, core.presence.watchEndsIn(now)) / 1_000_000 + " ms");
        }
        // Everything that can fail comes before anything changes.
        byte[] runtime = log.runtimeState();
        Snapshot snap = log.service.snapshot();
        long digest = log.stateDigest();
        Milestones m = core.milestones;
        m.stopped(log.appliedIndex, now);
        m.cutDigest = digest;
        saved = new SaveFile.Header(core.cfg.factory().name(), core.cfg.service().tickHz(),
                log.service.schemaVersion(), m.cutIndex, m.cutDigest);
        for (Session s : log.sessions.values()) {
            if (s.conn >= 0) {
                core.out.close(s.conn);
                core.conns.remove(s.conn);
                s.conn = -1;
            }
        }
        core.out.note("saved state at index " + m.cutIndex + " (digest " + Long.toHexString(m.cutDigest) + ") and stopped");
        return SaveFile.write(saved, runtime, snap.open());
    }

    void restore(InputStream in, long now) throws IOException {
        EventLog log = core.log;
        if (core.role() != Role.STANDBY || core.target.phase() != TargetPhase.STANDBY || core.target.link.up()) {
            throw new IllegalStateException("this server is " + core.role() + " in target phase " + core.target.phase()
                    + ": only an idle standby can load a saved state");
        }
        ServerConfig cfg = core.cfg;
        DataInputStream data = new DataInputStream(in);
        SaveFile.Header h = SaveFile.readHeader(data);
        SchemaUpgrade.Decision d = SchemaUpgrade.decide(cfg.factory(), h.service(), h.schemaVersion(), "this server",
                "the save");
        if (d.path() == null) {
            throw new IOException("cannot restore the save: " + d.refusal());
        }
        if (h.tickHz() != cfg.service().tickHz()) {
            throw new IOException("the save is of service '" + h.service() + "' at " + h.tickHz()
                    + " Hz; this server hosts '" + cfg.factory().name() + "' at " + cfg.service().tickHz() + " Hz");
        }
        byte[] runtime = SaveFile.readRuntime(data);
        try {
            log.load(runtime, h.index(), h.schemaVersion(), data);
            String wrongVersion = SchemaUpgrade.checkRestored(log.service, h.schemaVersion(), cfg.factory());
            if (!wrongVersion.isEmpty()) {
                throw new IOException(wrongVersion);
            }
            long digest = log.stateDigest(); // as the save's version: unconditional
            if (digest != h.digest()) {
                throw new IOException("the restored state hashes to " + Long.toHexString(digest)
                        + ", the save says " + Long.toHexString(h.digest()) + (h.schemaVersion() != cfg.factory()
                        .schemaVersion() ? " (restored from schema " + h.schemaVersion() + " into "
                        + cfg.factory().schemaVersion() + ": the upgrader does not keep the older state)" : ""));
            }
            String upgradeFailed = SchemaUpgrade.atTakeOver(log, cfg);
            if (!upgradeFailed.isEmpty()) {
                throw new IOException(upgradeFailed);
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            log.reset(); // a clean standby again, whatever the file did
            throw e instanceof IOException io ? io : new IOException("cannot restore the save: " + e, e);
        }
        core.moveRole(Role.AUTHORITY);
        core.milestones.tookAuthority(log.appliedIndex, h.digest(), now);
        log.ticksFrom(now + core.tickPeriod);
        core.target.becomeAuthority(now);
        String path = SchemaUpgrade.describe(h.service(), h.schemaVersion(), cfg.factory().schemaVersion(), d.path(),
                false);
        core.out.note("restored a saved state at index " + log.appliedIndex + " (" + log.sessions.size()
                + " sessions) and took authority" + (path.isEmpty() ? "" : "; " + path));
    }
}
