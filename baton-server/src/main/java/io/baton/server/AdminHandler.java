package io.baton.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.core.HandoffRequest;
import io.baton.core.ServerStatus;
import io.baton.wire.Frame;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import io.baton.core.ServerCore;

/**
 * The operator's HTTP API. Runs on its own thread: it parses and answers there, and hops to the core's
 * loop only for the core call itself.
 *
 * <pre>
 *   GET  /status          the server's status as JSON
 *   POST /handoff         {"target_peer":"host:port","client_endpoint":"host:port","mode":"live"|"stopcopy"}
 *   POST /handoff/abort   abort the handoff under way (before cutover)
 *   POST /save            {"file":"path"}: the restart baseline, not a handoff: stop for good, close every
 *                         client's connection, write the whole state to the file; then the process exits
 *   POST /restore         {"file":"path"}: a standby loads a saved state and takes authority with it
 *   GET  /healthz         200 while the runtime is up and the core's loop answers, else 503 ({@link Probes})
 *   GET  /readyz          200 while this server can serve or receive a handoff, else 503 ({@link Probes})
 *   GET  /metrics         the Prometheus text format ({@link ServerMetrics})
 * </pre>
 * Every request but the three GETs at the end needs {@code Authorization: Bearer TOKEN}: those change
 * nothing and tell no secret, and probes and scrapers are not given the operator's token. Bad requests get a
 * 4xx with a JSON {@code {"error": "..."}} and change nothing.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a prober or a scraper may ask without the operator's token. */
    private static final Set<String> WITHOUT_TOKEN = Set.of("/healthz", "/readyz", "/metrics");

    private final CoreDriver driver;
    private final Handoffs handoffs;
    private final byte[] expectedAuth;
    private final CompletableFuture<Path> saved;
    private final Probes probes;
    private final ServerMetrics metrics;

    AdminHandler(CoreDriver driver, Handoffs handoffs, String token, CompletableFuture<Path> saved, Probes probes,
                 ServerMetrics metrics) {
        this.driver = driver;
        this.handoffs = handoffs;
        this.saved = saved;
        this.probes = probes;
        this.metrics = metrics;
        this.expectedAuth = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        CompletableFuture<FullHttpResponse> response;
        try {
            response = handle(req, ctx.executor());
        } catch (RuntimeException e) {
            response = CompletableFuture.completedFuture(error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e));
        }
        response.exceptionally(e -> error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e))
                .thenAccept(r -> {
                    HttpUtil.setKeepAlive(r, keepAlive);
                    var f = ctx.writeAndFlush(r);
                    if (!keepAlive) {
                        f.addListener(ChannelFutureListener.CLOSE);
                    }
                });
    }

    /**
     * Parses and answers on the admin thread; only the core call itself hops to the core's loop, so JSON
     * and HTTP never hold up a tick.
     */
    private CompletableFuture<FullHttpResponse> handle(FullHttpRequest req, Executor admin) {
        if (!req.decoderResult().isSuccess()) {
            return done(error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
        }
        String path = req.uri().split("\\?", 2)[0];
        if (WITHOUT_TOKEN.contains(path)) {
            if (!req.method().equals(HttpMethod.GET)) {
                return done(notAllowed("GET"));
            }
            return switch (path) {
                case "/healthz" -> live(admin);
                case "/readyz" -> ready(admin);
                default -> scrape(admin);
            };
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        if (!MessageDigest.isEqual(expectedAuth, auth.getBytes(StandardCharsets.UTF_8))) {
            FullHttpResponse r = error(HttpResponseStatus.UNAUTHORIZED, "missing or wrong bearer token");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            return done(r);
        }
        return switch (path) {
            case "/status" -> req.method().equals(HttpMethod.GET)
                    ? driver.call(ServerCore::status).thenApply(st -> json(HttpResponseStatus.OK, statusJson(st)))
                    : done(notAllowed("GET"));
            case "/handoff" -> req.method().equals(HttpMethod.POST) ? handoff(req) : done(notAllowed("POST"));
            case "/handoff/abort" -> req.method().equals(HttpMethod.POST)
                    ? driver.call(core -> core.abortHandoff(CoreDriver.now())).thenApply(refused -> refused
                            .map(r -> error(HttpResponseStatus.CONFLICT, r))
                            .orElseGet(() -> json(HttpResponseStatus.OK, Map.of("aborted", true))))
                    : done(notAllowed("POST"));
            case "/save" -> req.method().equals(HttpMethod.POST) ? save(req) : done(notAllowed("POST"));
            case "/restore" -> req.method().equals(HttpMethod.POST) ? restore(req) : done(notAllowed("POST"));
            default -> done(error(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path
                    + " (try GET /status, POST /handoff, POST /handoff/abort, POST /save, POST /restore,"
                    + " GET /healthz, GET /readyz, GET /metrics)"));
        };
    }

    /** 200 once the core's loop has run a task queued to it, 503 if it has not within the bound or has stopped. */
    private CompletableFuture<FullHttpResponse> live(Executor admin) {
        if (probes.closed()) {
            return done(error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the server is shutting down"));
        }
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        try {
            driver.loop().execute(() -> ran.complete(true));
        } catch (RejectedExecutionException e) {
            return done(error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the core's event loop has stopped"));
        }
        return ran.completeOnTimeout(false, Probes.LOOP_ANSWER_MILLIS, TimeUnit.MILLISECONDS).thenApplyAsync(ok -> ok
                ? json(HttpResponseStatus.OK, Map.of("status", "live"))
                : error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the core's event loop ran nothing queued to it for "
                        + Probes.LOOP_ANSWER_MILLIS + " ms"), admin);
    }

    private CompletableFuture<FullHttpResponse> ready(Executor admin) {
        return statusWithin().thenApplyAsync(st -> {
            if (st == null) {
                return error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the core did not answer within "
                        + Probes.LOOP_ANSWER_MILLIS + " ms");
            }
            return probes.notReady(st)
                    .map(why -> error(HttpResponseStatus.SERVICE_UNAVAILABLE, why))
                    .orElseGet(() -> json(HttpResponseStatus.OK, Map.of("status", "ready", "as", Probes.readyAs(st))));
        }, admin);
    }

    /** The status comes from the core's loop, the text is written here; if the core does not answer, the last gauges. */
    private CompletableFuture<FullHttpResponse> scrape(Executor admin) {
        return statusWithin().thenApplyAsync(st -> {
            byte[] text = metrics.scrape(st).getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(text));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, ServerMetrics.CONTENT_TYPE);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
            return r;
        }, admin);
    }

    /** The core's status, or null if its loop has stopped or did not answer within the probes' bound. */
    private CompletableFuture<ServerStatus> statusWithin() {
        try {
            return driver.call(ServerCore::status).exceptionally(e -> null)
                    .completeOnTimeout(null, Probes.LOOP_ANSWER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Loads and exercises the JSON code once at start, not while the first handoff is being ordered. */
    static void warmUp() {
        try {
            for (int i = 0; i < 200; i++) {
                JsonNode n = JSON.readTree("{\"target_peer\":\"h:1\",\"client_endpoint\":\"h:2\",\"mode\":\"live\"}");
                endpoint(n, "target_peer");
                JSON.writeValueAsBytes(Map.of("handoff_id", Integer.toHexString(i), "n", n.size()));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private CompletableFuture<FullHttpResponse> handoff(FullHttpRequest req) {
        HandoffRequest request;
        try {
            JsonNode body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
            if (body == null || !body.isObject()) {
                return done(error(HttpResponseStatus.BAD_REQUEST, "body must be a JSON object"));
            }
            String[] peer = endpoint(body, "target_peer");
            // Without a client endpoint, clients go where the target advertises; with one, the source probes it.
            boolean given = !body.path("client_endpoint").asText("").isEmpty();
            String[] client = given ? endpoint(body, "client_endpoint") : new String[] {"", "0"};
            String mode = body.path("mode").asText("live");
            Frame.Mode m = switch (mode) {
                case "live" -> Frame.Mode.LIVE;
                case "stopcopy" -> Frame.Mode.STOPCOPY;
                default -> throw new IllegalArgumentException("mode must be 'live' or 'stopcopy', was '" + mode + "'");
            };
            request = new HandoffRequest(peer[0], Integer.parseInt(peer[1]), client[0], Integer.parseInt(client[1]), m);
        } catch (JsonProcessingException e) {
            return done(error(HttpResponseStatus.BAD_REQUEST, "body is not JSON: " + e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            return done(error(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
        // The same order as BatonServer.handoff from Java: one path, one handle.
        return handoffs.start(request).thenApply(h -> h.refusal()
                .map(why -> error(HttpResponseStatus.CONFLICT, why))
                .orElseGet(() -> json(HttpResponseStatus.ACCEPTED, Map.of("handoff_id", Long.toHexString(h.id())))));
    }

    /** Writes saves: a slow disk holds up neither the core's loop nor the admin API. */
    private static final java.util.concurrent.Executor SAVER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-save");
        t.setDaemon(true);
        return t;
    });

    /** Stops the core and takes its state on the core's loop, then writes the file on a thread of its own. */
    private CompletableFuture<FullHttpResponse> save(FullHttpRequest req) {
        Path file;
        try {
            file = fileOf(req);
        } catch (IllegalArgumentException e) {
            return done(error(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
        CompletableFuture<FullHttpResponse> reply = new CompletableFuture<>();
        driver.call(core -> {
            InputStream state = core.saveAndStop(CoreDriver.now());
            probes.stopping("stopped for good by POST /save");
            return new Stopped(state, core.status());
        }).whenCompleteAsync((r, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
                reply.complete(cause instanceof IllegalStateException
                        ? error(HttpResponseStatus.CONFLICT, cause.getMessage())
                        : error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + cause));
                return;
            }
            ServerStatus st = r.status();
            try (InputStream state = r.state()) {
                long bytes = writeDurably(state, file);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", file.toString());
                m.put("bytes", bytes);
                m.put("index", st.cutoverIndex());
                m.put("digest", Long.toHexString(st.cutoverDigest()));
                m.put("stopped_at_nanos", st.stoppedAtNanos());
                reply.complete(json(HttpResponseStatus.OK, m));
                saved.complete(file);
            } catch (IOException | RuntimeException e) {
                // Stopped, and the state is not on disk: the reply says so, and the process stays up (saved()
                // is not completed) so that the state in its memory is not lost with it; a later POST /save
                // writes the same state again.
                reply.complete(error(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "stopped, but could not write " + file + ": " + e));
            }
        }, SAVER);
        return reply;
    }

    private record Stopped(InputStream state, ServerStatus status) {
    }

    /** Reads the whole file here, then restores on the core's loop. */
    private CompletableFuture<FullHttpResponse> restore(FullHttpRequest req) {
        byte[] content;
        try {
            content = Files.readAllBytes(fileOf(req));
        } catch (IllegalArgumentException e) {
            return done(error(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        } catch (IOException e) {
            return done(error(HttpResponseStatus.BAD_REQUEST, "cannot read the save: " + e));
        }
        return driver.call(core -> {
            try {
                core.restore(new java.io.ByteArrayInputStream(content), CoreDriver.now());
            } catch (IllegalStateException e) {
                return error(HttpResponseStatus.CONFLICT, e.getMessage());
            } catch (IOException e) {
                return error(HttpResponseStatus.UNPROCESSABLE_ENTITY, e.getMessage());
            }
            ServerStatus st = core.status();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", st.appliedIndex());
            m.put("digest", Long.toHexString(st.digest()));
            m.put("sessions", st.sessions());
            m.put("authority_at_nanos", st.authorityAtNanos());
            return json(HttpResponseStatus.OK, m);
        });
    }

    private static Path fileOf(FullHttpRequest req) {
        JsonNode body;
        try {
            body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body is not JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject() || body.path("file").asText("").isEmpty()) {
            throw new IllegalArgumentException("body must be a JSON object with a \"file\"");
        }
        return Path.of(body.path("file").asText());
    }

    /** Writes to a temporary file beside the target, forces it to disk, then renames it into place. */
    private static long writeDurably(InputStream in, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
        boolean moved = false;
        try {
            long n;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                n = in.transferTo(java.nio.channels.Channels.newOutputStream(ch));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself survives a crash
            }
            return n;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static CompletableFuture<FullHttpResponse> done(FullHttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static String[] endpoint(JsonNode body, String field) {
        String v = body.path(field).asText("");
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException(field + " must be host:port, was '" + v + "'");
        }
        String port = v.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException(field + " port must be within 1..65535, was " + p);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " port is not a number: '" + port + "'");
        }
        return new String[] {v.substring(0, colon), port};
    }

    static Map<String, Object> statusJson(ServerStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", s.role().name().toLowerCase());
        m.put("source_phase", s.sourcePhase().name().toLowerCase());
        m.put("target_phase", s.targetPhase().name().toLowerCase());
        m.put("handoff_id", Long.toHexString(s.handoffId()));
        m.put("sessions", s.sessions());
        m.put("connected", s.connected());
        m.put("applied_index", s.appliedIndex());
        m.put("tick", s.tick());
        m.put("replica_lag", s.replicaLag());
        m.put("clients_moved", s.clientsMoved());
        m.put("clients_attached", s.clientsAttached());
        m.put("clients_switched", s.clientsSwitched());
        m.put("cutover_index", s.cutoverIndex());
        m.put("cutover_digest", Long.toHexString(s.cutoverDigest()));
        m.put("digest", Long.toHexString(s.digest()));
        m.put("stopped_at_nanos", s.stoppedAtNanos());
        m.put("authority_at_nanos", s.authorityAtNanos());
        m.put("first_event_at_nanos", s.firstEventAtNanos());
        m.put("last_error", s.lastError());
        m.put("upgrade", s.upgrade());
        m.put("released_index", s.releasedIndex());
        m.put("failed_over", s.failedOver());
        m.put("can_take_over", s.canTakeOver());
        m.put("longest_commit_wait_ms", s.longestCommitWaitNanos() / 1e6);
        m.put("source_phase_since_nanos", s.sourcePhaseSinceNanos());
        m.put("commit_suspensions", s.commitSuspensions());
        return m;
    }

    private static FullHttpResponse notAllowed(String allowed) {
        FullHttpResponse r = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + allowed);
        r.headers().set(HttpHeaderNames.ALLOW, allowed);
        return r;
    }

    private static FullHttpResponse error(HttpResponseStatus status, String message) {
        return json(status, Map.of("error", message));
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }
}
