package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.client.ClientRuntime;
import io.baton.core.ServerConfig;
import io.baton.core.SourcePhase;
import io.baton.core.TargetPhase;
import io.baton.service.ServiceConfig;
import io.baton.transport.Tls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A handoff over TLS that aborts, then a second one from the same source to the same target: it completes,
 * with one certificate for both servers and with one each. It failed its proofs before the peer link's dial
 * context stopped resuming TLS sessions: a resumed session does not give back both certificates as a full
 * handshake does, so the two ends' channel bindings differed (found when a loaded machine aborted a SIGTERM handoff and every
 * retry to the successor failed authentication).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsRetryAfterAbortTest {
    private final TestServers env = new TestServers();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        env.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aSecondAttemptToTheSameTargetAfterAnAbortCompletes(boolean perServer) throws Exception {
        List<Tls.CertificateFiles> c = Tls.writeDevelopmentCertificates(dir, List.of("127.0.0.1"),
                perServer ? List.of("source", "target") : List.of("server"), 1, false);
        Tls.CertificateFiles s = c.get(0);
        Tls.CertificateFiles t = c.get(perServer ? 1 : 0);
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
        BatonServer source = env.start(cfg, false, new BatonServer.TlsFiles(s.cert(), s.key(), s.ca()));
        BatonServer target = env.start(cfg, true, new BatonServer.TlsFiles(t.cert(), t.key(), t.ca()));
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander b = env.add(Bystander.connect(runtime, source.clientPort(), Tls.certificates(s.ca())));
        b.awaitUpdatesBeyond(0, 3);
        assertThat(source.startHandoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.await(Duration.ofSeconds(15)).until(() ->
                TestServers.status(target).targetPhase() == TargetPhase.REPLICATING);
        source.abortHandoff().get(5, TimeUnit.SECONDS);
        TestServers.await(Duration.ofSeconds(15)).until(() ->
                TestServers.status(source).sourcePhase() == SourcePhase.ABORTED
                        && TestServers.status(target).targetPhase() == TargetPhase.STANDBY);
        TestServers.handOff(source, target);
    }
}
