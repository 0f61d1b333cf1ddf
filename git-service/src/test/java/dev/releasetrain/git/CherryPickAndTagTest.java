package dev.releasetrain.git;

import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.worker.StepOutcome;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.releasetrain.git.GitWorld.failed;
import static dev.releasetrain.git.GitWorld.params;
import static dev.releasetrain.git.GitWorld.run;
import static dev.releasetrain.git.GitWorld.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cherry-pick-fixes and tag-release on a release branch cut at the freeze. */
class CherryPickAndTagTest {
    static final String BRANCH = "refs/heads/release-1.29.0";
    GitWorld world;
    String freeze;
    Map<String, String> pickParams = params("label", "release-1.29.0", "mergedAfter", GitFixtures.FREEZE_TIME.toString());

    @BeforeEach
    void seed() {
        world = new GitWorld();
        freeze = GitFixtures.commitAt(world.repos.get("posthog"), "master", GitFixtures.FREEZE_TIME);
        world.setRef("posthog", BRANCH, freeze); // the branch as cut on freeze day
    }

    @AfterEach
    void clean() {
        world.close();
    }

    private String mergeCommit(int pr) {
        return GitFixtures.mergedPullRequests(world.repos.get("posthog"), "posthog").stream()
                .filter(p -> p.number() == pr).findFirst().orElseThrow().mergeCommitSha();
    }

    @Test
    void picksTheLabelledFixesMergedAfterTheFreezeInMergeOrderWithTheirSourceOnce() {
        Map<String, Object> out = succeeded(run(world.handler(CherryPickFixes::new, "a"), pickParams));

        String head = world.ref("posthog", BRANCH);
        List<RevCommit> picks = world.log("posthog", freeze, BRANCH);
        assertEquals(2, picks.size());
        RevCommit first = picks.get(1);
        RevCommit second = picks.get(0);
        assertEquals(List.of(
                Map.of("pullRequest", 5996, "sourceCommit", mergeCommit(5996), "commit", first.name()),
                Map.of("pullRequest", 6010, "sourceCommit", mergeCommit(6010), "commit", second.name())), out.get("picked"));
        assertEquals(head, out.get("head"));
        assertEquals(List.of(), out.get("alreadyOnBranch"));
        assertEquals("fix(insights): Keep the legend toggle working on empty series (#5996)\n\n(cherry picked from commit "
                + mergeCommit(5996) + ")\n", first.getFullMessage());
        assertEquals("tomas@posthog.com", first.getAuthorIdent().getEmailAddress());
        assertEquals(world.file("posthog", "refs/heads/master", "plugin-server/src/worker/plugins/run.ts"),
                world.file("posthog", head, "plugin-server/src/worker/plugins/run.ts"));
        assertEquals(world.file("posthog", freeze, "posthog/api/team.py"), world.file("posthog", head, "posthog/api/team.py"),
                "5991 and 6003 are not labelled: not picked");

        Map<String, Object> again = succeeded(run(world.handler(CherryPickFixes::new, "b"), pickParams));
        assertEquals(out, again);
        assertEquals(head, world.ref("posthog", BRANCH));
    }

    @Test
    void afterACrashBetweenPicksOnlyTheRestIsPicked() {
        succeeded(run(world.handler(CherryPickFixes::new, "a"), pickParams));
        List<RevCommit> picks = world.log("posthog", freeze, BRANCH);
        world.setRef("posthog", BRANCH, picks.get(1).name()); // as if only the first pick had been pushed

        Map<String, Object> out = succeeded(run(world.handler(CherryPickFixes::new, "b"), pickParams));

        List<RevCommit> now = world.log("posthog", freeze, BRANCH);
        assertEquals(2, now.size());
        assertEquals(picks.get(1), now.get(1));
        assertEquals(List.of(5996, 6010), ((List<?>) out.get("picked")).stream().map(m -> ((Map<?, ?>) m).get("pullRequest")).toList());
    }

