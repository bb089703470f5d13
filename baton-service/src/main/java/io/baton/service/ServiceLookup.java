package io.baton.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The one place a runtime finds the service to host: the {@link ServiceFactory} registered under a name (through
 * {@link ServiceLoader}), in the release asked for. A jar may carry several releases of one service, factories
 * with the same {@link ServiceFactory#name()} and different {@link ServiceFactory#schemaVersion()}, so that a
 * server can be started on the older one (to hand off to the newer, or to reproduce what ran): {@code serve
 * --service NAME --service-version N}; without a version, the newest.
 */
public final class ServiceLookup {

    /** Asks for the newest release of a service. */
    public static final int NEWEST = 0;

    private ServiceLookup() {
    }

    /**
     * The factory of service {@code name} at schema version {@code version} ({@link #NEWEST} for the newest) among
     * those {@code loader} registers; throws IllegalArgumentException naming what is available when there is none,
     * and when two factories claim the same name and version.
     */
    public static ServiceFactory find(ClassLoader loader, String name, int version) {
        List<ServiceFactory> releases = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        for (ServiceFactory f : ServiceLoader.load(ServiceFactory.class, loader)) {
            names.add(f.name());
            if (f.name().equals(name)) {
                releases.add(f);
            }
        }
        if (releases.isEmpty()) {
            throw new IllegalArgumentException("no service named '" + name + "' on the class path (known: "
                    + String.join(", ", names) + "): pick one of those with --service");
        }
        releases.sort(Comparator.comparingInt(ServiceFactory::schemaVersion));
        TreeSet<Integer> versions = new TreeSet<>();
        releases.forEach(f -> versions.add(f.schemaVersion()));
        if (versions.size() != releases.size()) {
            throw new IllegalArgumentException("two factories of service '" + name + "' claim one schema version ("
                    + releases.stream().map(f -> f.getClass().getName() + " " + f.schemaVersion()).toList()
                    + "): each release must have its own version");
        }
        if (version == NEWEST) {
            return releases.get(releases.size() - 1);
        }
        for (ServiceFactory f : releases) {
            if (f.schemaVersion() == version) {
                return f;
            }
        }
        throw new IllegalArgumentException("service '" + name + "' has no release of schema version " + version
                + " on the class path (available: " + versions + "): pick one of those with --service-version");
    }
}
