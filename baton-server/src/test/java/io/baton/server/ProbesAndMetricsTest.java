package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.client.ClientRuntime;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin port's unauthenticated GETs over a real socket: {@code /healthz} and {@code /readyz} give the
 * status their rules promise on an authority, a standby and a source after its handoff, and {@code /metrics}
 * is valid Prometheus text that shows what a handoff went through.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProbesAndMetricsTest {

    private final TestServers env = new TestServers();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() {
        env.close();
    }

    /** A GET without any Authorization header. */
    private HttpResponse<String> get(BatonServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertStatus(BatonServer s, String path, int status) throws Exception {
        HttpResponse<String> r = get(s, path);
        assertThat(r.statusCode()).as("GET %s answered %s", path, r.body()).isEqualTo(status);
    }

    private PrometheusText scrape(BatonServer s) throws Exception {
        HttpResponse<String> r = get(s, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(ServerMetrics.CONTENT_TYPE);
        return PrometheusText.parse(r.body());
    }

    @Test
    void anAuthorityAndAStandbyAreLiveAndReadyWithoutATokenWhileStatusStillNeedsOne() throws Exception {
        BatonServer authority = env.start(false);
        BatonServer standby = env.start(true);
        for (BatonServer s : List.of(authority, standby)) {
            assertStatus(s, "/healthz", 200);
            assertStatus(s, "/readyz", 200);
            assertStatus(s, "/status", 401);
        }
        assertThat(get(standby, "/readyz").body()).contains("standby ready to receive a handoff");
        assertThat(get(authority, "/readyz").body()).contains("authority");
    }

    @Test
    void afterAHandoffTheSourceIsLiveButNotReadyAndTheTargetIsReady() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        TestServers.handOff(source, target);

        assertStatus(source, "/healthz", 200);
        HttpResponse<String> r = get(source, "/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("retired");
        assertStatus(target, "/healthz", 200);
        assertStatus(target, "/readyz", 200);
    }

    @Test
    void aServerStoppedBySaveIsNoLongerReady(@TempDir Path dir) throws Exception {
        BatonServer server = env.start(false);
        Path file = dir.resolve("save.bin");
        HttpResponse<String> saved = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.adminPort() + "/save")).header("Authorization", "Bearer " + TestServers.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"file\":\"" + file + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(Files.size(file)).isPositive();

        HttpResponse<String> r = get(server, "/readyz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("POST /save");
        assertStatus(server, "/healthz", 200);
    }

    @Test
    void aCoreLoopThatRunsNothingFailsTheHealthProbe() throws Exception {
        StuckService.Factory factory = new StuckService.Factory();
        BatonServer server = env.start(ServerConfig.defaults(factory, new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET), false);
        assertStatus(server, "/healthz", 200);
        factory.stick();
        try {
            HttpResponse<String> r = get(server, "/healthz");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("ran nothing");
            assertStatus(server, "/readyz", 503);
        } finally {
            factory.release();
        }
        TestServers.await(Duration.ofSeconds(5)).untilAsserted(() -> assertStatus(server, "/healthz", 200));
    }

    @Test
    void metricsAreValidPrometheusTextThatShowTheHandoffsPhasesAndOutcome() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander a = env.add(Bystander.connect(runtime, source.clientPort()));
        a.awaitUpdatesBeyond(0, 5);

        PrometheusText before = scrape(source);
        assertThat(before.value("baton_role", "role", "authority")).isEqualTo(1);
        assertThat(before.value("baton_role", "role", "retired")).isZero();
        assertThat(before.value("baton_source_phase", "phase", "idle")).isEqualTo(1);
        assertThat(before.value("baton_sessions")).isEqualTo(1);
        assertThat(before.value("baton_sessions_connected")).isEqualTo(1);
        assertThat(before.value("baton_handoffs_total", "side", "source", "outcome", "completed")).isZero();
        assertThat(before.type("baton_tick_lateness_seconds")).isEqualTo("histogram");
        assertThat(before.value("baton_tick_lateness_seconds_count")).as("ticks ran on a timer").isPositive();

        TestServers.handOff(source, target);

        PrometheusText src = scrape(source);
        assertThat(src.value("baton_role", "role", "retired")).isEqualTo(1);
        assertThat(src.value("baton_source_phase", "phase", "done")).isEqualTo(1);
        assertThat(src.value("baton_handoffs_started_total", "side", "source")).isEqualTo(1);
        assertThat(src.value("baton_handoffs_total", "side", "source", "outcome", "completed")).isEqualTo(1);
        assertThat(src.value("baton_handoffs_total", "side", "source", "outcome", "aborted")).isZero();
        for (String phase : List.of("connecting", "authenticating", "transferring", "catching_up", "redirecting",
                "cutting_over", "draining", "done")) {
            assertThat(src.value("baton_source_phase_entered_total", "phase", phase)).as(phase).isEqualTo(1);
            if (!phase.equals("done")) {
                assertThat(src.value("baton_source_phase_duration_seconds_count", "phase", phase)).as(phase)
                        .isEqualTo(1);
            }
        }
        assertThat(src.value("baton_source_phase_entered_total", "phase", "aborted")).isZero();
        assertThat(src.value("baton_cutover_pause_seconds_count")).isEqualTo(1);
        assertThat(src.value("baton_cutover_pause_seconds_sum")).isPositive();

        PrometheusText tgt = scrape(target);
        assertThat(tgt.value("baton_role", "role", "authority")).isEqualTo(1);
        assertThat(tgt.value("baton_target_phase", "phase", "authority")).isEqualTo(1);
        assertThat(tgt.value("baton_handoffs_started_total", "side", "target")).isEqualTo(1);
        assertThat(tgt.value("baton_handoffs_total", "side", "target", "outcome", "completed")).isEqualTo(1);
        for (String phase : List.of("authenticating", "receiving", "replicating", "authority")) {
            assertThat(tgt.value("baton_target_phase_entered_total", "phase", phase)).as(phase).isEqualTo(1);
        }
        assertThat(tgt.value("baton_sessions")).isEqualTo(1);
        assertThat(tgt.value("baton_log_index")).isGreaterThanOrEqualTo(src.value("baton_log_index"));
        TestServers.await(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(scrape(target).value("baton_tick_lateness_seconds_count")).as("the target ticks").isPositive());
    }

    @Test
    void anAbortedHandoffCountsAsAbortedOnTheSourceAndDiscardedOnTheTarget() throws Exception {
        BatonServer source = env.start(false);
        BatonServer impostor = env.start(TestServers.OTHER_SECRET, true);
        // A target with another peer secret fails authentication: the source aborts, the target began nothing.
        assertThat(source.startHandoff(TestServers.handoffTo(impostor)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.await(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(scrape(source).value("baton_handoffs_total", "side", "source", "outcome", "aborted"))
                        .isEqualTo(1));
        PrometheusText src = scrape(source);
        assertThat(src.value("baton_handoffs_started_total", "side", "source")).isEqualTo(1);
        assertThat(src.value("baton_handoffs_total", "side", "source", "outcome", "completed")).isZero();
        assertThat(src.value("baton_source_phase", "phase", "aborted")).isEqualTo(1);
        assertStatus(source, "/readyz", 200);
        PrometheusText imp = scrape(impostor);
        assertThat(imp.value("baton_handoffs_started_total", "side", "target")).isZero();
        assertThat(imp.value("baton_handoffs_total", "side", "target", "outcome", "discarded")).isZero();
    }

    @Test
    void refusalsAreCountedPerLimitWithEveryLimitListedFromTheStart() throws Exception {
        ServerConfig d = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        BatonServer server = env.start(d.withLimits(d.limits().withMaxSessions(1, 1)), false);
        PrometheusText before = scrape(server);
        for (String limit : List.of("hello-timeout", "idle-timeout", "max-sessions", "max-sessions-per-address",
                "hello-new-rate", "max-unacked", "max-input-bytes", "max-outbound-bytes", "write-stall")) {
            assertThat(before.value("baton_refusals_total", "limit", limit)).as(limit).isZero();
        }
        assertThat(before.type("baton_refusals_total")).isEqualTo("counter");

        for (int i = 0; i < 2; i++) {
            try (RawConnection c = RawConnection.open(server.clientPort())) {
                c.send(new io.baton.wire.Frame.Hello(io.baton.wire.Frame.VERSION, io.baton.wire.Frame.HelloKind.NEW, 0,
                        new byte[io.baton.wire.Frame.TOKEN_LENGTH], 0));
                if (i == 0) {
                    assertThat(c.read()).isInstanceOf(io.baton.wire.Frame.Welcome.class);
                } else {
                    assertThat(c.expectErrorThenEof(io.baton.wire.ErrorCode.SESSIONS_FULL).message())
                            .contains("--max-sessions 1");
                }
            }
        }
        assertThat(scrape(server).value("baton_refusals_total", "limit", "max-sessions")).isEqualTo(1);
    }

    @Test
    void probesAndMetricsTakeOnlyGet() throws Exception {
        BatonServer server = env.start(false);
        for (String path : List.of("/healthz", "/readyz", "/metrics")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.adminPort() + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(405);
        }
    }
}
