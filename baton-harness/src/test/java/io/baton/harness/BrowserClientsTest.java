package io.baton.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.server.EventJournal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrowserClientsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TARGET = 40123;

    /** One page's window.arenaReport(), in contract 7's names. */
    private static String page(String endpoint, long missed, long duplicated, double stallMax, String errors) {
        return page(endpoint, missed, duplicated, stallMax, errors, true);
    }

    private static String page(String endpoint, long missed, long duplicated, double stallMax, String errors,
                               boolean verified) {
        return "{\"url\": \"http://127.0.0.1:1/?bot=1\", \"thrown\": [], \"report\": {\"session\": \"s\", \"endpoint\": \""
                + endpoint + "\", \"inputs_sent\": 50, \"inputs_acked\": 50, \"inputs_lost\": 0, \"inputs_duplicated\": 0, "
                + "\"out_of_order\": 0, \"ticks_seen\": 300, \"ticks_duplicated\": " + duplicated + ", \"ticks_missed\": "
                + missed + ", \"stall_ms\": {\"p50\": 33.1, \"p99\": 40.0, \"max\": " + stallMax + "}, "
                + "\"baseline_stall_ms\": {\"p50\": 33.0, \"p99\": 36.0, \"max\": 37.5}, \"handoffs_seen\": 1, \"resumes\": 0, "
                + "\"verified\": " + verified + ", \"errors\": " + errors + "}}";
    }

    private static JsonNode driver(String... pages) throws Exception {
        return JSON.readTree("{\"event\": \"report\", \"chromium\": \"Chromium/150\", \"pages\": [" + String.join(",", pages)
                + "], \"screenshots\": [{\"name\": \"before\", \"path\": \"/tmp/x/screenshot-before.png\", "
                + "\"endpoint\": \"ws://127.0.0.1:1/baton\"}]}");
    }

    private static DemoResult score(JsonNode botReport) throws Exception {
        JsonNode server = JSON.readTree("{\"cutover_digest\": \"ab\", \"cutover_index\": 100}");
        EventJournal.History none = new EventJournal.History(Map.of(), 0, 0, 0);
        return new Scoring(DemoSettings.builder().clients(2).build(), List.of(botReport), 1_000L)
                .score(server, server, none, none, "completed", new HandoffWatch(Fault.NONE), List.of(), null,
                        new DemoResult.Rss(null, null), new DemoResult.Rss(null, null), null, null, 0);
    }

    @Test
    void pagesThatSawEveryUpdateOnceOnTheTargetPassAndTheirStallsAreEachPagesLargestGap() throws Exception {
        JsonNode d = driver(page("wss://127.0.0.1:" + TARGET + "/baton", 0, 0, 45.25, "[]"),
                page("127.0.0.1:" + TARGET, 0, 0, 50.0, "[]"));
        DemoResult r = score(BrowserClients.asBotReport(d, TARGET));
        assertThat(r.counts()).isEqualTo(new DemoResult.Counts(2, 2, 0, 100, 0, 0, 0, 0, 0, 0));
        assertThat(r.passed()).isTrue();
        assertThat(r.stallMs().max()).isEqualTo(50.0);
        assertThat(r.baselineStallMs().max()).isEqualTo(37.5);
        // The pages share no clock with the demo: when the last one moved is not known, and not made up.
        assertThat(r.handoffMs()).isNull();
        assertThat(BrowserClients.summary(d)).containsEntry("chromium", "Chromium/150").containsEntry("pages", 2)
                .containsEntry("page_errors", List.of());
        BrowserClients.Run run = new BrowserClients.Run(r, BrowserClients.summary(d));
        assertThat(run.toJson()).containsEntry("clients_kind", "browser").containsKey("browser");
        assertThat(run.text()).contains("screenshot         before: /tmp/x/screenshot-before.png (the page on "
                + "ws://127.0.0.1:1/baton)");
    }

    @Test
    void aMissedOrDoubledUpdateAPageErrorOrAPageStillOnTheSourceFailsTheRun() throws Exception {
        String onTarget = "ws://127.0.0.1:" + TARGET + "/baton";
        assertThat(score(BrowserClients.asBotReport(driver(page(onTarget, 1, 0, 40, "[]")), TARGET)).passed()).isFalse();
        assertThat(score(BrowserClients.asBotReport(driver(page(onTarget, 0, 1, 40, "[]")), TARGET)).passed()).isFalse();
        JsonNode erred = driver(page(onTarget, 0, 0, 40, "[\"player 3: count 7, expected 8\"]"));
        assertThat(score(BrowserClients.asBotReport(erred, TARGET)).counts().failedVerifications()).isEqualTo(1);
        // The page's own verdict (the game's count and hash of its inputs) failing is the bots' failed verification.
        JsonNode unverified = driver(page(onTarget, 0, 0, 40, "[]", false));
        assertThat(score(BrowserClients.asBotReport(unverified, TARGET)).counts().failedVerifications()).isEqualTo(1);
        assertThat(score(BrowserClients.asBotReport(unverified, TARGET)).passed()).isFalse();
        assertThat((List<?>) BrowserClients.summary(erred).get("page_errors")).hasSize(1);
        DemoResult stayed = score(BrowserClients.asBotReport(driver(page("ws://127.0.0.1:" + (TARGET + 1) + "/baton",
                0, 0, 40, "[]")), TARGET));
        assertThat(stayed.counts().switched()).isZero();
        assertThat(stayed.passed()).isFalse();
    }

    @Test
    void aPageWithoutAReportIsAFailureNotAnAbsence() throws Exception {
        JsonNode d = JSON.readTree("{\"pages\": [{\"url\": \"u\", \"thrown\": [\"TypeError: x\"], \"report\": null}]}");
        JsonNode bot = BrowserClients.asBotReport(d, TARGET);
        assertThat(bot.path("clients").asLong()).isEqualTo(1);
        assertThat(bot.path("connect_failures").asLong()).isEqualTo(1);
        assertThat(bot.path("failed_verifications").asLong()).isEqualTo(2);
        assertThat(score(bot).passed()).isFalse();
    }

    @Test
    void aPageThatResumedCountsAsResumed() throws Exception {
        JsonNode d = driver(page("ws://127.0.0.1:" + TARGET + "/baton", 0, 0, 40, "[]").replace("\"resumes\": 0",
                "\"resumes\": 2"), page("ws://127.0.0.1:" + TARGET + "/baton", 0, 0, 40, "[]"));
        assertThat(score(BrowserClients.asBotReport(d, TARGET)).counts().resumed()).isEqualTo(1);
    }

    @Test
    void anEndpointNamesAPortOnlyWhenNoDigitFollows() {
        assertThat(BrowserClients.onPort("ws://127.0.0.1:8080/baton", 8080)).isTrue();
        assertThat(BrowserClients.onPort("127.0.0.1:8080", 8080)).isTrue();
        assertThat(BrowserClients.onPort("127.0.0.1:80801", 8080)).isFalse();
        assertThat(BrowserClients.onPort("ws://127.0.0.1:80/baton", 8080)).isFalse();
    }
}
