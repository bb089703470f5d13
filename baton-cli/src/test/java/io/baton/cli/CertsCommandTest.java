package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.transport.Tls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./baton certs}: what it writes parses, verifies and names every host; it does not overwrite unasked. */
class CertsCommandTest {

    private static String[] run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void writesACaAndAServerCertificateForEveryHostAndSaysHowToServeWithThem(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tls");
        String[] r = run("certs", "--out", out.toString(), "--hosts", "localhost,127.0.0.1,game-7.example.net",
                "--days", "7");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        for (String f : List.of("ca.pem", "ca-key.pem", "server.pem", "server-key.pem")) {
            assertThat(r[1]).contains("wrote " + out.resolve(f));
        }
        assertThat(r[1]).contains("--tls-cert " + out.resolve("server.pem")).contains("--tls-key "
                + out.resolve("server-key.pem")).contains("--tls-ca " + out.resolve("ca.pem"));
        X509Certificate ca = Tls.certificates(out.resolve("ca.pem")).get(0);
        X509Certificate cert = Tls.certificates(out.resolve("server.pem")).get(0);
        cert.verify(ca.getPublicKey());
        cert.checkValidity();
        assertThat(cert.getSubjectAlternativeNames()).contains(List.of(2, "localhost"), List.of(7, "127.0.0.1"),
                List.of(2, "game-7.example.net"));
        assertThat((cert.getNotAfter().getTime() - System.currentTimeMillis()) / 86_400_000L).isBetween(6L, 7L);
        // What the server takes: the pair builds a TLS server context.
        assertThat(Tls.server(out.resolve("server.pem"), out.resolve("server-key.pem"), out.resolve("ca.pem")))
                .isNotNull();
    }

    @Test
    void namesGiveEachServerItsOwnCertificateAndKeyFromOneCa(@TempDir Path dir) throws Exception {
        String[] r = run("certs", "--out", dir.toString(), "--hosts", "127.0.0.1", "--names", "source,target");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        X509Certificate ca = Tls.certificates(dir.resolve("ca.pem")).get(0);
        for (String name : List.of("source", "target")) {
            assertThat(r[1]).contains("--tls-cert " + dir.resolve(name + ".pem"))
                    .contains("--tls-key " + dir.resolve(name + "-key.pem"));
            Tls.certificates(dir.resolve(name + ".pem")).get(0).verify(ca.getPublicKey());
        }
        assertThat(Tls.certificates(dir.resolve("source.pem")).get(0).getPublicKey())
                .isNotEqualTo(Tls.certificates(dir.resolve("target.pem")).get(0).getPublicKey());
        String[] bad = run("certs", "--out", dir.resolve("x").toString(), "--names", "source,source");
        assertThat(bad[0]).isNotEqualTo("0");
        assertThat(bad[2]).contains("--names").contains("twice");
    }

    @Test
    void refusesToReplaceCertificatesUnlessForced(@TempDir Path dir) throws Exception {
        assertThat(run("certs", "--out", dir.toString())[0]).isEqualTo("0");
        String ca = Files.readString(dir.resolve("ca.pem"));
        String[] again = run("certs", "--out", dir.toString());
        assertThat(again[0]).isNotEqualTo("0");
        assertThat(again[2]).contains("exists already").contains("--force");
        assertThat(Files.readString(dir.resolve("ca.pem"))).isEqualTo(ca);
        assertThat(run("certs", "--out", dir.toString(), "--force")[0]).isEqualTo("0");
        assertThat(Files.readString(dir.resolve("ca.pem"))).isNotEqualTo(ca);
    }
}
