package io.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.wire.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The proofs and the verifier byte for byte, as docs/protocol.md's examples give them: another
 * implementation of the protocol (or of its checks) can be written from the page and checked against these.
 */
class TokensTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final Tokens TOKENS = new Tokens("peer-secret-0123".getBytes(StandardCharsets.US_ASCII));

    private static Tokens.Transcript example(byte[] binding) {
        byte[] sn = new byte[16];
        byte[] tn = new byte[16];
        Arrays.fill(sn, (byte) 0x11);
        Arrays.fill(tn, (byte) 0x22);
        return new Tokens.Transcript(0x0102030405060708L, Frame.Mode.LIVE, new io.baton.wire.VersionRange(4, 4), 4, binding,
                sn, tn, "arena", 2, Frame.SchemaPath.SAME);
    }

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void theProofsOfTheExampleAreThoseInProtocolMd() throws IOException {
        String doc = Files.readString(Path.of("../docs/protocol.md"));
        String target = HEX.formatHex(TOKENS.targetProof(example(new byte[0]), "t", 7000, ""));
        String source = HEX.formatHex(TOKENS.sourceProof(example(new byte[0])));
        String bound = HEX.formatHex(TOKENS.sourceProof(example(counting(32))));

        assertThat(target).isEqualTo("368e346ab0189ed8d2d504b83808801cb9f152dbab567817a99ca320dd264764");
        assertThat(source).isEqualTo("03a26437413512dc80369c7bbae18db0989badde6e01e34e2f5b6f7603831701");
        assertThat(bound).isEqualTo("f71fd378d64f9742e4ad87a832a80edd00b3c11de1ae723fe62c02420e5083fe");
        assertThat(doc).contains("target's mac = " + target).contains("source's mac = " + source)
                .contains("the source's mac is\n`" + bound + "`");
    }

    @Test
    void theVerifierOfTheExampleIsThatInProtocolMd() throws IOException {
        byte[] secret = new byte[Frame.TOKEN_LENGTH];
        Arrays.fill(secret, (byte) 0xAB);
        String verifier = HEX.formatHex(TOKENS.verifier(1, secret));

        assertThat(verifier).isEqualTo("c948456d9de5b0207fec5d54e87b4dfe154939d41cac842ff194b64fe21d740b");
        assertThat(Files.readString(Path.of("../docs/protocol.md"))).contains("`" + verifier + "`");
        assertThat(TOKENS.verifier(2, secret)).as("each verifier is its session's own").isNotEqualTo(
                TOKENS.verifier(1, secret));
    }

    @Test
    void theTwoProofsOfOneTranscriptDiffer() {
        Tokens.Transcript t = example(counting(32));
        assertThat(TOKENS.sourceProof(t)).isNotEqualTo(TOKENS.targetProof(t, "", 0, ""));
    }
}
