package io.baton.core;

import static io.baton.core.Rig.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.core.Rig.Client;
import io.baton.core.Rig.Server;
import io.baton.service.ServiceConfig;
import io.baton.service.Upgrade;
import io.baton.wire.Frame;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Handoffs and restores across schema versions (docs/upgrades.md), with the tally service's two releases: schema
 * 2 counts an input starting with '+' twice, schema 1 once. Continuity is checked as the older version's digest
 * before any client moves, and the new rule applies from the first event the new server owns.
 */
class UpgradeTest {

    private final Rig rig = new Rig();

    private static ServerConfig v1() {
        return Rig.config();
    }

    private static ServerConfig v2(Upgrade fromOne) {
        return v2(fromOne, Map.of());
    }

    private static ServerConfig v2(Upgrade fromOne, Map<String, String> options) {
        return ServerConfig.defaults(TallyFactory.v2(fromOne), new ServiceConfig(Rig.TICK_HZ, options), Rig.PEER_SECRET);
    }

    private void handoff(Server source, Server target, Frame.Mode mode) {
        assertThat(source.core.startHandoff(source.handoffTo(target, mode), rig.now)).isEmpty();
        rig.pump();
    }

    private void until(Server s, SourcePhase phase) {
        rig.runUntil(() -> s.status().sourcePhase() == phase, 20 * SECOND);
    }

    @Test
    void aLiveHandoffToSchemaTwoReplaysSchemaOnesRulesAndAppliesTheNewRuleFromTheTargetsFirstEvent() {
        Server source = rig.authority("source", v1());
        Server target = rig.standby("target", v2(Upgrade.LIVE));
        Client c = rig.join(source);
        c.input("+a"); // schema 1: +1
        handoff(source, target, Frame.Mode.LIVE);
        rig.runUntil(() -> target.status().targetPhase() == TargetPhase.REPLICATING, 5 * SECOND);
        c.input("+b"); // applied by the source, replayed by the target under schema 1's rules: +1
        assertThat(source.status().upgrade()).startsWith("upgrade tally from schema 1: live");
        assertThat(target.status().upgrade()).startsWith("upgrade tally 1 -> 2: live");
        until(source, SourcePhase.DONE);

        ServerStatus s = source.status();
        ServerStatus t = target.status();
        assertThat(t.role()).isEqualTo(Role.AUTHORITY);
        // Continuity as schema 1 defines it: the cutover digest both computed, before the target upgraded.
        assertThat(t.cutoverDigest()).isEqualTo(s.cutoverDigest());
        assertThat(t.digest()).as("the target answers schema 2's digest once upgraded").isNotEqualTo(s.digest());
        assertThat(source.sentToPeers(Frame.Event.class)).as("the handoff stayed live").isNotEmpty();
        c.input("+c"); // the target's: +2
        c.input("d"); // +1 under either
        assertThat(c.outputs()).containsExactly("+a#1", "+b#2", "+c#4", "d#5");
        assertThat(target.appliedInputs).endsWith("1:3:+c", "1:4:d");
    }

    @Test
    void aLiveHandoffToATargetThatTakesTheVersionOnlyStopAndCopyRunsStopAndCopyAndSaysSoBeforeAnyClientMoves() {
        Server source = rig.authority("source", v1());
        Server target = rig.standby("target", v2(Upgrade.STOP_AND_COPY));
        Client c = rig.join(source);
        c.input("+a");
        handoff(source, target, Frame.Mode.LIVE);
        until(source, SourcePhase.DONE);

        String said = "upgrade tally from schema 1: stop-and-copy (the target cannot apply schema 1's rules); the "
                + "pause grows with the state";
        assertThat(source.status().upgrade()).isEqualTo(said);
        assertThat(source.notes).contains(said);
        assertThat(source.notes.indexOf(said)).as("said before the redirect")
                .isLessThan(source.notes.indexOf("source phase REDIRECTING"));
        assertThat(source.sourcePhases).doesNotContain(SourcePhase.TRANSFERRING, SourcePhase.CATCHING_UP);
        assertThat(source.sentToPeers(Frame.Event.class)).as("nothing replayed: stop-and-copy").isEmpty();
        assertThat(target.status().upgrade()).startsWith("upgrade tally 1 -> 2: stop-and-copy (the target cannot");
        assertThat(target.status().cutoverDigest()).isEqualTo(source.status().cutoverDigest());
        c.input("+b");
        assertThat(c.outputs()).containsExactly("+a#1", "+b#3");
    }

