package dev.releasetrain.git;

import dev.releasetrain.worker.StepOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GitHubBuilder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.releasetrain.git.GitWorld.failed;
import static dev.releasetrain.git.GitWorld.params;
import static dev.releasetrain.git.GitWorld.run;
import static dev.releasetrain.git.GitWorld.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** await-sync-merge on the sync pull request of 1.29.0, merged (or not) on the GitHub stand-in. */
class AwaitSyncMergeTest {
    static final Duration POLL = Duration.ofMillis(20);

    GitWorld world;
    String bump;
    int pullRequest;

    @BeforeEach
    void syncPullRequestOpened() {
        world = new GitWorld();
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");
        bump = (String) succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base))).get("commit");
        succeeded(run(world.handler(PushReleaseBranch::new, "a"), params("commit", bump)));
        pullRequest = (Integer) succeeded(run(world.handler(SyncVersion::new, "a"), params("bumpCommit", bump))).get("pullRequest");
    }

    @AfterEach
    void clean() {
        world.close();
    }

    private AwaitSyncMerge handler(Duration maxWait) {
        return new AwaitSyncMerge(world.settings("a"), world.githubAccess(), maxWait, POLL, Duration.ofMinutes(5));
    }

    private Map<String, String> awaitParams() {
        return params("pullRequest", String.valueOf(pullRequest), "bumpCommit", bump);
    }

    private record Progress(String message, Map<String, Object> details) {
    }

    /** Runs the step on another thread, its progress reports collected. */
    private CompletableFuture<StepOutcome> start(AwaitSyncMerge handler, List<Progress> progress) {
        return CompletableFuture.supplyAsync(() -> GitWorld.runAs(handler, handler.stepId(), awaitParams(),
                (m, d) -> progress.add(new Progress(m, d))));
    }

    private static void until(List<Progress> progress, String fragment) {
        org.awaitility.Awaitility.await("progress containing '" + fragment + "'")
                .atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> List.copyOf(progress).stream().anyMatch(p -> p.message().contains(fragment)));
    }

    @Test
    void waitsWithProgressUntilThePullRequestIsMergedAndMasterListsTheVersion() throws Exception {
        List<Progress> progress = new CopyOnWriteArrayList<>();
        CompletableFuture<StepOutcome> step = start(handler(Duration.ofMinutes(2)), progress);

        until(progress, "is open, waiting for it to be merged");
        assertFalse(step.isDone());
        Progress waiting = progress.get(0);
        assertEquals(pullRequest, waiting.details().get("pullRequest"));
        assertEquals("open", waiting.details().get("state"));
        assertEquals(bump, waiting.details().get("bumpCommit"));

        String mergeCommit = world.github.mergePullRequest("PostHog/posthog", pullRequest).mergeCommitSha();

        Map<String, Object> out = succeeded(step.get(20, TimeUnit.SECONDS));
        assertEquals(Map.of("pullRequest", pullRequest, "mergeCommit", mergeCommit), out);
        assertEquals(mergeCommit, world.ref("posthog", "refs/heads/master"));
        assertTrue(world.file("posthog", "refs/heads/master", "posthog/versions.json").contains("\"1.29.0\""));
        assertEquals(1, progress.size(), "one report while nothing changed: " + progress);

        assertEquals(out, succeeded(run(handler(Duration.ofMinutes(2)), awaitParams())), "already merged: at once");
    }

    @Test
    void aMergeWithoutTheVersionOnMasterIsWaitedOnUntilMasterListsIt() throws Exception {
        // the sync branch lost its pick: merging it brings nothing of the bump to master
        world.setRef("posthog", "refs/heads/sync-1.29.0", world.ref("posthog", "refs/heads/master"));
        world.commitOn("posthog", "sync-1.29.0", "docs/sync.md", "sync\n", "docs: Note the sync");
        List<Progress> progress = new CopyOnWriteArrayList<>();
        CompletableFuture<StepOutcome> step = start(handler(Duration.ofMinutes(2)), progress);
        until(progress, "is open");
        String mergeCommit = world.github.mergePullRequest("PostHog/posthog", pullRequest).mergeCommitSha();

        until(progress, "is merged (" + mergeCommit + "), waiting for posthog/versions.json on master to list 1.29.0");
        assertFalse(step.isDone());
        world.commitOn("posthog", "master", "posthog/versions.json", world.file("posthog", bump, "posthog/versions.json"),
                "chore: Bump version to 1.29.0 on master by hand");

        assertEquals(Map.of("pullRequest", pullRequest, "mergeCommit", mergeCommit), succeeded(step.get(20, TimeUnit.SECONDS)));
    }

    @Test
    void notMergedWithinTheMaxWaitIsAFailureForAPerson() {
        String master = world.ref("posthog", "refs/heads/master");
        List<Progress> progress = new CopyOnWriteArrayList<>();
        StepOutcome.Failed f = failed(GitWorld.runAs(handler(Duration.ofMillis(300)), "git.await-sync-merge", awaitParams(),
                (m, d) -> progress.add(new Progress(m, d))));

        assertFalse(f.retryable());
        assertTrue(f.reason().startsWith("sync PR #" + pullRequest + " is not merged after 300ms: merge it, then retry the step"),
                f.reason());
        assertFalse(progress.isEmpty());
        assertEquals(master, world.ref("posthog", "refs/heads/master"), "master untouched");
    }

    @Test
    void aPullRequestClosedWithoutMergeFailsAtOnce() throws Exception {
        GHPullRequest pr = new GitHubBuilder().withEndpoint(world.github.url()).withOAuthToken(GitWorld.TOKEN).build()
                .getRepository("PostHog/posthog").getPullRequest(pullRequest);
        pr.close();

        StepOutcome.Failed f = failed(run(handler(Duration.ofMinutes(2)), awaitParams()));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("sync PR #" + pullRequest) && f.reason().contains("closed without being merged"), f.reason());
    }

    @Test
    void aPullRequestParamThatIsNotANumberIsAFailureForAPerson() {
        StepOutcome.Failed f = failed(run(handler(Duration.ofMinutes(2)), params("pullRequest", "{{steps.x}}", "bumpCommit", bump)));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("'pullRequest'"), f.reason());
    }
}
