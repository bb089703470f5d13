package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkBenchTest {

    @Test
    void tcpRunsFirstInEveryRoundThenTheOthersAsGiven() {
        assertThat(LinkBench.kinds(List.of("wss", "tls", "tcp", "ws"), 1)).containsExactly(LinkBench.Link.TCP,
                LinkBench.Link.WSS, LinkBench.Link.TLS, LinkBench.Link.WS);
    }

    @Test
    void badLinksAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> LinkBench.kinds(List.of("tls"), 1)).hasMessageContaining("--links")
                .hasMessageContaining("tcp");
        assertThatThrownBy(() -> LinkBench.kinds(List.of("tcp", "quic"), 1)).hasMessageContaining("'quic'");
        assertThatThrownBy(() -> LinkBench.kinds(List.of("tcp", "tcp"), 1)).hasMessageContaining("twice");
        assertThatThrownBy(() -> LinkBench.kinds(List.of("tcp"), 0)).hasMessageContaining("--link-rounds");
    }

    @Test
    void ratiosAreEachPointOverTheReferencesAndUnknownWhereEitherIsMissing() {
        Map<String, Object> ref = Map.of("p50", 40.0, "p99", 80.0, "max", 0.0);
        Map<String, Object> row = new HashMap<>(Map.of("p50", 50.0, "p99", 100.0));
        Map<String, Object> r = LinkBench.ratios(row, ref);
        assertThat(r).containsEntry("p50", 1.25).containsEntry("p99", 1.25);
        assertThat(r.get("max")).as("no max in the row, and a zero reference").isNull();
        assertThat(LinkBench.ratios(null, ref)).containsOnlyKeys("p50", "p99", "max").allSatisfy((k, v) ->
                assertThat(v).isNull());
    }
}
