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
                "break-the-release", "git.cherry-pick-fixes", "release-day", "git.tag-release", "deploy.await-release-image",
                "git.bump-chart", "notify.publish-release-post", "git.sync-version", "cdn.invalidate",
                "notify.announce-release", "notify.newsletter"), monthly.steps().stream().map(StepDefinition::id).toList());
        assertTrue(monthly.step("break-the-release").orElseThrow().gate().notTheStarter());
        assertEquals("releaseTime", monthly.step("release-day").orElseThrow().gate().opensAt());
        assertEquals(Duration.ofMinutes(45), monthly.step("deploy.await-unstable-image").orElseThrow().timeout());
        assertTrue(monthly.ancestors("git.bump-chart").contains("deploy.await-release-image"), "do not merge before the image is built");
        assertTrue(monthly.ancestors("git.sync-version").contains("notify.publish-release-post"), "the post is out before the notice links to it");
        assertEquals("{{steps.git.update-playground-values.valuesYaml}}",
                monthly.step("deploy.upgrade-playground").orElseThrow().params().get("valuesYaml"));
    }

    @Test
    void thePatchPlanIsTheShortOne() throws IOException {
        Runbook patch = builtIn("patch");
        assertEquals("patch", patch.kind());
        assertTrue(patch.steps().stream().noneMatch(s -> s.isGate() || s.id().startsWith("deploy.upgrade") || s.id().contains("release-post")));
        assertEquals(10, patch.steps().size());
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
