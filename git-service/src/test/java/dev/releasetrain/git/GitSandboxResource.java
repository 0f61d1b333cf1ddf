package dev.releasetrain.git;

import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;

import java.nio.file.Path;
import java.util.Map;

/** Starts the sandbox and points git-service at its seeded bare repositories and its GitHub stand-in. */
public class GitSandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        return Map.of(
                "release-train.git.repository-url", sandbox.git().url("posthog"),
                "release-train.git.default-branch", sandbox.git().defaultBranch("posthog"),
                "release-train.git.repositories.vpc.url", sandbox.git().url("vpc"),
                "release-train.git.repositories.charts.url", sandbox.git().url("charts-clickhouse"),
                "release-train.github.api-url", sandbox.github().url(),
                "release-train.github.token", sandbox.github().token(),
                "release-train.git.cache-dir", dir.resolve("clones").toString());
    }
}
