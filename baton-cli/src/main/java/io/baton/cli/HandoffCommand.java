package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.server.AdminClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "handoff", mixinStandardHelpOptions = true,
        description = {
            "Hand a running server (the source, reached through --admin) off to a standby target.",
            "",
            "Shows each phase and the count of clients moved as it goes; exits 0 once the source has drained, "
                + "1 if the handoff aborted (the source then carries on serving). A drained source serves no one "
                + "but its process runs on until stopped, unless it was started with 'serve --exit-when-retired'.",
            "",
            "Clients go where the target advertises (its 'serve --advertise', by default the address it binds) unless "
                + "--client-endpoint overrides it; the source then checks, before any client moves, that the endpoint "
                + "reaches that same target, and aborts if it does not.",
            "",
            "--abort aborts the handoff under way on the source (possible until cutover)."
        })
final class HandoffCommand implements Callable<Integer> {

    /**
     * What a drained source is: "retired" alone read as if its process had ended, which it does only with
     * {@code serve --exit-when-retired}.
     */
    static final String RETIRED = "every client is on the target and the source is retired: it applies nothing "
            + "and serves no one, but its process runs on until you stop it (Ctrl-C or SIGTERM) unless it was started "
            + "with 'serve --exit-when-retired'";

    @Mixin
    AdminOptions admin;

    @Option(names = "--target-peer", description = "The target's peer port, host:port (required unless --abort).")
    String targetPeer;

    @Option(names = "--client-endpoint",
            description = "Where clients reach the target, host:port; probed before any client moves. "
                    + "Default: the endpoint the target advertises.")
    String clientEndpoint;

    @Option(names = "--abort", description = "Abort the handoff under way on the source, instead of starting one.")
    boolean abort;

    @Option(names = "--mode", defaultValue = "live",
            description = "live (ship events; pause of one round trip) or stopcopy (pause grows with state). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--timeout-s", defaultValue = "120", description = "Give up watching after this long (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Override
    public Integer call() throws Exception {
        AdminClient client = admin.client();
        if (abort) {
            AdminClient.Reply r = client.abort();
            if (!r.ok()) {
                System.err.println("baton: abort refused: " + r.error());
                return 1;
            }
            System.out.println("aborted: the source carries on serving; its clients stay");
            return 0;
        }
        if (targetPeer == null) {
            System.err.println("baton: handoff needs --target-peer host:port (the standby's --peer-port), or --abort");
            return 2;
        }
        long start = System.nanoTime();
        AdminClient.Reply r = client.handoff(targetPeer, clientEndpoint, mode);
        if (!r.ok()) {
            System.err.println("baton: handoff refused: " + r.error());
            return 1;
        }
        System.out.println("handoff " + r.body().path("handoff_id").asText() + " started: " + mode + " to "
                + targetPeer + ", clients to " + (clientEndpoint != null ? clientEndpoint + " (probed first)"
                        : "the endpoint the target advertises"));
        String lastLine = "";
        String upgradeShown = "";
        long deadline = start + timeoutS * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode s = client.status().body();
            String phase = s.path("source_phase").asText();
            String upgrade = s.path("upgrade").asText("");
            if (!upgrade.isEmpty() && !upgrade.equals(upgradeShown)) {
                System.out.println(upgrade); // before any client moves: the target answered the handshake with it
                upgradeShown = upgrade;
            }
            String line = String.format("%7.0f ms  %-13s moved %d, attached %d, switched %d, replica lag %d",
                    (System.nanoTime() - start) / 1e6, phase, s.path("clients_moved").asLong(),
                    s.path("clients_attached").asLong(), s.path("clients_switched").asLong(),
                    s.path("replica_lag").asLong());
            String key = line.substring(11);
            if (!key.equals(lastLine)) {
                System.out.println(line);
                lastLine = key;
            }
            if (phase.equals("done")) {
                System.out.println("done: cut over at index " + s.path("cutover_index").asLong() + ", digest "
                        + s.path("cutover_digest").asText() + "; " + RETIRED);
                return 0;
            }
            if (phase.equals("aborted")) {
                System.out.println("aborted: " + s.path("last_error").asText() + "; the source carries on");
                return 1;
            }
            Thread.sleep(50); // polling an operator display, not waiting for a condition in a test
        }
        System.err.println("baton: still not done after " + timeoutS + " s; check 'baton status'");
        return 1;
    }
}
