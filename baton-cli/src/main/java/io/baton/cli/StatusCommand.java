package io.baton.cli;

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
        var s = r.body();
        System.out.printf("role          %s%n", s.path("role").asText());
        System.out.printf("source phase  %s%n", s.path("source_phase").asText());
        System.out.printf("target phase  %s%n", s.path("target_phase").asText());
        System.out.printf("sessions      %d (%d connected)%n", s.path("sessions").asLong(), s.path("connected").asLong());
        System.out.printf("log index     %d, tick %d%n", s.path("applied_index").asLong(), s.path("tick").asLong());
        System.out.printf("replica lag   %d events%n", s.path("replica_lag").asLong());
        System.out.printf("clients       %d moved, %d attached, %d switched%n", s.path("clients_moved").asLong(),
                s.path("clients_attached").asLong(), s.path("clients_switched").asLong());
        System.out.printf("digest        %s%n", s.path("digest").asText());
        if (!s.path("last_error").asText().isEmpty()) {
            System.out.printf("last error    %s%n", s.path("last_error").asText());
        }
        return 0;
    }
}
