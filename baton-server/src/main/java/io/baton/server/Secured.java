package io.baton.server;

import io.baton.transport.Tls;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's TLS, built once at start from {@link BatonServer.TlsFiles}: the context of the client and admin
 * ports, the peer port's (mutual, the operator CA), and the one it dials a target's peer port with (presenting
 * its own certificate, verifying the target's and its host name). {@link #OFF} when every port is in the clear.
 * Every handshake on an accepted connection must finish within the hello deadline; one that fails or does not
 * is closed by its {@link SslHandler}, and logged here with the peer's address and why.
 */
final class Secured {

    private static final Logger LOG = LoggerFactory.getLogger("baton.server");

    static final Secured OFF = new Secured(null, null, null, 0);

    /**
     * The last handler of an admin connection over TLS: a failed handshake is logged once (by the handshake's
     * listener) and closes the connection; the exception it also raises ends here instead of as Netty's
     * warning about an unhandled exception.
     */
    static final io.netty.channel.ChannelHandler CLOSE_ON_ERROR = new CloseOnError();

    @io.netty.channel.ChannelHandler.Sharable
    private static final class CloseOnError extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("admin connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private final SslContext ports;
    private final SslContext peerPort;
    private final SslContext dial;
    private final long handshakeMillis;

    private Secured(SslContext ports, SslContext peerPort, SslContext dial, long handshakeMillis) {
        this.ports = ports;
        this.peerPort = peerPort;
        this.dial = dial;
        this.handshakeMillis = handshakeMillis;
    }

    /** The contexts of {@code files}, or {@link #OFF} for null; a handshake must finish within {@code helloMillis}. */
    static Secured of(BatonServer.TlsFiles files, long helloMillis) {
        if (files == null) {
            return OFF;
        }
        SslContext ports = Tls.server(files.cert(), files.key(), null);
        SslContext peer = files.ca() == null ? null : Tls.server(files.cert(), files.key(), files.ca());
        SslContext dial = files.ca() == null ? null : Tls.client(files.ca(), files.cert(), files.key());
        return new Secured(ports, peer, dial, Math.max(1, helloMillis));
    }

    boolean on() {
        return ports != null;
    }

    /** The first handler of a connection accepted on the client or admin port. */
    SslHandler accepted(Channel ch, String port) {
        return watched(ports.newHandler(ch.alloc()), ch, port);
    }

    /** The first handler of a connection accepted on the peer port: the source must present a certificate. */
    SslHandler acceptedPeer(Channel ch) {
        return watched(peerPort.newHandler(ch.alloc()), ch, "peer");
    }

    /**
     * What this server dials a target's peer port with; null in the clear. With TLS on but no CA the server
     * has no way to verify a target, so it does not dial one: {@link #cannotDial} says why.
     */
    SslContext dial() {
        return dial;
    }

    /** Whether a handoff from this server cannot dial its target: TLS is on but there is no CA to verify it. */
    boolean cannotDial() {
        return on() && dial == null;
    }

    /** Trusts anything: for the start-up connection to this server's own client port only. */
    SslContext selfCheck() {
        return on() ? Tls.selfCheckOnly() : null;
    }

    private SslHandler watched(SslHandler h, Channel ch, String port) {
        h.setHandshakeTimeoutMillis(handshakeMillis);
        SocketAddress from = ch.remoteAddress(); // kept: a closed channel no longer says who it was
        h.handshakeFuture().addListener(f -> {
            if (!f.isSuccess()) {
                LOG.info("TLS handshake on the {} port with {} failed, connection closed: {}", port, from,
                        why(f.cause()));
            }
        });
        return h;
    }

    private String why(Throwable cause) {
        if (cause instanceof SslHandshakeTimeoutException) {
            return "not finished within " + handshakeMillis + " ms (serve --hello-timeout-ms)";
        }
        if (cause instanceof java.nio.channels.ClosedChannelException) {
            return "the peer closed the connection before the handshake ended";
        }
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c && c.getMessage() == null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
