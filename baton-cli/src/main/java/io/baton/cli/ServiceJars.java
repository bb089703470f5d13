package io.baton.cli;

import io.baton.service.ServiceFactory;
import io.baton.service.ServiceLookup;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Finds the service {@code serve --service NAME} hosts: among those built into baton.jar and those of the
 * jars given with {@code --service-jar}, loaded by a class loader of their own.
 *
 * <p>Why a class loader here rather than {@code java -cp baton.jar:FILE} in the launcher: the CLI is the one
 * place that sees every way serve is started ({@code ./baton}, {@code java -jar baton.jar}, {@code --config}
 * files, tests calling {@link Main#run}), and the one that can say what a wrong jar holds. The jars' loader
 * delegates to Baton's first, so the SPI the service implements is Baton's own even if a jar bundles a copy.
 */
final class ServiceJars {

    /** Where {@link ServiceLoader} reads the factories a jar registers. */
    static final String REGISTRATION = "META-INF/services/" + ServiceFactory.class.getName();

    private ServiceJars() {
    }

    /**
     * The factory named {@code name} in release {@code version} ({@link ServiceLookup#NEWEST}: the newest), among
     * those built in and those the jars register; {@link ServiceLookup} chooses among the releases.
     *
     * @throws IllegalArgumentException naming the jar that is missing or not a jar, or, when no factory has
     *                                  that name, every name found (built in and per jar) and the fix, or, when
     *                                  no release has that version, the versions there are
     */
    static ServiceFactory find(String name, int version, List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        Map<Path, List<String>> registered = new LinkedHashMap<>();
        for (Path jar : jars) {
            urls.add(checked(jar, registered));
        }
        ClassLoader baton = ServiceJars.class.getClassLoader();
        ClassLoader loader = jars.isEmpty() ? baton : new URLClassLoader(urls.toArray(URL[]::new), baton);
        List<String> builtIn = new ArrayList<>();
        Map<String, List<String>> byJar = new LinkedHashMap<>(); // a jar's URL -> the service names it holds
        try {
            for (ServiceFactory f : ServiceLoader.load(ServiceFactory.class, loader)) {
                if (f.name().equals(name)) {
                    ServiceFactory release = ServiceLookup.find(loader, name, version);
                    if (loader != baton) {
                        // The service's own threads (the core's loop is made after this) see its jars.
                        Thread.currentThread().setContextClassLoader(loader);
                    }
                    return release;
                }
                if (f.getClass().getClassLoader() == loader && loader != baton) {
                    byJar.computeIfAbsent(String.valueOf(f.getClass().getProtectionDomain().getCodeSource()
                            .getLocation()), k -> new ArrayList<>()).add(f.name());
                } else {
                    builtIn.add(f.name());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("loading the services of --service-jar " + jars + " failed: "
                    + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")") + "; each class named in "
                    + REGISTRATION + " must be public, implement " + ServiceFactory.class.getName() + " with a public "
                    + "no-argument constructor, and find every class it needs in baton.jar or a --service-jar", e);
        }
        StringBuilder m = new StringBuilder("no service named '").append(name).append("': built into baton.jar: ")
                .append(String.join(", ", builtIn));
        for (int i = 0; i < jars.size(); i++) {
            Path jar = jars.get(i);
            List<String> classes = registered.get(jar);
            List<String> services = byJar.getOrDefault(String.valueOf(urls.get(i)), List.of());
            m.append("; ").append(jar).append(classes.isEmpty()
                    ? " registers no service factory (it has no " + REGISTRATION + ")"
                    : " registers " + String.join(", ", classes) + (services.isEmpty() ? ""
                            : ", named " + String.join(", ", services)));
        }
        m.append(jars.isEmpty()
                ? ". A service of your own: give its jar with --service-jar FILE (README, \"A service of your own\")"
                : ". Give --service one of those names, or the jar that registers '" + name + "' in " + REGISTRATION
                        + " with --service-jar");
        throw new IllegalArgumentException(m.toString());
    }

    /** The jar's URL, once it is known to be a readable jar; what it registers goes into {@code registered}. */
    private static URL checked(Path jar, Map<Path, List<String>> registered) {
        if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw new IllegalArgumentException("--service-jar " + jar + ": no such file, or not readable by this user "
                    + "(the working directory is " + Path.of("").toAbsolutePath() + "); give the jar your service's "
                    + "build writes (mvn package: target/NAME.jar)");
        }
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry entry = file.getEntry(REGISTRATION);
            if (entry != null) {
                try (InputStream in = file.getInputStream(entry)) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        String provider = line.replaceFirst("#.*", "").trim();
                        if (!provider.isEmpty()) {
                            names.add(provider);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--service-jar " + jar + " is not a jar (" + e.getMessage() + "); give "
                    + "the jar your service's build writes (mvn package: target/NAME.jar)", e);
        }
        registered.put(jar, names);
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("--service-jar " + jar + ": " + e.getMessage(), e);
        }
    }
}
