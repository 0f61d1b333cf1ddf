package dev.releasetrain.sandbox;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seeded bare git repositories of a sandbox ({@link GitFixtures#REPOSITORIES}: posthog, vpc,
 * charts-clickhouse), reached as {@code file://} remotes.
 */
public final class GitRemotes {

    private final Map<String, Path> repositories;

    GitRemotes(Map<String, Path> repositories) {
        this.repositories = new LinkedHashMap<>(repositories);
    }

    /** The names of the seeded repositories. */
    public List<String> names() {
        return List.copyOf(repositories.keySet());
    }

    /** Path of a seeded bare repository. */
    public Path path(String repo) {
        Path p = repositories.get(repo);
        if (p == null) {
            throw new IllegalArgumentException("no seeded repository " + repo + "; known: " + repositories.keySet());
        }
        return p;
    }

    /** {@code file://} URL of a seeded bare repository. */
    public String url(String repo) {
        return GitFixtures.fileUrl(path(repo));
    }

    /** Default branch of a seeded repository (master for posthog, main for the others). */
    public String defaultBranch(String repo) {
        path(repo);
        return GitFixtures.defaultBranch(repo);
    }
}
