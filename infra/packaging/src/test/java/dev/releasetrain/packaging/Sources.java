package dev.releasetrain.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository's files, and the configuration properties the applications read. */
final class Sources {
    private static final Pattern PROPERTY = Pattern.compile("\"(release-train\\.[a-z0-9.\\-]+)\"");
    private static final Pattern PROPERTIES_KEY = Pattern.compile("^#?(release-train\\.[a-z0-9.\\-]+)=", Pattern.MULTILINE);

    private Sources() {
    }

    /** The repository's root (the build passes it; else the module's grandparent directory). */
    static Path root() {
        return Path.of(System.getProperty("release-train.root", "../..")).toAbsolutePath().normalize();
    }

    /** The Maven module of a component of the chart: coordinator, git -> git-service, ... */
    static String module(String component) {
        return component.equals("coordinator") ? "coordinator" : component + "-service";
    }

    /**
     * The {@code release-train.*} properties the component's application reads: string literals in its
     * main sources and the keys of its configuration files, commented-out examples included (the services'
     * with worker-runtime's).
     */
    static Set<String> properties(String component) {
        List<String> modules = component.equals("coordinator")
                ? List.of("coordinator") : List.of(module(component), "worker-runtime");
        Set<String> names = new HashSet<>();
        for (String module : modules) {
            Path main = root().resolve(module).resolve("src/main");
            try (Stream<Path> files = Files.walk(main)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".java")) {
                        collect(PROPERTY.matcher(Files.readString(f)), names);
                    } else if (name.endsWith(".properties")) {
                        collect(PROPERTIES_KEY.matcher(Files.readString(f)), names);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    /** The environment variable SmallRye Config reads a property from. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static void collect(Matcher m, Set<String> into) {
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}