    @Test
    void aDowngradeIsRefusedAtTheHandshakeAndTheSourceCarriesOn() {
        Server source = rig.authority("source", v2(Upgrade.LIVE));
        Server target = rig.standby("target", v1());
        Client c = rig.join(source);
        c.input("+a");
        handoff(source, target, Frame.Mode.LIVE);
        until(source, SourcePhase.ABORTED);

        assertThat(source.status().lastError()).contains("UNSUPPORTED_VERSION").contains("the target runs tally "
                + "schema 1, older than the source's 2: a downgrade, refused; run a target built with tally schema 2 "
                + "or newer");
        assertThat(target.notes).anyMatch(n -> n.startsWith("refused a handoff: the target runs tally schema 1"));
        assertThat(source.sentToPeers(Frame.SnapshotBegin.class)).as("no state sent").isEmpty();
        assertThat(source.status().clientsMoved()).isZero();
        assertThat(c.got(Frame.Move.class)).isEmpty();
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
        c.input("+b");
        assertThat(c.outputs()).containsExactly("+a#2", "+b#4");
    }

    @Test
    void aVersionTheTargetRefusesIsRefusedAtTheHandshakeNamingTheFix() {
        Server source = rig.authority("source", v1());
        Server target = rig.standby("target", v2(Upgrade.REFUSED));
        rig.join(source);
        handoff(source, target, Frame.Mode.LIVE);
        until(source, SourcePhase.ABORTED);

        assertThat(source.status().lastError()).contains("the target runs tally schema 2, which does not take the "
                + "source's schema 1 (its ServiceFactory.upgradeFrom(1) is REFUSED)");
        assertThat(source.sentToPeers(Frame.SnapshotBegin.class)).isEmpty();
        assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
    }

    @Test
    void aWrongUpgraderIsCaughtAtSnapshotEndBeforeAnyClientMovesAndTheSourceCarriesOn() {
        Server source = rig.authority("source", v1());
        Server target = rig.standby("target", v2(Upgrade.LIVE, Map.of("wrongUpgrader", "true")));
        Client c = rig.join(source);
        c.input("a");
        handoff(source, target, Frame.Mode.LIVE);
        until(source, SourcePhase.ABORTED);

        assertThat(source.status().lastError()).contains("snapshot digest").contains("differs from the source's")
                .contains("the upgrader in ServiceFactory.restore does not keep the older version's state");
        assertThat(source.sourcePhases).doesNotContain(SourcePhase.REDIRECTING);
        assertThat(c.got(Frame.Move.class)).as("no client moved").isEmpty();
        assertThat(source.status().clientsMoved()).isZero();
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(target.status().sessions()).isZero();
        c.input("b");
        assertThat(c.outputs()).containsExactly("a#1", "b#2");
    }

