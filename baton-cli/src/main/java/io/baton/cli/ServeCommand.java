package io.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.SourcePhase;
import io.baton.server.BatonServer;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
            "Run a server: the authority (default), or a standby target for a handoff (--standby).",
            "",
            "Prints one JSON line {\"event\":\"ready\",...} on stdout once its ports are bound; logs go to stderr.",
            "",
            "SIGTERM (what an orchestrator sends) hands every client off to --successor and exits 0 once drained, "
                + "within --term-timeout-s; a second SIGTERM, or the bound running out, stops at once and exits 1. "
                + "Without a successor, SIGTERM stops taking new sessions and exits 0. Ctrl-C (SIGINT) stops at once.",
            "",
            "--config FILE reads options from key=value lines (a serve option's long name without the dashes, "
                + "e.g. successor=standby-pool:7001); the command line wins over the file, the file over "
                + "BATON_SUCCESSOR."
        })
final class ServeCommand implements Callable<Integer> {

    private static final ServerConfig.Limits LIMITS = ServerConfig.Limits.defaults();
    private static final int DEFAULT_MAX_UNACKED_OUTPUTS = ServerConfig.DEFAULT_MAX_UNACKED_OUTPUTS;

    @Option(names = "--service", defaultValue = "arena", description = "Service to host, by its factory's name: "
            + "one built in (arena, echo) or one of a --service-jar (default: ${DEFAULT-VALUE}).")
    String service;

    @Option(names = "--service-jar", paramLabel = "FILE", description = "A jar that holds a service of your own, its "
            + "ServiceFactory registered in META-INF/services/io.baton.service.ServiceFactory (repeatable: also each "
            + "jar it needs beyond Baton's own). Default: none, only the built-in services.")
    java.util.List<Path> serviceJars = new java.util.ArrayList<>();

    @Option(names = "--service-version", defaultValue = "0", paramLabel = "N",
            description = "The release of --service to host, by its schema version, when the class path carries "
                    + "several (docs/upgrades.md); 0, the default, picks the newest.")
    int serviceVersion;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address for the client and peer ports (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7000", description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--peer-port", defaultValue = "7001", description = "Port a source hands off to; -1 for none (default: ${DEFAULT-VALUE}).")
    int peerPort;

    @Option(names = "--admin-host", defaultValue = "127.0.0.1", description = "Address of the admin API (default: ${DEFAULT-VALUE}, loopback only).")
    String adminHost;

    @Option(names = "--admin-port", defaultValue = "7002", description = "Admin API port; -1 for none (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--admin-token-file", defaultValue = ".baton/admin-token",
            description = "Bearer token of the admin API; created with a random token if missing (default: ${DEFAULT-VALUE}).")
    Path adminTokenFile;

    @Option(names = "--peer-secret-file", defaultValue = ".baton/peer-secret",
            description = "Secret shared by source and target; created if missing, then copy it to the other machine (default: ${DEFAULT-VALUE}).")
    Path peerSecretFile;

    @Option(names = "--standby", description = "Start as a standby target instead of serving.")
    boolean standby;

    @Option(names = "--tick-hz", defaultValue = "30", description = "Ticks per second (default: ${DEFAULT-VALUE}).")
    int tickHz;

    @Option(names = "--state-mb", defaultValue = "0", description = "Arena: MiB of extra world state that keeps changing (default: ${DEFAULT-VALUE}).")
    long stateMb;

    @Option(names = "--opt", description = "Service option key=value (repeatable).")
    Map<String, String> options = new HashMap<>();

    @Option(names = "--resume-window-ms", defaultValue = "30000", description = "How long a disconnected session is kept (default: ${DEFAULT-VALUE}).")
    long resumeWindowMs;

    @Option(names = "--redirect-per-second", defaultValue = "5000", description = "Fastest pace of MOVE frames in a handoff; they are spread over at least 0.5 s (default: ${DEFAULT-VALUE}).")
    int redirectPerSecond;

    // Limits (docs/protocol.md, Limits): what one connection, address or stranger may cost this server.
    @Option(names = "--hello-timeout-ms", description = "A connection must complete its hello (a client's HELLO, a "
            + "source's PEER_HELLO and PEER_AUTH) within this, else it is closed (default: ${DEFAULT-VALUE}).")
    long helloTimeoutMs = TimeUnit.NANOSECONDS.toMillis(LIMITS.helloTimeout());

