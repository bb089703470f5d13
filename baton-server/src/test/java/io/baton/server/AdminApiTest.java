package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator's HTTP API over a real socket: every bad request gets a 4xx with a JSON error, and changes
 * nothing on the server.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestServers env = new TestServers();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private BatonServer server;

    @BeforeEach
    void start() throws Exception {
        server = env.start(false);
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private HttpRequest.Builder request(BatonServer s, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + path))
                .timeout(Duration.ofSeconds(5));
    }

    private HttpRequest.Builder authorized(BatonServer s, String path) {
        return request(s, path).header("Authorization", "Bearer " + TestServers.ADMIN_TOKEN);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.BodyPublisher json(String body) {
        return HttpRequest.BodyPublishers.ofString(body);
    }

    /** A 4xx/2xx answer whose body is a JSON object; returns it. */
    private static JsonNode jsonBody(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as("status of %s %s (body %s)", r.request().method(), r.uri(), r.body())
                .isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("application/json"));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.isObject()).as("body %s is a JSON object", r.body()).isTrue();
        return body;
    }

    private static void assertError(HttpResponse<String> r, int status) throws Exception {
        JsonNode body = jsonBody(r, status);
        assertThat(body.path("error").isTextual()).as("error field in %s", r.body()).isTrue();
        assertThat(body.path("error").asText()).isNotBlank();
    }

    /** The server is as it started: serving, no handoff ever begun. */
    private void assertUntouched() throws Exception {
        ServerStatus s = TestServers.status(server);
        assertThat(s.role()).isEqualTo(Role.AUTHORITY);
        assertThat(s.sourcePhase()).isEqualTo(SourcePhase.IDLE);
        assertThat(s.handoffId()).isZero();
        assertThat(s.lastError()).isEmpty();
    }

    @Test
    void requestWithoutTokenGets401WithAJsonError() throws Exception {
        HttpResponse<String> r = send(request(server, "/status").GET());
        assertError(r, 401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertUntouched();
    }

    @Test
    void requestWithAWrongTokenGets401() throws Exception {
        assertError(send(request(server, "/status").header("Authorization", "Bearer admin-token-0123456788").GET()), 401);
        assertError(send(request(server, "/status").header("Authorization", TestServers.ADMIN_TOKEN).GET()), 401);
        assertUntouched();
    }

    @Test
    void handoffOrderWithAWrongTokenIsRefusedAndStartsNothing() throws Exception {
        BatonServer target = env.start(true);
        String body = "{\"target_peer\":\"127.0.0.1:" + target.peerPort() + "\",\"client_endpoint\":\"127.0.0.1:"
                + target.clientPort() + "\",\"mode\":\"live\"}";
        assertError(send(request(server, "/handoff").header("Authorization", "Bearer nope-nope-nope-nope")
                .POST(json(body))), 401);
        assertUntouched();
        assertThat(TestServers.status(target).targetPhase()).isEqualTo(TargetPhase.STANDBY);
    }

    @Test
    void statusWithTheTokenIs200JsonWithRoleAuthority() throws Exception {
        JsonNode body = jsonBody(send(authorized(server, "/status").GET()), 200);
        assertThat(body.path("role").asText()).isEqualTo("authority");
        assertThat(body.path("source_phase").asText()).isEqualTo("idle");
        assertThat(body.path("tick").isNumber()).isTrue();
    }

    @Test
    void postToStatusIs405() throws Exception {
        HttpResponse<String> r = send(authorized(server, "/status").POST(HttpRequest.BodyPublishers.noBody()));
        assertError(r, 405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET");
        assertUntouched();
    }

    @Test
    void unknownPathIs404() throws Exception {
        assertError(send(authorized(server, "/shutdown").POST(HttpRequest.BodyPublishers.noBody())), 404);
        assertError(send(authorized(server, "/").GET()), 404);
        assertUntouched();
    }

    @Test
    void handoffWithMalformedJsonIs400AndChangesNothing() throws Exception {
        assertError(send(authorized(server, "/handoff").POST(json("{\"target_peer\": \"127.0.0.1:1\""))), 400);
        assertError(send(authorized(server, "/handoff").POST(json("[1, 2]"))), 400);
        assertError(send(authorized(server, "/handoff").POST(HttpRequest.BodyPublishers.noBody())), 400);
        assertUntouched();
    }

    @Test
    void handoffWithAnEndpointWithoutPortIs400AndChangesNothing() throws Exception {
        JsonNode e = jsonBody(send(authorized(server, "/handoff").POST(json(
                "{\"target_peer\":\"nohost\",\"client_endpoint\":\"127.0.0.1:1\",\"mode\":\"live\"}"))), 400);
        assertThat(e.path("error").asText()).contains("target_peer");
        assertError(send(authorized(server, "/handoff").POST(json(
                "{\"target_peer\":\"127.0.0.1:1\",\"client_endpoint\":\"nohost\",\"mode\":\"live\"}"))), 400);
        assertError(send(authorized(server, "/handoff").POST(json(
                "{\"target_peer\":\"127.0.0.1:70000\",\"client_endpoint\":\"127.0.0.1:1\",\"mode\":\"live\"}"))), 400);
        assertUntouched();
    }

    @Test
    void handoffWithAnUnknownModeIs400AndChangesNothing() throws Exception {
        JsonNode e = jsonBody(send(authorized(server, "/handoff").POST(json(
                "{\"target_peer\":\"127.0.0.1:1\",\"client_endpoint\":\"127.0.0.1:1\",\"mode\":\"fast\"}"))), 400);
        assertThat(e.path("error").asText()).contains("fast");
        assertUntouched();
    }

    @Test
    void abortWithNoHandoffUnderWayIs409AndGetOnHandoffIs405() throws Exception {
        assertError(send(authorized(server, "/handoff/abort").POST(HttpRequest.BodyPublishers.noBody())), 409);
        HttpResponse<String> r = send(authorized(server, "/handoff").GET());
        assertError(r, 405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        assertUntouched();
    }

    @Test
    void handoffOrderedOnAStandbyServerIs409() throws Exception {
        BatonServer standby = env.start(true);
        HttpResponse<String> r = send(authorized(standby, "/handoff").POST(json("{\"target_peer\":\"127.0.0.1:"
                + server.peerPort() + "\",\"client_endpoint\":\"127.0.0.1:" + server.clientPort() + "\",\"mode\":\"live\"}")));
        assertError(r, 409);
        ServerStatus s = TestServers.status(standby);
        assertThat(s.role()).isEqualTo(Role.STANDBY);
        assertThat(s.sourcePhase()).isEqualTo(SourcePhase.IDLE);
        assertThat(s.targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertUntouched();
    }
}
