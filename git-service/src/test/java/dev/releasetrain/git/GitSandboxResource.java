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
                "release-train.git.repository-url", sandbox.gitRemoteUrl("posthog"),
                "release-train.git.default-branch", sandbox.gitDefaultBranch("posthog"),
                "release-train.git.repositories.vpc.url", sandbox.gitRemoteUrl("vpc"),
                "release-train.git.repositories.charts.url", sandbox.gitRemoteUrl("charts-clickhouse"),
                "release-train.github.api-url", sandbox.githubUrl(),
                "release-train.github.token", sandbox.githubToken(),
                "release-train.git.cache-dir", dir.resolve("clones").toString());
    }
}
