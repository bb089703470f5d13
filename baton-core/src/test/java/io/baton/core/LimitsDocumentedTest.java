package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every limit the core counts refusals by has its row in docs/protocol.md's Limits table, and only those. */
class LimitsDocumentedTest {

    @Test
    void everyLimitHasARowInProtocolMdAndTheStatusListsEachOnce() throws IOException {
        String doc = Files.readString(Path.of("../docs/protocol.md"));
        String table = doc.substring(doc.indexOf("## Limits"), doc.indexOf("## Handoff on the client link"));
        long rows = table.lines().filter(l -> l.startsWith("| `")).count();
        assertThat(rows).isEqualTo(Admission.Limit.values().length);
        for (Admission.Limit l : Admission.Limit.values()) {
            assertThat(table).as("the row of %s", l).contains("| `" + l.flag + "` |");
        }
        assertThat(new Rig().authority("a").status().refusals().keySet())
                .containsExactly(java.util.Arrays.stream(Admission.Limit.values()).map(l -> l.flag).toArray(String[]::new));
    }
}
