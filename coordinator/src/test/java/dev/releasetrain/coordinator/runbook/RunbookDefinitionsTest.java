package dev.releasetrain.coordinator.runbook;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in plans parse and follow RUNBOOK.md; broken definitions are refused naming file, step and problem. */
class RunbookDefinitionsTest {

    static Runbook builtIn(String name) throws IOException {
        try (InputStream in = RunbookDefinitionsTest.class.getResourceAsStream("/runbooks/" + name + ".yaml")) {
            return RunbookParser.parse(name + ".yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theMonthlyPlanHasEveryStepOfTheRunbookWithBothGates() throws IOException {
        Runbook monthly = builtIn("monthly-minor");
        assertEquals(List.of("notify.announce-code-freeze", "git.cut-release-branch", "git.collect-changelog",
                "git.bump-version", "git.push-release-branch", "deploy.await-unstable-image", "git.update-playground-values",
                "deploy.upgrade-playground", "deploy.verify-playground", "notify.announce-freeze", "notify.draft-release-post",
                "break-the-release", "git.cherry-pick-fixes", "release-day", "git.cherry-pick-late-fixes", "git.tag-release",
                "deploy.await-release-image", "git.bump-chart", "notify.publish-release-post", "git.sync-version",
                "git.await-sync-merge", "cdn.invalidate", "notify.announce-release", "notify.newsletter"),
                monthly.steps().stream().map(StepDefinition::id).toList());
        assertTrue(monthly.step("break-the-release").orElseThrow().gate().notTheStarter());
        assertEquals("releaseTime", monthly.step("release-day").orElseThrow().gate().opensAt());
        assertEquals(Duration.ofMinutes(45), monthly.step("deploy.await-unstable-image").orElseThrow().timeout());
        assertTrue(monthly.ancestors("git.bump-chart").contains("deploy.await-release-image"), "do not merge before the image is built");
        assertTrue(monthly.ancestors("git.sync-version").contains("notify.publish-release-post"), "the post is out before the notice links to it");
        assertEquals("{{steps.git.update-playground-values.valuesYaml}}",
                monthly.step("deploy.upgrade-playground").orElseThrow().params().get("valuesYaml"));
    }

    @Test
    void lateFixesArePickedRightBeforeTheTagAndTheCdnWaitsForTheSyncMerge() throws IOException {
        Runbook monthly = builtIn("monthly-minor");
        StepDefinition early = monthly.step("git.cherry-pick-fixes").orElseThrow();
        StepDefinition late = monthly.step("git.cherry-pick-late-fixes").orElseThrow();
        assertEquals("git.cherry-pick-fixes", late.uses());
        assertEquals("git.cherry-pick-fixes", late.handler());
        assertEquals("git", late.service(), "the service of the handler it uses");
        assertEquals(early.params(), late.params(), "picked again with the same label and window");
        assertEquals(List.of("release-day"), late.dependsOn());
        assertEquals(List.of("git.cherry-pick-late-fixes"), monthly.step("git.tag-release").orElseThrow().dependsOn());

        StepDefinition await = monthly.step("git.await-sync-merge").orElseThrow();
        assertEquals(List.of("git.sync-version"), await.dependsOn());
        assertEquals(java.util.Map.of("pullRequest", "{{steps.git.sync-version.pullRequest}}",
                "bumpCommit", "{{steps.git.bump-version.commit}}"), await.params());
        assertEquals(1, await.retry().maxAttempts());
        assertEquals(Duration.ofMinutes(30), await.timeout());
        assertEquals(List.of("git.await-sync-merge"), monthly.step("cdn.invalidate").orElseThrow().dependsOn());
    }

    @Test
    void thePatchPlanIsCutFromThePreviousTagAndHasNoFreezeNoPlaygroundNoPost() throws IOException {
        Runbook patch = builtIn("patch");
        assertEquals("patch", patch.kind());
        assertEquals(List.of("git.cut-release-branch", "git.cherry-pick-fixes", "git.bump-version", "git.push-release-branch",
                "deploy.await-unstable-image", "git.tag-release", "deploy.await-release-image", "git.bump-chart",
                "git.sync-version", "git.await-sync-merge", "cdn.invalidate", "notify.announce-release"),
                patch.steps().stream().map(StepDefinition::id).toList());
        assertTrue(patch.steps().stream().noneMatch(s -> s.isGate() || s.id().startsWith("deploy.upgrade") || s.id().contains("release-post")));
        assertEquals("{{fromRef}}", patch.step("git.cut-release-branch").orElseThrow().params().get("from"));
        var pick = patch.step("git.cherry-pick-fixes").orElseThrow().params();
        assertEquals("{{previousReleaseTime}}", pick.get("mergedAfter"));
        assertEquals("{{previousVersion}}", pick.get("previousVersion"));
        assertEquals("release-{{version}}", pick.get("label"));
        assertEquals("patch", patch.step("git.bump-chart").orElseThrow().params().get("bumpPart"));
        assertEquals("bump patch", patch.step("git.bump-chart").orElseThrow().params().get("label"));
        assertEquals(List.of("git.await-sync-merge"), patch.step("cdn.invalidate").orElseThrow().dependsOn());
        assertEquals("", patch.step("notify.announce-release").orElseThrow().params().get("postUrl"));
    }

    @Test
    void theProvingPlanIsMarkedAsSuch() throws IOException {
        Runbook proving = builtIn("proving");
        assertEquals(Runbook.PROVING, proving.kind());
        assertTrue(proving.proving());
        assertTrue(!builtIn("monthly-minor").proving());
    }

    @Test
    void aNodeMayReuseAHandlerOfAKnownServiceUnderItsOwnUniqueId() {
        Runbook plan = RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.pick
                  - id: pick-again
                    uses: git.pick
                    needs: [git.pick]
                """);
        assertEquals("git", plan.step("pick-again").orElseThrow().service());
        assertEquals("git.pick", plan.step("pick-again").orElseThrow().handler());
        assertEquals("git.pick", plan.step("git.pick").orElseThrow().handler(), "a step without uses runs its own handler");

        var noShape = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.again
                    uses: cherry-pick
                """));
        assertEquals("runbook 'mine' (mine.yaml), step 'git.again': 'uses: cherry-pick' must name a handler <service>.<step>"
                + " of a known service (git, deploy, cdn, notify), e.g. git.cherry-pick-fixes", noShape.getMessage());
        var unknownService = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: again
                    uses: ftp.upload
                """));
        assertTrue(unknownService.getMessage().contains("'uses: ftp.upload' must name a handler"), unknownService.getMessage());
        var otherService = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: deploy.again
                    uses: git.pick
                """));
        assertTrue(otherService.getMessage().endsWith("step 'deploy.again': the step id names service 'deploy' but 'uses: git.pick'"
                + " is a handler of 'git'"), otherService.getMessage());
        var twice = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.pick
                  - id: git.pick
                    uses: git.pick
                """));
        assertTrue(twice.getMessage().endsWith("step 'git.pick': the step id is used twice"), twice.getMessage());
        var gate = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: qa
                    uses: git.pick
                    gate: { approvers: approver }
                """));
        assertTrue(gate.getMessage().contains("a gate is approved by people and uses no handler"), gate.getMessage());
        var kind = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                kind: major
                steps:
                  - id: git.pick
                """));
        assertTrue(kind.getMessage().contains("kind must be one of minor, patch, proving, got 'major'"), kind.getMessage());
    }

    @Test
    void brokenDefinitionsNameTheFileTheStepAndTheProblem() {
        var unknownService = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: ftp.upload
                """));
        assertEquals("runbook 'mine' (mine.yaml), step 'ftp.upload': unknown service 'ftp' (known: git, deploy, cdn, notify; a gate has 'gate:')",
                unknownService.getMessage());
        var cycle = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.a
                    needs: [git.b]
                  - id: git.b
                    needs: [git.a]
                """));
        assertTrue(cycle.getMessage().contains("(mine.yaml)") && cycle.getMessage().contains("dependency cycle"), cycle.getMessage());
        var missing = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.a
                    needs: [git.nope]
                """));
        assertTrue(missing.getMessage().endsWith("step 'git.a': depends on unknown step 'git.nope'"), missing.getMessage());
        var badTemplate = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.a
                    params: { x: "{{verison}}" }
                """));
        assertTrue(badTemplate.getMessage().endsWith("step 'git.a': param 'x' uses unknown template variable '{{verison}}'"), badTemplate.getMessage());
        var notAnAncestor = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.a
                  - id: git.b
                    params: { c: "{{steps.git.a.commit}}" }
                """));
        assertTrue(notAnAncestor.getMessage().contains("which this step does not depend on"), notAnAncestor.getMessage());
        var typo = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.a
                    timout: 5m
                """));
        assertTrue(typo.getMessage().contains("unknown key 'timout'"), typo.getMessage());
        var duration = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("mine.yaml", """
                name: mine
                steps:
                  - id: git.a
                    timeout: soon
                """));
        assertTrue(duration.getMessage().contains("'soon' is not a duration"), duration.getMessage());
    }

    @Test
    void backoffDoublesUpToTheCap() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofSeconds(5), Duration.ofSeconds(15), true);
        assertEquals(Duration.ofSeconds(5), p.backoffBefore(2));
        assertEquals(Duration.ofSeconds(10), p.backoffBefore(3));
        assertEquals(Duration.ofSeconds(15), p.backoffBefore(4));
        assertEquals(Duration.ofSeconds(15), p.backoffBefore(5));
    }
}
