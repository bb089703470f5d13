package io.baton.server;

import static io.baton.server.BatonServer.PEER_MAX_FRAME;

import io.baton.server.BatonServer.Options;
import io.baton.transport.Tls;
import io.baton.transport.Transport;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.baton.wire.FrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * What each of a server's ports puts in front of its logic, in one place: the client and peer ports'
 * initialiser ({@link #bind}: TLS first where it is on, then {@link OutboundLimit}, then the peer link's framing
 * or the client port's {@link ClientPortSniffer}, then {@link CoreDriver}'s handler), the admin port's
 * ({@link #admin}: TLS, HTTP, {@link AdminHandler}), and how a peer link's TLS channel binding is read for the
 * core ({@link #peerBinding}, {@link #handshakeBinding}; {@link CoreDriver#peerSecured} hands it over).
 * {@link BatonServer} decides which ports there are and binds them here; {@link CoreDriver} drives the core
 * behind them; {@link Secured} makes the TLS handlers.
 */
final class Pipelines {

    private Pipelines() {
    }

    /**
     * Listens for clients or peers. Every accepted connection is unwritable above {@link OutboundLimit}'s high
     * water mark, and is not read while unwritable; past the options' limits it is closed. Peers stay on the
     * core's loop; clients go to {@code clientLoops} in turn (accepted on one of them), or to the core's loop
     * if it is null.
     */
    static ChannelFuture bind(CoreDriver driver, EventLoopGroup clientLoops, Options opts, int port,
                              boolean peer, ServerMetrics metrics, HttpRoutes routes, Secured tls) {
        int maxFrame = peer ? PEER_MAX_FRAME : FrameCodec.DEFAULT_MAX_FRAME;
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (peer || clientLoops == null) {
            bootstrap.group(peer ? driver.peerLoop() : driver.loop());
        } else {
            bootstrap.group(clientLoops.next(), clientLoops);
        }
        return bootstrap
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OutboundLimit.WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls.on()) {
                            // First, so everything behind it (and whatever sniffs the first bytes) sees plaintext.
                            ch.pipeline().addLast(peer ? tls.acceptedPeer(ch) : tls.accepted(ch, "client"));
                        }
                        ch.pipeline().addLast(new OutboundLimit(opts.limits(), metrics::socketCut));
                        if (peer) {
                            ch.pipeline().addLast(new FrameDecoder(maxFrame), FrameEncoder.INSTANCE);
                        } else {
                            // Baton over TCP, or HTTP and WebSocket, told apart by the first bytes.
                            ch.pipeline().addLast(new ClientPortSniffer(maxFrame, routes));
                        }
                        ch.pipeline().addLast(driver.handler(peer));
                    }
                })
                .bind(opts.bindHost(), port);
    }

    /** Listens for the operator: HTTPS when TLS is on, else HTTP, on the admin group's own thread. */
    static ChannelFuture admin(EventLoopGroup adminGroup, CoreDriver driver, Handoffs handoffs, Options opts,
                               CompletableFuture<Path> saved, Probes probes, ServerMetrics metrics, Secured tls) {
        return new ServerBootstrap()
                .group(adminGroup)
                .channel(Transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls.on()) {
                            ch.pipeline().addLast(tls.accepted(ch, "admin"));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new AdminHandler(driver, handoffs, opts.adminToken(), saved, probes, metrics));
                        if (tls.on()) {
                            ch.pipeline().addLast(Secured.CLOSE_ON_ERROR);
                        }
                    }
                })
                .bind(opts.adminHost(), opts.adminPort());
    }

    /** The channel binding of a peer link in the clear: the proofs cover no channel (docs/protocol.md). */
    static final byte[] NO_BINDING = new byte[0];

    /**
     * What the proofs of the peer link on {@code ch} are bound to: its TLS channel binding ({@link Tls#binding}),
     * or {@link #NO_BINDING} in the clear. For a link this server dialled, once it is connected (and its
     * handshake done).
     */
    static byte[] peerBinding(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        return ssl == null ? NO_BINDING : Tls.binding(ssl);
    }

    /**
     * The channel binding of an accepted peer connection whose TLS handshake {@code evt} reports done, or null
     * if {@code evt} is anything else. A peer's handshake is done before any of its frames can be decoded, so
     * the binding reaches the core ahead of PEER_HELLO.
     */
    static byte[] handshakeBinding(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            return Tls.binding(ctx.pipeline().get(SslHandler.class));
        }
        return null;
    }
}
