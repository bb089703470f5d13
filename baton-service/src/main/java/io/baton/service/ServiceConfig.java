package io.baton.service;

import java.util.Map;

/**
 * How a service is configured: the tick rate and free-form options from the command line
 * ({@code --opt key=value}).
 *
 * @param tickHz  ticks per second
 * @param options service-specific options
 */
public record ServiceConfig(int tickHz, Map<String, String> options) {

    public ServiceConfig {
        if (tickHz < 1 || tickHz > 1000) {
            throw new IllegalArgumentException("tickHz must be within 1..1000, was " + tickHz);
        }
        options = Map.copyOf(options);
    }

    /** An integer option, or the default when it is absent; a malformed value is an error, not the default. */
    public long longOption(String key, long defaultValue) {
        String v = options.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be an integer, was '" + v + "'", e);
        }
    }
}
