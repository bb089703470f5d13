package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendPacerTest {

    private static final long MS = SendPacer.SLOT_NANOS;

    @Test
    void eachSenderRunsOncePerPeriodAtItsOwnPhase() {
        long start = 1_000 * MS;
        SendPacer pacer = new SendPacer(10, start); // 100 ms: 100 slots of 1 ms
        assertThat(pacer.slotCount()).isEqualTo(100);
        List<String> runs = new ArrayList<>();
        pacer.add(() -> runs.add("a"), 0);
        pacer.add(() -> runs.add("b"), 50);
        pacer.add(() -> runs.add("c"), 199); // phases wrap around the period

        pacer.sendDue(start + 49 * MS);
        assertThat(runs).containsExactly("a");
        pacer.sendDue(start + 50 * MS);
        assertThat(runs).containsExactly("a", "b");
        pacer.sendDue(start + 99 * MS);
        assertThat(runs).containsExactly("a", "b", "c");
        pacer.sendDue(start + 99 * MS); // the same instant again sends nothing more
        assertThat(runs).hasSize(3);
    }

    @Test
    void aLateRunCatchesUpEveryMissedSlotInOrder() {
        long start = 0;
        SendPacer pacer = new SendPacer(10, start);
        List<String> runs = new ArrayList<>();
        pacer.add(() -> runs.add("a"), 10);
        pacer.add(() -> runs.add("b"), 60);

        pacer.sendDue(start + 250 * MS); // slots 0..250: a at 10, 110, 210; b at 60, 160
        assertThat(runs).containsExactly("a", "b", "a", "b", "a");
    }

    @Test
    void ratesAboveOnePerMillisecondAreOneSlotAndBelowAreWholeMilliseconds() {
        assertThat(new SendPacer(1000, 0).slotCount()).isEqualTo(1);
        assertThat(new SendPacer(3, 0).slotCount()).isEqualTo(333);
        assertThat(new SendPacer(0.5, 0).slotCount()).isEqualTo(2000);
    }
}
