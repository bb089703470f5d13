package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The admin API's address as an operator types it: {@code host:port} or a URL, and a clear word otherwise. */
class AdminClientTest {

    @Test
    void hostAndPortAloneIsTheAdminApiOverHttp() {
        assertThat(AdminClient.endpoint("127.0.0.1:19102")).hasToString("http://127.0.0.1:19102");
        assertThat(AdminClient.endpoint(" localhost:7002 ")).hasToString("http://localhost:7002");
    }

    @Test
    void aUrlIsTakenAsItIsWithoutItsTrailingSlash() {
        assertThat(AdminClient.endpoint("http://127.0.0.1:7002")).hasToString("http://127.0.0.1:7002");
        assertThat(AdminClient.endpoint("http://127.0.0.1:7002/")).hasToString("http://127.0.0.1:7002");
    }

    @Test
    void anythingElseIsRefusedWithBothFormsNamed() {
        for (String bad : new String[] {"127.0.0.1", "ftp://127.0.0.1:7002", "http://127.0.0.1:7002/status",
            "http://127.0.0.1", "not an address", ":7002"}) {
            assertThatThrownBy(() -> AdminClient.endpoint(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("host:port or http://host:port");
        }
    }
}
