package io.baton.service;

import java.util.Objects;

/**
 * One file of a page that plays a service in a browser ({@link ServiceFactory#webPage()}), as a server serves it.
 *
 * @param contentType the {@code Content-Type} it is served with, e.g. {@code text/html; charset=utf-8}
 * @param body        its bytes (kept, not copied: do not change them)
 */
public record WebFile(String contentType, byte[] body) {
    public WebFile {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }
}
