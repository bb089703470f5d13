package io.baton.cli;

import io.baton.transport.Tls;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "certs", mixinStandardHelpOptions = true,
        description = {
            "Make a development CA and one server certificate signed by it (ECDSA P-256), for TLS on every port.",
            "",
            "Writes ca.pem, ca-key.pem, server.pem and server-key.pem into --out, the server certificate naming "
                + "every --hosts entry (addresses as IP names). Copy server.pem, server-key.pem and ca.pem to each "
                + "server and ca.pem to each client; keep ca-key.pem elsewhere. For production, use your own CA."
        })
final class CertsCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = ".baton/tls", paramLabel = "DIR",
            description = "Directory to write into, created if missing (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--hosts", split = ",", paramLabel = "HOST", defaultValue = "localhost,127.0.0.1",
            description = "Every name and address clients, peers and the CLI dial the servers by, comma separated "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> hosts;

    @Option(names = "--days", defaultValue = "30", description = "Days the certificates are valid (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--force", description = "Replace certificates already in --out.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Tls.CertificateFiles f = Tls.writeDevelopmentCertificates(out, hosts, days, force);
        java.io.PrintWriter o = spec.commandLine().getOut();
        o.printf("wrote %s (the CA: clients and servers trust it)%n", f.ca());
        o.printf("wrote %s (the CA's key: keep it off the servers)%n", f.caKey());
        o.printf("wrote %s (the server certificate, valid %d days, for %s)%n", f.cert(), days,
                String.join(", ", hosts));
        o.printf("wrote %s (its key)%n", f.key());
        o.printf("serve with:   ./baton serve --tls-cert %s --tls-key %s --tls-ca %s%n", f.cert(), f.key(),
                f.ca());
        o.printf("clients with: ./baton bots --tls-ca %s   (./baton handoff/status --tls-ca %s)%n", f.ca(),
                f.ca());
        o.flush();
        return 0;
    }
}
