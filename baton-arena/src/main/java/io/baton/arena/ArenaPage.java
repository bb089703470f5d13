package io.baton.arena;

import io.baton.service.WebFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The arena page (clients/arena-page): one HTML file and one script, built from the TypeScript sources and
 * committed under this module's resources, so that a server serves it without npm. Read once, on first use.
 */
final class ArenaPage {

    /** Where the built page lives on the class path. */
    static final String RESOURCES = "/io/baton/arena/page/";
    /** Where the page's script is served: the HTML loads it from here. */
    static final String SCRIPT_PATH = "/arena/arena.js";

    private ArenaPage() {
    }

    private static final class Holder {
        static final Map<String, WebFile> FILES = load();
    }

    /** The page's files by path: {@code /} (and {@code /index.html}) and {@link #SCRIPT_PATH}. */
    static Map<String, WebFile> files() {
        return Holder.FILES;
    }

    private static Map<String, WebFile> load() {
        WebFile html = new WebFile("text/html; charset=utf-8", read("index.html"));
        Map<String, WebFile> files = new LinkedHashMap<>();
        files.put("/", html);
        files.put("/index.html", html);
        files.put(SCRIPT_PATH, new WebFile("text/javascript; charset=utf-8", read("arena.js")));
        return Map.copyOf(files);
    }

    private static byte[] read(String name) {
        try (InputStream in = ArenaPage.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the arena page's " + name + " is not on the class path at "
                        + RESOURCES + ": baton-arena was built without it; run 'npm ci && npm run build' in "
                        + "clients/arena-page, which writes it into baton-arena/src/main/resources, and rebuild");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the arena page's " + name + " from the class path", e);
        }
    }
}
