package io.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Both sides of the comparison really echo: messages come back through each, over real sockets. How many
 * per second is the benchmark's business, not a test's.
 */
@Timeout(60)
class ThroughputTest {

    private static final Throughput.Load SHORT = new Throughput.Load(2, 4, 16, Duration.ofMillis(200),
            Duration.ofMillis(300));

    @Test
    void thePlainNettyEchoEchoes() throws Exception {
        Throughput.Result r = Throughput.plainNetty(SHORT);
        assertThat(r.messages()).isPositive();
        assertThat(r.system()).isEqualTo("plain Netty echo");
    }

    @Test
    void aBatonSessionEchoesThroughTheEchoService() throws Exception {
        Throughput.Result r = Throughput.baton(SHORT);
        assertThat(r.messages()).isPositive();
        assertThat(r.seconds()).isGreaterThan(0.2);
    }
}
