package io.baton.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.server.AdminClient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The baseline without Baton: the source saves its state and exits (its clients see their connections
 * close), the target loads the save, and the clients reconnect to it on their own schedule.
 */
final class RestartBaseline {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long GIVE_UP_NANOS = 60_000_000_000L;

    private RestartBaseline() {
    }

    /** Returns once {@code clients} sessions are connected to the target again, or after 60 s. */
    static HandoffWatch.Watched run(AdminClient sourceAdmin, AdminClient targetAdmin, Path file, int clients, long t0)
            throws IOException, InterruptedException {
        AdminClient.Reply saved = sourceAdmin.save(file.toString());
        if (!saved.ok()) {
            throw new IllegalStateException("the source could not save its state: " + saved.error());
        }
        Demo.say("%6.0f ms  source saved %d bytes at index %d and exits", Demo.msSince(t0),
                saved.body().path("bytes").asLong(), saved.body().path("index").asLong());
        AdminClient.Reply restored = targetAdmin.restore(file.toString());
        if (!restored.ok()) {
            throw new IllegalStateException("the target could not load the saved state: " + restored.error());
        }
        Demo.say("%6.0f ms  target loaded it and serves", Demo.msSince(t0));
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        int last = -1;
        JsonNode tgt = targetAdmin.status().body();
        while (tgt.path("connected").asInt() < clients && System.nanoTime() < deadline) {
            if (tgt.path("connected").asInt() != last) {
                last = tgt.path("connected").asInt();
                Demo.say("%6.0f ms  %d of %d clients back", Demo.msSince(t0), last, clients);
            }
            Thread.sleep(20); // polling the admin API for a progress display
            tgt = targetAdmin.status().body();
        }
        ObjectNode src = JSON.createObjectNode();
        src.put("cutover_index", saved.body().path("index").asLong());
        src.put("cutover_digest", saved.body().path("digest").asText());
        src.put("stopped_at_nanos", saved.body().path("stopped_at_nanos").asLong());
        return new HandoffWatch.Watched(src, tgt, Fault.Outcome.COMPLETED.word());
    }
}
