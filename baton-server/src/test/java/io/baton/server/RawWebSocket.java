package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.Frame;
import io.baton.wire.FrameCodec;
import io.baton.wire.ProtocolException;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A hand-driven WebSocket client (RFC 6455) over a plain socket, so a test can send what no library would: text
 * messages, fragments, oversized or broken framing, a second upgrade. Every read is bounded by SO_TIMEOUT.
 */
final class RawWebSocket implements AutoCloseable {

    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CONTINUATION = 0x0;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** One message (or control frame) from the server. */
    record Message(int opcode, boolean fin, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A socket to the port, not yet upgraded. */
    static RawWebSocket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(RawConnection.READ_TIMEOUT_MILLIS);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        return new RawWebSocket(s);
    }

    /** Connected and upgraded at {@code /baton}. */
    static RawWebSocket open(int port) throws IOException {
        RawWebSocket ws = connect(port);
        String answer = ws.upgrade("/baton");
        assertThat(answer).as("the server's answer to the upgrade").startsWith("HTTP/1.1 101");
        return ws;
    }

    static String upgradeRequest(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString("baton-test-key-1".getBytes(StandardCharsets.US_ASCII))
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** Sends an upgrade request for {@code path} and returns the response head (status line and headers). */
    String upgrade(String path) throws IOException {
        sendRaw(upgradeRequest(path).getBytes(StandardCharsets.US_ASCII));
        return readHead();
    }

    /** Sends raw bytes: an HTTP request, or anything else. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads an HTTP response head, up to the empty line. */
    String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            byte[] h = head.toByteArray();
            if (h.length >= 4 && h[h.length - 4] == '\r' && h[h.length - 3] == '\n' && h[h.length - 2] == '\r'
                    && h[h.length - 1] == '\n') {
                break;
            }
            assertThat(h.length).as("size of an HTTP response head").isLessThan(16384);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Reads the rest of the stream (a response body before the server's close). */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Sends one masked WebSocket frame, as a client must. */
    void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        if (n < 126) {
            f.write(0x80 | n);
        } else if (n < 65536) {
            f.write(0x80 | 126);
            f.write(n >>> 8);
            f.write(n);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) n >>> shift));
            }
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        f.write(mask);
        byte[] masked = payload.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= mask[i & 3];
        }
        f.write(masked);
        sendRaw(f.toByteArray());
    }

    /** One Baton frame as one binary message: the frame without its length. */
    void send(Frame frame) throws IOException {
        byte[] encoded = RawConnection.encode(frame);
        sendFrame(BINARY, true, Arrays.copyOfRange(encoded, FrameCodec.LENGTH_FIELD, encoded.length));
    }

    /** Reads one frame from the server (unmasked, as a server sends). */
    Message readMessage() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        assertThat(b1 & 0x80).as("a server's frames are not masked").isZero();
        long n = b1 & 0x7F;
        if (n == 126) {
            n = in.readUnsignedShort();
        } else if (n == 127) {
            n = in.readLong();
        }
        assertThat(n).as("size of a WebSocket frame from the server").isBetween(0L, 4L << 20);
        byte[] payload = new byte[(int) n];
        in.readFully(payload);
        return new Message(b0 & 0x0F, (b0 & 0x80) != 0, payload);
    }

    /** Reads one binary message and decodes it as a Baton frame. */
    Frame read() throws IOException, ProtocolException {
        Message m = readMessage();
        assertThat(m.opcode()).as("opcode of a message carrying a Baton frame").isEqualTo(BINARY);
        assertThat(m.fin()).as("one frame per message, unfragmented").isTrue();
        return FrameCodec.decode(m.payload()[0] & 0xFF, Unpooled.wrappedBuffer(m.payload(), 1, m.payload().length - 1));
    }

    /** The server closed: the next read is the end of the stream. */
    void expectEof() throws IOException {
        assertThat(in.read()).as("the server closes the connection").isEqualTo(-1);
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
