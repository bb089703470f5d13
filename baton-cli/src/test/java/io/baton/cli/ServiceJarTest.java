package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.harness.ChildProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve --service-jar FILE --service NAME} hosts a service that is not on baton's class path: a jar
 * compiled here, in the test, from a source of a dozen lines. A wrong path, a jar that registers another
 * service, and a jar that registers none are each refused before anything binds, naming what was found and
 * the fix.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServiceJarTest {

    /** A service of a user's own: tells each input's sender how many inputs the service has applied. */
    private static final String TALLY = """
            package example.tally;

            import io.baton.service.*;
            import java.io.*;
            import java.nio.ByteBuffer;

            public final class Tally implements Service {
                long applied;
                @Override public int schemaVersion() { return 1; }
                @Override public void onSessionOpened(long s, Context ctx) { }
                @Override public void onInput(long s, byte[] in, Context ctx) {
                    ctx.send(s, ByteBuffer.allocate(8).putLong(++applied).array());
                }
                @Override public void onTick(Context ctx) { }
                @Override public void onSessionClosed(long s, Context ctx) { }
                @Override public Snapshot snapshot() { return Snapshot.ofBytes(ByteBuffer.allocate(8).putLong(applied).array()); }
                @Override public long digest() { return applied; }

                public static final class Factory implements ServiceFactory {
                    @Override public String name() { return "tally"; }
                    @Override public int schemaVersion() { return 1; }
                    @Override public Service create(ServiceConfig config) { return new Tally(); }
                    @Override public Service restore(ServiceConfig config, int version, InputStream in) throws IOException {
                        Tally t = new Tally();
                        t.applied = new DataInputStream(in).readLong();
                        return t;
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    /** Compiles {@link #TALLY} against baton's SPI and jars it, registered or not. */
    private Path tallyJar(String name, boolean registered) throws IOException {
        Path src = dir.resolve("src/example/tally/Tally.java");
        Path classes = dir.resolve("classes-" + name);
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, TALLY);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        assertThat(rc).as("the tally service compiles").isZero();
        Path jar = dir.resolve(name + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            if (registered) {
                out.putNextEntry(new JarEntry(ServiceJars.REGISTRATION));
                out.write("example.tally.Tally$Factory\n".getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Runs a command line in this JVM; returns its exit code and what it wrote on stderr. */
    private static String[] run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    private static String[] serve(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "--port", "0", "--peer-port", "-1",
                "--admin-port", "-1", "--rehearse-ms", "0"));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void aServerProcessHostsTheServiceOfAJarNotOnItsClassPath() throws Exception {
        Path jar = tallyJar("tally", true);
        assertThat(System.getProperty("java.class.path")).doesNotContain(jar.toString());
        Files.writeString(dir.resolve("peer-secret"), "0123456789abcdef0123456789abcdef\n");
        // The rehearsal runs too: it hands the jar's service off between throwaway servers before serving.
        try (ChildProcess server = ChildProcess.start(Main.class, "tally-server", dir, List.of(),
                List.of("serve", "--service-jar", jar.toString(), "--service", "tally", "--host", "127.0.0.1",
                        "--port", "0", "--peer-port", "-1", "--admin-port", "-1", "--rehearse-ms", "600",
                        "--peer-secret-file", dir.resolve("peer-secret").toString()), 60);
             ClientRuntime runtime = ClientRuntime.create(1)) {
            List<Long> tallies = new CopyOnWriteArrayList<>();
            BatonClient client = runtime.connect(ClientOptions.builder("127.0.0.1", server.clientPort()).build(),
                    m -> tallies.add(ByteBuffer.wrap(m).getLong())).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                client.send(new byte[] {(byte) i});
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> tallies.size() == 5);
            assertThat(tallies).containsExactly(1L, 2L, 3L, 4L, 5L);
            client.close();
        }
        assertThat(Files.readString(dir.resolve("tally-server.log"))).contains("service tally");
    }

    @Test
    void aJarThatIsNotThereIsNamedWithTheWorkingDirectory() {
        String[] r = serve("--service-jar", dir.resolve("nowhere.jar").toString(), "--service", "tally");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[1]).contains("--service-jar " + dir.resolve("nowhere.jar")).contains("no such file")
                .contains("working directory").contains("target/");
    }

    @Test
    void aFileThatIsNotAJarIsSaidSo() throws IOException {
        Path notAJar = Files.writeString(dir.resolve("notes.jar"), "not a zip");
        String[] r = serve("--service-jar", notAJar.toString(), "--service", "tally");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[1]).contains(notAJar + " is not a jar");
    }

    @Test
    void aJarWithoutThatServiceNamesWhatItAndBatonHold() throws IOException {
        Path jar = tallyJar("tally", true);
        String[] r = serve("--service-jar", jar.toString(), "--service", "chat");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[1]).contains("no service named 'chat'").contains("built into baton.jar: ").contains("arena")
                .contains(jar + " registers example.tally.Tally$Factory, named tally")
                .contains("Give --service one of those names");
    }

    @Test
    void aJarThatRegistersNoFactoryIsToldWhereTheRegistrationGoes() throws IOException {
        Path jar = tallyJar("unregistered", false);
        String[] r = serve("--service-jar", jar.toString(), "--service", "tally");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[1]).contains(jar + " registers no service factory")
                .contains("META-INF/services/io.baton.service.ServiceFactory");
    }

}
