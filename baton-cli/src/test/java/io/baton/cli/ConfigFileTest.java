package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** serve --config FILE: key=value lines, the command line winning over the file. */
class ConfigFileTest {

    @TempDir
    Path dir;

    private ServeCommand parse(String... args) {
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult r = cli.parseArgs(ConfigFile.expand(cli, args));
        return (ServeCommand) r.subcommand().commandSpec().userObject();
    }

    @Test
    void theFilesOptionsApplyAndTheCommandLineWins() throws Exception {
        Path f = dir.resolve("serve.conf");
        Files.writeString(f, "# the standby pool\nsuccessor = standby-pool:7001\nport=7100\nstandby=true\n\n"
                + "term-timeout-s=20\n");

        ServeCommand serve = parse("serve", "--config", f.toString(), "--port", "7200");

        assertThat(serve.successor).isEqualTo("standby-pool:7001");
        assertThat(serve.port).isEqualTo(7200);
        assertThat(serve.standby).isTrue();
        assertThat(serve.termTimeoutS).isEqualTo(20);
    }

    @Test
    void withoutTheFileOrTheOptionTheSuccessorIsNone() {
        ServeCommand serve = parse("serve");
        // BATON_SUCCESSOR is not set where the tests run: the default is the environment's, else none.
        assertThat(serve.successor).isEqualTo(System.getenv("BATON_SUCCESSOR"));
        assertThat(serve.termTimeoutS).isEqualTo(25);
    }

    @Test
    void anUnknownKeyIsNamedWithItsFileAndLine() throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "port=7000\nsucessor=x:1\n");

        assertThatThrownBy(() -> parse("serve", "--config=" + f))
                .hasMessageContaining("bad.conf line 2").hasMessageContaining("no option --sucessor")
                .hasMessageContaining("baton serve --help");
    }

    @Test
    void aFlagTakesTrueOrFalseAndALineMustBeKeyValue() throws Exception {
        Path flag = dir.resolve("flag.conf");
        Files.writeString(flag, "standby=yes\n");
        assertThatThrownBy(() -> parse("serve", "--config", flag.toString())).hasMessageContaining("true or false");

        Path noEq = dir.resolve("noeq.conf");
        Files.writeString(noEq, "standby\n");
        assertThatThrownBy(() -> parse("serve", "--config", noEq.toString())).hasMessageContaining("not key=value");
    }

    @Test
    void aFileThatCannotBeReadIsSaidBeforeTheServerStarts() {
        assertThat(Main.run("serve", "--config", dir.resolve("missing.conf").toString())).isEqualTo(2);
    }
}
