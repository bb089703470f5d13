package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy between real sockets: an upstream that echoes what it reads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultProxyTest {

    private ServerSocket upstream;
    private Thread echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoAndProxy() throws Exception {
        upstream = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        echo = new Thread(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket s = upstream.accept();
                    Thread t = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the test cut it
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        echo.setDaemon(true);
        echo.start();
        proxy = FaultProxy.to("127.0.0.1", upstream.getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.close();
        echo.join(5000);
    }

    @Test
    void relaysBytesBothWaysInOrder() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("hello, proxy".getBytes());
            assertThat(new String(s.getInputStream().readNBytes(12))).isEqualTo("hello, proxy");
        }
    }

    @Test
    void aDelayHoldsEveryByteThatLongEachWay() throws Exception {
        proxy.delay(100);
        try (Socket s = connect()) {
            long t = System.nanoTime();
            s.getOutputStream().write(1);
            assertThat(s.getInputStream().read()).isEqualTo(1);
            assertThat(System.nanoTime() - t).as("there and back").isGreaterThanOrEqualTo(200_000_000L);
        }
    }

    @Test
    void refusingEveryThirdClosesTheThirdAtOnceAndRelaysTheOthers() throws Exception {
        proxy.refuseEvery(3);
        for (int i = 1; i <= 3; i++) {
            try (Socket s = connect()) {
                s.getOutputStream().write(7);
                assertThat(s.getInputStream().read()).as("connection " + i).isEqualTo(i == 3 ? -1 : 7);
            } catch (IOException reset) {
                assertThat(i).as("only the refused one may be reset").isEqualTo(3);
            }
        }
    }

    @Test
    void cutAllEndsEveryRelayedConnection() throws Exception {
        try (Socket a = connect(); Socket b = connect()) {
            for (Socket s : new Socket[] {a, b}) {
                s.getOutputStream().write(9);
                assertThat(s.getInputStream().read()).isEqualTo(9);
            }
            proxy.cutAll();
            for (Socket s : new Socket[] {a, b}) {
                assertThat(readOrReset(s)).isEqualTo(-1);
            }
        }
    }

    @Test
    void aBlackholeDropsEveryBytePassesNoCloseAndCountsTheUpstreamsOwnClose() throws Exception {
        try (ServerSocket quiet = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             FaultProxy hole = FaultProxy.to("127.0.0.1", quiet.getLocalPort());
             Socket client = new Socket("127.0.0.1", hole.port())) {
            Socket up = quiet.accept(); // closed by the test itself, as the upstream server would
            client.setSoTimeout(300);
            up.setSoTimeout(300);
            client.getOutputStream().write(1);
            assertThat(up.getInputStream().read()).as("relayed before the blackhole").isEqualTo(1);
            hole.blackhole();
            client.getOutputStream().write(2);
            up.getOutputStream().write(3);
            assertThatThrownBy(() -> up.getInputStream().read()).as("nothing reaches the upstream")
                    .isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> client.getInputStream().read()).as("nothing reaches the client")
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(hole.upstreamClosedByServer()).isZero();
            up.close();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> hole.upstreamClosedByServer() == 1);
            assertThat(hole.lastUpstreamClosedAt()).isPositive();
            assertThatThrownBy(() -> client.getInputStream().read()).as("no FIN crosses the blackhole")
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(10_000);
        return s;
    }

    private static int readOrReset(Socket s) {
        try {
            return s.getInputStream().read();
        } catch (IOException reset) {
            return -1;
        }
    }
}
