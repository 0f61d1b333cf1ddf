package dev.releasetrain.git;

import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.worker.StepOutcome;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GitHubBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.releasetrain.git.GitWorld.failed;
import static dev.releasetrain.git.GitWorld.params;
import static dev.releasetrain.git.GitWorld.run;
import static dev.releasetrain.git.GitWorld.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bump-chart on charts-clickhouse and sync-version on posthog, with their pull requests on the GitHub stand-in. */
class ChartAndSyncTest {
    GitWorld world;

    @BeforeEach
    void seed() {
        world = new GitWorld();
    }

    @AfterEach
    void clean() {
        world.close();
    }

    @Test
    void chartBumpChangesTheThreeFilesByteForByteAndOpensOneLabelledPullRequest() {
        String main = world.ref("charts-clickhouse", "refs/heads/main");
        Map<String, String> p = params("imageTag", "release-1.29.0");

        Map<String, Object> out = succeeded(run(world.handler(BumpChart::new, "a"), p));

        String branchHead = world.ref("charts-clickhouse", "refs/heads/bump-1.29.0");
        RevCommit commit = world.commit("charts-clickhouse", branchHead);
        assertEquals(main, commit.getParent(0).name());
        assertEquals("Update PostHog App to 1.29.0", commit.getFullMessage());
        assertEquals(GitFixtures.chartYaml("29.1.0", "1.29.0"), world.file("charts-clickhouse", branchHead, "charts/posthog/Chart.yaml"));
        assertEquals(GitFixtures.chartValues("1.29.0").replace("(example: `release-1.35.0`)", "(example: `release-1.29.0`)"),
                world.file("charts-clickhouse", branchHead, "charts/posthog/values.yaml"));
        assertEquals(GitFixtures.allValues("29.1.0", "1.29.0"), world.file("charts-clickhouse", branchHead, "charts/posthog/ALL_VALUES.md"));
        assertEquals(world.file("charts-clickhouse", main, "README.md"), world.file("charts-clickhouse", branchHead, "README.md"));

        List<GitHubStandIn.PullRequest> prs = world.github.pullRequests("PostHog/charts-clickhouse");
        assertEquals(1, prs.size());
        GitHubStandIn.PullRequest pr = prs.get(0);
        assertEquals("bump-1.29.0", pr.head());
        assertEquals("main", pr.base());
        assertEquals(List.of("bump minor"), pr.labels());
        assertTrue(pr.body().contains("https://github.com/PostHog/posthog/releases/tag/1.29.0"), pr.body());
        assertEquals(Map.of("pullRequest", pr.number(), "url", "https://github.com/PostHog/charts-clickhouse/pull/" + pr.number(),
                "branch", "bump-1.29.0", "chartVersion", "29.1.0"), out);

        assertEquals(out, succeeded(run(world.handler(BumpChart::new, "b"), p)), "again, on another worker");
        assertEquals(1, world.github.pullRequests("PostHog/charts-clickhouse").size());
        assertEquals(branchHead, world.ref("charts-clickhouse", "refs/heads/bump-1.29.0"));
    }

