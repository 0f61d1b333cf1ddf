package dev.releasetrain.git;

import dev.releasetrain.worker.plan.PlanStep;
import dev.releasetrain.sandbox.GitFixtures;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

import static dev.releasetrain.git.GitWorld.params;
import static dev.releasetrain.git.GitWorld.run;
import static dev.releasetrain.git.GitWorld.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plan of 1.29.0's git steps on the seeded remotes: it writes nothing (the remotes' refs are the same, the
 * GitHub stand-in saw no write), and each diff it shows is the diff of the commit the real steps then make.
 */
class ReleasePlannerTest {
    static final String V = GitWorld.VERSION;
    static final String FREEZE_DAY = "freeze-day";
    GitWorld world;

    @BeforeEach
    void seed() {
        world = new GitWorld();
        // master as it was on freeze day: the release branch is cut from it, the fixes merged after it are picked
        world.setRef(GitFixtures.POSTHOG, "refs/heads/" + FREEZE_DAY,
                GitFixtures.commitAt(world.repos.get(GitFixtures.POSTHOG), "master", GitFixtures.FREEZE_TIME));
    }

    @AfterEach
    void clean() {
        world.close();
    }

    /** The monthly runbook's git steps, with the params the coordinator renders for them. */
    static List<PlanStep> monthlyGitSteps() {
        return List.of(
                step("git.cut-release-branch", "git.cut-release-branch", "releaseBranch", "release-" + V, "from", FREEZE_DAY),
                step("git.collect-changelog", "git.collect-changelog", "releaseBranch", "release-" + V),
                step("git.bump-version", "git.bump-version", "releaseBranch", "release-" + V),
                step("git.push-release-branch", "git.push-release-branch", "releaseBranch", "release-" + V),
                step("git.update-playground-values", "git.update-playground-values", "imageTag", "release-" + V + "-unstable"),
                step("git.cherry-pick-fixes", "git.cherry-pick-fixes", "label", "release-" + V,
                        "mergedAfter", GitFixtures.FREEZE_TIME.toString()),
                step("git.cherry-pick-late-fixes", "git.cherry-pick-fixes", "label", "release-" + V,
                        "mergedAfter", GitFixtures.FREEZE_TIME.toString()),
                step("git.tag-release", "git.tag-release", "releaseBranch", "release-" + V),
                step("git.bump-chart", "git.bump-chart", "imageTag", "release-" + V),
                step("git.sync-version", "git.sync-version"),
                step("git.await-sync-merge", "git.await-sync-merge"));
    }

    static PlanStep step(String id, String handler, String... kv) {
        return new PlanStep(id, handler, params(kv));
    }

