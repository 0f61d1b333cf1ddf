package dev.releasetrain.git;

import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.worker.StepOutcome;
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

/** collect-changelog against the posthog remote and the GitHub stand-in; update-playground-values on vpc. */
class ChangelogAndPlaygroundTest {
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
    void changelogIsTheLogOfPrevToHeadWithExternalContributorsAndHighlights() {
        String head = (String) succeeded(run(world.handler(CutReleaseBranch::new, "a"), params())).get("commit");

        Map<String, Object> out = succeeded(run(world.handler(CollectChangelog::new, "b"), params("head", head)));

        assertEquals("""
                fix(plugins): Retry plugin setup on transient errors (#6010) 41899876+hedgehog-fan@users.noreply.github.com
                fix(session-recording): Make console log capture read-only until enabled (#6003) alex@posthog.com
                fix(insights): Keep the legend toggle working on empty series (#5996) tomas@posthog.com
                feat(session-recording): Add console log capture toggle to project settings (#5991) alex@posthog.com
                chore(deps): Bump kea to 2.4.7 (#5985) priya@posthog.com
                fix(cohorts): Handle empty person properties in cohort filters (#5979) sam.okafor@outlook.com
                refactor(ingestion): Move event property validation to the plugin server (#5967) alex@posthog.com
                feat(plugins): Redact plugin config secrets in logs (#5952) 41899876+hedgehog-fan@users.noreply.github.com
                fix: Persist property filters when switching insight tabs (#5948) tomas@posthog.com
                feat(insights): Show legend toggle on line graphs (#5934) alex@posthog.com""", out.get("log"));
        assertEquals(10, out.get("commits"));
        assertEquals(List.of("41899876+hedgehog-fan@users.noreply.github.com", "sam.okafor@outlook.com"),
                out.get("externalContributors"));
        assertEquals(List.of(
                Map.of("number", 5934, "title", "feat(insights): Show legend toggle on line graphs",
                        "url", "https://github.com/PostHog/posthog/pull/5934"),
                Map.of("number", 5952, "title", "feat(plugins): Redact plugin config secrets in logs",
                        "url", "https://github.com/PostHog/posthog/pull/5952"),
                Map.of("number", 5991, "title", "feat(session-recording): Add console log capture toggle to project settings",
                        "url", "https://github.com/PostHog/posthog/pull/5991")), out.get("highlights"),
                "5902 is a highlight too, but merged before 1.28.3");

        assertEquals(out, succeeded(run(world.handler(CollectChangelog::new, "a"), params("head", head))));
    }

    @Test
    void anUnknownHeadOrPreviousVersionFailsNotRetryable() {
        StepOutcome.Failed unknownHead = failed(run(world.handler(CollectChangelog::new, "a"),
                params("head", "0123456789abcdef0123456789abcdef01234567")));
        assertFalse(unknownHead.retryable());
        assertTrue(unknownHead.reason().contains("0123456789abcdef0123456789abcdef01234567"), unknownHead.reason());

        String head = world.ref("posthog", "refs/heads/master");
        StepOutcome.Failed noTag = failed(run(world.handler(CollectChangelog::new, "a"),
                params("head", head, "previousVersion", "1.27.9")));
        assertFalse(noTag.retryable());
        assertTrue(noTag.reason().contains("refs/tags/1.27.9 not found"), noTag.reason());
    }

    @Test
    void aWrongGitHubTokenFailsNotRetryableWithoutShowingIt() {
        String head = world.ref("posthog", "refs/heads/master");
        CollectChangelog step = new CollectChangelog(world.settings("a"), new GitHubAccess(world.github.url(), "ghp_wrongToken123456"));

        StepOutcome.Failed f = failed(run(step, params("head", head)));

        assertFalse(f.retryable());
        assertTrue(f.reason().contains("401"), f.reason());
        assertFalse(f.reason().contains("ghp_wrongToken123456"), f.reason());
    }

    @Test
    void playgroundValuesGetTheImageTagAndNothingElseOnceAcrossRuns() {
        String before = world.ref("vpc", "refs/heads/main");
        Map<String, String> p = params("imageTag", "release-1.29.0-unstable");

        Map<String, Object> out = succeeded(run(world.handler(UpdatePlaygroundValues::new, "a"), p));

        String expected = GitFixtures.playgroundValues("release-1.29.0-unstable");
        String commit = (String) out.get("commit");
        assertEquals(Map.of("commit", commit, "path", "client_values/posthog/playground.yaml", "valuesYaml", expected), out);
        assertEquals(commit, world.ref("vpc", "refs/heads/main"));
        assertEquals(expected, world.file("vpc", commit, "client_values/posthog/playground.yaml"));
        assertEquals(before, world.commit("vpc", commit).getParent(0).name());
        assertEquals("playground: deploy release-1.29.0-unstable", world.commit("vpc", commit).getFullMessage());

        assertEquals(out, succeeded(run(world.handler(UpdatePlaygroundValues::new, "b"), p)), "again: nothing new");
        assertEquals(1, world.log("vpc", before, "refs/heads/main").size());
    }

    @Test
    void playgroundValuesAreRedoneOnTopOfAConcurrentChange() {
        String values = GitFixtures.playgroundValues("release-1.28.3-unstable").replace("replicacount: 2", "replicacount: 3");
        String theirs = world.commitOn("vpc", "main", "client_values/posthog/playground.yaml", values, "playground: 3 web pods");

        Map<String, Object> out = succeeded(run(world.handler(UpdatePlaygroundValues::new, "a"),
                params("imageTag", "release-1.29.0-unstable")));

        assertEquals(values.replace("tag: release-1.28.3-unstable", "tag: release-1.29.0-unstable"), out.get("valuesYaml"));
        assertEquals(theirs, world.commit("vpc", (String) out.get("commit")).getParent(0).name());
    }
}
