package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientRehearsalTest {

    @Test
    void everyRoundTakesTheScriptedHandoffToTheEndWithEveryOutputDeliveredOnce() {
        // Three outputs per round, the last one over the pre-connection after the switch: a round that
        // stopped short of the switch (a refused frame, a path the core no longer takes) delivers fewer.
        assertThat(ClientRehearsal.run(5)).isEqualTo(15);
    }
}
