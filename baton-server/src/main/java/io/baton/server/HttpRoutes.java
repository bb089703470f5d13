package io.baton.server;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The pages a server answers plain HTTP requests with on its client port, beside the WebSocket at
 * {@link #WEBSOCKET_PATH}: an exact path (no query) to its content. Anything else is answered 404. For a page
 * that plays the service in a browser (the arena page), served from the same port its WebSocket connects to, so
 * one address and one certificate serve both. Immutable.
 */
public final class HttpRoutes {

    /** Where a client upgrades to Baton over WebSocket. */
    public static final String WEBSOCKET_PATH = "/baton";

    /** No pages: every plain HTTP request is answered 404. */
    public static final HttpRoutes NONE = new HttpRoutes(Map.of());

    /**
     * What one path serves.
     *
     * @param contentType the {@code Content-Type} header, e.g. {@code text/html; charset=utf-8}
     * @param body        the bytes served (kept, not copied: do not change them)
     */
    public record Content(String contentType, byte[] body) {
        public Content {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }
    }

    private final Map<String, Content> routes;

    private HttpRoutes(Map<String, Content> routes) {
        this.routes = routes;
    }

    /**
     * These paths and their content.
     *
     * @throws IllegalArgumentException for a path that does not start with '/', has a query, or is the
     *                                  WebSocket's own
     */
    public static HttpRoutes of(Map<String, Content> routes) {
        for (String path : routes.keySet()) {
            if (!path.startsWith("/") || path.contains("?") || path.equals(WEBSOCKET_PATH)) {
                throw new IllegalArgumentException("cannot serve a page at '" + path + "': a route is a path "
                        + "starting with '/', without a query, and not " + WEBSOCKET_PATH + " (the WebSocket's)");
            }
        }
        return new HttpRoutes(Map.copyOf(routes));
    }

    /** A service's browser page ({@link io.baton.service.ServiceFactory#webPage()}) as routes. */
    public static HttpRoutes page(Map<String, io.baton.service.WebFile> files) {
        Map<String, Content> routes = new java.util.HashMap<>();
        files.forEach((path, f) -> routes.put(path, new Content(f.contentType(), f.body())));
        return of(routes);
    }

    Optional<Content> get(String path) {
        return Optional.ofNullable(routes.get(path));
    }
}
