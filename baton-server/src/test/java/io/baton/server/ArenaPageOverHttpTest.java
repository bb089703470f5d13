package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.core.ServerConfig;
import io.baton.service.ServiceConfig;
import io.baton.service.WebFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The arena page, as {@code serve} registers it, served on the client port by a real server to a real HTTP
 * client: each file with its content type and its exact bytes, anything else 404.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ArenaPageOverHttpTest {

    private final TestServers env = new TestServers();

    @AfterEach
    void stop() {
        env.close();
    }

    @Test
    void theClientPortServesThePageAndItsScriptWithTheirContentTypes() throws Exception {
        ArenaFactory arena = new ArenaFactory();
        ServerConfig cfg = ServerConfig.defaults(arena, new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        BatonServer server = env.add(BatonServer.start(cfg,
                new BatonServer.Options("127.0.0.1", 0, -1, "127.0.0.1", -1, null, false),
                BatonServer.Diagnostics.NONE, HttpRoutes.page(arena.webPage())));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, WebFile> page = arena.webPage();
        for (String path : new String[] {"/", "/index.html", "/arena/arena.js"}) {
            HttpResponse<byte[]> r = get(http, server, path + (path.equals("/") ? "?bot=1&seed=3" : ""));
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(path).contains(page.get(path).contentType());
            assertThat(r.body()).as(path).isEqualTo(page.get(path).body());
        }
        assertThat(get(http, server, "/").headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        assertThat(get(http, server, "/arena/arena.js").headers().firstValue("content-type"))
                .contains("text/javascript; charset=utf-8");
        assertThat(get(http, server, "/arena/other.js").statusCode()).isEqualTo(404);
    }

    private static HttpResponse<byte[]> get(HttpClient http, BatonServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.clientPort() + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
