package io.baton.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {

    private static EventLoopGroup group;

    @BeforeAll
    static void loops() {
        group = Transport.group(1);
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void certsAreAChainFromTheCaWithEveryHostAsAName(@TempDir Path dir) throws Exception {
        Tls.CertificateFiles f = Tls.writeDevelopmentCertificates(dir, List.of("localhost", "127.0.0.1", "::1",
                "game-7.example.net"), 30, false);
        X509Certificate ca = Tls.certificates(f.ca()).get(0);
        X509Certificate cert = Tls.certificates(f.cert()).get(0);
        ca.verify(ca.getPublicKey());
        cert.verify(ca.getPublicKey());
        assertThat(cert.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(cert.getPublicKey().toString()).contains("secp256r1");
        assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        Collection<List<?>> names = cert.getSubjectAlternativeNames();
        assertThat(names).contains(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(2, "game-7.example.net"));
        assertThat(names).anyMatch(n -> n.get(0).equals(7) && n.get(1).toString().startsWith("0:0:0:0:0:0:0:1"));
        long days = (cert.getNotAfter().getTime() - System.currentTimeMillis()) / 86_400_000L;
        assertThat(days).isBetween(29L, 30L);
        assertThat(Files.readString(f.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(f.key())).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void certsRefuseToOverwriteWithoutBeingTold(@TempDir Path dir) throws Exception {
        Tls.writeDevelopmentCertificates(dir, List.of("localhost"), 1, false);
        String before = Files.readString(dir.resolve("ca.pem"));
        assertThatThrownBy(() -> Tls.writeDevelopmentCertificates(dir, List.of("localhost"), 1, false))
                .hasMessageContaining("exists already").hasMessageContaining("--force");
        assertThat(Files.readString(dir.resolve("ca.pem"))).isEqualTo(before);
        Tls.writeDevelopmentCertificates(dir, List.of("localhost"), 1, true);
        assertThat(Files.readString(dir.resolve("ca.pem"))).isNotEqualTo(before);
    }

    @Test
    void oneCertificatePerNameEachWithItsOwnKeyFromOneCa(@TempDir Path dir) throws Exception {
        List<Tls.CertificateFiles> fs = Tls.writeDevelopmentCertificates(dir, List.of("127.0.0.1"),
                List.of("source", "target"), 1, false);
        assertThat(fs).extracting(f -> f.cert().getFileName().toString()).containsExactly("source.pem", "target.pem");
        assertThat(fs).extracting(f -> f.key().getFileName().toString())
                .containsExactly("source-key.pem", "target-key.pem");
        X509Certificate ca = Tls.certificates(fs.get(0).ca()).get(0);
        X509Certificate a = Tls.certificates(fs.get(0).cert()).get(0);
        X509Certificate b = Tls.certificates(fs.get(1).cert()).get(0);
        a.verify(ca.getPublicKey());
        b.verify(ca.getPublicKey());
        assertThat(a.getPublicKey()).as("each server its own key").isNotEqualTo(b.getPublicKey());
        assertThat(Files.readString(fs.get(0).key())).isNotEqualTo(Files.readString(fs.get(1).key()));
        assertThat(Files.exists(dir.resolve("server.pem"))).isFalse();

        // Mutual TLS between the two: both ends bind (source's certificate, target's), and that is not what
        // either certificate bound with itself gives.
        CompletableFuture<byte[]> accepted = new CompletableFuture<>();
        Channel server = listen(Tls.server(fs.get(1).cert(), fs.get(1).key(), fs.get(1).ca()), accepted);
        try {
            Channel ch = dial(Tls.client(fs.get(0).ca(), fs.get(0).cert(), fs.get(0).key()), port(server))
                    .get(10, TimeUnit.SECONDS);
            byte[] mine = Tls.binding(ch.pipeline().get(SslHandler.class));
            assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo(mine);
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(a.getEncoded());
            sha.update(b.getEncoded());
            assertThat(mine).isEqualTo(sha.digest());
            ch.close();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void certificateNamesMustBePlainDistinctFileNames(@TempDir Path dir) {
        for (List<String> bad : List.of(List.<String>of(), List.of("ca"), List.of("../x"), List.of("a", "a"),
                List.of("source-key"))) {
            assertThatThrownBy(() -> Tls.writeDevelopmentCertificates(dir, List.of("localhost"), bad, 1, false))
                    .as("%s", bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--names");
        }
        assertThat(dir.toFile().list()).as("nothing written for a refused list").isEmpty();
    }

    @Test
    void mutualHandshakeGivesBothEndsTheSameBinding(@TempDir Path dir) throws Exception {
        Tls.CertificateFiles f = Tls.writeDevelopmentCertificates(dir, List.of("127.0.0.1"), 1, false);
        CompletableFuture<byte[]> accepted = new CompletableFuture<>();
        Channel server = listen(Tls.server(f.cert(), f.key(), f.ca()), accepted);
        CompletableFuture<Channel> dialled = dial(Tls.client(f.ca(), f.cert(), f.key()), port(server));
        try {
            Channel ch = dialled.get(10, TimeUnit.SECONDS);
            byte[] mine = Tls.binding(ch.pipeline().get(SslHandler.class));
            assertThat(mine).hasSize(Tls.BINDING_BYTES);
            assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo(mine);
            assertThat(ch.pipeline().get(SslHandler.class).engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
            ch.close();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedBothWays(@TempDir Path dir) throws Exception {
        Tls.CertificateFiles ours = Tls.writeDevelopmentCertificates(dir.resolve("ours"), List.of("127.0.0.1"), 1, false);
        Tls.CertificateFiles theirs = Tls.writeDevelopmentCertificates(dir.resolve("theirs"), List.of("127.0.0.1"), 1,
                false);
        CompletableFuture<byte[]> accepted = new CompletableFuture<>();
        Channel server = listen(Tls.server(ours.cert(), ours.key(), ours.ca()), accepted);
        try {
            // A client presenting a certificate from another CA: the server refuses it. In TLS 1.3 the client's
            // side of the handshake ends before the server has checked its certificate, so the client may see
            // success first and then the server's alert, which closes the connection.
            CompletableFuture<Channel> stranger = dial(Tls.client(ours.ca(), theirs.cert(), theirs.key()), port(server));
            assertThat(accepted).failsWithin(10, TimeUnit.SECONDS);
            assertThat(stranger.handle((ch, failure) -> ch == null || ch.closeFuture().awaitUninterruptibly(10_000)))
                    .succeedsWithin(10, TimeUnit.SECONDS).isEqualTo(true);
            // A client that trusts another CA: it refuses the server.
            assertThat(dial(Tls.client(theirs.ca(), theirs.cert(), theirs.key()), port(server)))
                    .failsWithin(10, TimeUnit.SECONDS);
        } finally {
            server.close().sync();
        }
    }

    @Test
    void theHostDialledMustBeNamedInTheCertificate(@TempDir Path dir) throws Exception {
        Tls.CertificateFiles f = Tls.writeDevelopmentCertificates(dir, List.of("localhost"), 1, false);
        Channel server = listen(Tls.server(f.cert(), f.key(), null), new CompletableFuture<>());
        try {
            // The certificate names "localhost" only; dialled as 127.0.0.1 it does not match.
            assertThat(dial(Tls.client(Tls.certificates(f.ca())), port(server))).failsWithin(10, TimeUnit.SECONDS);
            assertThat(dial(Tls.client(Tls.certificates(f.ca())), "localhost", port(server)))
                    .succeedsWithin(10, TimeUnit.SECONDS).satisfies(ch -> {
                        // Not a peer link (no client certificate): nothing to bind to.
                        assertThat(Tls.binding(ch.pipeline().get(SslHandler.class))).isEmpty();
                        ch.close();
                    });
        } finally {
            server.close().sync();
        }
    }

    @Test
    void theProviderIsNamed() {
        assertThat(Tls.provider()).matches("OpenSSL \\(BoringSSL\\)|JDK");
    }

    @Test
    void aRememberedChainIsAcceptedOnlyForTheSameHostAndWhileValid(@TempDir Path dir) throws Exception {
        Tls.CertificateFiles f = Tls.writeDevelopmentCertificates(dir, List.of("localhost"), 1, false);
        Channel server = listen(Tls.server(f.cert(), f.key(), null), new CompletableFuture<>());
        try {
            SslContext shared = Tls.client(Tls.certificates(f.ca()));
            for (int i = 0; i < 3; i++) { // the first validates, the next two are remembered
                assertThat(dial(shared, "localhost", port(server))).succeedsWithin(10, TimeUnit.SECONDS)
                        .satisfies(Channel::close);
            }
            // Remembered for "localhost", not for another name: 127.0.0.1 is still refused by the full check.
            assertThat(dial(shared, "127.0.0.1", port(server))).failsWithin(10, TimeUnit.SECONDS);
        } finally {
            server.close().sync();
        }
        assertThat(RememberingTrustManager.key(new X509Certificate[] {Tls.certificates(f.cert()).get(0)}, "EC",
                "localhost", "HTTPS")).isNotEqualTo(RememberingTrustManager.key(
                new X509Certificate[] {Tls.certificates(f.cert()).get(0)}, "EC", "127.0.0.1", "HTTPS"));
    }

    private static Channel listen(SslContext ctx, CompletableFuture<byte[]> binding) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = ctx.newHandler(ch.alloc());
                        ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext c, Object evt) {
                                if (evt instanceof SslHandshakeCompletionEvent e) {
                                    if (e.isSuccess()) {
                                        binding.complete(Tls.binding(ssl));
                                    } else {
                                        binding.completeExceptionally(e.cause());
                                    }
                                }
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                                c.close();
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    private static CompletableFuture<Channel> dial(SslContext ctx, int port) {
        return dial(ctx, "127.0.0.1", port);
    }

    private static CompletableFuture<Channel> dial(SslContext ctx, String host, int port) {
        CompletableFuture<Channel> done = new CompletableFuture<>();
        Transport.connect(group.next(), 1024, new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                c.close();
            }
        }, host, port, null, ctx, Executors.newSingleThreadExecutor(), (ch, cause) -> {
            if (ch != null) {
                done.complete(ch);
            } else {
                done.completeExceptionally(cause);
            }
        });
        return done;
    }

    private static int port(Channel ch) {
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }
}