    @Test
    void bumpPartAndLabelParamsOverrideTheConfiguredOnes() {
        Map<String, String> p = params("version", "1.28.4", "imageTag", "release-1.28.4", "bumpPart", "patch", "label", "bump patch");

        Map<String, Object> out = succeeded(run(world.handler(BumpChart::new, "a"), p));

        assertEquals("29.0.12", out.get("chartVersion"));
        String head = world.ref("charts-clickhouse", "refs/heads/bump-1.28.4");
        assertEquals(GitFixtures.chartYaml("29.0.12", "1.28.4"), world.file("charts-clickhouse", head, "charts/posthog/Chart.yaml"));
        GitHubStandIn.PullRequest pr = world.github.pullRequests("PostHog/charts-clickhouse").get(0);
        assertEquals(List.of("bump patch"), pr.labels());
        assertTrue(pr.body().contains("chart `version` 29.0.12 (patch bump)"), pr.body());
        assertEquals(out, succeeded(run(world.handler(BumpChart::new, "b"), p)), "again, on another worker");

        StepOutcome.Failed f = failed(run(world.handler(BumpChart::new, "a"),
                params("version", "1.28.5", "imageTag", "release-1.28.5", "bumpPart", "micro")));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("'bumpPart'") && f.reason().contains("micro"), f.reason());
    }

    @Test
    void aMergedChartPullRequestIsReusedAndABumpBranchWithoutPullRequestGetsOne() throws Exception {
        Map<String, String> p = params("imageTag", "release-1.29.0");
        Map<String, Object> out = succeeded(run(world.handler(BumpChart::new, "a"), p));
        GHPullRequest pr = new GitHubBuilder().withEndpoint(world.github.url()).withOAuthToken(GitWorld.TOKEN).build()
                .getRepository("PostHog/charts-clickhouse").getPullRequest((Integer) out.get("pullRequest"));
        pr.merge("chart bump");
        assertEquals(out, succeeded(run(world.handler(BumpChart::new, "b"), p)), "merged: reused, nothing new");
        assertEquals(1, world.github.pullRequests("PostHog/charts-clickhouse").size());

        // another world where a crash came after the push and before the pull request: the same (deterministic)
        // bump commit is on bump-1.29.0 and there is no pull request
        try (GitWorld other = new GitWorld(); Git source = Git.wrap(world.bare("charts-clickhouse"))) {
            source.push().setRemote(other.url("charts-clickhouse"))
                    .setRefSpecs(new RefSpec("refs/heads/bump-1.29.0:refs/heads/bump-1.29.0")).call();
            Map<String, Object> resumed = succeeded(run(other.handler(BumpChart::new, "a"), p));
            assertEquals(world.ref("charts-clickhouse", "refs/heads/bump-1.29.0"),
                    other.ref("charts-clickhouse", "refs/heads/bump-1.29.0"));
            assertEquals(1, other.github.pullRequests("PostHog/charts-clickhouse").size());
            assertEquals("29.1.0", resumed.get("chartVersion"));
        }
    }

    @Test
    void aBumpBranchWithSomethingElseIsAClearFailureAndNoPullRequest() {
        world.setRef("charts-clickhouse", "refs/heads/bump-1.29.0", world.commitOn("charts-clickhouse", "main",
                "charts/posthog/Chart.yaml", "apiVersion: v2\n", "by hand"));

        StepOutcome.Failed f = failed(run(world.handler(BumpChart::new, "a"), params("imageTag", "release-1.29.0")));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("bump-1.29.0 already exists") && f.reason().contains("not the chart bump"), f.reason());
        assertEquals(0, world.github.pullRequests("PostHog/charts-clickhouse").size());
    }

    @Test
    void syncPicksTheBumpOntoMasterWithItsSourceAndOpensOnePullRequest() {
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");
        String bump = (String) succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base))).get("commit");
        succeeded(run(world.handler(PushReleaseBranch::new, "a"), params("commit", bump)));
        String master = world.commitOn("posthog", "master", "README.md", "# PostHog\n", "docs: Shorter readme (#6021)");

        Map<String, Object> out = succeeded(run(world.handler(SyncVersion::new, "b"), params("bumpCommit", bump)));

        String head = world.ref("posthog", "refs/heads/sync-1.29.0");
        RevCommit pick = world.commit("posthog", head);
        assertEquals(master, pick.getParent(0).name());
        assertEquals("chore: Bump version to 1.29.0\n\n(cherry picked from commit " + bump + ")\n", pick.getFullMessage());
        assertEquals(world.file("posthog", bump, "posthog/versions.json"), world.file("posthog", head, "posthog/versions.json"));
        assertEquals("VERSION = \"1.29.0\"\n", world.file("posthog", head, "posthog/version.py"));
        assertEquals("# PostHog\n", world.file("posthog", head, "README.md"));
        List<GitHubStandIn.PullRequest> prs = world.github.pullRequests("PostHog/posthog").stream()
                .filter(pr -> pr.head().equals("sync-1.29.0")).toList();
        assertEquals(1, prs.size());
        assertEquals("master", prs.get(0).base());
        assertEquals(Map.of("pullRequest", prs.get(0).number(), "url", "https://github.com/PostHog/posthog/pull/" + prs.get(0).number(),
                "branch", "sync-1.29.0"), out);

        assertEquals(out, succeeded(run(world.handler(SyncVersion::new, "a"), params("bumpCommit", bump))));
        assertEquals(head, world.ref("posthog", "refs/heads/sync-1.29.0"));
        assertEquals(1, world.github.pullRequests("PostHog/posthog").stream().filter(pr -> pr.head().equals("sync-1.29.0")).count());
    }

    @Test
    void aSyncBranchWithoutTheBumpIsAClearFailure() {
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");
        String bump = (String) succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base))).get("commit");
        succeeded(run(world.handler(PushReleaseBranch::new, "a"), params("commit", bump)));
        world.setRef("posthog", "refs/heads/sync-1.29.0", world.ref("posthog", "refs/heads/master"));

        StepOutcome.Failed f = failed(run(world.handler(SyncVersion::new, "a"), params("bumpCommit", bump)));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("sync-1.29.0 already exists") && f.reason().contains(bump), f.reason());
    }
}
