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
                sn, tn);
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

        assertThat(target).isEqualTo("4442d619fb6483e6b662794958f09a61db4dc2feeab1b770b2801f6dd845c2f8");
        assertThat(source).isEqualTo("e6df551ebedd5251030ec298af4da3df590386b7e6e47aaf71a3f44cbfc28416");
        assertThat(bound).isEqualTo("b8f80438ceb00aa21bef5909a19e7bcedb531919b3f9412f790223acc10d0765");
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
