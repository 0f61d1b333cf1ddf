package dev.releasetrain.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.worker.StepOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.releasetrain.git.GitWorld.params;
import static dev.releasetrain.git.GitWorld.run;
import static dev.releasetrain.git.GitWorld.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two releases whose version bumps reach master in the other order than their versions: 1.29.0 and 1.30.0 at once
 * (or a patch of an older minor after the next minor shipped). The older one's sync keeps master at the newer
 * version and lists its own in version order, whether master moved before its sync branch was made or while its
 * pull request waited.
 */
class ConcurrentSyncTest {
    static final String OLDER = GitWorld.VERSION; // 1.29.0
    static final String NEWER = "1.30.0";
    static final ObjectMapper JSON = new ObjectMapper();

    GitWorld world;

    @BeforeEach
    void start() {
        world = new GitWorld();
    }

    @AfterEach
    void stop() {
        world.close();
    }

    /** The release variables of {@code version}: 1.29.0's, or 1.30.0's a month later. */
    static Map<String, String> releaseParams(String version, String... stepParams) {
        Map<String, String> p = params(stepParams);
        if (version.equals(NEWER)) {
            p.put("version", NEWER);
            p.put("previousVersion", OLDER);
            p.put("releaseBranch", "release-" + NEWER);
            p.put("releaseDate", "2021-10-25");
            p.put("releaseTime", "2021-10-25T14:00:00Z");
        }
        return p;
    }

    /** Cut, bump, push and sync of one release: its bump commit and sync pull request. */
    private String[] releaseUpToSync(String version) {
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), releaseParams(version))).get("commit");
        String bump = (String) succeeded(run(world.handler(BumpVersion::new, "a"), releaseParams(version, "base", base))).get("commit");
        succeeded(run(world.handler(PushReleaseBranch::new, "a"), releaseParams(version, "commit", bump)));
        Object pr = succeeded(run(world.handler(SyncVersion::new, "a"), releaseParams(version, "bumpCommit", bump))).get("pullRequest");
        return new String[]{bump, String.valueOf(pr)};
    }

    private List<String> masterVersions() throws Exception {
        List<String> versions = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(world.file(GitFixtures.POSTHOG, "master", BumpVersion.VERSIONS_JSON))) {
            versions.add(entry.path("version").asText());
        }
        return versions;
    }

    private String masterVersionPy() {
        return FileEdits.versionOfPy(world.file(GitFixtures.POSTHOG, "master", BumpVersion.VERSION_PY));
    }

    @Test
    void theOlderReleasesSyncMadeAfterTheNewerMergedKeepsMasterAtTheNewerVersion() throws Exception {
        String[] newer = releaseUpToSync(NEWER);
        world.github.mergePullRequest("PostHog/posthog", Integer.parseInt(newer[1]));

        String[] older = releaseUpToSync(OLDER); // its pick of the bump conflicts in both version files
        world.github.mergePullRequest("PostHog/posthog", Integer.parseInt(older[1]));

        assertEquals(NEWER, masterVersionPy());
        assertEquals(List.of(NEWER, OLDER, GitFixtures.CURRENT_VERSION), masterVersions().subList(0, 3));
        // a second run finds its branch and pull request
        Map<String, Object> again = succeeded(run(world.handler(SyncVersion::new, "b"), releaseParams(OLDER, "bumpCommit", older[0])));
        assertEquals(Integer.parseInt(older[1]), again.get("pullRequest"));
    }

    @Test
    void aSyncPullRequestThatConflictsAfterTheOtherMergedIsRebuiltOnMasterAndThenMerges() throws Exception {
        String[] older = releaseUpToSync(OLDER);
        String[] newer = releaseUpToSync(NEWER);
        world.github.mergePullRequest("PostHog/posthog", Integer.parseInt(newer[1]));
        // as it stands, 1.29.0's pull request no longer merges (both touched the same lines)
        assertThrows(IllegalStateException.class, () -> world.github.mergePullRequest("PostHog/posthog", Integer.parseInt(older[1])));

        List<String> progress = new CopyOnWriteArrayList<>();
        AwaitSyncMerge await = new AwaitSyncMerge(world.settings("a"), world.githubAccess(), Duration.ofMinutes(2),
                Duration.ofMillis(20), Duration.ofMinutes(5));
        var step = java.util.concurrent.CompletableFuture.supplyAsync(() -> GitWorld.runAs(await, await.stepId(),
                params("pullRequest", older[1], "bumpCommit", older[0]), (m, d) -> progress.add(m)));
        org.awaitility.Awaitility.await("the sync branch rebuilt").atMost(Duration.ofSeconds(30))
                .until(() -> progress.stream().anyMatch(m -> m.contains("was rebuilt on it")));
        world.github.mergePullRequest("PostHog/posthog", Integer.parseInt(older[1]));

        StepOutcome outcome = step.get();
        assertTrue(outcome instanceof StepOutcome.Succeeded, outcome::toString);
        assertEquals(NEWER, masterVersionPy());
        assertEquals(List.of(NEWER, OLDER, GitFixtures.CURRENT_VERSION), masterVersions().subList(0, 3));
        assertEquals(1, progress.stream().filter(m -> m.contains("was rebuilt on it")).count(), "rebuilt once: " + progress);
    }

    @Test
    void aSyncPullRequestThatStillMergesIsLeftAlone() throws Exception {
        String[] older = releaseUpToSync(OLDER);
        String before = world.file(GitFixtures.POSTHOG, "sync-" + OLDER, BumpVersion.VERSIONS_JSON);
        List<String> progress = new CopyOnWriteArrayList<>();
        AwaitSyncMerge await = new AwaitSyncMerge(world.settings("a"), world.githubAccess(), Duration.ofMillis(200),
                Duration.ofMillis(20), Duration.ofMinutes(5));
        StepOutcome waited = GitWorld.runAs(await, await.stepId(), params("pullRequest", older[1], "bumpCommit", older[0]),
                (m, d) -> progress.add(m));
        assertTrue(waited instanceof StepOutcome.Failed, "not merged within the wait: " + waited);
        assertTrue(progress.stream().noneMatch(m -> m.contains("rebuilt")), progress.toString());
        assertEquals(before, world.file(GitFixtures.POSTHOG, "sync-" + OLDER, BumpVersion.VERSIONS_JSON));
    }
}
