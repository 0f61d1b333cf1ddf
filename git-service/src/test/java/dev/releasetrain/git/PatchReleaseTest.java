package dev.releasetrain.git;

import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.worker.StepHandler;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static dev.releasetrain.git.GitWorld.params;
import static dev.releasetrain.git.GitWorld.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The git side of a patch release, after the minor: 1.29.0 released (tagged on release-1.29.0, its sync and chart
 * pull requests merged), then a fix labelled release-1.29.1 lands on master, and 1.29.1 runs the patch plan's git
 * steps with the parameters the coordinator renders for it.
 */
class PatchReleaseTest {
    static final String FIX_PATH = "posthog/tasks/usage_report.py";
    static final String FIX = "def usage_report_enabled(team):\n    return team is not None and team.usage_reports\n";

    GitWorld world;
    String tag1290;

    @BeforeEach
    void minorReleased() {
        world = new GitWorld();
        String cut = (String) step(CutReleaseBranch::new, params()).get("commit");
        String bump = (String) step(BumpVersion::new, params("base", cut)).get("commit");
        step(PushReleaseBranch::new, params("commit", bump));
        step(CherryPickFixes::new, params("label", "release-1.29.0", "mergedAfter", GitFixtures.FREEZE_TIME.toString()));
        tag1290 = (String) step(TagRelease::new, params()).get("commit");
        int chart = (Integer) step(BumpChart::new, params("imageTag", "release-1.29.0")).get("pullRequest");
        world.github.mergePullRequest("PostHog/charts-clickhouse", chart);
        int sync = (Integer) step(SyncVersion::new, params("bumpCommit", bump)).get("pullRequest");
        world.github.mergePullRequest("PostHog/posthog", sync);
        step(awaitSyncMerge(), params("pullRequest", String.valueOf(sync), "bumpCommit", bump));
    }

    @AfterEach
    void clean() {
        world.close();
    }

    private Map<String, Object> step(BiFunction<GitSettings, GitHubAccess, ? extends StepHandler> make,
                                     Map<String, String> params) {
        return succeeded(GitWorld.run(world.handler(make, "a"), params));
    }

    private Map<String, Object> step(StepHandler handler, Map<String, String> params) {
        return succeeded(GitWorld.run(handler, params));
    }

    private AwaitSyncMerge awaitSyncMerge() {
        return new AwaitSyncMerge(world.settings("a"), world.githubAccess(), Duration.ofSeconds(30), Duration.ofMillis(20),
                Duration.ofMinutes(5));
    }

