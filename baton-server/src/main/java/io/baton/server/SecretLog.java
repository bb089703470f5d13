package io.baton.server;

import io.baton.wire.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Diagnostics for checking a capture of the wire (docs/protocol.md, "Security"), never on in production:
 * {@code -Dbaton.debug.secrets=true} logs, at WARN, every session secret (WELCOME) and ticket (MOVE) this server
 * sends, so that a search of a packet capture can look for exactly those bytes.
 */
final class SecretLog {

    static final boolean ON = Boolean.getBoolean("baton.debug.secrets");

    private static final Logger LOG = LoggerFactory.getLogger("baton.server");

    private SecretLog() {
    }

    /** {@code frame} is being sent: logged if it carries a secret or a ticket. */
    static void sent(Frame frame) {
        if (frame instanceof Frame.Welcome w) {
            LOG.warn("baton.debug.secrets: WELCOME session {} secret {}", w.sessionId(),
                    java.util.HexFormat.of().formatHex(w.secret()));
        } else if (frame instanceof Frame.Move m) {
            LOG.warn("baton.debug.secrets: MOVE ticket {}", java.util.HexFormat.of().formatHex(m.ticket()));
        }
    }
}
