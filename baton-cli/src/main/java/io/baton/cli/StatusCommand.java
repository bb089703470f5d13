package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.server.AdminClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a server's role, handoff phase, sessions and log position.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    AdminOptions admin;

    @Option(names = "--json", description = "Print the raw JSON status.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        AdminClient.Reply r = admin.client().status();
        if (!r.ok()) {
            System.err.println("baton: " + r.error());
            return 1;
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r.body()));
            return 0;
        }
        System.out.print(text(r.body()));
        return 0;
    }

    /**
     * The status for a person. A phase is shown only where it means something: the source phase on a server
     * that serves or served (authority, retired), the target phase on a standby and on a server that became
     * authority as a target (a plain authority's target phase is its initial 'standby', which would read as
     * if it were one).
     */
    static String text(JsonNode s) {
        String role = s.path("role").asText();
        String targetPhase = s.path("target_phase").asText();
        StringBuilder b = new StringBuilder(String.format("role          %s%n", role));
        if (!role.equals("standby")) {
            b.append(String.format("source phase  %s%n", s.path("source_phase").asText()));
        }
        if (role.equals("standby") || !targetPhase.equals("standby")) {
            b.append(String.format("target phase  %s%n", targetPhase));
        }
        b.append(String.format("sessions      %d (%d connected)%n", s.path("sessions").asLong(), s.path("connected").asLong()));
        b.append(String.format("log index     %d, tick %d%n", s.path("applied_index").asLong(), s.path("tick").asLong()));
        b.append(String.format("replica lag   %d events%n", s.path("replica_lag").asLong()));
        b.append(String.format("clients       %d moved, %d attached, %d switched%n", s.path("clients_moved").asLong(),
                s.path("clients_attached").asLong(), s.path("clients_switched").asLong()));
        b.append(String.format("digest        %s%n", s.path("digest").asText()));
        if (!s.path("last_error").asText().isEmpty()) {
            b.append(String.format("last error    %s%n", s.path("last_error").asText()));
        }
        return b.toString();
    }
}
