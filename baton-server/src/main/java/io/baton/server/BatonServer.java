package io.baton.server;

import io.baton.core.Entropy;
import io.baton.core.HandoffRequest;
import io.baton.core.ServerConfig;
import io.baton.core.ServerCore;
import io.baton.core.ServerStatus;
import io.baton.transport.Tls;
import io.baton.transport.Transport;
import io.baton.wire.FrameCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Baton server: hosts a service on a client port, accepts a source's handoff on its peer port,
 * and takes the operator's orders on its admin port (HTTP, bearer token; health probes and metrics without).
 */
public final class BatonServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("baton.server");

    /**
     * Where a server listens and how it starts.
     *
     * @param bindHost   address for the client and peer ports
     * @param clientPort port for clients (0 picks a free one)
     * @param peerPort   port for an incoming handoff (0 picks a free one, -1 for none)
     * @param adminHost  address for the admin API (loopback unless the operator says otherwise)
     * @param adminPort  port for the admin API (0 picks a free one, -1 for none)
     * @param adminToken the bearer token the admin API requires
     * @param standby    start as a standby target instead of serving at once
 * @param limits     what one accepted connection that does not read may cost
     * @param advertise  where clients reach this server, host:port, as it tells a source that hands off to it;
     *                   null for the host it binds and the client port it got (a wildcard bind advertises this
     *                   machine's address, and says so in the log)
     * @param ioThreads  event loops that carry the client connections' reads, framing and write system calls,
     *                   the core's loop (which runs the service and the peer link) being one of them; 0 or 1:
     *                   the core's loop alone (one thread for everything, as before); {@link #DEFAULT_IO_THREADS}
     *                   by default
     * @param advertiseWebSocket where clients on WebSocket reach this server, a ws:// or wss:// URL, as it tells a
     *                   source that hands off to it; null for none (they upgrade at the advertised endpoint)
     * @param tls        the certificate every port presents and the operator CA of the peer link, or null for
     *                   every port in the clear
     */
    public record Options(String bindHost, int clientPort, int peerPort, String adminHost, int adminPort,
                          String adminToken, boolean standby, SocketLimits limits, String advertise, int ioThreads,
                          String advertiseWebSocket, TlsFiles tls) {

        /**
         * One loop for everything unless the operator asks for more. Spread over the processors' loops, a tick's
         * write system calls no longer all wait on the thread that runs the service (the core's work per tick at
         * 1,000 clients fell 10-31 %), but every frame of a connection on another loop crosses threads twice:
         * on this 2-core machine the server's CPU rose by 3-30 % and `bench throughput` fell from 0.79 to
         * 0.41 of plain Netty, with no change in a handoff's stall that its noise could show
         * (docs/performance.md, "Client I/O on several event loops"). On a server with cores to spare for it,
         * {@code --io-threads} N spreads the connections.
         */
        public static final int DEFAULT_IO_THREADS = 1;
        /** More client I/O loops than this is a typo, not a tuning. */
        public static final int MAX_IO_THREADS = 256;

        public Options {
            if (ioThreads < 0 || ioThreads > MAX_IO_THREADS) {
                throw new IllegalArgumentException("--io-threads " + ioThreads + " is out of range: give 0 or 1 to "
                        + "carry every client connection on the core's own loop, or 2 to " + MAX_IO_THREADS
                        + " to spread them over that many I/O loops, the core's among them (default: "
                        + DEFAULT_IO_THREADS + "; this machine has " + Runtime.getRuntime().availableProcessors()
                        + " processors)");
            }
            Objects.requireNonNull(bindHost, "bindHost");
            Objects.requireNonNull(adminHost, "adminHost");
            Objects.requireNonNull(limits, "limits");
            if (adminPort >= 0 && (adminToken == null || adminToken.length() < 16)) {
                throw new IllegalArgumentException("the admin token must be at least 16 characters");
            }
            if (advertise != null) {
                hostPort(advertise, "--advertise");
            }
            if (advertiseWebSocket != null) {
                webSocketUrl(advertiseWebSocket);
            }
            if (tls != null && tls.ca() == null && peerPort >= 0) {
                throw new IllegalArgumentException("--tls-cert without --tls-ca: the peer port (--peer-port "
                        + peerPort + ") speaks mutual TLS only, each end presenting a certificate from the operator's "
                        + "CA and verifying the other's; give --tls-ca FILE (the CA that signed every server's "
                        + "certificate; ./baton certs writes ca.pem), or --peer-port -1 for a server that takes no "
                        + "handoff");
            }
        }

        /** Everything in the clear. */
        public Options(String bindHost, int clientPort, int peerPort, String adminHost, int adminPort,
                       String adminToken, boolean standby, SocketLimits limits, String advertise, int ioThreads,
                       String advertiseWebSocket) {
            this(bindHost, clientPort, peerPort, adminHost, adminPort, adminToken, standby, limits, advertise,
                    ioThreads, advertiseWebSocket, null);
        }

        /** Everything in the clear, without a WebSocket URL to advertise. */
        public Options(String bindHost, int clientPort, int peerPort, String adminHost, int adminPort,
                       String adminToken, boolean standby, SocketLimits limits, String advertise, int ioThreads) {
            this(bindHost, clientPort, peerPort, adminHost, adminPort, adminToken, standby, limits, advertise,
                    ioThreads, (String) null);
        }

        /** These options with {@code tls} (null: in the clear). */
        public Options withTls(TlsFiles tls) {
            return new Options(bindHost, clientPort, peerPort, adminHost, adminPort, adminToken, standby, limits,
                    advertise, ioThreads, advertiseWebSocket, tls);
        }

        /** With the default {@link SocketLimits}, advertising what the server binds. */
        public Options(String bindHost, int clientPort, int peerPort, String adminHost, int adminPort,
                       String adminToken, boolean standby) {
            this(bindHost, clientPort, peerPort, adminHost, adminPort, adminToken, standby, SocketLimits.DEFAULTS, null);
        }

        /** With the default number of client I/O loops. */
        public Options(String bindHost, int clientPort, int peerPort, String adminHost, int adminPort,
                       String adminToken, boolean standby, SocketLimits limits, String advertise) {
            this(bindHost, clientPort, peerPort, adminHost, adminPort, adminToken, standby, limits, advertise,
                    DEFAULT_IO_THREADS);
        }
    }

    /**
     * What a connection accepted on the client or peer port may make this server hold for it while it does
     * not read (docs/protocol.md, "Slow readers"): past either limit it is closed, and its session resumes
     * later with nothing lost. The peer link a source opens to its target is not bounded here: what queues
     * on it is the snapshot and the events of a handoff, and a target silent for 2 s is given up anyway.
     *
     * @param maxOutboundBytes bytes queued for one connection beyond which it is closed at once; at least
     *                         twice the largest frame, so one largest output always fits
     * @param writeStallMillis how long a connection may stay unwritable (above the high water mark, not
     *                         drained once to the low one) before it is closed
     */
    public record SocketLimits(long maxOutboundBytes, long writeStallMillis) {
        public static final long MAX_OUTBOUND_BYTES = 4L << 20;
        public static final long WRITE_STALL_MILLIS = 5000;
        public static final SocketLimits DEFAULTS = new SocketLimits(MAX_OUTBOUND_BYTES, WRITE_STALL_MILLIS);

        public SocketLimits {
            long least = 2L * FrameCodec.DEFAULT_MAX_FRAME;
            if (maxOutboundBytes < least) {
                throw new IllegalArgumentException("--max-outbound-bytes " + maxOutboundBytes + " is below "
                        + least + ", twice the largest frame: a connection would be closed for one large output; "
                        + "give " + least + " or more");
            }
            if (writeStallMillis < 1) {
                throw new IllegalArgumentException("--write-stall-ms must be at least 1, was " + writeStallMillis);
            }
        }
    }

    /**
     * TLS 1.3 on every port (docs/protocol.md, "Security"): {@code cert} (PEM, leaf first) and its PKCS#8
     * {@code key} are presented on the client, peer and admin ports, and by this server when it dials a target's
     * peer port; with {@code ca} the peer link is mutual, each end verifying the other's certificate against it
     * (and the source the target's host name).
     *
     * @throws IllegalArgumentException naming the option whose file is missing or unreadable
     */
    public record TlsFiles(Path cert, Path key, Path ca) {
        public TlsFiles {
            Objects.requireNonNull(cert, "--tls-cert");
            Objects.requireNonNull(key, "--tls-key");
            readable(cert, "--tls-cert");
            readable(key, "--tls-key");
            if (ca != null) {
                readable(ca, "--tls-ca");
            }
        }

        private static void readable(Path file, String option) {
            if (!java.nio.file.Files.isReadable(file)) {
                throw new IllegalArgumentException(option + " " + file + ": no such file, or not readable by this "
                        + "user; ./baton certs --out DIR --hosts ... writes a development CA (ca.pem) and a server "
                        + "certificate (server.pem, server-key.pem)");
            }
        }
    }

    /**
     * Splits {@code host:port} (an IPv6 host in brackets), or says what is wrong with it and which option it was.
     *
     * @throws IllegalArgumentException naming the option, the value and the form expected
     */
    static String[] hostPort(String value, String option) {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = colon > 0 ? Integer.parseInt(value.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            // reported below
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException(option + " must be host:port with a port within 1..65535, "
                    + "e.g. game-7.example.net:7000; was '" + value + "'");
        }
        return new String[] {host, Integer.toString(port)};
    }

    /**
     * Checks a {@code --advertise-ws} URL: ws:// or wss://, a host, and short enough for MOVE's string.
     *
     * @throws IllegalArgumentException naming the option, the value and the form expected
     */
    static void webSocketUrl(String value) {
        java.net.URI uri = null;
        try {
            uri = new java.net.URI(value);
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        if (uri == null || uri.getHost() == null || !("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme()))
                || value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
            throw new IllegalArgumentException("--advertise-ws must be a ws:// or wss:// URL with a host, at most 1024 "
                    + "bytes, e.g. wss://game-7.example.net/baton; was '" + value + "'");
        }
    }

    /**
     * What this server advertises: the operator's {@code --advertise}, else the bound host and client port. A
     * wildcard bind names no address a client could use, so this machine's own address is advertised instead.
     */
    static String[] advertised(Options opts, int boundClientPort) {
        if (opts.advertise() != null) {
            return hostPort(opts.advertise(), "--advertise");
        }
        String host = opts.bindHost();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostAddress();
            } catch (java.net.UnknownHostException e) {
                host = "127.0.0.1";
            }
            LOG.warn("the client port binds every address ({}); this server advertises {}:{} as where its clients "
                    + "reach it in a handoff to it; give --advertise host:port if they reach it another way",
                    opts.bindHost(), host, boundClientPort);
        }
        return new String[] {host, Integer.toString(boundClientPort)};
    }

    /**
     * Diagnostics, off in production.
     *
     * @param journal  where to keep an {@link EventJournal} of what this server applies, or null
     * @param observed whether the process's {@link #observeEveryServer observer} hears of this server; false
     *                 for the throwaway servers of a rehearsal, whose handoffs a harness's fault (which halts
     *                 the process at an instant of a handoff) is not about
     */
    public record Diagnostics(Path journal, boolean observed) {
        public static final Diagnostics NONE = new Diagnostics(null, true);
        /** A throwaway server of a rehearsal: no journal, and not observed. */
        public static final Diagnostics REHEARSAL = new Diagnostics(null, false);

        public Diagnostics(Path journal) {
            this(journal, true);
        }
    }

    /** What every server of this process tells of its instants; see {@link #observeEveryServer}. */
    private static volatile ServerObserver observer = ServerObserver.NONE;

    /**
     * Every server this process starts from now on tells {@code observer} of its instants. For a harness
     * that starts a server process through the product's own main class, and installs its observer first
     * (the server's command line has no say in it).
     */
    public static void observeEveryServer(ServerObserver observer) {
        BatonServer.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * The peer link's largest frame: two snapshot chunks, or anything a client may send wrapped in an EVENT or
     * a FORWARD, whichever is larger, and room for their headers. A client's largest INPUT must always fit:
     * otherwise one ordinary client could abort any handoff by sending it while events ship.
     */
    static final int PEER_MAX_FRAME = Math.max(2 * FrameCodec.SNAPSHOT_CHUNK_BYTES, FrameCodec.DEFAULT_MAX_FRAME) + 4096;

    /** The core's loop and, with {@code --io-threads} 2 or more, the other client I/O loops. */
    private final EventLoopGroup group;
    /** How many loops carry client connections beside the core's; 0 if the core's alone does. */
    private final int otherIoLoops;
    private final EventLoopGroup adminGroup;
    private final CoreDriver driver;
    private final List<Channel> listeners = new ArrayList<>();
    private final int clientPort;
    private final int peerPort;
    private final int adminPort;
    /** What this server advertises as its client endpoint, host:port. */
    private String advertised = "";
    private final CompletableFuture<Path> saved;
    private final Probes probes;
    private final ServerMetrics metrics;
    private final Handoffs handoffs;

    private BatonServer(EventLoopGroup group, int otherIoLoops, EventLoopGroup adminGroup, CoreDriver driver,
                        int clientPort,
                        int peerPort, int adminPort, CompletableFuture<Path> saved, Probes probes,
                        ServerMetrics metrics, Handoffs handoffs) {
        this.handoffs = handoffs;
        this.saved = saved;
        this.probes = probes;
        this.metrics = metrics;
        this.group = group;
        this.otherIoLoops = otherIoLoops;
        this.adminGroup = adminGroup;
        this.driver = driver;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.adminPort = adminPort;
    }

    /** Binds the ports and starts serving (or waiting in standby). */
    public static BatonServer start(ServerConfig cfg, Options opts) throws InterruptedException {
        return start(cfg, opts, Diagnostics.NONE);
    }

    /** Binds the ports and starts serving (or waiting in standby), with diagnostics. */
    public static BatonServer start(ServerConfig cfg, Options opts, Diagnostics diagnostics)
            throws InterruptedException {
        return start(cfg, opts, diagnostics, HttpRoutes.NONE);
    }

    /**
     * Binds the ports and starts serving (or waiting in standby), with diagnostics, answering plain HTTP
     * requests on the client port with {@code routes} (every other one 404; the WebSocket is at
     * {@link HttpRoutes#WEBSOCKET_PATH} whatever they are).
     */
    public static BatonServer start(ServerConfig cfg, Options opts, Diagnostics diagnostics, HttpRoutes routes)
            throws InterruptedException {
        // The client connections are spread over every loop of the group, round robin; the core runs on one of
        // them and hands a channel of another loop its frames to write (CoreDriver). They all carry real-time
        // work, at the same priority (and SCHED_FIFO where asked).
        boolean spread = opts.ioThreads() > 1;
        EventLoopGroup group = Transport.group(spread ? opts.ioThreads() : 1);
        io.netty.channel.EventLoop coreLoop = group.next();
        // The operator's API is not real-time: its thread yields the CPU to the core's.
        EventLoopGroup adminGroup = Transport.group(1, "baton-admin", Thread.NORM_PRIORITY);
        AdminHandler.warmUp();
        // The peer link stays on the core's loop: during a handoff every output waits for the target's
        // acknowledgement, and a hop between threads each way costs more than encoding snapshot chunks
        // here does (docs/performance.md). The admin API has a thread of its own.
        SecureRandom random = new SecureRandom();
        random.nextBytes(new byte[16]); // seed now, not in the middle of the first handoff
        Entropy entropy = random::nextBytes;
        ServerMetrics metrics = new ServerMetrics();
        Probes probes = new Probes(opts.peerPort() >= 0);
        try {
            Secured tls = Secured.of(opts.tls(), TimeUnit.NANOSECONDS.toMillis(cfg.limits().helloTimeout()));
            CoreDriver driver = new CoreDriver(coreLoop, coreLoop, PEER_MAX_FRAME, opts.limits(), diagnostics,
                    diagnostics.observed() ? observer : ServerObserver.NONE, tls);
            // A handoff's listeners hear of it on the admin thread: never the core's, which every client waits on.
            Handoffs handoffs = new Handoffs(driver, adminGroup.next());
            MeteredOutbox outbox = new MeteredOutbox(driver, metrics, handoffs);
            driver.observePolls(outbox);
            driver.loop().submit(() -> driver.core(opts.standby()
                    ? ServerCore.standby(cfg, outbox, entropy)
                    : ServerCore.authority(cfg, outbox, entropy, CoreDriver.now()))).sync();
            HeapSettling.settle(opts.standby() ? "starting" : "building the service");
            List<Channel> bound = new ArrayList<>();
            Channel client = listening(Pipelines.bind(driver, spread ? group : null, opts, opts.clientPort(), false,
                    metrics, routes, tls),
                    CLIENT_PORT, opts.bindHost(), opts.clientPort());
            bound.add(client);
            String[] ad = advertised(opts, port(client));
            driver.call(core -> {
                core.advertise(ad[0], Integer.parseInt(ad[1]));
                if (opts.advertiseWebSocket() != null) {
                    core.advertiseWebSocket(opts.advertiseWebSocket());
                }
                return null;
            }).join();
            Channel peer = null;
            if (opts.peerPort() >= 0) {
                peer = listening(Pipelines.bind(driver, null, opts, opts.peerPort(), true, metrics, HttpRoutes.NONE,
                        tls), PEER_PORT, opts.bindHost(), opts.peerPort());
                bound.add(peer);
            }
            Channel admin = null;
            CompletableFuture<Path> saved = new CompletableFuture<>();
            if (opts.adminPort() >= 0) {
                admin = listening(Pipelines.admin(adminGroup, driver, handoffs, opts, saved, probes, metrics, tls),
                        ADMIN_PORT, opts.adminHost(), opts.adminPort());
                bound.add(admin);
            }
            BatonServer server = new BatonServer(group, spread ? opts.ioThreads() - 1 : 0, adminGroup, driver,
                    port(client), peer == null ? -1 : port(peer),
                    admin == null ? -1 : port(admin), saved, probes, metrics, handoffs);
            server.listeners.addAll(bound);
            server.advertised = ad[0] + ":" + ad[1];
            driver.loop().execute(driver::afterBatch);
            driver.startWatchdog();
            selfCheck(driver, opts.bindHost(), server.clientPort);
            if (tls.on()) {
                LOG.info("TLS 1.3 via {} on the client{} and admin ports{}", Tls.provider(),
                        opts.peerPort() >= 0 ? ", peer (mutual, CA " + opts.tls().ca() + ")" : "",
                        opts.tls().ca() != null ? "; handoffs from here dial the target over mutual TLS" : "");
            }
            LOG.info("{} on {}:{} (peer port {}, admin {}:{}, advertises {}:{}), service {} at {} Hz, transport {}, "
                    + "client connections on {}", opts.standby() ? "standby target" : "serving", opts.bindHost(),
                    server.clientPort, server.peerPort, opts.adminHost(), server.adminPort, ad[0], ad[1],
                    cfg.factory().name(), cfg.service().tickHz(), Transport.name(),
                    spread ? opts.ioThreads() + " event loops, the core's among them" : "the core's event loop");
            return server;
        } catch (RuntimeException | InterruptedException e) {
            // Waited for, so that a port bound before the failure is free again when the caller hears of it.
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            adminGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            metrics.close();
            throw e;
        }
    }

    private static final String CLIENT_PORT = "the client port; --port moves it";
    private static final String PEER_PORT = "the peer port; --peer-port moves it";
    private static final String ADMIN_PORT = "the admin port; --admin-port moves it";

    /**
     * Checks, before anything slow happens, that this server's ports can be listened on: an operator who
     * picked a port in use hears so at once, with the port and the option that moves it. Port 0 (any) and
     * a port turned off (-1) are not checked. The real bind follows later and reports the same way.
     *
     * @throws IllegalStateException naming the first port that cannot be listened on
     */
    public static void checkPorts(Options opts) {
        check(opts.bindHost(), opts.clientPort(), CLIENT_PORT);
        check(opts.bindHost(), opts.peerPort(), PEER_PORT);
        check(opts.adminHost(), opts.adminPort(), ADMIN_PORT);
    }

    private static void check(String host, int port, String what) {
        if (port <= 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw cannotListen(host, port, what, e);
        }
    }

    /** The channel of a bind that worked, or why it did not, with the port and the option that moves it. */
    private static Channel listening(ChannelFuture bind, String what, String host, int port)
            throws InterruptedException {
        bind.await();
        if (!bind.isSuccess()) {
            throw cannotListen(host, port, what, bind.cause());
        }
        return bind.channel();
    }

    private static IllegalStateException cannotListen(String host, int port, String what, Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        String why = m.contains("in use") ? "the port is in use (another server there, or one still closing?)"
                : m.contains("ermission") ? "permission denied (ports below 1024 need privileges)"
                : m.contains("ssign") || cause instanceof java.nio.channels.UnresolvedAddressException
                        ? "no such address on this machine (--host, --admin-host)" : m;
        return new IllegalStateException("cannot listen on " + host + ":" + port + " (" + what + "): " + why, cause);
    }

    /**
     * Connects once to the server's own client port from the core's loop, and lets go: it proves the port
     * accepts, and it loads the outbound-connect code now rather than on the loop's first handoff.
     */
    private static void selfCheck(CoreDriver driver, String bindHost, int clientPort) throws InterruptedException {
        // The address it binds (loopback for a wildcard bind): a server bound to one address only is not on 127.0.0.1.
        boolean wildcard = bindHost.isEmpty() || bindHost.equals("0.0.0.0") || bindHost.equals("::")
                || bindHost.equals("[::]");
        driver.connectAndClose(wildcard ? "127.0.0.1" : bindHost, clientPort);
    }

    private static int port(Channel ch) {
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    public int clientPort() {
        return clientPort;
    }

    public int peerPort() {
        return peerPort;
    }

    public int adminPort() {
        return adminPort;
    }

    /** The client endpoint this server advertises to a source that hands off to it, host:port. */
    public String advertised() {
        return advertised;
    }

    /**
     * Completes with the file once {@code POST /save} wrote this server's state to it (the restart baseline):
     * the server has stopped for good and its process should exit.
     */
    public CompletableFuture<Path> saved() {
        return saved;
    }

    public CompletableFuture<ServerStatus> status() {
        return driver.call(ServerCore::status);
    }

    /**
     * Orders this server, the authority, to hand off to the target the request names, as the admin API's
     * {@code POST /handoff} does (it is this same call): completes, once the core took or refused the order, with
     * the {@link Handoff} to watch (its phase, each phase as it is entered, and its {@link Handoff#outcome()}:
     * completed, aborted with the reason, fenced, or refused at once).
     */
    public CompletableFuture<Handoff> handoff(HandoffRequest request) {
        Objects.requireNonNull(request, "request");
        return handoffs.start(request);
    }

    /** {@link #handoff}, answering only whether it started: empty, or the reason it was refused. */
    public CompletableFuture<Optional<String>> startHandoff(HandoffRequest request) {
        return handoff(request).thenApply(Handoff::refusal);
    }

    Handoffs handoffs() {
        return handoffs;
    }

    public CompletableFuture<Optional<String>> abortHandoff() {
        return driver.call(core -> core.abortHandoff(CoreDriver.now()));
    }

    /**
     * How a graceful stop ended.
     *
     * @param clean   whether stopping now loses nothing: a successor took every client over and this server
     *                drained, or it had nothing to hand off (a standby, a source already retired)
     * @param summary what happened, for the log
     */
    public record Stop(boolean clean, String summary) {
    }

    /**
     * What an orchestrator's stop (SIGTERM) does, before {@link #close}: hands every client off to
     * {@code successor} (host:peerPort; a name with several addresses is a pool, each tried until one
     * accepts) and returns once drained; gives up after {@code bound} (aborting a handoff not yet cut over, so
     * the clients stay here). With no successor (null), this server stops taking new sessions and returns at
     * once. Blocks the calling thread; logs each phase.
     */
    public Stop stopGracefully(String successor, java.time.Duration bound) throws InterruptedException {
        probes.stopping("stopping (SIGTERM)");
        return new GracefulStop(this).run(successor, bound.toNanos());
    }

    CoreDriver driver() {
        return driver;
    }

    /** How many event loops carry client connections beside the core's; 0 if the core's alone does (for tests). */
    int otherIoLoops() {
        return otherIoLoops;
    }

    @Override
    public void close() {
        probes.closing();
        for (Channel ch : listeners) {
            ch.close();
        }
        adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            driver.loop().submit(() -> {
                handoffs.closing(); // a caller waiting on a Handoff's outcome hears that it never will
                driver.closeJournal();
            }).await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        metrics.close();
    }
}