    Map<String, Map<String, String>> allRefs() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String repo : world.repos.keySet()) {
            out.put(repo, world.refs(repo));
        }
        return out;
    }

    static ReleasePlanner.StepPlan of(List<ReleasePlanner.StepPlan> plan, String step) {
        return plan.stream().filter(p -> p.step().equals(step)).findFirst().orElseThrow();
    }

    static Map<String, String> diffs(ReleasePlanner.StepPlan p) {
        return p.changes().stream().collect(Collectors.toMap(ReleasePlanner.FileChange::path, ReleasePlanner.FileChange::diff,
                (a, b) -> a, LinkedHashMap::new));
    }

    /** The diffs of a commit of a remote, read through a clone of its own. */
    Map<String, String> committed(String repo, String commit) {
        try (Workspace ws = Workspace.open(world.dir.resolve("cache-check"), world.url(repo), null)) {
            ws.fetch(ws.remoteRefs().keySet().stream().filter(r -> r.startsWith("refs/heads/") || r.startsWith("refs/release-train/")).toList());
            return UnifiedDiff.ofCommit(ws, ObjectId.fromString(commit));
        }
    }

    <T extends GitStep> Map<String, Object> real(BiFunction<GitSettings, GitHubAccess, T> make, String... kv) {
        return succeeded(run(world.handler(make, "worker"), params(kv)));
    }

    @Test
    void thePlanWritesNothingAndItsDiffsAreWhatTheRealStepsCommit() {
        Map<String, Map<String, String>> before = allRefs();
        world.github.resetCalls();

        List<ReleasePlanner.StepPlan> plan = new ReleasePlanner(world.settings("planner"), world.githubAccess()).plan(monthlyGitSteps());

        assertEquals(before, allRefs(), "no remote changed");
        assertEquals(0, world.github.writes(), "the GitHub stand-in saw no write");
        assertTrue(world.github.calls() > 0, "GitHub was read (labels, pull requests)");

        // what it would create, and that none of it exists yet
        assertEquals(List.of(new ReleasePlanner.Creates("branch", "PostHog/posthog", "release-" + V, false, null)),
                of(plan, "git.cut-release-branch").creates());
        assertEquals("tag", of(plan, "git.tag-release").creates().get(0).kind());
        assertEquals(List.of("bump-" + V, "Update PostHog App to " + V),
                of(plan, "git.bump-chart").creates().stream().map(ReleasePlanner.Creates::name).toList());
        assertEquals("chore: Bump version to " + V + " on master", of(plan, "git.sync-version").creates().get(1).name());
        // the changelog, the picks, and what it cannot plan
        assertTrue(((String) of(plan, "git.collect-changelog").outputs().get("log")).contains("@"));
        assertEquals(List.of("5996:picked", "6010:picked"), of(plan, "git.cherry-pick-fixes").picks().stream()
                .map(p -> p.pullRequest() + ":" + p.outcome()).toList());
        assertEquals(List.of("5996:on-branch", "6010:on-branch"), of(plan, "git.cherry-pick-late-fixes").picks().stream()
                .map(p -> p.pullRequest() + ":" + p.outcome()).toList());
        assertTrue(of(plan, "git.await-sync-merge").planned(), "it only waits: nothing to change");
        assertEquals(List.of("posthog/version.py", "posthog/versions.json"), List.copyOf(diffs(of(plan, "git.bump-version")).keySet()));
        assertEquals(List.of("charts/posthog/Chart.yaml", "charts/posthog/values.yaml", "charts/posthog/ALL_VALUES.md"),
                List.copyOf(diffs(of(plan, "git.bump-chart")).keySet()));
        assertTrue(diffs(of(plan, "git.bump-version")).get("posthog/version.py").contains("+VERSION = \"" + V + "\""),
                diffs(of(plan, "git.bump-version")).toString());

        // the real run, on another worker: the same commits, the same diffs
        Map<String, Object> cut = real(CutReleaseBranch::new, "releaseBranch", "release-" + V, "from", FREEZE_DAY);
        Map<String, Object> bump = real(BumpVersion::new, "base", (String) cut.get("commit"));
        assertEquals(of(plan, "git.bump-version").outputs().get("commit"), bump.get("commit"), "the very commit the plan made");
        assertEquals(diffs(of(plan, "git.bump-version")), committed(GitFixtures.POSTHOG, (String) bump.get("commit")));
        real(PushReleaseBranch::new, "commit", (String) bump.get("commit"));

        Map<String, Object> values = real(UpdatePlaygroundValues::new, "imageTag", "release-" + V + "-unstable");
        assertEquals(diffs(of(plan, "git.update-playground-values")), committed(GitFixtures.VPC, (String) values.get("commit")));
        assertEquals(values.get("valuesYaml"), of(plan, "git.update-playground-values").outputs().get("valuesYaml"),
                "the values the upgrade would deploy are the ones the step pushes");

        Map<String, Object> picked = real(CherryPickFixes::new, "label", "release-" + V, "mergedAfter", GitFixtures.FREEZE_TIME.toString());
        assertEquals(List.of(5996, 6010), ((List<?>) picked.get("picked")).stream()
                .map(m -> ((Map<?, ?>) m).get("pullRequest")).toList(), "the fixes the plan said it would pick");

        real(BumpChart::new, "imageTag", "release-" + V);
        assertEquals(diffs(of(plan, "git.bump-chart")),
                committed(GitFixtures.CHARTS, world.ref(GitFixtures.CHARTS, "refs/heads/bump-" + V)));

        real(SyncVersion::new, "bumpCommit", (String) bump.get("commit"));
        assertEquals(diffs(of(plan, "git.sync-version")),
                committed(GitFixtures.POSTHOG, world.ref(GitFixtures.POSTHOG, "refs/heads/sync-" + V)));
    }

    @Test
    void thePlanNamesTheConflictACherryPickWouldHitAndPicksNothingPastIt() {
        world.github.addLabels("PostHog/posthog", 6003, "release-" + V);

        List<ReleasePlanner.StepPlan> plan = new ReleasePlanner(world.settings("planner"), world.githubAccess()).plan(monthlyGitSteps());

        ReleasePlanner.StepPlan picks = of(plan, "git.cherry-pick-fixes");
        assertEquals(List.of("5996:picked", "6003:conflict", "6010:not reached (after a conflict)"),
                picks.picks().stream().map(p -> p.pullRequest() + ":" + p.outcome()).toList());
        assertEquals(List.of("posthog/api/team.py"), picks.picks().get(1).conflicts());
        assertTrue(picks.note().contains("would stop at the conflict"), picks.note());
    }

    @Test
    void stepsWhoseWorkIsAlreadyDoneSayWhatExists() {
        Map<String, Object> cut = real(CutReleaseBranch::new, "releaseBranch", "release-" + V, "from", FREEZE_DAY);
        Map<String, Object> bump = real(BumpVersion::new, "base", (String) cut.get("commit"));
        real(PushReleaseBranch::new, "commit", (String) bump.get("commit"));

        List<ReleasePlanner.StepPlan> plan = new ReleasePlanner(world.settings("planner"), world.githubAccess()).plan(monthlyGitSteps());

        ReleasePlanner.Creates branch = of(plan, "git.push-release-branch").creates().get(0);
        assertTrue(branch.exists(), branch.toString());
        assertEquals(bump.get("commit"), branch.at());
    }
}