    @Option(names = "--idle-timeout-ms", description = "A client connection silent this long is closed and its "
            + "session enters its resume window; silent 1 s, it is pinged (default: ${DEFAULT-VALUE}).")
    long idleTimeoutMs = TimeUnit.NANOSECONDS.toMillis(LIMITS.idleTimeout());

    @Option(names = "--max-sessions", description = "Sessions kept at once, connected or within their resume "
            + "window; a new one beyond is refused (default: ${DEFAULT-VALUE}).")
    int maxSessions = LIMITS.maxSessions();

    @Option(names = "--max-sessions-per-address", description = "Sessions one client IP address may hold "
            + "(default: ${DEFAULT-VALUE}).")
    int maxSessionsPerAddress = LIMITS.maxSessionsPerAddress();

    @Option(names = "--hello-new-rate", description = "New sessions accepted per second, sustained "
            + "(default: ${DEFAULT-VALUE}).")
    int helloNewRate = LIMITS.helloNewPerSecond();

    @Option(names = "--hello-new-burst", description = "New sessions accepted at once after a quiet spell "
            + "(default: ${DEFAULT-VALUE}).")
    int helloNewBurst = LIMITS.helloNewBurst();

    @Option(names = "--max-unacked-outputs", description = "Outputs a session may hold unacknowledged, connected "
            + "or not; one more and the session is closed (default: ${DEFAULT-VALUE}).")
    int maxUnackedOutputs = DEFAULT_MAX_UNACKED_OUTPUTS;

    @Option(names = "--client-versions", description = "Client-link protocol versions to speak, MIN..MAX; a client "
            + "gets the highest both speak (default: ${DEFAULT-VALUE}; 4..5 adds the test version 5).")
    String clientVersions = io.baton.wire.VersionRange.CLIENT_DEFAULT.toString();

    @Option(names = "--peer-versions", description = "Peer-link protocol versions to speak as source and target, "
            + "MIN..MAX; a handoff uses the highest both servers speak (default: ${DEFAULT-VALUE}).")
    String peerVersions = io.baton.wire.VersionRange.PEER_DEFAULT.toString();

    @Option(names = "--max-unacked-bytes", description = "Output bytes a session may hold unacknowledged, "
            + "connected or not; more and the session is closed (default: ${DEFAULT-VALUE}).")
    long maxUnackedBytes = LIMITS.maxUnackedBytes();

    @Option(names = "--max-input-bytes", description = "Largest INPUT payload accepted; a larger one ends its "
            + "session. At most, and by default, what a client frame holds (default: ${DEFAULT-VALUE}).")
    int maxInputBytes = LIMITS.maxInputBytes();

    @Option(names = "--rehearse-ms", defaultValue = "3000",
            description = "Before serving, rehearse handoffs for about this long so that the first real one runs "
                    + "compiled code: a third in memory (the protocol), the rest between throwaway servers of "
                    + "this process over loopback sockets, with clients playing (the transport) (0: skip; "
                    + "default: ${DEFAULT-VALUE}).")
    long rehearseMs;

