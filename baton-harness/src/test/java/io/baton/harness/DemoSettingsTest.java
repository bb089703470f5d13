package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one way to build a demo's settings: {@code ./baton demo}'s defaults, changed by name, checked when built. */
class DemoSettingsTest {

    @Test
    void theDefaultsAreTheDemosDocumentedOnes() {
        DemoSettings d = DemoSettings.defaults();
        assertThat(d.clients()).isEqualTo(DemoSettings.CLIENTS);
        assertThat(d.tickHz()).isEqualTo(DemoSettings.TICK_HZ);
        assertThat(d.stateMb()).isEqualTo(DemoSettings.STATE_MB);
        assertThat(d.mode()).isEqualTo(DemoSettings.Mode.LIVE);
        assertThat(d.inputHz()).isEqualTo(DemoSettings.INPUT_HZ);
        assertThat(d.warmupS()).isEqualTo(DemoSettings.WARMUP_S);
        assertThat(d.afterS()).isEqualTo(DemoSettings.AFTER_S);
        assertThat(d.fault()).isEqualTo(Fault.NONE);
        assertThat(d.handoffs()).isEqualTo(DemoSettings.HANDOFFS);
        assertThat(d.traceStalls()).isFalse();
        assertThat(d.redirectPerSecond()).isEqualTo(DemoSettings.REDIRECT_PER_SECOND);
        assertThat(d.realtimePriority()).isEqualTo(DemoSettings.REALTIME_PRIORITY);
        assertThat(d.botProcesses()).isEqualTo(DemoSettings.BOT_PROCESSES);
        assertThat(d.serverJvm()).isEqualTo(DemoSettings.launcherServerJvm());
        assertThat(d.botJvm()).isEqualTo(DemoSettings.launcherBotJvm());
        assertThat(d.measureHeap()).isFalse();
        assertThat(d.webSocket()).isFalse();
        assertThat(d.tls()).isTrue();
        assertThat(d.targetVersion()).isEqualTo(DemoSettings.SAME_VERSION);
    }

    @Test
    void toBuilderKeepsEverySetting() {
        // Every component away from its default, so a setting toBuilder forgot would come back changed.
        DemoSettings s = DemoSettings.builder().clients(7).tickHz(20).stateMb(3).mode(DemoSettings.Mode.STOPCOPY)
                .inputHz(4.5).warmupS(1.5).afterS(2.5).fault(Fault.KILL_CLIENT).handoffs(1).traceStalls(true)
                .redirectPerSecond(99).realtimePriority(5).botProcesses(2).serverJvm(List.of("-Xmx1g"))
                .botJvm(List.of("-Xmx2g")).measureHeap(true).webSocket(true).tls(false)
                .targetVersion(DemoSettings.NEWER_VERSION).build();
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void theWholeRunIsCheckedOnceWhenBuiltWhateverTheOrderOfTheSetters() {
        // kill-client needs two bot processes, and two bot processes need two clients: valid only together.
        DemoSettings s = DemoSettings.builder().fault(Fault.KILL_CLIENT).botProcesses(2).clients(2).build();
        assertThat(s.fault()).isEqualTo(Fault.KILL_CLIENT);
        assertThatThrownBy(() -> DemoSettings.builder().fault(Fault.KILL_CLIENT).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--fault kill-client needs --bot-processes 2 or more");
        assertThatThrownBy(() -> DemoSettings.builder().mode(DemoSettings.Mode.RESTART).webSocket(true).build())
                .hasMessageContaining("leave out --transport websocket");
    }
}
