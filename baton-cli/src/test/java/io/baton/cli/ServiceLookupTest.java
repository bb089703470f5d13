package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.service.Service;
import io.baton.service.ServiceConfig;
import io.baton.service.ServiceFactory;
import io.baton.service.ServiceLookup;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --service NAME --service-version N}: a class path carrying two releases of one service picks the
 * one asked for, the newest by default, and names what is there when asked for what is not.
 */
class ServiceLookupTest {

    /** A release of the service "twice", of the schema version its subclass says. */
    abstract static class Release implements ServiceFactory {
        @Override
        public String name() {
            return "twice";
        }

        @Override
        public Service create(ServiceConfig config) {
            throw new UnsupportedOperationException("only looked up");
        }

        @Override
        public Service restore(ServiceConfig config, int schemaVersion, InputStream in) {
            throw new UnsupportedOperationException("only looked up");
        }
    }

    public static final class One extends Release {
        @Override
        public int schemaVersion() {
            return 1;
        }
    }

    public static final class Two extends Release {
        @Override
        public int schemaVersion() {
            return 2;
        }
    }

    /** The test's class path plus a registration of {@code classes} as service factories. */
    private static ClassLoader registering(Path dir, Class<?>... classes) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder lines = new StringBuilder();
        for (Class<?> c : classes) {
            lines.append(c.getName()).append('\n');
        }
        Files.writeString(services.resolve(ServiceFactory.class.getName()), lines);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ServiceLookupTest.class.getClassLoader());
    }

    @Test
    void theNewestReleaseByDefaultAndTheOneAskedForByVersion(@TempDir Path dir) throws Exception {
        ClassLoader loader = registering(dir, Two.class, One.class);
        assertThat(ServiceLookup.find(loader, "twice", ServiceLookup.NEWEST)).isInstanceOf(Two.class);
        assertThat(ServiceLookup.find(loader, "twice", 1)).isInstanceOf(One.class);
        assertThat(ServiceLookup.find(loader, "twice", 2)).isInstanceOf(Two.class);
    }

    @Test
    void anUnknownVersionNamesTheAvailableOnesAndAnUnknownNameTheKnownServices(@TempDir Path dir) throws Exception {
        ClassLoader loader = registering(dir, One.class, Two.class);
        assertThatThrownBy(() -> ServiceLookup.find(loader, "twice", 3)).hasMessage("service 'twice' has no release "
                + "of schema version 3 on the class path (available: [1, 2]): pick one of those with --service-version");
        assertThatThrownBy(() -> ServiceLookup.find(loader, "thrice", 0)).hasMessageContaining("no service named "
                + "'thrice' on the class path (known: ").hasMessageContaining("arena").hasMessageContaining("twice");
    }

    @Test
    void twoFactoriesClaimingOneVersionAreRefused(@TempDir Path dir) throws Exception {
        ClassLoader loader = registering(dir, One.class, OtherOne.class);
        assertThatThrownBy(() -> ServiceLookup.find(loader, "twice", 0)).hasMessageContaining("claim one schema version");
    }

    public static final class OtherOne extends Release {
        @Override
        public int schemaVersion() {
            return 1;
        }
    }

    @Test
    void serveLooksUpThroughTheSameRoom() {
        assertThat(ServeCommand.findService("arena", ServiceLookup.NEWEST).name()).isEqualTo("arena");
        assertThatThrownBy(() -> ServeCommand.findService("arena", 999)).hasMessageContaining("available: [");
    }
}
