package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test parser of the Prometheus text format is strict: it reads a valid exposition and refuses each fault. */
class PrometheusTextTest {

    private static final String VALID = """
            # HELP up whether it is up
            # TYPE up gauge
            up{job="a\\"b",le_x="1"} 1.0
            # TYPE lat_seconds histogram
            lat_seconds_bucket{le="0.1"} 1
            lat_seconds_bucket{le="+Inf"} 3
            lat_seconds_count 3
            lat_seconds_sum 0.5
            # a comment
            x_total 4 1700000000000
            """;

    @Test
    void readsAValidExposition() {
        PrometheusText p = PrometheusText.parse(VALID);
        assertThat(p.value("up", "job", "a\"b", "le_x", "1")).isEqualTo(1.0);
        assertThat(p.type("lat_seconds")).isEqualTo("histogram");
        assertThat(p.value("lat_seconds_count")).isEqualTo(3);
        assertThat(p.value("x_total")).isEqualTo(4);
        assertThat(p.samples()).hasSize(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1up 1\n",                                  // bad metric name
        "up{job=\"a} 1\n",                          // label value not closed
        "up{job=a} 1\n",                            // label value not quoted
        "up{job=\"a\",job=\"b\"} 1\n",              // label repeated
        "up{job=\"a\\x\"} 1\n",                     // bad escape
        "up one\n",                                 // bad value
        "up 1 2 3\n",                               // more than value and timestamp
        "up 1",                                     // no final line feed
        "up 1\nup 2\n",                             // series repeated
        "a 1\nb 1\na{x=\"1\"} 1\n",                 // family not contiguous
        "# TYPE a gauge\n# TYPE a gauge\na 1\n",    // second TYPE
        "# TYPE a gaug\na 1\n",                     // unknown type
        "a 1\n# TYPE a gauge\n",                    // TYPE after samples
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", // not cumulative
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n",                        // no +Inf bucket
        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 1\n",                     // +Inf differs from count
    })
    void refusesEachFault(String text) {
        assertThatThrownBy(() -> PrometheusText.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
