package io.baton.server;

import io.baton.transport.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * HTTP on the client port (docs/protocol.md, "WebSocket"). One request per connection: a {@code GET} of
 * {@link HttpRoutes#WEBSOCKET_PATH} with {@code Upgrade: websocket} is handed on to Netty's WebSocket handshake,
 * after which this handler and the HTTP codec leave the pipeline and the connection carries Baton frames in
 * binary messages ({@link WebSocketFrames}); any other request is answered (a page of {@link HttpRoutes}, 426
 * for {@code /baton} without an upgrade, 404 for anything else) and the connection closed. Until it has upgraded
 * and sent its {@code HELLO}, the connection is held to the client port's hello timeout like any other: the core
 * does not know it is HTTP.
 */
final class HttpFront extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** A request's line and headers: far more than a browser's upgrade sends. */
    static final int MAX_REQUEST_HEAD = 8192;
    /** A request body: a {@code GET} has none. */
    static final int MAX_REQUEST_BODY = 8192;

    private final HttpRoutes routes;

    private HttpFront(HttpRoutes routes) {
        super(false);
        this.routes = routes;
    }

    /**
     * Puts HTTP and, behind it, WebSocket after the handler named {@code after}: the WebSocket's messages are
     * limited to {@code maxFrame} bytes (type byte and body, the same limit as a frame on TCP), fragments
     * joined counted together; framing that breaks RFC 6455 is told to the core as a bad frame.
     */
    static void install(ChannelPipeline pipeline, String after, int maxFrame, HttpRoutes routes) {
        WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(HttpRoutes.WEBSOCKET_PATH)
                .checkStartsWith(true) // a query after the path is allowed; HttpFront passes on only /baton
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxFrame)
                        .expectMaskedFrames(true)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(false) // WebSocketFrames answers with a Baton ERROR, then closes
                        .withUTF8Validator(false)        // text messages are refused whatever they hold
                        .build())
                .build();
        pipeline.addAfter(after, "http", new HttpServerCodec(4096, MAX_REQUEST_HEAD, 8192))
                .addAfter("http", "http-aggregator", new HttpObjectAggregator(MAX_REQUEST_BODY))
                .addAfter("http-aggregator", "http-front", new HttpFront(routes))
                .addAfter("http-front", "websocket", new WebSocketServerProtocolHandler(ws))
                .addAfter("websocket", "websocket-aggregator", new WebSocketFrameAggregator(maxFrame))
                .addAfter("websocket-aggregator", "baton-websocket", WebSocketFrames.forServer(maxFrame));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        try {
            if (!req.decoderResult().isSuccess()) {
                answer(ctx, HttpResponseStatus.BAD_REQUEST, "cannot parse this HTTP request ("
                        + req.decoderResult().cause() + "); this is a Baton server's client port");
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            if (path.equals(HttpRoutes.WEBSOCKET_PATH)) {
                if (req.method().equals(HttpMethod.GET)
                        && req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                    ctx.pipeline().remove(this); // what follows the upgrade is WebSocket framing, not HTTP
                    ctx.fireChannelRead(req.retain());
                    return;
                }
                answer(ctx, HttpResponseStatus.UPGRADE_REQUIRED, HttpRoutes.WEBSOCKET_PATH + " is Baton over "
                        + "WebSocket: connect with a WebSocket client (ws:// or wss://), which sends Upgrade: websocket");
                return;
            }
            boolean head = req.method().equals(HttpMethod.HEAD);
            Optional<HttpRoutes.Content> page = req.method().equals(HttpMethod.GET) || head
                    ? routes.get(path) : Optional.empty();
            if (page.isPresent()) {
                respond(ctx, HttpResponseStatus.OK, page.get().contentType(), page.get().body(), head);
            } else {
                answer(ctx, HttpResponseStatus.NOT_FOUND, "no page at " + path + " on this Baton server; its "
                        + "WebSocket is at " + HttpRoutes.WEBSOCKET_PATH);
            }
        } finally {
            req.release();
        }
    }

    private static void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        respond(ctx, status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8), false);
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType,
                                byte[] body, boolean headOnly) {
        ByteBuf content = headOnly ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
