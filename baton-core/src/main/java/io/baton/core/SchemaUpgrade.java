package io.baton.core;

import io.baton.service.Service;
import io.baton.service.ServiceFactory;
import io.baton.service.Upgrade;
import io.baton.wire.Frame;

/**
 * The one place that decides how this build takes state of another schema version (a handoff's PEER_HELLO, a
 * save file) and that carries the upgrade out at take-over (cutover, fail-over, a save's restore): the rules of
 * docs/upgrades.md. A newer version is a downgrade and always refused; an older one is what the factory's
 * {@link ServiceFactory#upgradeFrom} says.
 */
final class SchemaUpgrade {

    private SchemaUpgrade() {
    }

    /** How this build takes {@code service} state of {@code schema}, or why it cannot (then {@code path} is null). */
    record Decision(Frame.SchemaPath path, String refusal) {
    }

    /**
     * The path for state of {@code service} at {@code schema}. The refusal names this server {@code self} ("the
     * target", "this server") and where the state comes from {@code from} ("the source", "the save"), so that it
     * reads the same in the target's log and in the source's last error.
     */
    static Decision decide(ServiceFactory factory, String service, int schema, String self, String from) {
        String kind = self.equals("the target") ? "a target" : "a server";
        int mine = factory.schemaVersion();
        if (!service.equals(factory.name())) {
            return new Decision(null, from + " runs service '" + service + "', " + self + " hosts '" + factory.name()
                    + "': run " + kind + " started with --service " + service);
        }
        if (schema == mine) {
            return new Decision(Frame.SchemaPath.SAME, "");
        }
        if (schema > mine) {
            return new Decision(null, self + " runs " + service + " schema " + mine + ", older than " + from
                    + "'s " + schema + ": a downgrade, refused; run " + kind + " built with " + service + " schema "
                    + schema + " or newer");
        }
        Upgrade u = factory.upgradeFrom(schema);
        return switch (u == null ? Upgrade.REFUSED : u) {
            case LIVE -> new Decision(Frame.SchemaPath.LIVE, "");
            case STOP_AND_COPY -> new Decision(Frame.SchemaPath.STOP_AND_COPY, "");
            case REFUSED -> new Decision(null, self + " runs " + service + " schema " + mine + ", which does not"
                    + " take " + from + "'s schema " + schema + " (its ServiceFactory.upgradeFrom(" + schema
                    + ") is REFUSED): run " + kind + " whose release upgrades from schema " + schema
                    + ", or hand off to one of schema " + schema);
        };
    }

    /**
     * How an operator reads a path: "upgrade tally 1 -> 2: live (...)", or "" for the same version. A source
     * does not know the target's version ({@code to} &lt; 0): "upgrade tally from schema 1: ...".
     */
    static String describe(String service, int from, int to, Frame.SchemaPath path, boolean askedLive) {
        String what = "upgrade " + service + (to < 0 ? " from schema " + from : " " + from + " -> " + to);
        return switch (path) {
            case SAME -> "";
            case LIVE -> what + ": live (schema " + from + "'s rules replayed until cutover, the new rules from the "
                    + "first tick the new server owns)";
            case STOP_AND_COPY -> what + ": stop-and-copy" + (askedLive ? " (the target cannot apply schema " + from
                    + "'s rules); the pause grows with the state" : "");
        };
    }

    /**
     * A restore of {@code schema} must answer that version until it is upgraded (ServiceFactory.restore): an
     * empty string if it does, else why not.
     */
    static String checkRestored(Service restored, int schema, ServiceFactory factory) {
        int answered = restored.schemaVersion();
        return answered == schema ? "" : factory.getClass().getName() + ".restore(" + schema + ") returned a service"
                + " that answers schema " + answered + ": a restored service must answer the version it restored"
                + " until Service.upgrade() (ServiceFactory.restore's contract); fix the service's restore";
    }

    /**
     * At take-over: a service restored from an older version is upgraded, once, and must then answer this
     * build's version. Returns an empty string when the service is this build's version (now or already), else
     * why it is not, and the caller refuses to take authority.
     */
    static String atTakeOver(EventLog log, ServerConfig cfg) {
        Service service = log.service;
        ServiceFactory factory = cfg.factory();
        int mine = factory.schemaVersion();
        if (cfg.defects().contains(Defect.UPGRADE_ONE_TICK_LATE) && service.schemaVersion() < mine) {
            log.upgradeAfterTick = true; // broken on purpose: the first own tick runs under the older rules
            return "";
        }
        int before = service.schemaVersion();
        if (before == mine) {
            return "";
        }
        if (before > mine) {
            return "the state is of schema " + before + ", newer than this build's " + mine + ": a downgrade";
        }
        try {
            service.upgrade();
        } catch (RuntimeException e) {
            return "upgrading " + factory.name() + " " + before + " -> " + mine + " failed: " + e;
        }
        int after = service.schemaVersion();
        return after == mine ? "" : "after Service.upgrade() the " + factory.name() + " service answers schema "
                + after + ", not this build's " + mine + ": fix its upgrade()";
    }
}
