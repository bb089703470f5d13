package io.baton.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.baton.client.BatonClient;
import io.baton.client.ClientOptions;
import io.baton.client.ClientRuntime;
import io.baton.core.HandoffRequest;
import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.server.BatonServer;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Handoffs rehearsed between throwaway servers of this process over loopback sockets, with clients of this
 * process playing on them, before the real server starts. The in-memory rehearsal ({@code io.baton.sim.Rehearsal})
 * compiles the protocol's code but never the transport's: without this, a standby's first handoff ran the
 * event loop's reads and writes, the frame batcher and the driver interpreted, then at C1, compiling some 800
 * methods (Netty's channel, buffer and util code most of them) in the second of the handoff, on the cores its
 * source serves from; and a source ran its peer link cold (docs/performance.md, "Warm before the first
 * handoff"). Here each rehearsal server plays both parts in turn, source and target, as a real one may.
 *
 * <p>The rehearsal servers bind 127.0.0.1 on ports the OS picks, with a random peer secret and no admin port;
 * they host the service with its default options (a small state), their log is quiet but for warnings, and
 * the process's server observer (a harness's fault) does not hear of them.
 */
final class LoopbackRehearsal {

    /** Clients playing through the rehearsal: enough calls per second to compile the hot paths. */
    private static final int CLIENTS = 128;
    /** The longest one rehearsal handoff may take before the next is tried anyway. */
    private static final long HANDOFF_LIMIT_MS = 5_000;

    private LoopbackRehearsal() {
    }

    /** What the rehearsal did, for the line the server prints. */
    record Outcome(int handoffs, int completed, long millis) {
    }

    /**
     * Rehearses live handoffs, one server to the next, for about {@code budgetMillis}; always at least one.
     *
     * @param ioThreads the client I/O loops the real server will run, so that their code is rehearsed too
     */
    static Outcome run(ServiceFactory factory, int tickHz, int ioThreads, long budgetMillis) throws Exception {
        return run(factory, tickHz, ioThreads, budgetMillis, false);
    }

    /**
     * As {@link #run(ServiceFactory, int, int, long)}; with {@code tls}, every link of the rehearsal is TLS as the
     * real server's will be (handshakes, certificate checks and record layer run warm at its first handoff), with
     * throwaway certificates for 127.0.0.1 made for the rehearsal and deleted after it.
     */
    static Outcome run(ServiceFactory factory, int tickHz, int ioThreads, long budgetMillis, boolean tls)
            throws Exception {
        java.nio.file.Path certDir = tls ? java.nio.file.Files.createTempDirectory("baton-rehearsal-tls-") : null;
        try {
            BatonServer.TlsFiles files = null;
            List<java.security.cert.X509Certificate> trust = List.of();
            if (tls) {
                io.baton.transport.Tls.CertificateFiles f = io.baton.transport.Tls.writeDevelopmentCertificates(
                        certDir, List.of("127.0.0.1"), 1, false);
                files = new BatonServer.TlsFiles(f.cert(), f.key(), f.ca());
                trust = io.baton.transport.Tls.certificates(f.ca());
            }
            return rehearse(factory, tickHz, ioThreads, budgetMillis, files, trust);
        } finally {
            if (certDir != null) {
                try (var files = java.nio.file.Files.list(certDir)) {
                    for (java.nio.file.Path p : files.toList()) {
                        java.nio.file.Files.deleteIfExists(p);
                    }
                }
                java.nio.file.Files.deleteIfExists(certDir);
            }
        }
    }

    private static Outcome rehearse(ServiceFactory factory, int tickHz, int ioThreads, long budgetMillis,
                                    BatonServer.TlsFiles tls, List<java.security.cert.X509Certificate> trust)
            throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(budgetMillis);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level level = root.getLevel();
        root.setLevel(Level.WARN);
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        ServerConfig cfg = ServerConfig.defaults(factory, new ServiceConfig(tickHz, Map.of()),
                java.util.HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII));
        List<BatonClient> clients = new ArrayList<>();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-rehearsal-pacer");
            t.setDaemon(true);
            return t;
        });
        BatonServer source = null;
        int handoffs = 0;
        int completed = 0;
        ClientRuntime runtime = ClientRuntime.create(1);
        try {
            source = BatonServer.start(cfg, options(false, ioThreads).withTls(tls), BatonServer.Diagnostics.REHEARSAL);
            List<CompletableFuture<BatonClient>> pending = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                // Every other one over WebSocket: the client port's HTTP and WebSocket path runs warm too.
                String scheme = trust.isEmpty() ? "ws://" : "wss://";
                ClientOptions.Builder options = i % 2 == 0
                        ? ClientOptions.builder("127.0.0.1", source.clientPort())
                        : ClientOptions.builder(scheme + "127.0.0.1:" + source.clientPort() + "/baton");
                pending.add(runtime.connect(options.trust(trust).build(), m -> { }));
            }
            for (CompletableFuture<BatonClient> c : pending) {
                clients.add(c.get(5, TimeUnit.SECONDS));
            }
            SplittableRandom random = new SplittableRandom(start);
            long period = Math.max(1, 1000 / Math.max(1, tickHz));
            pacer.scheduleAtFixedRate(() -> {
                for (BatonClient c : clients) {
                    c.trySend(io.baton.sim.Rehearsal.input(factory, random));
                }
            }, period, period, TimeUnit.MILLISECONDS);
            do {
                BatonServer target = BatonServer.start(cfg, options(true, ioThreads).withTls(tls),
                        BatonServer.Diagnostics.REHEARSAL);
                handoffs++;
                boolean moved = false;
                try {
                    moved = handOff(source, target);
                } finally {
                    if (!moved) {
                        target.close(); // also when the handoff threw: no rehearsal server outlives the rehearsal
                    }
                }
                if (moved) {
                    completed++;
                    BatonServer retired = source;
                    source = target; // closed in finally from here on, whatever the next line does
                    retired.close();
                } else if (source.status().get(5, TimeUnit.SECONDS).role() != Role.AUTHORITY) {
                    break; // fenced: nobody left to hand off from
                }
            } while (System.nanoTime() < deadline);
        } finally {
            pacer.shutdownNow();
            pacer.awaitTermination(1, TimeUnit.SECONDS); // a tick under way sends on the clients closed next
            for (BatonClient c : clients) {
                c.close();
            }
            runtime.close();
            if (source != null) {
                source.close();
            }
            root.setLevel(level);
        }
        return new Outcome(handoffs, completed, (System.nanoTime() - start) / 1_000_000);
    }

    private static BatonServer.Options options(boolean standby, int ioThreads) {
        return new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", -1, null, standby,
                BatonServer.SocketLimits.DEFAULTS, null, ioThreads);
    }

    /** One live handoff; true once the source has drained and the target holds authority. */
    private static boolean handOff(BatonServer source, BatonServer target) throws Exception {
        HandoffRequest order = new HandoffRequest("127.0.0.1", target.peerPort(), "127.0.0.1", target.clientPort(),
                Frame.Mode.LIVE);
        if (source.startHandoff(order).get(5, TimeUnit.SECONDS).isPresent()) {
            return false;
        }
        long limit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDOFF_LIMIT_MS);
        while (System.nanoTime() < limit) {
            ServerStatus s = source.status().get(5, TimeUnit.SECONDS);
            if (s.role() == Role.RETIRED && s.sourcePhase() == SourcePhase.DONE) {
                return target.status().get(5, TimeUnit.SECONDS).role() == Role.AUTHORITY;
            }
            if (s.sourcePhase() == SourcePhase.ABORTED || s.sourcePhase() == SourcePhase.FENCED) {
                return false; // the clients stayed on the source (aborted), or nobody serves them (fenced)
            }
            Thread.sleep(20);
        }
        return false;
    }
}
