package io.baton.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorCodeTest {

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeRoundTripsThroughItsWireValue(ErrorCode code) {
        assertThat(ErrorCode.of(code.code())).isSameAs(code);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeRoundTripsThroughAnErrorFrame(ErrorCode code) throws ProtocolException {
        Frame.Error decoded = (Frame.Error) WireFixtures.decodeOne(WireFixtures.encode(new Frame.Error(code, "why")));

        assertThat(decoded.code()).isSameAs(code);
        assertThat(decoded.message()).isEqualTo("why");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20, 100, 0xFFFF, -1, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void unknownCodesMapToProtocolViolation(int wire) {
        assertThat(ErrorCode.of(wire)).isSameAs(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void wireValuesAreDistinctFitInSixteenBitsAndNeverZero() {
        Set<Integer> seen = new HashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(seen.add(c.code())).as("%s has a unique value", c).isTrue();
            assertThat(c.code()).as(c.name()).isBetween(1, 0xFFFF);
        }
    }

    @Test
    void everyCodeHasItsRowInTheErrorTableOfProtocolMd() throws java.io.IOException {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/protocol.md"));
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(doc).as("protocol.md's row for %s", c).contains("| " + c.code() + " | " + c.name() + " | ");
        }
    }

    @Test
    void wireValuesArePinned() {
        assertThat(ErrorCode.values()).hasSize(19);
        assertThat(ErrorCode.MALFORMED_FRAME.code()).isEqualTo(1);
        assertThat(ErrorCode.FRAME_TOO_LARGE.code()).isEqualTo(2);
        assertThat(ErrorCode.UNSUPPORTED_VERSION.code()).isEqualTo(3);
        assertThat(ErrorCode.BAD_TICKET.code()).isEqualTo(4);
        assertThat(ErrorCode.TICKET_REUSED.code()).isEqualTo(5);
        assertThat(ErrorCode.TICKET_EXPIRED.code()).isEqualTo(6);
        assertThat(ErrorCode.UNKNOWN_SESSION.code()).isEqualTo(7);
        assertThat(ErrorCode.NOT_AUTHORITY.code()).isEqualTo(8);
        assertThat(ErrorCode.PROTOCOL_VIOLATION.code()).isEqualTo(9);
        assertThat(ErrorCode.AUTH_FAILED.code()).isEqualTo(10);
        assertThat(ErrorCode.BUSY.code()).isEqualTo(11);
        assertThat(ErrorCode.SESSION_CLOSED.code()).isEqualTo(12);
        assertThat(ErrorCode.HELLO_TIMEOUT.code()).isEqualTo(13);
        assertThat(ErrorCode.IDLE_TIMEOUT.code()).isEqualTo(14);
        assertThat(ErrorCode.SESSIONS_FULL.code()).isEqualTo(15);
        assertThat(ErrorCode.ADDRESS_FULL.code()).isEqualTo(16);
        assertThat(ErrorCode.HELLO_RATE.code()).isEqualTo(17);
        assertThat(ErrorCode.INPUT_TOO_LARGE.code()).isEqualTo(18);
        assertThat(ErrorCode.SHUTTING_DOWN.code()).isEqualTo(19);
    }

    @Test
    void protocolExceptionCarriesItsCodeAndMessage() {
        ProtocolException e = new ProtocolException(ErrorCode.BAD_TICKET, "ticket 7");

        assertThat(e.code()).isSameAs(ErrorCode.BAD_TICKET);
        assertThat(e.getMessage()).isEqualTo("ticket 7");
        assertThat(e.getStackTrace()).isEmpty();
    }
}
