package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.arena.ArenaFactory;
import io.baton.client.ClientRuntime;
import io.baton.client.LifecycleListener;
import io.baton.core.Role;
import io.baton.core.ServerConfig;
import io.baton.core.ServerStatus;
import io.baton.core.SourcePhase;
import io.baton.service.ServiceConfig;
import io.baton.transport.Tls;
import io.baton.transport.Transport;
import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that holds a certificate from the operator CA but not the peer secret, over real TLS sockets on
 * loopback: as a target it gets the source's hello and nothing after it (no proof, no snapshot, no event),
 * and the source carries on serving; as a source it is refused at its proof and the standby stays a standby
 * holding nothing, still able to take a real handoff. Every server presents its own certificate from one CA,
 * as the demo's do. (A peer whose certificate is not from the CA is refused in the TLS handshake:
 * {@link TlsHandoffTest}.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsPeerSecretTest {

    private final TestServers env = new TestServers();
    private List<Tls.CertificateFiles> certs;

    @TempDir
    Path dir;

    @BeforeEach
    void certificates() throws Exception {
        certs = Tls.writeDevelopmentCertificates(dir, List.of("127.0.0.1", "localhost"),
                List.of("source", "target", "stranger"), 1, false);
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private BatonServer.TlsFiles tls(String name) {
        Tls.CertificateFiles f = certs.stream().filter(c -> c.cert().getFileName().toString().equals(name + ".pem"))
                .findFirst().orElseThrow();
        return new BatonServer.TlsFiles(f.cert(), f.key(), f.ca());
    }

    private static ServerConfig config(byte[] secret) {
        return ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(TestServers.TICK_HZ, Map.of()), secret);
    }

    private Bystander client(BatonServer server) throws Exception {
        ClientRuntime runtime = env.add(ClientRuntime.create(1));
        Bystander c = env.add(Bystander.connect(runtime, server.clientPort(), Tls.certificates(tls("source").ca())));
        c.awaitUpdatesBeyond(0, 3);
        return c;
    }

    @Test
    void aStandbyWithACaCertificateButTheWrongSecretGetsNoStateAndTheSourceCarriesOn() throws Exception {
        BatonServer source = env.start(config(TestServers.PEER_SECRET), false, tls("source"));
        BatonServer standby = env.start(config(TestServers.OTHER_SECRET), true, tls("stranger"));
        Bystander c = client(source);

        assertThat(source.startHandoff(TestServers.handoffTo(standby)).get(5, TimeUnit.SECONDS)).isEmpty();
        awaitAborted(source);
        assertSourceCarriesOn(source, c);
        assertThat(TestServers.status(source).lastError()).as("why the source aborted").contains("peer secret");
        TestServers.assertNothingReached(standby);
    }

    @Test
    void aScriptedTargetWithTheWrongSecretReceivesTheHelloAndNotOneByteMore() throws Exception {
        BatonServer source = env.start(config(TestServers.PEER_SECRET), false, tls("source"));
        Bystander c = client(source);
        try (ScriptedTlsTarget stranger = new ScriptedTlsTarget(tls("stranger"), TestServers.OTHER_SECRET)) {
            assertThat(source.startHandoff(handoffToPort(stranger.port())).get(5, TimeUnit.SECONDS)).isEmpty();
            awaitAborted(source);
            stranger.closed.get(10, TimeUnit.SECONDS); // the source hangs up; nothing can arrive after that
            assertThat(stranger.received).as("what the source sent the stranger").isNotEmpty()
                    .first().isInstanceOf(Frame.PeerHello.class);
            assertThat(stranger.beyondTheHello()).as("no PEER_AUTH, SNAPSHOT or EVENT frame").isEmpty();
            long framed = stranger.received.stream().mapToLong(FrameCodec::encodedSize).sum();
            assertThat(stranger.plaintextBytes.get()).as("every byte that arrived was one of those frames")
                    .isEqualTo(framed);
        }
        assertSourceCarriesOn(source, c);
    }

    /** The control of the test above: the same scripted target with the right secret does see the state come. */
    @Test
    void theScriptedTargetWithTheRightSecretIsSentTheSnapshot() throws Exception {
        BatonServer source = env.start(config(TestServers.PEER_SECRET), false, tls("source"));
        client(source);
        try (ScriptedTlsTarget target = new ScriptedTlsTarget(tls("target"), TestServers.PEER_SECRET)) {
            assertThat(source.startHandoff(handoffToPort(target.port())).get(5, TimeUnit.SECONDS)).isEmpty();
            TestServers.await(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(target.beyondTheHello()).hasAtLeastOneElementOfType(Frame.PeerAuth.class)
                            .hasAtLeastOneElementOfType(Frame.SnapshotBegin.class));
        }
    }

    @Test
    void aSourceWithACaCertificateButTheWrongSecretIsRefusedAndTheStandbyStaysEmpty() throws Exception {
        BatonServer standby = env.start(config(TestServers.PEER_SECRET), true, tls("target"));
        EventLoopGroup group = Transport.group(1);
        try {
            BlockingQueue<Object> in = new LinkedBlockingQueue<>();
            SslHandler[] ssl = new SslHandler[1];
            Channel ch = new Bootstrap().group(group).channel(Transport.channel())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            ssl[0] = Tls.client(tls("stranger").ca(), tls("stranger").cert(), tls("stranger").key())
                                    .newHandler(c.alloc(), "127.0.0.1", standby.peerPort());
                            c.pipeline().addLast(ssl[0], new FrameDecoder(BatonServer.PEER_MAX_FRAME),
                                    FrameEncoder.INSTANCE, new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            in.add(msg);
                                        }

                                        @Override
                                        public void channelInactive(ChannelHandlerContext ctx) {
                                            in.add("closed");
                                        }
                                    });
                        }
                    }).connect("127.0.0.1", standby.peerPort()).sync().channel();
            assertThat(ssl[0].handshakeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ssl[0].handshakeFuture().isSuccess()).as("the CA signed the stranger's certificate").isTrue();

            byte[] nonce = new byte[Frame.TOKEN_LENGTH];
            new SecureRandom().nextBytes(nonce);
            Frame.PeerHello hello = new Frame.PeerHello(Frame.PEER_VERSION, 0x5157_4e47L, Frame.Mode.LIVE, nonce,
                    ArenaFactory.NAME, new ArenaFactory().schemaVersion());
            ch.writeAndFlush(hello);
            Object answer = in.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("the standby's answer to PEER_HELLO").isInstanceOf(Frame.PeerChallenge.class);
            Frame.PeerChallenge challenge = (Frame.PeerChallenge) answer;
            // The stranger's honest proof with its own secret, and at once the state it wants the standby to take.
            ch.write(new Frame.PeerAuth(sourceProof(TestServers.OTHER_SECRET, hello, challenge, challenge.nonce(),
                    Tls.binding(ssl[0]))));
            ch.writeAndFlush(new Frame.SnapshotBegin(7, 7, 1, 0, TestServers.TICK_HZ, "arena"));

            Object refusal = in.poll(10, TimeUnit.SECONDS);
            assertThat(refusal).as("the standby's answer to a wrong PEER_AUTH").isInstanceOf(Frame.Error.class);
            assertThat(((Frame.Error) refusal).code()).isEqualTo(ErrorCode.AUTH_FAILED);
            assertThat(((Frame.Error) refusal).message()).contains("peer secret");
            assertThat(in.poll(10, TimeUnit.SECONDS)).as("then the standby closes").isEqualTo("closed");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        TestServers.assertNothingReached(standby);

        // Not left busy either: the real source, with its own certificate and the secret, hands off to it.
        BatonServer source = env.start(config(TestServers.PEER_SECRET), false, tls("source"));
        Bystander c = client(source);
        TestServers.handOff(source, standby);
        c.awaitUpdatesBeyond(c.updateCount(), 5);
        assertThat(c.events()).contains(LifecycleListener.Event.SWITCHED);
    }

    private static io.baton.core.HandoffRequest handoffToPort(int peerPort) {
        return io.baton.core.HandoffRequest.toAdvertised("127.0.0.1", peerPort, Frame.Mode.LIVE);
    }

    /** HMAC-SHA256(secret, "baton-source" || u64 handoff || u8 mode || sourceNonce || targetNonce || u16 b || binding). */
    private static byte[] sourceProof(byte[] secret, Frame.PeerHello hello, Frame.PeerChallenge challenge,
            byte[] targetNonce, byte[] binding)
            throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        mac.update("baton-source".getBytes(StandardCharsets.US_ASCII));
        byte[] service = hello.service().getBytes(StandardCharsets.UTF_8);
        return mac.doFinal(ByteBuffer.allocate(8 + 1 + 2 + 2 + 16 + 16 + 2 + binding.length + 2 + service.length + 4 + 1)
                .putLong(hello.handoffId()).put((byte) hello.mode().ordinal()).put((byte) hello.minVersion())
                .put((byte) hello.maxVersion()).putShort((short) challenge.version()).put(hello.nonce()).put(targetNonce)
                .putShort((short) binding.length).put(binding)
                .putShort((short) service.length).put(service).putInt(hello.schemaVersion())
                .put((byte) challenge.path().ordinal()).array());
    }

    private static void awaitAborted(BatonServer source) {
        TestServers.await(Duration.ofSeconds(15)).until(() ->
                TestServers.status(source).sourcePhase() == SourcePhase.ABORTED);
    }

    /** Still the authority, no client told to move, and its client still ticks and has its inputs applied. */
    private static void assertSourceCarriesOn(BatonServer source, Bystander c) throws Exception {
        ServerStatus s = TestServers.status(source);
        assertThat(s.role()).isEqualTo(Role.AUTHORITY);
        assertThat(s.clientsMoved()).as("no client is told to move to an unproven target").isZero();
        c.awaitUpdatesBeyond(c.updateCount(), 5);
        c.awaitInputsApplied(c.sendMove());
        c.assertConsecutiveTicks();
        assertThat(c.events()).containsExactly(LifecycleListener.Event.CONNECTED);
    }
}
