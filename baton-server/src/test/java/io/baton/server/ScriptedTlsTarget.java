package io.baton.server;

import io.baton.transport.Tls;
import io.baton.transport.Transport;
import io.baton.wire.Frame;
import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A target's peer port played by hand, over mutual TLS with a certificate from the operator CA: it answers
 * {@code PEER_HELLO} with a {@code PEER_CHALLENGE} whose MAC it makes honestly, as docs/protocol.md
 * ("Authentication") defines it, with the peer secret it was given, over the TLS channel's binding; and it
 * records every frame and every decrypted byte the source sends it, so a test can say exactly what reached a
 * target. With the right secret it is a target the source authenticates (and then sends state to); with a
 * wrong one, a stranger that holds a certificate from the CA but not the secret.
 */
final class ScriptedTlsTarget implements AutoCloseable {

    private static final byte[] TARGET_LABEL = "baton-target".getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group = Transport.group(1);
    private final Channel listener;
    private final byte[] secret;
    /** Every frame the source sent, in order, over every connection. */
    final List<Frame> received = new CopyOnWriteArrayList<>();
    /** Every byte the source sent after TLS's decryption, framing included. */
    final AtomicLong plaintextBytes = new AtomicLong();
    /** Completes when the first accepted connection closes. */
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    ScriptedTlsTarget(BatonServer.TlsFiles tls, byte[] secret) throws InterruptedException {
        this.secret = secret.clone();
        this.listener = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = Tls.server(tls.cert(), tls.key(), tls.ca()).newHandler(ch.alloc());
                        ch.closeFuture().addListener(f -> closed.complete(null));
                        ch.pipeline().addLast(ssl, new CountBytes(), new FrameDecoder(BatonServer.PEER_MAX_FRAME),
                                FrameEncoder.INSTANCE, new Script(ssl));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The frames received that carry state or move the handoff on: anything but the hello, an error or an abort. */
    List<Frame> beyondTheHello() {
        return received.stream().filter(f -> !(f instanceof Frame.PeerHello || f instanceof Frame.Error
                || f instanceof Frame.PeerAbort)).toList();
    }

    private final class CountBytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                plaintextBytes.addAndGet(b.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Script extends ChannelInboundHandlerAdapter {
        private final SslHandler ssl;

        Script(SslHandler ssl) {
            this.ssl = ssl;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Frame f)) {
                ctx.close(); // a FrameDecoder.BadFrame: the source broke the framing, which no test expects
                return;
            }
            received.add(f);
            if (f instanceof Frame.PeerHello hello) {
                byte[] nonce = new byte[Frame.TOKEN_LENGTH];
                new SecureRandom().nextBytes(nonce);
                ctx.writeAndFlush(new Frame.PeerChallenge(nonce, proof(hello, nonce, Tls.binding(ssl)), "127.0.0.1",
                        port()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * HMAC-SHA256(secret, "baton-target" || u64 handoff || u8 mode || sourceNonce || targetNonce || u16 b ||
     * binding || u16 n || host || u16 port || u16 m || webSocket), for host 127.0.0.1, this port, no URL.
     */
    private byte[] proof(Frame.PeerHello hello, byte[] targetNonce, byte[] binding) {
        byte[] host = "127.0.0.1".getBytes(StandardCharsets.US_ASCII);
        byte[] service = hello.service().getBytes(StandardCharsets.UTF_8);
        // The handshake as docs/protocol.md defines it (the version chosen is this build's, the path SAME: what
        // the PEER_CHALLENGE this target sends says), then the endpoint the challenge advertises.
        ByteBuffer b = ByteBuffer.allocate(8 + 1 + 2 + 2 + hello.nonce().length + targetNonce.length + 2 + binding.length
                + 2 + service.length + 4 + 1 + 2 + host.length + 2 + 2);
        b.putLong(hello.handoffId()).put((byte) hello.mode().ordinal()).put((byte) hello.minVersion())
                .put((byte) hello.maxVersion()).putShort((short) Frame.PEER_VERSION).put(hello.nonce()).put(targetNonce)
                .putShort((short) binding.length).put(binding)
                .putShort((short) service.length).put(service).putInt(hello.schemaVersion())
                .put((byte) Frame.SchemaPath.SAME.ordinal())
                .putShort((short) host.length).put(host).putShort((short) port()).putShort((short) 0);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(TARGET_LABEL);
            return mac.doFinal(b.array());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
