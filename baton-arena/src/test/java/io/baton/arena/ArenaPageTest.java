package io.baton.arena;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.service.WebFile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The arena's web page as a server gets it from the factory: the committed build, with its content types. */
class ArenaPageTest {

    @Test
    void theFactoryOffersThePageAndItsScriptWithTheirContentTypes() {
        Map<String, WebFile> page = new ArenaFactory().webPage();
        assertThat(page).containsOnlyKeys("/", "/index.html", ArenaPage.SCRIPT_PATH);
        assertThat(page.get("/").contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(page.get("/index.html")).isSameAs(page.get("/"));
        assertThat(page.get(ArenaPage.SCRIPT_PATH).contentType()).isEqualTo("text/javascript; charset=utf-8");
        String script = new String(page.get(ArenaPage.SCRIPT_PATH).body(), StandardCharsets.UTF_8);
        assertThat(script).as("the bundle exposes contract 7's functions").contains("arenaReport", "arenaMark");
    }

    @Test
    void everyScriptThePageLoadsIsOneItIsServedWith() {
        Map<String, WebFile> page = new ArenaFactory().webPage();
        String html = new String(page.get("/").body(), StandardCharsets.UTF_8);
        Matcher src = Pattern.compile("<script src=\"([^\"]+)\"").matcher(html);
        int scripts = 0;
        while (src.find()) {
            assertThat(page).containsKey(src.group(1));
            scripts++;
        }
        assertThat(scripts).isEqualTo(1);
    }
}
