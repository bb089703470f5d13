package io.baton.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Baton frames to and from WebSocket messages, over an {@link EmbeddedChannel}. */
class WebSocketFramesTest {

    private static EmbeddedChannel upgraded() {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketFrames(FrameCodec.DEFAULT_MAX_FRAME));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/baton",
                EmptyHttpHeaders.INSTANCE, null));
        return ch;
    }

    private static byte[] bytes(Frame f) {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.encode(f, b);
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    @Test
    void aBatchOfFramesLeavesAsOneBinaryMessageEachInOrderAndCompletesWithTheLast() {
        EmbeddedChannel ch = upgraded();
        Frame[] frames = {new Frame.Ack(1), new Frame.Output(2, 3, new byte[] {9, 8}), new Frame.Ping(4)};
        ByteBuf batch = Unpooled.buffer();
        for (Frame f : frames) {
            FrameCodec.encode(f, batch);
        }
        ChannelFuture written = ch.writeAndFlush(batch);
        assertThat(written.isSuccess()).isTrue();
        for (Frame f : frames) {
            BinaryWebSocketFrame m = ch.readOutbound();
            byte[] encoded = bytes(f);
            assertThat(ByteBufUtil.getBytes(m.content())).as("%s without its length", f)
                    .isEqualTo(Arrays.copyOfRange(encoded, FrameCodec.LENGTH_FIELD, encoded.length));
            m.release();
        }
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(batch.refCnt()).as("the slices released the batch").isZero();
    }

    @Test
    void aServersEndWritesABatchAsOneBufferOfUnmaskedMessagesThatAWebSocketDecoderReadsBackInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel(WebSocketFrames.forServer(FrameCodec.DEFAULT_MAX_FRAME));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/baton",
                EmptyHttpHeaders.INSTANCE, null));
        // Payloads whose messages take each of the three header forms: 7-bit, 16-bit and 64-bit lengths.
        Frame[] frames = {new Frame.Ack(1), new Frame.Output(2, 3, new byte[200]), new Frame.Output(3, 3, filled(70_000)),
                new Frame.Output(4, 3, filled(125 - 17)), new Frame.Ping(5)};
        ByteBuf batch = Unpooled.buffer();
        for (Frame f : frames) {
            FrameCodec.encode(f, batch);
        }
        ChannelFuture written = ch.writeAndFlush(batch);
        assertThat(written.isSuccess()).isTrue();
        ByteBuf wire = ch.readOutbound();
        assertThat(ch.<Object>readOutbound()).as("one buffer for the whole batch").isNull();
        assertThat(batch.refCnt()).as("the batch was released").isZero();

        EmbeddedChannel reader = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).maxFramePayloadLength(FrameCodec.DEFAULT_MAX_FRAME).build()));
        reader.writeInbound(wire);
        for (Frame f : frames) {
            BinaryWebSocketFrame m = reader.readInbound();
            assertThat(m).as("a binary message for %s", f).isNotNull();
            assertThat(m.isFinalFragment()).isTrue();
            byte[] encoded = bytes(f);
            assertThat(ByteBufUtil.getBytes(m.content())).as("%s without its length", f)
                    .isEqualTo(Arrays.copyOfRange(encoded, FrameCodec.LENGTH_FIELD, encoded.length));
            m.release();
        }
        assertThat(reader.<Object>readInbound()).isNull();
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void nothingIsWrittenBeforeTheUpgrade() {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketFrames(FrameCodec.DEFAULT_MAX_FRAME));
        ChannelFuture written = ch.writeAndFlush(new Frame.Error(ErrorCode.HELLO_TIMEOUT, "late"));
        assertThat(written.isSuccess()).isTrue();
        assertThat(ch.<Object>readOutbound()).isNull();
    }

    @Test
    void aBinaryMessageIsOneFrameAndATextMessageIsMalformedAndWhatFollowsIsDropped() {
        EmbeddedChannel ch = upgraded();
        byte[] ping = bytes(new Frame.Ping(7));
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ping, 4, ping.length - 4)));
        assertThat(ch.<Object>readInbound()).isEqualTo(new Frame.Ping(7));

        TextWebSocketFrame text = new TextWebSocketFrame("hi");
        ch.writeInbound(text);
        FrameDecoder.BadFrame bad = ch.readInbound();
        assertThat(bad.cause().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(text.refCnt()).isZero();

        BinaryWebSocketFrame after = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(ping, 4, ping.length - 4));
        ch.writeInbound(after);
        assertThat(ch.<Object>readInbound()).as("dropped after the first bad message").isNull();
        assertThat(after.refCnt()).isZero();

        ch.close();
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code());
        close.release();
    }

    @Test
    void anOversizedFrameFromTheDecoderIsFrameTooLargeAndClosesWith1009() {
        EmbeddedChannel ch = upgraded();
        ch.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                "Max frame length of 1048576 has been exceeded."));
        FrameDecoder.BadFrame bad = ch.readInbound();
        assertThat(bad.cause().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        ch.close();
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1009);
        close.release();
    }

    @Test
    void aCloseAfterNothingWentWrongIsANormalClosure() {
        EmbeddedChannel ch = upgraded();
        ch.close();
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1000);
        close.release();
    }
}
