package io.baton.service;

import java.io.IOException;

/** A snapshot's schema version is one this build cannot read (newer, or too old to upgrade). */
public final class UnsupportedSchemaException extends IOException {

    public UnsupportedSchemaException(String service, int version, int supported) {
        super(service + " cannot read schema version " + version + " (this build writes version " + supported + ")");
    }
}
