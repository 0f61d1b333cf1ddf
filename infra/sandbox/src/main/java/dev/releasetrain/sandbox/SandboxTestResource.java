package dev.releasetrain.sandbox;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Quarkus test resource that starts a fresh sandbox in a temporary directory and stops and
 * deletes it afterwards; a service's test resource only says which settings point it at the
 * stand-ins it uses.
 */
public abstract class SandboxTestResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;
    private Sandbox sandbox;

    /** The service's configuration for this sandbox; {@code dir} is the sandbox's own temporary directory. */
    protected abstract Map<String, String> config(Sandbox sandbox, Path dir);

    @Override
    public final Map<String, String> start() {
        try {
            dir = Files.createTempDirectory(getClass().getSimpleName());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sandbox = Sandbox.start(dir);
        return config(sandbox, dir);
    }

    /** Undoes what {@link #config} set outside the returned configuration (e.g. system properties). */
    protected void cleanUp() {
    }

    @Override
    public final void stop() {
        cleanUp();
        if (sandbox != null) {
            sandbox.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }
}
