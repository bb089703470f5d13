package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArenaProtocolTest {

    @Test
    void moveRoundTripsThroughItsElevenBytes() {
        byte[] bytes = ArenaProtocol.move(0x0102030405060708L, -128, 127);
        assertThat(bytes).hasSize(ArenaProtocol.MOVE_LENGTH)
                .startsWith(1, 1, 2, 3, 4, 5, 6, 7, 8).endsWith(0x80, 0x7F);
        assertThat(ArenaProtocol.decodeMove(bytes)).isEqualTo(new ArenaProtocol.Move(0x0102030405060708L, -128, 127));
    }

    @Test
    void moveOutsideASignedByteIsRefused() {
        assertThatThrownBy(() -> ArenaProtocol.move(1, 128, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArenaProtocol.move(1, 0, -129)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedMovesDecodeToNull() {
        byte[] good = ArenaProtocol.move(1, 1, 1);
        byte[] wrongType = good.clone();
        wrongType[0] = 2;
        assertThat(ArenaProtocol.decodeMove(null)).isNull();
        assertThat(ArenaProtocol.decodeMove(Arrays.copyOf(good, 10))).isNull();
        assertThat(ArenaProtocol.decodeMove(Arrays.copyOf(good, 12))).isNull();
        assertThat(ArenaProtocol.decodeMove(wrongType)).isNull();
    }

    @Test
    void updateRoundTripsWithUnsignedFields() {
        long[] ids = {5, 6, Long.MAX_VALUE};
        byte[] bytes = ArenaProtocol.encodeUpdate(Long.MAX_VALUE, 3, -42, 1023, 0, -1, ids, 2);
        assertThat(bytes).hasSize(39 + 16);
        ArenaProtocol.Update u = ArenaProtocol.decodeUpdate(bytes);
        assertThat(u.tick()).isEqualTo(Long.MAX_VALUE);
        assertThat(u.inputsApplied()).isEqualTo(3);
        assertThat(u.inputHash()).isEqualTo(-42);
        assertThat(u.x()).isEqualTo(1023);
        assertThat(u.y()).isZero();
        assertThat(u.players()).isEqualTo(0xFFFFFFFFL);
        assertThat(u.inputIds()).containsExactly(5, 6);
    }

    @Test
    void updateWhoseLengthDisagreesWithItsCountIsRefused() {
        byte[] bytes = ArenaProtocol.encodeUpdate(1, 1, 1, 1, 1, 1, new long[] {9}, 1);
        assertThatThrownBy(() -> ArenaProtocol.decodeUpdate(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArenaProtocol.decodeUpdate(Arrays.copyOf(bytes, bytes.length + 8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArenaProtocol.decodeUpdate(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inputHashDependsOnOrderAndOnEveryField() {
        long ab = ArenaProtocol.hashInput(ArenaProtocol.hashInput(0, 1, 2, 3), 2, 2, 3);
        long ba = ArenaProtocol.hashInput(ArenaProtocol.hashInput(0, 2, 2, 3), 1, 2, 3);
        assertThat(ab).isNotEqualTo(ba);
        long base = ArenaProtocol.hashInput(0, 1, 2, 3);
        assertThat(ArenaProtocol.hashInput(0, 1, 2, 4)).isNotEqualTo(base);
        assertThat(ArenaProtocol.hashInput(0, 1, 3, 3)).isNotEqualTo(base);
        assertThat(ArenaProtocol.hashInput(0, 2, 2, 3)).isNotEqualTo(base);
        assertThat(ArenaProtocol.hashInput(0, 1, -1, -1)).isNotEqualTo(ArenaProtocol.hashInput(0, 1, 0, -1));
    }

    @Test
    void viewAndAnUpdateWithAWorldViewHaveTheBytesThePageChecks() {
        // The same hex as clients/arena-page/test/ledger.test.ts's VIEW_UPDATE_HEX.
        String hex = "01" + "0000000000000007" + "0".repeat(32) + "00000001" + "00000002" + "00000002" + "0000"
                + "0001" + "0005" + "03ff";
        byte[] bytes = ArenaProtocol.encodeUpdate(7, 0, 0, 1, 2, 2, new long[0], 0, new int[] {5, 1023}, 1);
        assertThat(java.util.HexFormat.of().formatHex(bytes)).isEqualTo(hex);
        assertThat(ArenaProtocol.decodeUpdate(bytes).others()).containsExactly(5, 1023);
        assertThat(ArenaProtocol.decodeUpdate(Arrays.copyOf(bytes, 39)).others()).isNull();
        assertThatThrownBy(() -> ArenaProtocol.decodeUpdate(Arrays.copyOf(bytes, 40)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ArenaProtocol.decodeUpdate(Arrays.copyOf(bytes, bytes.length + 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("view of 1 players");
        assertThat(java.util.HexFormat.of().formatHex(ArenaProtocol.view(64))).isEqualTo("020040");
        assertThat(ArenaProtocol.decodeView(ArenaProtocol.view(64))).isEqualTo(64);
    }

    @Test
    void anUpdateOfRulesThreeHasTheBytesThePageChecks() {
        // The same hex as clients/arena-page/test/ledger.test.ts's UPDATE_3_HEX.
        String hex = "03" + "0000000000000007" + "0000000000000001" + "0".repeat(16) + "00000001" + "00000002"
                + "00000002" + "000000000000000c" + "0001" + "0000000000000009";
        byte[] bytes = ArenaProtocol.encodeUpdate3(7, 1, 0, 1, 2, 2, 12, new long[] {9}, 1, null, -1);
        assertThat(java.util.HexFormat.of().formatHex(bytes)).isEqualTo(hex);
        ArenaProtocol.Update u = ArenaProtocol.decodeUpdate(bytes);
        assertThat(u.rules()).isEqualTo(3);
        assertThat(u.travelled()).isEqualTo(12);
        assertThat(u.inputIds()).containsExactly(9);
        assertThat(u.others()).isNull();
        assertThat(ArenaProtocol.decodeUpdate(ArenaProtocol.encodeUpdate(7, 1, 0, 1, 2, 2, new long[] {9}, 1)).rules())
                .isEqualTo(2);
        assertThatThrownBy(() -> ArenaProtocol.decodeUpdate(Arrays.copyOf(bytes, 46)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an update");
        byte[] viewed = ArenaProtocol.encodeUpdate3(7, 1, 0, 1, 2, 2, 12, new long[] {9}, 1, new int[] {5, 1023}, 1);
        assertThat(ArenaProtocol.decodeUpdate(viewed).others()).containsExactly(5, 1023);
        assertThat(ArenaProtocol.decodeUpdate(viewed).travelled()).isEqualTo(12);
    }
}