    /** The release variables of patch 1.29.1 as the coordinator renders them, plus the step's own params. */
    static Map<String, String> patch(String... stepParams) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("version", "1.29.1");
        p.put("previousVersion", "1.29.0");
        p.put("kind", "patch");
        p.put("releaseBranch", "release-1.29.1");
        p.put("owner", "alice");
        p.put("releaseDate", "2021-09-29");
        p.put("releaseTime", "2021-09-29T16:20:00Z");
        p.put("startedBy", "alice");
        p.put("fromRef", "refs/tags/1.29.0");
        p.put("previousReleaseTime", "");
        for (int i = 0; i + 1 < stepParams.length; i += 2) {
            p.put(stepParams[i], stepParams[i + 1]);
        }
        return p;
    }

    @Test
    void thePatchIsCutFromTheMinorsTagPicksTheLateFixAndSyncsCleanlyOntoMaster() throws Exception {
        String master = world.ref("posthog", "refs/heads/master");
        GitHubStandIn.PullRequest fix = world.github.mergeFix("PostHog/posthog",
                "fix(billing): Skip usage reports of deleted teams", FIX_PATH, FIX, Instant.parse("2021-09-28T08:15:00Z"),
                "release-1.29.1", "bug");
        assertEquals(master, world.commit("posthog", fix.mergeCommitSha()).getParent(0).name(), "the fix is on master");

        // 1. cut from the minor's tag: recorded, not published
        Map<String, Object> cut = step(CutReleaseBranch::new, patch("from", "refs/tags/1.29.0"));
        assertEquals(Map.of("branch", "release-1.29.1", "commit", tag1290), cut);
        assertNull(world.ref("posthog", "refs/heads/release-1.29.1"));

        // 2. the fixes labelled release-1.29.1 since tag 1.29.0 (mergedAfter empty: the tag's time), onto the cut
        Map<String, Object> picked = step(CherryPickFixes::new, patch("label", "release-1.29.1", "mergedAfter", ""));
        String head = (String) picked.get("head");
        assertEquals(List.of(Map.of("pullRequest", fix.number(), "sourceCommit", fix.mergeCommitSha(), "commit", head)),
                picked.get("picked"));
        assertEquals(tag1290, world.commit("posthog", head).getParent(0).name());
        assertNull(world.ref("posthog", "refs/heads/release-1.29.1"), "CI must not see the branch before the bump");

        // 3. bump on the picks, 4. publish the branch
        Map<String, Object> bumped = step(BumpVersion::new, patch("base", head));
        String bump = (String) bumped.get("commit");
        assertEquals(GitFixtures.versionsJson(List.of(
                new String[]{"1.29.1", "2021-09-29"},
                new String[]{"1.29.0", "2021-09-27"},
                new String[]{"1.28.3", "2021-09-14"},
                new String[]{"1.28.2", "2021-09-07"},
                new String[]{"1.28.1", "2021-09-02"},
                new String[]{"1.28.0", "2021-08-30"},
                new String[]{"1.27.0", "2021-07-26"},
                new String[]{"1.26.0", "2021-06-28"})), world.file("posthog", bump, "posthog/versions.json"));
        step(PushReleaseBranch::new, patch("commit", bump));
        assertEquals(bump, world.ref("posthog", "refs/heads/release-1.29.1"));

        // 6. the tag, containing the fix
        assertEquals(bump, step(TagRelease::new, patch()).get("commit"));
        try (Repository r = world.bare("posthog"); RevWalk walk = new RevWalk(r)) {
            RevTag tag = walk.parseTag(r.exactRef("refs/tags/1.29.1").getObjectId());
            assertEquals(bump, tag.getObject().name());
            assertEquals(Instant.parse("2021-09-29T16:20:00Z"), tag.getTaggerIdent().getWhenAsInstant());
        }
        assertEquals(FIX, world.file("posthog", "refs/tags/1.29.1", FIX_PATH));
        assertEquals("VERSION = \"1.29.1\"\n", world.file("posthog", "refs/tags/1.29.1", "posthog/version.py"));
        List<RevCommit> patchCommits = world.log("posthog", "refs/tags/1.29.0", "refs/tags/1.29.1");
        assertEquals(List.of("chore: Bump version to 1.29.1", "fix(billing): Skip usage reports of deleted teams (#"
                + fix.number() + ")"), patchCommits.stream().map(RevCommit::getShortMessage).toList());

        // 8. the chart, a patch bump of the minor's merged chart bump
        Map<String, Object> chart = step(BumpChart::new, patch("imageTag", "release-1.29.1", "bumpPart", "patch",
                "label", "bump patch"));
        assertEquals("29.1.1", chart.get("chartVersion"));
        String chartHead = world.ref("charts-clickhouse", "refs/heads/bump-1.29.1");
        assertEquals(GitFixtures.chartYaml("29.1.1", "1.29.1"), world.file("charts-clickhouse", chartHead, "charts/posthog/Chart.yaml"));
        assertEquals(List.of("bump patch"), world.github.pullRequests("PostHog/charts-clickhouse").stream()
                .filter(pr -> pr.head().equals("bump-1.29.1")).findFirst().orElseThrow().labels());

        // 9. the sync onto master, where the minor's sync is merged; 10. merged by a maintainer and awaited
        int sync = (Integer) step(SyncVersion::new, patch("bumpCommit", bump)).get("pullRequest");
        String mergeCommit = world.github.mergePullRequest("PostHog/posthog", sync).mergeCommitSha();
        assertEquals(Map.of("pullRequest", sync, "mergeCommit", mergeCommit),
                step(awaitSyncMerge(), patch("pullRequest", String.valueOf(sync), "bumpCommit", bump)));
        assertEquals(world.file("posthog", bump, "posthog/versions.json"),
                world.file("posthog", "refs/heads/master", "posthog/versions.json"), "both entries on master, newest first");
        assertEquals("VERSION = \"1.29.1\"\n", world.file("posthog", "refs/heads/master", "posthog/version.py"));
        assertEquals(FIX, world.file("posthog", "refs/heads/master", FIX_PATH));
        assertTrue(world.file("posthog", "refs/heads/master", "posthog/api/team.py").contains("read_only_fields"),
                "master kept what it had");
    }
}
