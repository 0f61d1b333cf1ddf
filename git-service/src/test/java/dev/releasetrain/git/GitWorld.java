package dev.releasetrain.git;

import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A fresh world per test: the seeded bare repositories (posthog, vpc, charts-clickhouse) in a temporary folder
 * and a GitHub stand-in over them; handlers built as a worker would build them, each "worker" with its own clone
 * cache, so a test can run steps on different workers.
 */
final class GitWorld implements AutoCloseable {
    static final String VERSION = GitFixtures.NEXT_VERSION;
    static final String TOKEN = "ghp_gitServiceTest000000000000000000000";

    final Path dir;
    final Map<String, Path> repos;
    final GitHubStandIn github;

    GitWorld() {
        try {
            dir = Files.createTempDirectory("git-world");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        repos = GitFixtures.seed(dir.resolve("git"));
        github = GitHubStandIn.start(TOKEN, repos, "posthog.com");
    }

    GitSettings settings(String worker) {
        return new GitSettings(
                new GitSettings.Repo(url(GitFixtures.POSTHOG), "master", "PostHog/posthog"),
                new GitSettings.Repo(url(GitFixtures.VPC), "main", "PostHog/vpc"),
                new GitSettings.Repo(url(GitFixtures.CHARTS), "main", "PostHog/charts-clickhouse"),
                "client_values/posthog/playground.yaml", "charts/posthog", "minor", "bump minor",
                "release-{version}", "bump-{version}", "sync-{version}", "refs/release-train/", "highlight",
                List.of("posthog.com"), "PostHog Release Train", "release-train@posthog.com",
                dir.resolve("cache-" + worker));
    }

    GitHubAccess githubAccess() {
        return new GitHubAccess(github.url(), TOKEN);
    }

    /** A handler of a worker with its own clone cache. */
    <T extends StepHandler> T handler(BiFunction<GitSettings, GitHubAccess, T> make, String worker) {
        return make.apply(settings(worker), githubAccess());
    }

    String url(String repo) {
        return GitFixtures.fileUrl(repos.get(repo));
    }

    /** The release variables of 1.29.0 as the coordinator renders them, plus the step's own params. */
    static Map<String, String> params(String... stepParams) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("version", VERSION);
        p.put("previousVersion", GitFixtures.CURRENT_VERSION);
        p.put("kind", "minor");
        p.put("releaseBranch", "release-" + VERSION);
        p.put("owner", "alice");
        p.put("freezeDate", "2021-09-22");
        p.put("freezeTime", GitFixtures.FREEZE_TIME.toString());
        p.put("releaseDate", "2021-09-27");
        p.put("releaseTime", "2021-09-27T14:00:00Z");
        p.put("startedBy", "alice");
        for (int i = 0; i + 1 < stepParams.length; i += 2) {
            p.put(stepParams[i], stepParams[i + 1]);
        }
        return p;
    }

    static StepOutcome run(StepHandler handler, Map<String, String> params) {
        return runAs(handler, handler.stepId(), params, (m, d) -> {
        });
    }

    /**
     * Runs a handler as the runbook node {@code step} (a node may reuse another step's handler: the command then
     * names the node, not the handler), its progress reports to {@code progress}.
     */
    static StepOutcome runAs(StepHandler handler, String step, Map<String, String> params,
                             BiConsumer<String, Map<String, Object>> progress) {
        StepContext ctx = new StepContext(params.getOrDefault("version", VERSION), step, 1, UUID.randomUUID().toString(),
                params, progress);
        try {
            return handler.run(ctx);
        } catch (StepFailure f) {
            return f.outcome();
        } catch (Exception e) {
            throw new AssertionError("handler threw " + e, e);
        }
    }

    static Map<String, Object> succeeded(StepOutcome outcome) {
        return assertInstanceOf(StepOutcome.Succeeded.class, outcome, String.valueOf(outcome)).outputs();
    }

    static StepOutcome.Failed failed(StepOutcome outcome) {
        return assertInstanceOf(StepOutcome.Failed.class, outcome, String.valueOf(outcome));
    }

    // ---------------------------------------------------------------- reading the remotes

    Repository bare(String repo) {
        try {
            return new FileRepositoryBuilder().setGitDir(repos.get(repo).toFile()).setMustExist(true).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The id a ref of a remote names, or null. */
    String ref(String repo, String ref) {
        try (Repository r = bare(repo)) {
            Ref found = r.exactRef(ref);
            return found == null ? null : found.getObjectId().name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, String> refs(String repo) {
        Map<String, String> out = new HashMap<>();
        try (Repository r = bare(repo)) {
            for (Ref ref : r.getRefDatabase().getRefs()) {
                out.put(ref.getName(), ref.getObjectId().name());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    RevCommit commit(String repo, String id) {
        try (Repository r = bare(repo); RevWalk walk = new RevWalk(r)) {
            RevCommit c = walk.parseCommit(r.resolve(id));
            walk.parseBody(c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a file at a revision of a remote, as UTF-8 text; null when absent. */
    String file(String repo, String rev, String path) {
        try (Repository r = bare(repo); RevWalk walk = new RevWalk(r)) {
            RevCommit c = walk.parseCommit(r.resolve(rev));
            try (TreeWalk tw = TreeWalk.forPath(r, path, c.getTree())) {
                if (tw == null) {
                    return null;
                }
                ObjectLoader loader = r.open(tw.getObjectId(0));
                return new String(loader.getBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits reachable from {@code head} and not from {@code base}, newest first. */
    List<RevCommit> log(String repo, String base, String head) {
        List<RevCommit> out = new ArrayList<>();
        try (Repository r = bare(repo); RevWalk walk = new RevWalk(r)) {
            walk.markStart(walk.parseCommit(r.resolve(head)));
            walk.markUninteresting(walk.parseCommit(r.resolve(base)));
            for (RevCommit c : walk) {
                walk.parseBody(c);
                out.add(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    // ---------------------------------------------------------------- changing the remotes behind the steps' back

    /** Sets (or creates) a ref of a remote directly, as someone pushing by hand would. */
    void setRef(String repo, String ref, String id) {
        try (Repository r = bare(repo)) {
            RefUpdate u = r.updateRef(ref);
            u.setNewObjectId(ObjectId.fromString(id));
            u.setForceUpdate(true);
            RefUpdate.Result result = u.update();
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NO_CHANGE
                    && result != RefUpdate.Result.FAST_FORWARD) {
                throw new IllegalStateException("cannot set " + ref + ": " + result);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void deleteRef(String repo, String ref) {
        try (Repository r = bare(repo)) {
            RefUpdate u = r.updateRef(ref);
            u.setForceUpdate(true);
            u.delete();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits a file change on a branch of a remote (through a scratch clone) and returns the new commit. */
    String commitOn(String repo, String branch, String path, String content, String message) {
        Path scratch = dir.resolve("scratch-" + UUID.randomUUID());
        try (Git git = Git.cloneRepository().setURI(url(repo)).setBranch(branch).setDirectory(scratch.toFile()).call()) {
            Path file = scratch.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            git.add().addFilepattern(path).call();
            PersonIdent who = new PersonIdent("Dana Whitfield", "dana@posthog.com", Instant.parse("2021-09-26T10:00:00Z"),
                    ZoneOffset.UTC);
            RevCommit c = git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
            git.push().setRefSpecs(new RefSpec("HEAD:refs/heads/" + branch)).call();
            return c.name();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        github.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
