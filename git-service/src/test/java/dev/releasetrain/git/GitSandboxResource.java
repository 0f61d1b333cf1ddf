package dev.releasetrain.git;

import dev.releasetrain.sandbox.Sandbox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Starts the sandbox and points git-service at its seeded bare repositories and its GitHub stand-in. */
public class GitSandboxResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;
    private Sandbox sandbox;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("git-service-sandbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sandbox = Sandbox.start(dir);
        return Map.of(
                "release-train.git.repository-url", sandbox.gitRemoteUrl("posthog"),
                "release-train.git.default-branch", sandbox.gitDefaultBranch("posthog"),
                "release-train.git.repositories.vpc.url", sandbox.gitRemoteUrl("vpc"),
                "release-train.git.repositories.charts.url", sandbox.gitRemoteUrl("charts-clickhouse"),
                "release-train.github.api-url", sandbox.githubUrl(),
                "release-train.github.token", sandbox.githubToken(),
                "release-train.git.cache-dir", dir.resolve("clones").toString());
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }
}