    @Test
    void anUpgradeThatLeavesTheOlderVersionIsRefusedAtCutoverAndTheSourceCarriesOn() {
        Server source = rig.authority("source", v1());
        Server target = rig.standby("target", v2(Upgrade.LIVE, Map.of("stuckUpgrade", "true")));
        Client c = rig.join(source);
        c.input("a");
        handoff(source, target, Frame.Mode.LIVE);
        until(source, SourcePhase.ABORTED);

        assertThat(source.status().lastError()).contains("the target gave up: after Service.upgrade() the tally "
                + "service answers schema 1, not this build's 2");
        assertThat(target.status().role()).isEqualTo(Role.STANDBY);
        assertThat(target.status().targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(source.status().role()).isEqualTo(Role.AUTHORITY);
        c.input("b");
        assertThat(c.outputs()).endsWith("b#2");
    }

    @Test
    void aTargetOfSchemaTwoThatFailsOverAppliesTheNewRuleFromItsFirstOwnEvent() {
        // A source that waits a minute for its clients to attach stays redirecting: the target can take over.
        ServerConfig longRedirect = Rig.config(60 * SECOND, Rig.config().commitWait());
        Server source = rig.authority("source", longRedirect);
        Server target = rig.standby("target", v2(Upgrade.LIVE));
        java.util.List<Client> clients = java.util.List.of(rig.join(source), rig.join(source), rig.join(source));
        clients.forEach(c -> c.follows = false);
        handoff(source, target, Frame.Mode.LIVE);
        until(source, SourcePhase.REDIRECTING);
        rig.runUntil(() -> target.status().canTakeOver(), 5 * SECOND);
        Client c = clients.get(0);
        c.input("+seen"); // the source's, schema 1: +1
        rig.advance(Rig.TICK);
        rig.kill(source);
        long claimedAt = rig.now;
        clients.get(0).resume(target);
        clients.get(1).resume(target);
        rig.runUntil(claimedAt + Rig.CLAIM_HOLD);

        assertThat(target.status().failedOver()).isTrue();
        assertThat(target.status().role()).isEqualTo(Role.AUTHORITY);
        c.input("+after"); // the target's, schema 2: +2
        assertThat(c.outputs()).containsExactly("+seen#1", "+after#3");
    }

    @Test
    void aSaveOfSchemaOneIsRestoredBySchemaTwoCheckedAsSchemaOneAndThenAppliesTheNewRule() throws IOException {
        Server old = rig.authority("old", v1());
        Client c = rig.join(old);
        c.input("+a");
        long digest = old.status().digest();
        byte[] save = old.core.saveAndStop(rig.now).readAllBytes();

        Server next = rig.standby("next", v2(Upgrade.STOP_AND_COPY));
        next.core.restore(new ByteArrayInputStream(save), rig.now);
        assertThat(next.status().role()).isEqualTo(Role.AUTHORITY);
        assertThat(next.status().cutoverDigest()).as("checked as schema 1's").isEqualTo(digest);
        assertThat(next.notes).anyMatch(n -> n.endsWith("; upgrade tally 1 -> 2: stop-and-copy"));
        c.hangUp();
        c.resume(next);
        c.input("+b");
        assertThat(c.outputs()).containsExactly("+a#1", "+b#3");
    }

    @Test
    void aSaveOfANewerVersionOrOfARefusedOneIsRefusedAndTheStandbyStaysClean() throws IOException {
        Server newer = rig.authority("newer", v2(Upgrade.LIVE));
        rig.join(newer).input("a");
        byte[] save = newer.core.saveAndStop(rig.now).readAllBytes();
        Server older = rig.standby("older", v1());
        assertThatThrownBy(() -> older.core.restore(new ByteArrayInputStream(save), rig.now))
                .isInstanceOf(IOException.class).hasMessageContaining("this server runs tally schema 1, older than "
                        + "the save's 2: a downgrade, refused; run a server built with tally schema 2 or newer");
        assertThat(older.status().role()).isEqualTo(Role.STANDBY);

        Server v1 = rig.authority("v1", v1());
        rig.join(v1).input("a");
        byte[] oldSave = v1.core.saveAndStop(rig.now).readAllBytes();
        Server refusing = rig.standby("refusing", v2(Upgrade.REFUSED));
        assertThatThrownBy(() -> refusing.core.restore(new ByteArrayInputStream(oldSave), rig.now))
                .hasMessageContaining("does not take the save's schema 1");
        assertThat(refusing.status().sessions()).isZero();
    }
}
