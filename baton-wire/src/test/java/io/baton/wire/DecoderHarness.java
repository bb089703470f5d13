package io.baton.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link EmbeddedChannel} around a fresh {@link FrameDecoder} that remembers every inbound buffer written,
 * so a test can check the decoder released them all.
 */
final class DecoderHarness {

    final EmbeddedChannel channel;
    private final List<ByteBuf> written = new ArrayList<>();

    DecoderHarness(int maxFrameLength) {
        this(maxFrameLength, null);
    }

    DecoderHarness(int maxFrameLength, ByteBufAllocator allocator) {
        channel = new EmbeddedChannel();
        if (allocator != null) {
            channel.config().setAllocator(allocator);
        }
        channel.pipeline().addLast(new FrameDecoder(maxFrameLength));
    }

    /** Writes the bytes as one inbound buffer; rethrows anything the pipeline caught. */
    void write(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        written.add(buf);
        channel.writeInbound(buf);
    }

    /** Writes every byte as its own inbound buffer. */
    void writeByteByByte(byte[] bytes) {
        for (byte b : bytes) {
            write(new byte[] {b});
        }
    }

    /** Every message the decoder emitted so far. */
    List<Object> read() {
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = channel.readInbound()) != null) {
            out.add(m);
        }
        return out;
    }

    /**
     * Closes the channel, asserting nothing was left unread and no exception escaped, then asserts every
     * inbound buffer written was released.
     */
    void finishCleanly() {
        assertThat(channel.finishAndReleaseAll()).as("messages left unread in the channel").isFalse();
        assertAllReleased();
    }

    void assertAllReleased() {
        for (int i = 0; i < written.size(); i++) {
            assertThat(written.get(i).refCnt()).as("refCnt of inbound buffer %d", i).isZero();
        }
    }

    int writes() {
        return written.size();
    }

    /** Decodes the chunks on a fresh channel, closes it cleanly and returns what was emitted. */
    static List<Object> decode(int maxFrameLength, byte[]... chunks) {
        DecoderHarness h = new DecoderHarness(maxFrameLength);
        for (byte[] c : chunks) {
            h.write(c);
        }
        List<Object> out = h.read();
        h.finishCleanly();
        return out;
    }

    /** Asserts the messages are exactly one {@link FrameDecoder.BadFrame} and returns its cause. */
    static ProtocolException onlyBadFrame(List<Object> messages) {
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0)).isInstanceOf(FrameDecoder.BadFrame.class);
        ProtocolException cause = ((FrameDecoder.BadFrame) messages.get(0)).cause();
        assertThat(cause).isNotNull();
        assertThat(cause.getMessage()).isNotBlank();
        return cause;
    }

    /**
     * A heap allocator that records the largest capacity asked of it and caps every buffer it hands out, so a
     * decoder that sizes or grows a buffer by an untrusted length fails instead of allocating it.
     */
    static final class CappedAllocator extends AbstractByteBufAllocator {
        private final int cap;
        private int largestRequest;

        CappedAllocator(int cap) {
            super(false);
            this.cap = cap;
        }

        int largestRequest() {
            return largestRequest;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return allocate(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return allocate(initialCapacity, maxCapacity);
        }

        private ByteBuf allocate(int initialCapacity, int maxCapacity) {
            largestRequest = Math.max(largestRequest, initialCapacity);
            if (initialCapacity > cap) {
                throw new IllegalStateException("asked for " + initialCapacity + " bytes, cap is " + cap);
            }
            return new UnpooledHeapByteBuf(this, initialCapacity, Math.min(maxCapacity, cap));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
