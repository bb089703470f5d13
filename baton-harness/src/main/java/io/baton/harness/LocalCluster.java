package io.baton.harness;

import io.baton.server.AdminClient;
import io.baton.transport.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Real processes on loopback, started with the product's own commands as an operator would: a source, a
 * standby target, bot processes playing on the source, and further standbys for handoffs in a row. They
 * share a fresh directory (their secrets, logs and journals) and are all stopped by {@link #close}.
 */
final class LocalCluster implements AutoCloseable {

    /** Seconds a server or a bot process may take to print its ready line. */
    private static final int SERVER_READY_S = 120;
    private static final int BOTS_READY_S = 300;

    private final Class<?> product;
    private final DemoSettings settings;
    private final Path dir;
    private final String token;
    private final List<String> serve;
    private final List<ChildProcess> bots = new ArrayList<>();
    /** The standbys of the second handoff onwards. */
    private final List<ChildProcess> standbys = new ArrayList<>();
    private ChildProcess source;
    private ChildProcess target;

    private LocalCluster(Class<?> product, DemoSettings settings, Path dir, String token) {
        this.product = product;
        this.settings = settings;
        this.dir = dir;
        this.token = token;
        List<String> serve = List.of("serve", "--host", "127.0.0.1", "--port", "0", "--peer-port", "0",
                "--admin-port", "0", "--tick-hz", Integer.toString(settings.tickHz()),
                "--state-mb", Integer.toString(settings.stateMb()),
                "--redirect-per-second", Integer.toString(settings.redirectPerSecond()),
                "--realtime-priority", Integer.toString(settings.realtimePriority()),
                "--peer-secret-file", dir.resolve("peer-secret").toString(),
                "--admin-token-file", dir.resolve("admin-token").toString());
        this.serve = serve;
    }

    /**
     * The run's certificates (TLS on): a CA and one certificate per server ({@link #serverNames}), each with its
     * own key, made in the run directory by the code {@code ./baton certs --names} runs, so the peer link's
     * channel binding differs for every pair of servers (docs/protocol.md, "Security"). The bots and the admin
     * client trust the CA, whose file this is.
     */
    Path ca() {
        return certs("source").ca();
    }

    /** The certificate and key the server {@code name} presents (one of {@link #serverNames}). */
    private Tls.CertificateFiles certs(String name) {
        Path d = dir.resolve("tls");
        return new Tls.CertificateFiles(d.resolve("ca.pem"), d.resolve("ca-key.pem"), d.resolve(name + ".pem"),
                d.resolve(name + "-key.pem"));
    }

    /** Every server of a run, as its process and its certificate are named: source, target, server-2... */
    private static List<String> serverNames(DemoSettings settings) {
        List<String> names = new ArrayList<>(List.of("source", "target"));
        for (int k = 2; k <= settings.handoffs(); k++) {
            names.add("server-" + k);
        }
        return names;
    }

    /**
     * Every server certificate of the run in one PEM file: what a browser is told to accept the keys of, since a
     * page that follows a handoff meets the target's certificate after the source's.
     */
    Path serverCertificates() throws IOException {
        Path bundle = dir.resolve("tls").resolve("servers.pem");
        if (!Files.exists(bundle)) {
            StringBuilder all = new StringBuilder();
            for (String name : serverNames(settings)) {
                all.append(Files.readString(certs(name).cert(), StandardCharsets.US_ASCII));
            }
            Files.writeString(bundle, all, StandardCharsets.US_ASCII);
        }
        return bundle;
    }

    /** {@code serve} as the server {@code name} runs it: with its own certificate when TLS is on. */
    private List<String> serveAs(String name) {
        Tls.CertificateFiles c = certs(name);
        return settings.tls() ? plus(serve, "--tls-cert", c.cert().toString(), "--tls-key", c.key().toString(),
                "--tls-ca", c.ca().toString()) : serve;
    }

    /** What a bots process or an admin client is told to trust: the run's CA, or nothing (in the clear). */
    private List<String> trustArgs() {
        return settings.tls() ? List.of("--tls-ca", ca().toString()) : List.of();
    }

    /**
     * Starts the source and the target, each once its ready line is out; the source runs
     * {@link HaltAfterCutoverFlushed} when the fault is {@link Fault.Action#HALT_SOURCE}.
     */
    static LocalCluster start(Class<?> product, DemoSettings settings) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("baton-demo-");
        Files.writeString(dir.resolve("peer-secret"), randomHex() + "\n", StandardCharsets.UTF_8);
        String token = randomHex();
        Files.writeString(dir.resolve("admin-token"), token + "\n", StandardCharsets.UTF_8);
        if (settings.tls()) {
            Tls.writeDevelopmentCertificates(dir.resolve("tls"), List.of("127.0.0.1", "localhost"),
                    serverNames(settings), 1, false);
        }
        LocalCluster cluster = new LocalCluster(product, settings, dir, token);
        Demo.say("starting source and target in %s", dir);
        try {
            List<String> sourceArgs = plus(cluster.serveAs("source"), "--journal", cluster.sourceJournal().toString());
            List<String> targetArgs = plus(cluster.serveAs("target"), "--standby", "--journal",
                    cluster.targetJournal().toString());
            if (settings.targetVersion() != DemoSettings.SAME_VERSION) {
                // Each server is told its release: the target a newer one than the source (docs/upgrades.md).
                sourceArgs = plus(sourceArgs, "--service-version", Integer.toString(settings.sourceSchema()));
                targetArgs = plus(targetArgs, "--service-version", Integer.toString(settings.targetSchema()));
            }
            if (settings.fault().action() == Fault.Action.SIGTERM_SOURCE) {
                // The target first: the source is told at start where SIGTERM sends its clients.
                cluster.target = ChildProcess.start(product, "target", dir, settings.serverJvm(), targetArgs,
                        SERVER_READY_S);
                sourceArgs = plus(sourceArgs, "--successor", "127.0.0.1:" + cluster.target.peerPort());
            }
            cluster.source = settings.fault().action() == Fault.Action.HALT_SOURCE
                    ? ChildProcess.start(HaltAfterCutoverFlushed.class, "source", dir, settings.serverJvm(),
                            plus(List.of(product.getName()), sourceArgs.toArray(String[]::new)), SERVER_READY_S)
                    : ChildProcess.start(product, "source", dir, settings.serverJvm(), sourceArgs, SERVER_READY_S);
            if (cluster.target == null) {
                cluster.target = ChildProcess.start(product, "target", dir, settings.serverJvm(), targetArgs,
                        SERVER_READY_S);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Starts the bot processes, playing on the source (reconnecting to the target in the restart baseline). */
    void startBots() throws IOException, InterruptedException {
        int processes = settings.botProcesses();
        for (int k = 0; k < processes; k++) {
            int n = settings.clients() / processes + (k < settings.clients() % processes ? 1 : 0);
            List<String> args = List.of("bots", "--control",
                    "--server", "127.0.0.1:" + source.clientPort(), "--clients", Integer.toString(n),
                    "--input-hz", Double.toString(settings.inputHz()), "--tick-hz", Integer.toString(settings.tickHz()),
                    "--realtime-priority", Integer.toString(DemoSettings.forPlayers(settings.realtimePriority())),
                    "--bind-addresses", processes > 1 ? Integer.toString(Math.min(250, processes)) : "0");
            args = plus(args, trustArgs().toArray(String[]::new));
            if (settings.mode() == DemoSettings.Mode.RESTART) {
                args = plus(args, "--reconnect-to", "127.0.0.1:" + target.clientPort());
            }
            if (settings.webSocket()) {
                args = plus(args, "--transport", "websocket");
            }
            if (settings.targetVersion() != DemoSettings.SAME_VERSION) {
                args = plus(args, "--expect-rules", settings.sourceSchema() + "," + settings.targetSchema());
            }
            bots.add(ChildProcess.start(product, "bots-" + k, dir, settings.botJvm(), args, BOTS_READY_S));
        }
    }

    /**
     * Starts the browser driver with a page per client, each playing on the source over WebSocket: over
     * https and wss, Chromium trusting the keys of the certificates in {@code serverCert}, when it is given; in the clear when it
     * is null. The driver joins the bot processes (stopped with them, its ready line counted the same way).
     */
    void startBrowsers(BrowserClients.Options options, Path serverCert) throws IOException, InterruptedException {
        String hostPort = "127.0.0.1:" + source.clientPort();
        String s = serverCert == null ? "" : "s";
        bots.add(BrowserClients.start(options, settings, "http" + s + "://" + hostPort + "/",
                "ws" + s + "://" + hostPort + "/baton", serverCert, dir));
    }

    /** Starts a standby for each handoff after the first. */
    void startStandbys() throws IOException, InterruptedException {
        for (int k = 2; k <= settings.handoffs(); k++) {
            standbys.add(ChildProcess.start(product, "server-" + k, dir, settings.serverJvm(),
                    plus(serveAs("server-" + k), "--standby", "--journal", journalOf("server-" + k).toString()),
                    SERVER_READY_S));
        }
    }

    /** The sessions the bot processes opened. */
    int connected() {
        int connected = 0;
        for (ChildProcess b : bots) {
            connected += b.ready().path("connected").asInt();
        }
        return connected;
    }

    /** The admin API of a server of this cluster. */
    AdminClient admin(ChildProcess server) {
        return settings.tls() ? new AdminClient("https://127.0.0.1:" + server.adminPort(), token, ca())
                : new AdminClient("http://127.0.0.1:" + server.adminPort(), token);
    }

    ChildProcess source() {
        return source;
    }

    ChildProcess target() {
        return target;
    }

    /** The live bot processes (a fault may kill one: it leaves this list). */
    List<ChildProcess> bots() {
        return bots;
    }

    List<ChildProcess> standbys() {
        return standbys;
    }

    Path dir() {
        return dir;
    }

    Path sourceJournal() {
        return journalOf("source");
    }

    Path targetJournal() {
        return journalOf("target");
    }

    /** Where the server of this name journals what it applies. */
    Path journalOf(String server) {
        return dir.resolve(server + ".journal");
    }

    /** Stops the bots and the standbys, then the target, then the source. */
    @Override
    public void close() {
        List<ChildProcess> all = new ArrayList<>(bots);
        all.addAll(standbys);
        all.add(target);
        all.add(source);
        for (ChildProcess p : all) {
            if (p != null) {
                p.close();
            }
        }
    }

    static List<String> plus(List<String> list, String... more) {
        List<String> l = new ArrayList<>(list);
        l.addAll(List.of(more));
        return l;
    }

    static String randomHex() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