    @Test
    void aConflictFailsNamingThePullRequestAndFilesAndLeavesTheRemoteBranchAsItWas() {
        world.github.addLabels("PostHog/posthog", 6003, "release-1.29.0");

        StepOutcome.Failed f = failed(run(world.handler(CherryPickFixes::new, "a"), pickParams));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("#6003") && f.reason().contains("posthog/api/team.py"), f.reason());
        assertEquals(freeze, world.ref("posthog", BRANCH), "not even the clean pick of 5996 was pushed");
    }

    @Test
    void noMatchingPullRequestIsSuccessAndFixesAlreadyOnTheBranchAreNotPicked() {
        Map<String, Object> none = succeeded(run(world.handler(CherryPickFixes::new, "a"),
                params("label", "release-1.29.0", "mergedAfter", "2021-10-01T00:00:00Z")));
        assertEquals(Map.of("picked", List.of(), "alreadyOnBranch", List.of(), "head", freeze), none);

        String master = world.ref("posthog", "refs/heads/master");
        world.setRef("posthog", BRANCH, master); // cut after the fixes landed
        Map<String, Object> out = succeeded(run(world.handler(CherryPickFixes::new, "a"), pickParams));
        assertEquals(Map.of("picked", List.of(), "alreadyOnBranch", List.of(5996, 6010), "head", master), out);
    }

    private static List<?> numbers(Map<String, Object> out) {
        return ((List<?>) out.get("picked")).stream().map(m -> ((Map<?, ?>) m).get("pullRequest")).toList();
    }

    @Test
    void withoutMergedAfterTheFixesMergedSinceThePreviousVersionsTagArePicked() {
        // annotated tag 1.28.3, made 2021-09-14T10:09:17Z: 5979 (merged 09-21) counts too, and the cut has it
        Map<String, Object> out = succeeded(run(world.handler(CherryPickFixes::new, "a"),
                params("label", "release-1.29.0", "mergedAfter", "", "previousVersion", "1.28.3")));
        assertEquals(List.of(5996, 6010), numbers(out));
        assertEquals(List.of(5979), out.get("alreadyOnBranch"));

        // a lightweight tag: its commit's time (5991, 2021-09-23T15:47:26Z); 5979 is older
        world.setRef("posthog", "refs/tags/1.28.9", mergeCommit(5991));
        Map<String, Object> light = succeeded(run(world.handler(CherryPickFixes::new, "b"),
                params("label", "release-1.29.0", "mergedAfter", " ", "previousVersion", "1.28.9")));
        assertEquals(List.of(5996, 6010), numbers(light));
        assertEquals(List.of(), light.get("alreadyOnBranch"));
    }

    @Test
    void neitherMergedAfterNorAPreviousTagIsAFailureForAPerson() {
        StepOutcome.Failed neither = failed(run(world.handler(CherryPickFixes::new, "a"),
                params("label", "release-1.29.0", "mergedAfter", "", "previousVersion", "")));
        assertFalse(neither.retryable());
        assertTrue(neither.reason().contains("'mergedAfter'") && neither.reason().contains("'previousVersion'"), neither.reason());

        StepOutcome.Failed noTag = failed(run(world.handler(CherryPickFixes::new, "a"),
                params("label", "release-1.29.0", "mergedAfter", "", "previousVersion", "1.28.7")));
        assertFalse(noTag.retryable());
        assertTrue(noTag.reason().contains("tag 1.28.7") && noTag.reason().contains("mergedAfter"), noTag.reason());
        assertEquals(freeze, world.ref("posthog", BRANCH));
    }

    @Test
    void aSecondNodeUsingTheHandlerPicksOnlyTheFixLabelledSinceTheFirst() {
        Map<String, Object> first = succeeded(GitWorld.runAs(world.handler(CherryPickFixes::new, "a"),
                "git.cherry-pick-fixes", pickParams, (m, d) -> {
                }));
        String afterFirst = world.ref("posthog", BRANCH);
        GitHubStandIn.PullRequest late = world.github.mergeFix("PostHog/posthog",
                "fix(funnels): Keep the conversion window on empty funnels", "posthog/queries/funnels/empty.py",
                "EMPTY_WINDOW_SECONDS = 0\n", Instant.parse("2021-09-27T09:30:00Z"), "release-1.29.0");

        Map<String, Object> second = succeeded(GitWorld.runAs(world.handler(CherryPickFixes::new, "b"),
                "git.cherry-pick-late-fixes", pickParams, (m, d) -> {
                }));

        assertEquals(List.of(5996, 6010, late.number()), numbers(second));
        assertEquals(first.get("picked"), ((List<?>) second.get("picked")).subList(0, 2), "earlier picks as they were");
        List<RevCommit> picks = world.log("posthog", freeze, BRANCH);
        assertEquals(3, picks.size());
        assertEquals(afterFirst, picks.get(1).name(), "on top of the first run's picks");
        assertEquals("fix(funnels): Keep the conversion window on empty funnels (#" + late.number()
                + ")\n\n(cherry picked from commit " + late.mergeCommitSha() + ")\n", picks.get(0).getFullMessage());
        assertEquals(second.get("head"), world.ref("posthog", BRANCH));
        assertEquals("EMPTY_WINDOW_SECONDS = 0\n", world.file("posthog", BRANCH, "posthog/queries/funnels/empty.py"));

        assertEquals(second, succeeded(GitWorld.runAs(world.handler(CherryPickFixes::new, "a"),
                "git.cherry-pick-late-fixes", pickParams, (m, d) -> {
                })), "redelivered: nothing new");
        assertEquals(3, world.log("posthog", freeze, BRANCH).size());
    }

    @Test
    void anUnpublishedBranchGetsItsPicksOnTheRecordedCutOffTheBranch() {
        world.deleteRef("posthog", BRANCH);
        world.setRef("posthog", "refs/release-train/1.29.0/cut", freeze);

        Map<String, Object> out = succeeded(run(world.handler(CherryPickFixes::new, "a"), pickParams));

        String picks = world.ref("posthog", "refs/release-train/1.29.0/picks");
        assertEquals(picks, out.get("head"));
        assertEquals(List.of(5996, 6010), numbers(out));
        assertEquals(2, world.log("posthog", freeze, picks).size());
        assertNull(world.ref("posthog", BRANCH), "CI must not see the branch before the bump");
        assertEquals(out, succeeded(run(world.handler(CherryPickFixes::new, "b"), pickParams)), "again, another worker");
        assertEquals(picks, world.ref("posthog", "refs/release-train/1.29.0/picks"));
        world.deleteRef("posthog", "refs/release-train/1.29.0/cut");
        assertEquals(out, succeeded(run(world.handler(CherryPickFixes::new, "a"), pickParams)), "the picks are enough");
    }

    @Test
    void aMissingReleaseBranchFailsNotRetryable() {
        world.deleteRef("posthog", BRANCH);
        StepOutcome.Failed f = failed(run(world.handler(CherryPickFixes::new, "a"), pickParams));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("release branch release-1.29.0 not found") && f.reason().contains("no cut of 1.29.0"),
                f.reason());
    }

    @Test
    void tagIsAnnotatedOnTheBranchHeadOnceAndAForeignTagIsAClearFailure() throws Exception {
        Map<String, Object> out = succeeded(run(world.handler(TagRelease::new, "a"), params()));

        assertEquals(Map.of("tag", "1.29.0", "commit", freeze), out);
        try (Repository r = world.bare("posthog"); RevWalk walk = new RevWalk(r)) {
            RevTag tag = walk.parseTag(r.exactRef("refs/tags/1.29.0").getObjectId());
            assertEquals("Version 1.29.0\n", tag.getFullMessage());
            assertEquals(freeze, tag.getObject().name());
            assertEquals(Instant.parse("2021-09-27T14:00:00Z"), tag.getTaggerIdent().getWhenAsInstant());
        }
        String tagObject = world.ref("posthog", "refs/tags/1.29.0");
        assertEquals(out, succeeded(run(world.handler(TagRelease::new, "b"), params())));
        assertEquals(tagObject, world.ref("posthog", "refs/tags/1.29.0"));

        succeeded(run(world.handler(CherryPickFixes::new, "a"), pickParams)); // the branch moved after tagging
        StepOutcome.Failed f = failed(run(world.handler(TagRelease::new, "a"), params()));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("tag 1.29.0 already exists") && f.reason().contains(freeze), f.reason());
    }
}
