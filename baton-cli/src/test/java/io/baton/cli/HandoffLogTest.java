package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.baton.arena.ArenaFactory;
import io.baton.core.HandoffRequest;
import io.baton.core.ServerConfig;
import io.baton.core.SourcePhase;
import io.baton.server.BatonServer;
import io.baton.service.ServiceConfig;
import io.baton.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Every line the servers log during a handoff carries its id (MDC), and the shipped pattern prints it. */
class HandoffLogTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyPhaseLineOfAHandoffOnEitherServerCarriesItsId() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        root.addAppender(lines);
        ServerConfig cfg = ServerConfig.defaults(new ArenaFactory(), new ServiceConfig(30, Map.of()),
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        try (BatonServer source = BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, -1, "127.0.0.1", -1,
                null, false));
             BatonServer target = BatonServer.start(cfg, new BatonServer.Options("127.0.0.1", 0, 0, "127.0.0.1", -1,
                null, true))) {
            assertThat(source.startHandoff(HandoffRequest.toAdvertised("127.0.0.1", target.peerPort(), Frame.Mode.LIVE))
                    .get(5, TimeUnit.SECONDS)).isEmpty();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> source.status().get().sourcePhase() == SourcePhase.DONE);
            String id = Long.toHexString(source.status().get().handoffId());
            root.detachAppender(lines);

            List<ILoggingEvent> phases = lines.list.stream()
                    .filter(e -> e.getFormattedMessage().matches("(source|target) phase [A-Z_]+")
                            && !e.getFormattedMessage().endsWith(" STANDBY"))
                    .toList();
            assertThat(phases).extracting(ILoggingEvent::getFormattedMessage)
                    .contains("source phase CONNECTING", "source phase DONE", "target phase AUTHENTICATING",
                            "target phase AUTHORITY");
            assertThat(phases).allSatisfy(e -> assertThat(e.getMDCPropertyMap()).as(e.getFormattedMessage())
                    .containsEntry("handoff", id));

            PatternLayout layout = new PatternLayout();
            layout.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
            layout.setPattern(shippedPattern());
            layout.start();
            assertThat(layout.doLayout(phases.get(0))).contains("[handoff " + id + "] source phase CONNECTING");
            ILoggingEvent untagged = lines.list.stream().filter(e -> !e.getMDCPropertyMap().containsKey("handoff"))
                    .findFirst().orElseThrow();
            assertThat(layout.doLayout(untagged)).doesNotContain("[handoff");
        } finally {
            root.detachAppender(lines);
        }
    }

    /** The pattern of the logback.xml that ships with the CLI. */
    private static String shippedPattern() throws Exception {
        String xml = new String(HandoffLogTest.class.getResourceAsStream("/logback.xml").readAllBytes(),
                StandardCharsets.UTF_8);
        return xml.substring(xml.indexOf("<pattern>") + 9, xml.indexOf("</pattern>"));
    }
}
