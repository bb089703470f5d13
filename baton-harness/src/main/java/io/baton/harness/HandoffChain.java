package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.server.AdminClient;
import io.baton.server.EventJournal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The second handoff onwards: from the server that took over last to the next standby. */
final class HandoffChain {

    /** How long a server still draining its own source may refuse the next handoff before the chain gives up. */
    private static final long RETRY_NANOS = 30_000_000_000L;

    private HandoffChain() {
    }

    /**
     * Hands off from the cluster's target to each standby in turn, once it has let go of its own source;
     * stops at the first that does not complete. Returns a summary of each: time, digests, divergence.
     */
    static List<DemoResult.ChainedHandoff> run(LocalCluster cluster, HandoffWatch watch, String mode) throws Exception {
        List<DemoResult.ChainedHandoff> done = new ArrayList<>();
        ChildProcess from = cluster.target();
        AdminClient fromAdmin = cluster.admin(from);
        Path fromJournal = cluster.targetJournal();
        for (int k = 0; k < cluster.standbys().size(); k++) {
            ChildProcess next = cluster.standbys().get(k);
            AdminClient nextAdmin = cluster.admin(next);
            long tk = System.nanoTime();
            AdminClient.Reply r;
            while (true) {
                r = fromAdmin.handoff("127.0.0.1:" + next.peerPort(), "127.0.0.1:" + next.clientPort(), mode);
                if (r.ok() || !r.error().contains("stragglers") || System.nanoTime() - tk > RETRY_NANOS) {
                    break;
                }
                Thread.sleep(50); // the server is still draining its own source: its refusal says to retry shortly
            }
            if (!r.ok()) {
                throw new IllegalStateException("handoff " + (k + 2) + " refused: " + r.error());
            }
            Demo.say("handoff %d: %s -> %s", k + 2, from.name(), next.name());
            HandoffWatch.Watched w = watch.watch(fromAdmin, nextAdmin, tk, from, next, List.of());
            JsonNode src = fromAdmin.status().body();
            JsonNode tgt = nextAdmin.status().body();
            Path nextJournal = cluster.journalOf(next.name());
            EventJournal.Comparison cmp = EventJournal.Comparison.of(EventJournal.History.read(fromJournal),
                    EventJournal.History.read(nextJournal));
            boolean completed = w.outcome().equals(Fault.Outcome.COMPLETED.word());
            done.add(new DemoResult.ChainedHandoff(from.name(), next.name(), w.outcome(), Demo.round(Demo.msSince(tk)),
                    Scoring.cutoverPauseMs(src, tgt), src.path("cutover_digest").asText(),
                    tgt.path("cutover_digest").asText(), completed
                            && src.path("cutover_digest").asText().equals(tgt.path("cutover_digest").asText()),
                    cmp.divergent() > 0, cmp.compared(), tgt.path("connected").asInt()));
            if (!completed) {
                break;
            }
            from = next;
            fromAdmin = nextAdmin;
            fromJournal = nextJournal;
        }
        return done;
    }
}
