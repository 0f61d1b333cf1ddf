package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.sandbox.AppSource;
import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.WebsiteFixtures;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the demo and the tests read back from the sandbox to check a release's effects. */
final class SandboxFacts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private SandboxFacts() {
    }

    /** A bare repository of the sandbox's git remotes, which must exist. */
    private static Repository open(Sandbox sandbox, String repo) throws IOException {
        return new FileRepositoryBuilder().setGitDir(sandbox.gitRepositoryPath(repo).toFile()).setMustExist(true).build();
    }

    /** The commit a branch of a sandbox remote points at, read from the bare repository itself. */
    static String headCommit(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            if (id == null) {
                throw new IllegalStateException("sandbox repo " + repo + " has no branch " + branch);
            }
            return id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The commit a branch points at, or null when the branch does not exist. */
    static String branchHead(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            return id == null ? null : id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The paths a branch's tip commit changed against its first parent (empty when the branch does not exist). */
    static java.util.List<String> changedFiles(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo);
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r);
             org.eclipse.jgit.treewalk.TreeWalk tw = new org.eclipse.jgit.treewalk.TreeWalk(r)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            if (id == null) {
                return java.util.List.of();
            }
            org.eclipse.jgit.revwalk.RevCommit tip = walk.parseCommit(id);
            org.eclipse.jgit.revwalk.RevCommit parent = walk.parseCommit(tip.getParent(0));
            tw.setRecursive(true);
            tw.addTree(parent.getTree());
            tw.addTree(tip.getTree());
            tw.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
            java.util.List<String> paths = new java.util.ArrayList<>();
            while (tw.next()) {
                paths.add(tw.getPathString());
            }
            return paths;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The short message of the commit a branch points at, or null when the branch does not exist. */
    static String commitMessage(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo);
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            return id == null ? null : walk.parseCommit(id).getShortMessage();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The commit a revision (branch, tag, {@code refs/...}, commit id) of a sandbox remote names, or null when none. */
    static String commit(Sandbox sandbox, String repo, String revision) {
        try {
            return AppSource.resolve(sandbox.gitRepositoryPath(repo), revision);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A file's text at a revision of a sandbox remote; empty when the revision or the file does not exist. */
    static Optional<String> file(Sandbox sandbox, String repo, String revision, String path) {
        String commit = commit(sandbox, repo, revision);
        if (commit == null) {
            return Optional.empty();
        }
        try (Repository r = open(sandbox, repo); RevWalk walk = new RevWalk(r);
             TreeWalk tw = TreeWalk.forPath(r, path, walk.parseCommit(ObjectId.fromString(commit)).getTree())) {
            return tw == null ? Optional.empty() : Optional.of(new String(r.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code ancestor} is reachable from (or is) {@code revision} in a sandbox remote. */
    static boolean reachable(Sandbox sandbox, String repo, String ancestor, String revision) {
        String tip = commit(sandbox, repo, revision);
        if (tip == null || ancestor == null) {
            return false;
        }
        try (Repository r = open(sandbox, repo); RevWalk walk = new RevWalk(r)) {
            return walk.isMergedInto(walk.parseCommit(ObjectId.fromString(ancestor)), walk.parseCommit(ObjectId.fromString(tip)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether {@code revision} has the change of {@code commit}: every file {@code commit} changed against its first
     * parent has, at {@code revision}, the content it has at {@code commit} (true of a cherry-pick, whatever its id).
     */
    static boolean hasChangeOf(Sandbox sandbox, String repo, String commit, String revision) {
        String tip = commit(sandbox, repo, revision);
        if (tip == null || commit == null) {
            return false;
        }
        try (Repository r = open(sandbox, repo); RevWalk walk = new RevWalk(r); TreeWalk tw = new TreeWalk(r)) {
            RevCommit change = walk.parseCommit(ObjectId.fromString(commit));
            RevCommit parent = walk.parseCommit(change.getParent(0));
            RevCommit at = walk.parseCommit(ObjectId.fromString(tip));
            tw.setRecursive(true);
            tw.addTree(parent.getTree());
            tw.addTree(change.getTree());
            tw.addTree(at.getTree());
            tw.setFilter(TreeFilter.ANY_DIFF);
            boolean any = false;
            while (tw.next()) {
                if (!tw.getObjectId(0).equals(tw.getObjectId(1))) {
                    any = true;
                    if (!tw.getObjectId(1).equals(tw.getObjectId(2))) {
                        return false;
                    }
                }
            }
            return any;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version {@code posthog/version.py} says at a revision of the app remote, or null. */
    static String appVersion(Sandbox sandbox, String revision) {
        String commit = commit(sandbox, GitFixtures.POSTHOG, revision);
        return commit == null ? null : AppSource.version(sandbox.gitRepositoryPath(GitFixtures.POSTHOG), commit).orElse(null);
    }

    /** The versions of {@code posthog/versions.json} at a revision of the app remote, in file order (newest first). */
    static List<String> versionsJson(Sandbox sandbox, String revision) {
        return file(sandbox, GitFixtures.POSTHOG, revision, "posthog/versions.json").map(text -> {
            try {
                List<String> versions = new ArrayList<>();
                for (JsonNode entry : JSON.readTree(text)) {
                    versions.add(entry.path("version").asText());
                }
                return versions;
            } catch (IOException e) {
                return List.<String>of();
            }
        }).orElse(List.of());
    }

    /** {@code version} and {@code appVersion} of the chart's Chart.yaml at a revision of the charts remote (null when missing). */
    static String[] chartVersions(Sandbox sandbox, String revision) {
        Optional<String> chart = file(sandbox, GitFixtures.CHARTS, revision, "charts/posthog/Chart.yaml");
        return new String[]{chart.map(c -> yamlValue(c, "version")).orElse(null), chart.map(c -> yamlValue(c, "appVersion")).orElse(null)};
    }

    private static String yamlValue(String yaml, String key) {
        Matcher m = Pattern.compile("^" + key + ":\\s*[\"']?([^\"'\\s]+)", Pattern.MULTILINE).matcher(yaml);
        return m.find() ? m.group(1) : null;
    }

    /** The pull requests of {@code owner/repo} in the GitHub stand-in opened from branch {@code head}. */
    static List<GitHubStandIn.PullRequest> pullRequests(Sandbox sandbox, String fullName, String head) {
        return sandbox.github().pullRequests(fullName).stream()
                .filter(p -> p.head().equals(head) || p.head().endsWith(":" + head)).toList();
    }

    /**
     * The release post of {@code version} on the website repository's default branch: a file under {@code contents/}
     * that mentions the version; {@code path -> text}, or empty.
     */
    static Optional<Map.Entry<String, String>> websitePost(Sandbox sandbox, String version) {
        return sandbox.githubHosted().files(WebsiteFixtures.FULL_NAME, WebsiteFixtures.defaultBranch()).orElse(Map.of())
                .entrySet().stream()
                .filter(f -> f.getKey().startsWith("contents/") && f.getValue().contains(version))
                .findFirst();
    }

    /** A page a plain GET of a URL answered: status and body. */
    record Page(int status, String body) {
    }

    /** A plain GET of a sandbox URL (the public website), as a browser would; status 0 when nothing answered. */
    static Page get(String url) {
        try {
            java.net.http.HttpResponse<String> r = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .timeout(java.time.Duration.ofSeconds(10)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Page(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Page(0, String.valueOf(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Page(0, "interrupted");
        }
    }

    /** The message of an annotated tag, or null when there is no such annotated tag. */
    static String tagMessage(Sandbox sandbox, String repo, String tag) {
        try (Repository r = open(sandbox, repo);
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r)) {
            ObjectId id = r.resolve("refs/tags/" + tag);
            if (id == null) {
                return null;
            }
            var object = walk.parseAny(id);
            return object instanceof org.eclipse.jgit.revwalk.RevTag t ? t.getFullMessage().trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
