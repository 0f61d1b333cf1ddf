package dev.releasetrain.git;

import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.worker.StepOutcome;
import org.eclipse.jgit.revwalk.RevCommit;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cut-release-branch, bump-version, push-release-branch: on the seeded posthog remote, across workers. */
class ReleaseBranchStepsTest {
    static final String BRANCH = "refs/heads/release-1.29.0";
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
    void cutRecordsMastersHeadWithoutPublishingTheBranchAndAnswersTheSameAfterMasterMoved() {
        String master = world.ref("posthog", "refs/heads/master");

        Map<String, Object> first = succeeded(run(world.handler(CutReleaseBranch::new, "a"), params()));

        assertEquals(Map.of("branch", "release-1.29.0", "commit", master), first);
        assertEquals(master, world.ref("posthog", "refs/release-train/1.29.0/cut"));
        assertNull(world.ref("posthog", BRANCH), "CI must not see the branch before the bump");

        world.commitOn("posthog", "master", "README.md", "moved on\n", "docs: Move on (#6020)");
        assertEquals(first, succeeded(run(world.handler(CutReleaseBranch::new, "b"), params())), "another worker, later");
        assertEquals(first, succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())), "redelivered");
    }

    @Test
    void aReleaseBranchThatExistsElsewhereWithoutARecordedCutIsAClearFailure() {
        String older = GitFixtures.commitAt(world.repos.get("posthog"), "master", GitFixtures.FREEZE_TIME);
        world.setRef("posthog", BRANCH, older);

        StepOutcome.Failed f = failed(run(world.handler(CutReleaseBranch::new, "a"), params()));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("release-1.29.0 already exists") && f.reason().contains(older), f.reason());
        assertNull(world.ref("posthog", "refs/release-train/1.29.0/cut"));

        world.setRef("posthog", BRANCH, world.ref("posthog", "refs/heads/master"));
        assertEquals(world.ref("posthog", "refs/heads/master"),
                succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit"), "a branch at master's head is the cut");
    }

    @Test
    void cutFromATagRecordsTheTaggedCommitAndAnswersTheSameLater() {
        String tagged = world.commit("posthog", "refs/tags/1.28.3^{commit}").name();
        Map<String, String> patch = params("version", "1.28.4", "releaseBranch", "release-1.28.4", "from", "refs/tags/1.28.3");

        Map<String, Object> cut = succeeded(run(world.handler(CutReleaseBranch::new, "a"), patch));

        assertEquals(Map.of("branch", "release-1.28.4", "commit", tagged), cut);
        assertEquals(tagged, world.ref("posthog", "refs/release-train/1.28.4/cut"));
        assertNull(world.ref("posthog", "refs/heads/release-1.28.4"));
        world.commitOn("posthog", "master", "README.md", "moved on\n", "docs: Move on (#6020)");
        assertEquals(cut, succeeded(run(world.handler(CutReleaseBranch::new, "b"), patch)), "another worker, later");
    }

    @Test
    void cutFromABranchByFullOrPlainNameAndAMissingRefIsAClearFailure() {
        String master = world.ref("posthog", "refs/heads/master");
        String older = GitFixtures.commitAt(world.repos.get("posthog"), "master", GitFixtures.FREEZE_TIME);
        world.setRef("posthog", "refs/heads/release-1.28.0", older);

        assertEquals(older, succeeded(run(world.handler(CutReleaseBranch::new, "a"),
                params("version", "1.28.5", "from", "release-1.28.0"))).get("commit"));
        assertEquals(older, succeeded(run(world.handler(CutReleaseBranch::new, "a"),
                params("version", "1.28.6", "from", "refs/heads/release-1.28.0"))).get("commit"));
        assertEquals(master, succeeded(run(world.handler(CutReleaseBranch::new, "a"),
                params("version", "1.28.7", "from", ""))).get("commit"), "empty: the default branch");

        StepOutcome.Failed f = failed(run(world.handler(CutReleaseBranch::new, "a"),
                params("version", "1.28.8", "from", "refs/tags/1.27.9")));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("refs/tags/1.27.9 not found"), f.reason());
        assertNull(world.ref("posthog", "refs/release-train/1.28.8/cut"));

        StepOutcome.Failed patch = failed(run(world.handler(CutReleaseBranch::new, "a"),
                params("version", "1.28.9", "kind", "patch", "previousVersion", "1.28.3", "from", "")));
        assertFalse(patch.retryable());
        assertTrue(patch.reason().contains("'from' (e.g. refs/tags/1.28.3) is empty"), patch.reason());
        assertNull(world.ref("posthog", "refs/release-train/1.28.9/cut"), "a patch is never cut from master");
    }

    @Test
    void aBranchAtTheTaggedCommitWithoutARecordIsTheCutAndElsewhereAClearFailure() {
        String tagged = world.commit("posthog", "refs/tags/1.28.3^{commit}").name();
        Map<String, String> patch = params("version", "1.28.4", "releaseBranch", "release-1.28.4", "from", "refs/tags/1.28.3");
        world.setRef("posthog", "refs/heads/release-1.28.4", world.ref("posthog", "refs/heads/master"));

        StepOutcome.Failed f = failed(run(world.handler(CutReleaseBranch::new, "a"), patch));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("release-1.28.4 already exists") && f.reason().contains("refs/tags/1.28.3"), f.reason());

        world.setRef("posthog", "refs/heads/release-1.28.4", tagged);
        assertEquals(tagged, succeeded(run(world.handler(CutReleaseBranch::new, "a"), patch)).get("commit"));
    }

    @Test
    void aMissingRepositoryFailsNotRetryableNamingIt() {
        GitSettings s = world.settings("a");
        GitSettings missing = new GitSettings(new GitSettings.Repo(s.app().url() + "-gone", "master", "PostHog/posthog"),
                s.vpc(), s.charts(), s.valuesPath(), s.chartDir(), s.chartBumpPart(), s.chartLabel(), s.releaseBranch(),
                s.chartBranch(), s.syncBranch(), s.recordRefs(), s.highlightLabel(), s.orgDomains(), s.botName(),
                s.botEmail(), s.cacheDir());

        StepOutcome.Failed f = failed(run(new CutReleaseBranch(missing, world.githubAccess()), params()));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("posthog.git-gone") && f.reason().contains("not found"), f.reason());
    }

    @Test
    void bumpWritesBothFilesByteForByteAsADeterministicCommitStoredOffTheBranch() {
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");

        Map<String, Object> out = succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base)));

        String bump = (String) out.get("commit");
        assertEquals(List.of("posthog/version.py", "posthog/versions.json"), out.get("files"));
        assertEquals(bump, world.ref("posthog", "refs/release-train/1.29.0/bump"));
        assertNull(world.ref("posthog", BRANCH));
        assertEquals("VERSION = \"1.29.0\"\n", world.file("posthog", bump, "posthog/version.py"));
        assertEquals(GitFixtures.versionsJson(List.of(
                new String[]{"1.29.0", "2021-09-27"},
                new String[]{"1.28.3", "2021-09-14"},
                new String[]{"1.28.2", "2021-09-07"},
                new String[]{"1.28.1", "2021-09-02"},
                new String[]{"1.28.0", "2021-08-30"},
                new String[]{"1.27.0", "2021-07-26"},
                new String[]{"1.26.0", "2021-06-28"})), world.file("posthog", bump, "posthog/versions.json"));
        RevCommit c = world.commit("posthog", bump);
        assertEquals("chore: Bump version to 1.29.0", c.getFullMessage());
        assertEquals(base, c.getParent(0).name());
        assertEquals("release-train@posthog.com", c.getAuthorIdent().getEmailAddress());
        assertEquals(GitFixtures.FREEZE_TIME, c.getCommitterIdent().getWhenAsInstant());
        // nothing else changed
        assertEquals(world.file("posthog", base, "README.md"), world.file("posthog", bump, "README.md"));

        // again: on the same worker, on another; and made anew from scratch on a third (same id: deterministic)
        assertEquals(out, succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base))));
        assertEquals(out, succeeded(run(world.handler(BumpVersion::new, "b"), params("base", base))));
        world.deleteRef("posthog", "refs/release-train/1.29.0/bump");
        assertEquals(out, succeeded(run(world.handler(BumpVersion::new, "c"), params("base", base))));
    }

    @Test
    void aBumpRecordedOnAnotherBaseIsAClearFailure() {
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");
        succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base)));
        String other = GitFixtures.commitAt(world.repos.get("posthog"), "master", GitFixtures.FREEZE_TIME);

        StepOutcome.Failed f = failed(run(world.handler(BumpVersion::new, "a"), params("base", other)));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("already recorded") && f.reason().contains(other), f.reason());
    }

    @Test
    void pushPublishesTheBumpFromAnotherWorkerOnceAndRefusesAForeignBranch() throws Exception {
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");
        String bump = (String) succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base))).get("commit");

        Map<String, Object> pushed = succeeded(run(world.handler(PushReleaseBranch::new, "b"), params("commit", bump)));

        assertEquals(Map.of("branch", "release-1.29.0", "commit", bump), pushed);
        assertEquals(bump, world.ref("posthog", BRANCH));
        assertEquals(pushed, succeeded(run(world.handler(PushReleaseBranch::new, "c"), params("commit", bump))));

        world.setRef("posthog", BRANCH, base);
        assertEquals(pushed, succeeded(run(world.handler(PushReleaseBranch::new, "a"), params("commit", bump))),
                "a branch behind the bump (a patch release) moves forward");

        String foreign = world.commitOn("posthog", "release-1.29.0", "hotfix.txt", "x\n", "hotfix by hand");
        StepOutcome.Failed f = failed(run(world.handler(PushReleaseBranch::new, "a"), params("commit", bump)));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains(foreign) && f.reason().contains("neither"), f.reason());
        assertEquals(foreign, world.ref("posthog", BRANCH));
    }

    @Test
    void aRefusedPushFailsTheStepWithTheRemotesReason() throws Exception {
        String base = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");
        String bump = (String) succeeded(run(world.handler(BumpVersion::new, "a"), params("base", base))).get("commit");

        StepOutcome.Failed f;
        try (AutoCloseable refusing = GitFixtures.refuseUpdates(world.repos.get("posthog"), BRANCH)) {
            f = failed(run(world.handler(PushReleaseBranch::new, "a"), params("commit", bump)));
        }

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("refused the push of refs/heads/release-1.29.0"), f.reason());
        assertNull(world.ref("posthog", BRANCH));
        assertEquals(bump, succeeded(run(world.handler(PushReleaseBranch::new, "a"), params("commit", bump))).get("commit"),
                "once the remote accepts again");
    }

    @Test
    void pushOfACommitNobodyRecordedFailsClearly() {
        StepOutcome.Failed f = failed(run(world.handler(PushReleaseBranch::new, "a"),
                params("commit", "0123456789abcdef0123456789abcdef01234567")));
        assertFalse(f.retryable());
        assertTrue(f.reason().contains("0123456789abcdef0123456789abcdef01234567 is not in"), f.reason());
    }
}
