package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.arena.ArenaFactory;
import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.service.ServiceConfig;
import io.baton.transport.Tls;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on every port of two in-process servers: SDK clients over TLS ride a handoff whose peer link is mutual
 * TLS; a peer with a certificate from another CA is refused before any state moves; a handshake that stalls
 * is cut by the hello deadline; the admin API speaks HTTPS.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsHandoffTest {

    private final TestServers env = new TestServers();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        env.close();
    }

    private BatonServer.TlsFiles certs(String name) throws Exception {
        Tls.CertificateFiles f = Tls.writeDevelopmentCertificates(dir.resolve(name), List.of("localhost", "127.0.0.1"),
                1, false);
        return new BatonServer.TlsFiles(f.cert(), f.key(), f.ca());
    }

    private static ServerConfig config() {
        return ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()),
                TestServers.PEER_SECRET);
    }

    @Test
    void clientsOverTlsRideAHandoffOverMutualTlsTickByTick() throws Exception {
        BatonServer.TlsFiles tls = certs("ca");
        BatonServer source = env.start(config(), false, tls);
        BatonServer target = env.start(config(), true, tls);
        List<X509Certificate> trust = Tls.certificates(tls.ca());
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander a = env.add(Bystander.connect(runtime, source.clientPort(), trust));
        Bystander b = env.add(Bystander.connect(runtime, source.clientPort(), trust));
        a.movePerUpdate(true);
        b.movePerUpdate(true);
        a.awaitUpdatesBeyond(0, 5);
        b.awaitUpdatesBeyond(0, 5);

        TestServers.handOff(source, target);
        int seen = a.updateCount();
        a.awaitUpdatesBeyond(seen, 10);
        b.awaitUpdatesBeyond(b.updateCount(), 10);
        a.movePerUpdate(false);
        b.movePerUpdate(false);
        long sentA = a.lastInputId();
        long sentB = b.lastInputId();
        a.awaitInputsApplied(sentA);
        b.awaitInputsApplied(sentB);

        for (Bystander c : List.of(a, b)) {
            // Pre-connected over TLS to the target, and switched there: not resumed after the switch.
            assertThat(c.events()).contains(LifecycleListener.Event.ATTACHED_TO_TARGET, LifecycleListener.Event.SWITCHED)
                    .doesNotContain(LifecycleListener.Event.ATTACH_FAILED, LifecycleListener.Event.DISCONNECTED);
            c.assertConsecutiveTicks();
            long sent = c.lastInputId();
            assertThat(c.appliedInputIds()).as("inputs applied once each, in order")
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, sent).boxed().toList());
        }
        ServerStatus t = TestServers.status(target);
        assertThat(t.role()).isEqualTo(Role.AUTHORITY);
        assertThat(t.connected()).isEqualTo(2);

        // The admin API speaks HTTPS, verified against the same CA, and not plain HTTP.
        AdminClient https = new AdminClient("127.0.0.1:" + target.adminPort(), TestServers.ADMIN_TOKEN, tls.ca());
        assertThat(https.status().ok()).isTrue();
        assertThatThrownBy(() -> new AdminClient("127.0.0.1:" + target.adminPort(), TestServers.ADMIN_TOKEN).status())
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aTargetWithACertificateFromAnotherCaReceivesNoState() throws Exception {
        BatonServer source = env.start(config(), false, certs("ours"));
        BatonServer stranger = env.start(config(), true, certs("theirs"));
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander a = env.add(Bystander.connect(runtime, source.clientPort(),
                Tls.certificates(dir.resolve("ours/ca.pem"))));
        a.awaitUpdatesBeyond(0, 3);

        assertThat(source.startHandoff(TestServers.handoffTo(stranger)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.await(Duration.ofSeconds(15)).until(() ->
                TestServers.status(source).sourcePhase() == SourcePhase.ABORTED);
        TestServers.assertNothingReached(stranger);
        assertThat(TestServers.status(source).role()).isEqualTo(Role.AUTHORITY);
        int seen = a.updateCount();
        a.awaitUpdatesBeyond(seen, 5); // the clients stay on the source as if nothing happened
        a.assertConsecutiveTicks();
    }

    @Test
    void aSourceWithACertificateFromAnotherCaIsRefusedByTheTarget() throws Exception {
        BatonServer.TlsFiles ours = certs("ours");
        BatonServer.TlsFiles theirs = certs("theirs");
        // The stranger trusts our CA (so it accepts our target) but presents a certificate our CA did not sign.
        BatonServer stranger = env.start(config(), false, new BatonServer.TlsFiles(theirs.cert(), theirs.key(),
                ours.ca()));
        BatonServer target = env.start(config(), true, ours);

        assertThat(stranger.startHandoff(TestServers.handoffTo(target)).get(5, TimeUnit.SECONDS)).isEmpty();
        TestServers.await(Duration.ofSeconds(15)).until(() ->
                TestServers.status(stranger).sourcePhase() == SourcePhase.ABORTED);
        TestServers.assertNothingReached(target);
    }

    @Test
    void aClientThatStallsMidHandshakeIsCutByTheHelloDeadline() throws Exception {
        ServerConfig cfg = config().withLimits(config().limits().withHelloTimeout(TimeUnit.MILLISECONDS.toNanos(300)));
        BatonServer server = env.start(cfg, false, certs("ca"));
        try (Socket s = new Socket("127.0.0.1", server.clientPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // The first bytes of a TLS record carrying a ClientHello, then nothing more.
            out.write(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, (byte) 0xfc, 0x03, 0x03});
            out.flush();
            long t = System.nanoTime();
            InputStream in = s.getInputStream();
            int read;
            do {
                read = in.read();
            } while (read >= 0);
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertThat(ms).as("closed by the deadline, not at once, and not by the 10 s read timeout")
                    .isBetween(200L, 9_000L);
        }
        assertThat(TestServers.status(server).sessions()).isZero();
    }

    @Test
    void aPlaintextClientOnATlsPortGetsNoSession() throws Exception {
        BatonServer server = env.start(config(), false, certs("ca"));
        try (Socket s = new Socket("127.0.0.1", server.clientPort())) {
            s.setSoTimeout(10_000);
            // A HELLO's length prefix and type, in the clear: not a TLS record.
            s.getOutputStream().write(new byte[] {0, 0, 0, 42, 0x01, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0});
            byte[] reply = s.getInputStream().readAllBytes(); // until the server closes
            if (reply.length > 0) {
                assertThat(reply[0]).as("a TLS alert record, not a frame").isEqualTo((byte) 0x15);
            }
        }
        assertThat(TestServers.status(server).sessions()).isZero();
    }

    @Test
    void aTlsServerWithAPeerPortButNoCaRefusesToStartNamingTheOption() throws Exception {
        BatonServer.TlsFiles tls = certs("ca");
        assertThatThrownBy(() -> new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", 0, TestServers.ADMIN_TOKEN,
                false).withTls(new BatonServer.TlsFiles(tls.cert(), tls.key(), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-ca");
        assertThatThrownBy(() -> new BatonServer.TlsFiles(dir.resolve("none.pem"), tls.key(), null))
                .hasMessageContaining("--tls-cert").hasMessageContaining("./baton certs");
    }
}
