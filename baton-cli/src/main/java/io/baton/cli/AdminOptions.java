package io.baton.cli;

import io.baton.server.AdminClient;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that talks to a server's admin API shares. */
final class AdminOptions {

    @Option(names = "--admin", defaultValue = "127.0.0.1:7002",
            description = "Admin API of the server, host:port or http://host:port (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--admin-token-file", defaultValue = ".baton/admin-token",
            description = "File holding the server's admin token (default: ${DEFAULT-VALUE}).")
    Path tokenFile;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "Talk HTTPS to the admin API, trusting the CA certificate(s) in FILE (PEM; ./baton certs "
                    + "writes ca.pem): for a server started with --tls-cert. Default: plain HTTP.")
    Path tlsCa;

    AdminClient client() throws IOException {
        // A mistyped address is said before the token is read.
        String at = AdminClient.endpoint(url, tlsCa != null).toString();
        return new AdminClient(at, Secrets.read(tokenFile, "admin token"), tlsCa);
    }
}
