package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.ErrorCode;
import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Consumer;

/**
 * A hand-driven TCP connection to a server port: the attacker (or a hand-rolled client) of the tests.
 * Every read is bounded by SO_TIMEOUT, so a server that stays silent fails the test instead of hanging it.
 */
final class RawConnection implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 5000;
    /** Frames larger than this from a server are a test failure, not something to allocate. */
    private static final int MAX_INBOUND = 4 << 20;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawConnection open(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return new RawConnection(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Sends HELLO NEW and returns the WELCOME that must answer it: a new session on this connection. */
    Frame.Welcome openSession() throws IOException, ProtocolException {
        send(new Frame.Hello(Frame.VERSION, Frame.HelloKind.NEW, 0, new byte[Frame.TOKEN_LENGTH], 0));
        Frame f = read();
        if (!(f instanceof Frame.Welcome w)) {
            throw new AssertionError("expected WELCOME to a HELLO NEW, got " + f);
        }
        return w;
    }

    /** The bytes of one frame, as the codec lays them out. */
    static byte[] encode(Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameCodec.encode(frame, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    void send(Frame frame) throws IOException {
        sendBytes(encode(frame));
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one whole frame; fails on EOF or on a read timeout. */
    Frame read() throws IOException, ProtocolException {
        int length = in.readInt();
        assertThat(length).as("length prefix of a frame from the server").isBetween(1, MAX_INBOUND);
        int type = in.readUnsignedByte();
        byte[] body = new byte[length - 1];
        in.readFully(body);
        return FrameCodec.decode(type, Unpooled.wrappedBuffer(body));
    }

    /**
     * Reads frames until one of {@code type} arrives, handing every other frame to {@code skipped}; an ERROR
     * on the way fails, and so does not seeing the frame within {@code maxMillis}.
     */
    <T extends Frame> T readUntil(Class<T> type, long maxMillis, Consumer<Frame> skipped)
            throws IOException, ProtocolException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (true) {
            Frame f = read();
            if (type.isInstance(f)) {
                return type.cast(f);
            }
            assertThat(f).as("frame while waiting for %s", type.getSimpleName()).isNotInstanceOf(Frame.Error.class);
            skipped.accept(f);
            assertThat(System.nanoTime() - deadline).as("time left to see a %s", type.getSimpleName()).isNegative();
        }
    }

    /**
     * The next frame must be an ERROR with {@code code} and a readable message, and the server must then
     * close the connection (EOF, not a reset and not silence).
     */
    Frame.Error expectErrorThenEof(ErrorCode code) throws IOException, ProtocolException {
        Frame f = read();
        assertThat(f).as("first frame the server sends back").isInstanceOf(Frame.Error.class);
        Frame.Error e = (Frame.Error) f;
        assertThat(e.code()).as("error code (message: %s)", e.message()).isEqualTo(code);
        assertThat(e.message()).as("error message").isNotBlank().doesNotContainPattern("\\p{Cntrl}");
        expectEof();
        return e;
    }

    /** The server closed the connection: the next read is the end of the stream. */
    void expectEof() throws IOException {
        InputStream raw = in;
        assertThat(raw.read()).as("the server closes the connection after its ERROR").isEqualTo(-1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
