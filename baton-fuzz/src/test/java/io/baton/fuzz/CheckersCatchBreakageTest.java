package io.baton.fuzz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.arena.ArenaFactory;
import io.baton.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fuzz targets' checks, shown to fail on what they exist to catch: a target whose checks cannot fail
 * would run 10^7 times and prove nothing.
 */
class CheckersCatchBreakageTest {

    /** A decoder that trusts the length prefix and allocates the frame before its bytes arrive. */
    private static final class TrustingDecoder extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (in.readableBytes() >= 4) {
                out.add(new byte[in.readInt()]);
            }
        }
    }

    @Test
    void allocationBudgetCatchesADecoderThatAllocatesWhatTheLengthClaims() {
        byte[] fourBytes = {0x00, 0x10, 0x00, 0x00}; // claims 1 MiB
        assertThatThrownBy(() -> AllocationMeter.within(64 * 1024 + 16 * fourBytes.length, "a trusting decoder", () -> {
            EmbeddedChannel channel = new EmbeddedChannel(new TrustingDecoder());
            channel.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(fourBytes));
            return channel.finishAndReleaseAll();
        })).isInstanceOf(AssertionError.class).hasMessageContaining("over its budget");
    }

    @Test
    void honestCheckCatchesAStrangerThatTakesOverAnHonestSession() {
        Ledger ledger = new Ledger();
        CoreStage stage = CoreStage.authority(ledger, 2, false);
        HonestClient victim = stage.honest(0);
        // Only with the stolen secret can a stranger do this; the check must see the victim lose its connection.
        stage.strangerSends(new Frame.Hello(Frame.VERSION, Frame.HelloKind.RESUME, victim.sessionId(), victim.secret(), 0));
        assertThatThrownBy(() -> stage.checkHonest(ledger)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("honest client 0");
    }

    @Test
    void standbyCheckCatchesAPeerThatKnowsTheSecret() {
        CoreStage stage = CoreStage.standby(new ArenaFactory(), true);
        stage.honestSourceConnects(); // what a stranger cannot do: prove the peer secret
        assertThatThrownBy(stage::checkStandbyUntouched).isInstanceOf(AssertionError.class)
                .hasMessageContaining("RECEIVING");
    }
}