    @Option(names = "--max-outbound-bytes", defaultValue = "" + BatonServer.SocketLimits.MAX_OUTBOUND_BYTES,
            description = "Bytes queued for one client or peer connection that does not read, beyond which it is "
                    + "closed (its session resumes later, nothing lost); at least twice the largest frame "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxOutboundBytes;

    @Option(names = "--write-stall-ms", defaultValue = "" + BatonServer.SocketLimits.WRITE_STALL_MILLIS,
            description = "How long a connection may leave more than 64 KiB unread before it is closed as a slow "
                    + "reader (its session resumes later, nothing lost) (default: ${DEFAULT-VALUE}).")
    long writeStallMs;

    @Option(names = "--io-threads", description = "Event loops that read, frame and write the client connections, "
            + "the one that runs the service and the peer link among them; 0 or 1: everything on that one loop "
            + "(default: ${DEFAULT-VALUE}; more spreads the write system calls over cores, at a cost per frame, "
            + "see docs/performance.md).")
    int ioThreads = BatonServer.Options.DEFAULT_IO_THREADS;

    @Option(names = "--advertise", description = "Where clients reach this server, host:port: what it tells a source "
            + "that hands off to it, and so where that source sends its clients (default: --host and the client port "
            + "bound; with --host 0.0.0.0, this machine's address, logged at start).")
    String advertise;

    @Option(names = "--advertise-ws", paramLabel = "URL",
            description = "Where clients on WebSocket reach this server when it is not ws://ADVERTISE/baton (a proxy in "
                    + "front that takes another path, or TLS ended elsewhere): a source that hands off to it sends this "
                    + "URL to its WebSocket clients in MOVE (default: none; they then upgrade at the --advertise "
                    + "endpoint with the scheme and path they already use).")
    String advertiseWebSocket;

    @Option(names = "--successor", defaultValue = "${env:BATON_SUCCESSOR}",
            description = "The standby that SIGTERM hands off to, host:peerPort; a name with several addresses (a pool "
                    + "behind one DNS name or Kubernetes Service) is tried address by address until one accepts "
                    + "(default: the environment variable BATON_SUCCESSOR, else none).")
    String successor;

    @Option(names = "--term-timeout-s", defaultValue = "25",
            description = "How long SIGTERM's handoff may take before the server stops anyway; keep it below the "
                    + "orchestrator's grace period (Kubernetes: terminationGracePeriodSeconds, 30 by default) "
                    + "(default: ${DEFAULT-VALUE}).")
    int termTimeoutS;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read options from FILE, one key=value a line (# comments); see above.")
    Path config;

    @Option(names = "--exit-when-retired", description = "Exit once this server has handed off and drained.")
    boolean exitWhenRetired;

    @Option(names = "--journal", description = "Diagnostics: record every applied event's hash, the released index "
            + "and the cutover digest in this file, so two servers' histories can be compared later (./baton demo uses it).")
    Path journal;

    @Option(names = "--page", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Serve the service's browser page, if it has one, on the client port beside the WebSocket "
                    + "at /baton (the arena's: /, /index.html, /arena/arena.js); --no-page answers every path but "
                    + "/baton 404 (default: ${DEFAULT-VALUE}).")
    boolean page;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "TLS 1.3 on every port (client, peer, admin) with this certificate (PEM, leaf first; "
                    + "./baton certs writes server.pem); needs --tls-key, and --tls-ca unless --peer-port is -1. "
                    + "Default: every port in the clear.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert (PEM, PKCS#8: BEGIN PRIVATE KEY; ./baton certs writes "
                    + "server-key.pem).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "The operator's CA (PEM): the peer link is mutual TLS, the source presenting --tls-cert to "
                    + "its target and each end verifying the other's certificate against this CA (and the source "
                    + "the target's host name).")
    Path tlsCa;

    @Mixin
    RealtimeOption realtime;

    @Override
    public Integer call() throws Exception {
        realtime.apply();
        ServiceFactory factory = ServiceJars.find(service, serviceVersion, serviceJars);
        BatonServer.Options listen = new BatonServer.Options(host, port, peerPort, adminHost, adminPort,
                adminPort >= 0 ? Secrets.readOrCreate(adminTokenFile, "admin token") : null, standby,
                new BatonServer.SocketLimits(maxOutboundBytes, writeStallMs), advertise, ioThreads,
                advertiseWebSocket).withTls(tls());
        BatonServer.checkPorts(listen); // before the rehearsal: a port in use is said at once, not seconds later
        if (rehearseMs > 0) {
            long t = System.nanoTime();
            int n = io.baton.sim.Rehearsal.run(factory, tickHz, Math.max(1, rehearseMs / 3));
            long inMemory = (System.nanoTime() - t) / 1_000_000;
            try {
                LoopbackRehearsal.Outcome sockets = LoopbackRehearsal.run(factory, tickHz, ioThreads,
                        rehearseMs - rehearseMs / 3, listen.tls() != null);
                System.err.printf("baton: rehearsed %d handoffs in memory in %d ms and %d (%d completed) over "
                        + "loopback sockets in %d ms, so the first real one runs warm%n", n, inMemory,
                        sockets.handoffs(), sockets.completed(), sockets.millis());
            } catch (Exception e) {
                // A rehearsal only warms the code: whatever went wrong with it, the server serves.
                System.err.printf("baton: rehearsed %d handoffs in memory in %d ms; the rehearsal over loopback "
                        + "sockets failed (%s), so the first real handoff may run the transport's code cold; "
                        + "serving anyway%n", n, inMemory, e);
            }
        }
        Map<String, String> opts = new HashMap<>(options);
        opts.putIfAbsent("state-mb", Long.toString(stateMb));
        ServerConfig cfg = ServerConfig.defaults(factory, new ServiceConfig(tickHz, opts),
                        Secrets.readOrCreate(peerSecretFile, "peer secret").getBytes(StandardCharsets.UTF_8))
                .withResumeWindow(TimeUnit.MILLISECONDS.toNanos(resumeWindowMs))
                .withRedirectPerSecond(redirectPerSecond)
                .withMaxUnackedOutputs(maxUnackedOutputs)
                .withLimits(limits())
                .withVersions(versions("--client-versions", clientVersions), versions("--peer-versions", peerVersions));
        if (termTimeoutS < 1) {
            throw new IllegalArgumentException("--term-timeout-s must be at least 1, was " + termTimeoutS);
        }
        BatonServer server = BatonServer.start(cfg, listen, new BatonServer.Diagnostics(journal),
                page ? io.baton.server.HttpRoutes.page(factory.webPage()) : io.baton.server.HttpRoutes.NONE);
        CountDownLatch stop = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            if (closed.compareAndSet(false, true)) {
                server.close();
            }
        }, "baton-shutdown"));
        TermSignal term = TermSignal.install(server, successor, java.time.Duration.ofSeconds(termTimeoutS), stop);
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("event", "ready");
        ready.put("role", standby ? "standby" : "authority");
        ready.put("client_port", server.clientPort());
        ready.put("peer_port", server.peerPort());
        ready.put("admin_port", server.adminPort());
        ready.put("advertise", server.advertised());
        ready.put("tls", tlsCert != null);
        ready.put("pid", ProcessHandle.current().pid());
        realtime.describe(ready);
        System.out.println(new ObjectMapper().writeValueAsString(ready));
        System.out.flush();
        while (!stop.await(250, TimeUnit.MILLISECONDS)) {
            if (server.saved().isDone()) {
                System.err.println("baton: state saved to " + server.saved().join() + "; exiting");
                return 0;
            }
            if (exitWhenRetired) {
                var status = server.status().get(5, TimeUnit.SECONDS);
                if (status.role() == Role.RETIRED && status.sourcePhase() == SourcePhase.DONE) {
                    System.err.println("baton: handed off and drained; exiting");
                    return 0;
                }
            }
        }
        // Stopped: by SIGTERM's handoff (or a second SIGTERM), or by the JVM's own shutdown (Ctrl-C).
        if (closed.compareAndSet(false, true)) {
            server.close();
        }
        return term.exitCode();
    }

    /** The TLS files given, or null for every port in the clear; a half-given pair is named. */
    private BatonServer.TlsFiles tls() {
        if (tlsCert == null && tlsKey == null) {
            if (tlsCa != null) {
                throw new IllegalArgumentException("--tls-ca without --tls-cert: the CA verifies the other end of "
                        + "the peer link, but this server would present no certificate; give --tls-cert FILE and "
                        + "--tls-key FILE too (./baton certs writes server.pem and server-key.pem)");
            }
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw new IllegalArgumentException((tlsCert == null ? "--tls-key without --tls-cert" : "--tls-cert without "
                    + "--tls-key") + ": TLS needs both the certificate and its private key (./baton certs writes "
                    + "server.pem and server-key.pem)");
        }
        return new BatonServer.TlsFiles(tlsCert, tlsKey, tlsCa);
    }

    /** The limits given by the flags; a value out of range is named with its flag. */
    private static io.baton.wire.VersionRange versions(String flag, String text) {
        try {
            return io.baton.wire.VersionRange.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + text + ": " + e.getMessage(), e);
        }
    }

    private ServerConfig.Limits limits() {
        try {
            return new ServerConfig.Limits(TimeUnit.MILLISECONDS.toNanos(helloTimeoutMs),
                    TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs), maxSessions, maxSessionsPerAddress, helloNewRate,
                    helloNewBurst, maxUnackedBytes, maxInputBytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a limit is out of range: " + e.getMessage() + "; every limit flag "
                    + "(--hello-timeout-ms, --idle-timeout-ms, --max-sessions, --max-sessions-per-address, "
                    + "--hello-new-rate, --hello-new-burst, --max-unacked-bytes, --max-input-bytes) takes a positive "
                    + "number, and --max-input-bytes at most " + ServerConfig.Limits.MAX_INPUT_BYTES, e);
        }
    }

    /** The release of service {@code name} at schema {@code version} (0: the newest): ServiceJars and ServiceLookup decide. */
    static ServiceFactory findService(String name, int version) {
        return ServiceJars.find(name, version, java.util.List.of());
    }
}
