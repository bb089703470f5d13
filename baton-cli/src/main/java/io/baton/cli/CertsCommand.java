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
            "Make a development CA and server certificates signed by it (ECDSA P-256), for TLS on every port.",
            "",
            "Writes ca.pem, ca-key.pem and, for each --names entry, NAME.pem and NAME-key.pem (its own key) into "
                + "--out, each certificate naming every --hosts entry (addresses as IP names). Give each server "
                + "its own NAME.pem and NAME-key.pem, and ca.pem to each server and client; keep ca-key.pem "
                + "elsewhere. For production, use your own CA."
        })
final class CertsCommand implements Callable<Integer> {

    @Option(names = "--out", defaultValue = ".baton/tls", paramLabel = "DIR",
            description = "Directory to write into, created if missing (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--hosts", split = ",", paramLabel = "HOST", defaultValue = "localhost,127.0.0.1",
            description = "Every name and address clients, peers and the CLI dial the servers by, comma separated "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> hosts;

    @Option(names = "--names", split = ",", paramLabel = "NAME", defaultValue = "server",
            description = "One certificate per name, comma separated, e.g. source,target: NAME.pem and NAME-key.pem, "
                    + "each with its own key, so the peer link's channel binding tells the servers apart "
                    + "(docs/protocol.md, Security; default: ${DEFAULT-VALUE}).")
    List<String> names;

    @Option(names = "--days", defaultValue = "30", description = "Days the certificates are valid (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--force", description = "Replace certificates already in --out.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Tls.CertificateFiles> fs = Tls.writeDevelopmentCertificates(out, hosts, names, days, force);
        Tls.CertificateFiles first = fs.get(0);
        java.io.PrintWriter o = spec.commandLine().getOut();
        o.printf("wrote %s (the CA: clients and servers trust it)%n", first.ca());
        o.printf("wrote %s (the CA's key: keep it off the servers)%n", first.caKey());
        for (Tls.CertificateFiles f : fs) {
            o.printf("wrote %s (a server certificate, valid %d days, for %s)%n", f.cert(), days,
                    String.join(", ", hosts));
            o.printf("wrote %s (its key)%n", f.key());
        }
        for (Tls.CertificateFiles f : fs) {
            o.printf("serve with:   ./baton serve --tls-cert %s --tls-key %s --tls-ca %s%n", f.cert(), f.key(),
                    f.ca());
        }
        Tls.CertificateFiles f = first;
        o.printf("clients with: ./baton bots --tls-ca %s   (./baton handoff/status --tls-ca %s)%n", f.ca(),
                f.ca());
        o.flush();
        return 0;
    }
}
