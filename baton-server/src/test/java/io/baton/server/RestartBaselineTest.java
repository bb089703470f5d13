package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.arena.ArenaProtocol;
import io.baton.core.Role;
import io.baton.core.ServerStatus;
import io.baton.core.TargetPhase;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart baseline's server half over real sockets: {@code POST /save} stops a server and writes its
 * state, {@code POST /restore} makes a standby the authority with it, and a client logs back in to its
 * session there with nothing it had applied lost. Bad orders change nothing.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RestartBaselineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] ZERO_TOKEN = new byte[Frame.TOKEN_LENGTH];

    private final TestServers env = new TestServers();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        env.close();
    }

    private HttpResponse<String> post(BatonServer s, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + path))
                .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + TestServers.ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode body(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as("status (body %s)", r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static String fileBody(Path file) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of("file", file.toString()));
    }

    @Test
    void aSavedStateRestoredOnAStandbyResumesTheSessionWithEveryAppliedInput() throws Exception {
        BatonServer source = env.start(false);
        BatonServer target = env.start(true);
        Frame.Welcome welcome;
        long[] lastOutput = {0};
        try (RawConnection client = env.add(RawConnection.open(source.clientPort()))) {
            client.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, ZERO_TOKEN, 0));
            welcome = client.readUntil(Frame.Welcome.class, 5000, f -> { });
            for (int i = 1; i <= 3; i++) {
                client.send(new Frame.Input(i, 0, ArenaProtocol.move(i, 1, 1)));
            }
            // Applied once an update reports all three.
            long applied = 0;
            while (applied < 3) {
                Frame.Output o = client.readUntil(Frame.Output.class, 5000, f -> { });
                lastOutput[0] = o.seq();
                applied = ArenaProtocol.decodeUpdate(o.payload()).inputsApplied();
            }
            Path file = dir.resolve("state.save");
            JsonNode saved = body(post(source, "/save", fileBody(file)), 200);
            assertThat(saved.path("bytes").asLong()).isEqualTo(Files.size(file));
            assertThat(source.saved().get(5, TimeUnit.SECONDS)).isEqualTo(file);
            // The source let go of its clients, as its exit would have: what was in flight, then the end.
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    if (client.read() instanceof Frame.Output o) {
                        lastOutput[0] = o.seq();
                    }
                }
            }).isInstanceOf(java.io.EOFException.class);
            // Nothing brings a saved server back: no handoff, no resume.
            assertThat(body(post(source, "/handoff", "{\"target_peer\":\"127.0.0.1:" + target.peerPort()
                    + "\",\"client_endpoint\":\"127.0.0.1:" + target.clientPort() + "\"}"), 409)
                    .path("error").asText()).contains("saved its state");
            try (RawConnection late = env.add(RawConnection.open(source.clientPort()))) {
                late.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, welcome.sessionId(), welcome.secret(), 0));
                late.expectErrorThenEof(ErrorCode.NOT_AUTHORITY);
            }
            ServerStatus stopped = TestServers.status(source);
            assertThat(stopped.stoppedAtNanos()).isPositive();
            long tickAtSave = stopped.tick();

            JsonNode restored = body(post(target, "/restore", fileBody(file)), 200);
            assertThat(restored.path("digest").asText()).isEqualTo(saved.path("digest").asText());
            assertThat(restored.path("index").asLong()).isEqualTo(saved.path("index").asLong());
            assertThat(restored.path("sessions").asInt()).isEqualTo(1);
            assertThat(TestServers.status(target).role()).isEqualTo(Role.AUTHORITY);
            assertThat(TestServers.status(source).tick()).as("the saved source applies nothing more").isEqualTo(tickAtSave);
        }
        try (RawConnection back = env.add(RawConnection.open(target.clientPort()))) {
            back.send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, welcome.sessionId(), welcome.secret(),
                    lastOutput[0]));
            Frame.Welcome again = back.readUntil(Frame.Welcome.class, 5000, f -> { });
            assertThat(again.sessionId()).isEqualTo(welcome.sessionId());
            assertThat(again.inputAck()).as("inputs the restored session has applied").isEqualTo(3);
            Frame.Output next = back.readUntil(Frame.Output.class, 5000, f -> { });
            assertThat(next.seq()).as("the first output after the last one received").isEqualTo(lastOutput[0] + 1);
            assertThat(ArenaProtocol.decodeUpdate(next.payload()).inputsApplied()).isEqualTo(3);
        }
    }

    @Test
    void badSaveAndRestoreOrdersAreRefusedAndChangeNothing() throws Exception {
        BatonServer authority = env.start(false);
        BatonServer standby = env.start(true);
        assertThat(body(post(authority, "/save", "{}"), 400).path("error").asText()).contains("file");
        assertThat(body(post(standby, "/save", fileBody(dir.resolve("x"))), 409).path("error").asText())
                .contains("only a running authority");
        Path junk = Files.write(dir.resolve("junk"), "not a save file at all".getBytes());
        assertThat(body(post(standby, "/restore", fileBody(junk)), 422).path("error").asText()).contains("BATONSAV");
        assertThat(body(post(standby, "/restore", fileBody(dir.resolve("missing"))), 400).path("error").asText())
                .contains("cannot read");
        assertThat(body(post(authority, "/restore", fileBody(junk)), 409).path("error").asText())
                .contains("only an idle standby");
        // A save cut short is refused whole.
        Path whole = dir.resolve("whole.save");
        body(post(authority, "/save", fileBody(whole)), 200);
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = Files.write(dir.resolve("truncated.save"), java.util.Arrays.copyOf(bytes, bytes.length - 7));
        assertThat(post(standby, "/restore", fileBody(truncated)).statusCode()).isEqualTo(422);
        ServerStatus s = TestServers.status(standby);
        assertThat(s.role()).isEqualTo(Role.STANDBY);
        assertThat(s.targetPhase()).isEqualTo(TargetPhase.STANDBY);
        assertThat(s.sessions()).isZero();
        // ...and the standby still takes a good one afterwards.
        body(post(standby, "/restore", fileBody(whole)), 200);
        assertThat(TestServers.status(standby).role()).isEqualTo(Role.AUTHORITY);
    }
}
