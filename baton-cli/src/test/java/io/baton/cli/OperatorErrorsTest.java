package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** What an operator who mistypes is told: what was tried, what happened, and what to check. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OperatorErrorsTest {

    /** Runs a command line; returns its exit code and what it wrote on stderr. */
    private static String[] run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void botsAgainstAPortWhereNothingListensSayConnectionRefusedAtOnce() throws Exception {
        int port = freePort();
        long t = System.nanoTime();
        String[] r = run("bots", "--server", "127.0.0.1:" + port, "--clients", "1", "--duration-s", "1");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("cannot connect to 127.0.0.1:" + port).contains("connection refused")
                .contains("baton serve");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t)).as("said before any retry").isLessThan(10);
    }

    @Test
    void statusTakesTheAdminAddressAsHostAndPort() throws Exception {
        int port = freePort();
        String[] r = run("status", "--admin", "127.0.0.1:" + port, "--admin-token-file", "/nonexistent/token");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).doesNotContain("Illegal character");

        String[] bad = run("status", "--admin", "127.0.0.1", "--admin-token-file", "/nonexistent/token");
        assertThat(bad[1]).contains("host:port or http://host:port");
    }

    @Test
    void serveRefusesAProtocolRangeThisBuildCannotSpeakNamingTheFlagAndWhatItCan(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String[] r = run("serve", "--client-versions", "4..9", "--port", "0", "--peer-port", "-1", "--admin-port", "-1",
                "--rehearse-ms", "0", "--peer-secret-file", dir.resolve("peer").toString(),
                "--admin-token-file", dir.resolve("admin").toString());
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[1]).contains("--client-versions 4..9").contains("cannot be spoken by this build")
                .contains("within 4..5");

        String[] typo = run("serve", "--peer-versions", "four", "--port", "0", "--peer-port", "-1", "--admin-port",
                "-1", "--rehearse-ms", "0", "--peer-secret-file", dir.resolve("peer").toString(),
                "--admin-token-file", dir.resolve("admin").toString());
        assertThat(typo[0]).isNotEqualTo("0");
        assertThat(typo[1]).contains("--peer-versions four").contains("MIN..MAX");
    }

    @Test
    void serveRefusesIoThreadsOutOfRangeSayingWhatItTakes() {
        String[] r = run("serve", "--io-threads", "-1", "--port", "0", "--peer-port", "-1", "--admin-port", "-1",
                "--rehearse-ms", "0");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[1]).contains("--io-threads -1 is out of range").contains("0 or 1").contains("I/O loops");
    }
}
