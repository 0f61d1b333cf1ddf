package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.ReleaseStatus;
import dev.releasetrain.coordinator.release.ReleaseState.StepStatus;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.RunbookParser;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in patch plan run by the pure state machine: patch 1.29.1 of the completed 1.29.0 (tagged at a
 * known time), started on a day that is not the calendar's next release day, in a zone where that day
 * differs from UTC's. Every command gets the parameters the services need; the steps run in the plan's order.
 */
class PatchPlanFlowTest {
    static final ZoneId ZONE = ZoneId.of("America/Los_Angeles");
    /** 2026-12-02 03:30 UTC is still 2026-12-01 in Los Angeles. */
    static final Instant STARTED = Instant.parse("2026-12-02T03:30:00Z");
    static final Instant TAGGED_1_29_0 = Instant.parse("2026-11-30T22:05:07Z");
    /** The calendar's next slot: the December release, weeks away. */
    static final ReleaseSchedule.Slot NEXT_MONTH = new ReleaseSchedule.Slot(LocalDate.parse("2026-12-23"),
            Instant.parse("2026-12-23T22:00:00Z"), LocalDate.parse("2026-12-28"), Instant.parse("2026-12-28T22:00:00Z"),
            "bob", "U0BOB", ZONE);

    static Runbook patchPlan() throws IOException {
        try (InputStream in = PatchPlanFlowTest.class.getResourceAsStream("/runbooks/patch.yaml")) {
            return RunbookParser.parse("patch.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    final List<Envelope> log = new ArrayList<>();
    ReleaseStateMachine machine;
    ReleaseState state = ReleaseState.empty("1.29.1");
    Instant now = STARTED;

    void run(ReleaseCommand c) {
        Decision d = machine.decide(state, c, now);
        assertFalse(d.rejected(), () -> d.rejection().message());
        if (c instanceof ReleaseCommand.RecordResult r) {
            append(r.result().data());
        }
        d.events().forEach(this::append);
    }

    void append(ReleaseEvent e) {
        Envelope stored = new Envelope("e" + (log.size() + 1), "/test", "1.29.1", now, (long) log.size() + 1, e);
        log.add(stored);
        state = machine.evolve(state, stored);
    }

    List<StepRequested> requested() {
        return log.stream().map(Envelope::data).filter(StepRequested.class::isInstance).map(StepRequested.class::cast).toList();
    }

    @Test
    void aPatchIsCutFromThePreviousTagPicksTheFixesSinceThatReleaseAndIsDatedTheDayItStarts() throws IOException {
        Runbook plan = patchPlan();
        machine = new ReleaseStateMachine(n -> plan);
        // 1.29.0 completed (tagged); 1.29.2 is not a thing yet; 1.30.0 runs; a proving run holds 1.31.0
        KnownVersions known = KnownVersions.of(List.of("1.28.3"), List.of("1.29.0", "1.30.0", "1.31.0"), Set.of("1.31.0"),
                Map.of("1.29.0", TAGGED_1_29_0.plusSeconds(600), "1.31.0", TAGGED_1_29_0));
        assertEquals(Optional.empty(), known.refusal("1.29.1", "patch"));
        String previous = known.previous("1.29.1", "patch");
        Map<String, String> variables = ReleaseVariables.of("1.29.1", "patch", previous,
                known.releaseTime(previous, v -> Optional.of(TAGGED_1_29_0)),
                NEXT_MONTH, STARTED, "alice");
        run(new ReleaseCommand.Start("1.29.1", "patch", previous, plan, "alice", variables));

        // the plan, in its order; each step answered as its service would
        Map<String, Map<String, Object>> outputs = new LinkedHashMap<>();
        outputs.put("git.cut-release-branch", Map.of("branch", "release-1.29.1", "commit", "aaa111"));
        outputs.put("git.cherry-pick-fixes", Map.of("picked", List.of(Map.of("pullRequest", 42)), "head", "bbb222"));
        outputs.put("git.bump-version", Map.of("commit", "ccc333", "files", List.of("posthog/version.py")));
        outputs.put("git.push-release-branch", Map.of("branch", "release-1.29.1", "commit", "ccc333"));
        outputs.put("deploy.await-unstable-image", Map.of("digest", "sha256:u"));
        outputs.put("git.tag-release", Map.of("tag", "1.29.1", "commit", "ccc333"));
        outputs.put("git.sync-version", Map.of("pullRequest", 77, "url", "https://github.com/PostHog/posthog/pull/77"));
        outputs.put("deploy.await-release-image", Map.of("digest", "sha256:r"));
        outputs.put("git.bump-chart", Map.of("pullRequest", 78));
        outputs.put("git.await-sync-merge", Map.of("mergeCommit", "ddd444", "pullRequest", 77));
        outputs.put("cdn.invalidate", Map.of("invalidationId", "I1", "status", "Completed"));
        outputs.put("notify.announce-release", Map.of("ts", "1.2"));
        List<String> order = new ArrayList<>();
        while (state.status() == ReleaseStatus.RUNNING) {
            StepRequested next = requested().stream()
                    .filter(r -> state.steps().get(r.step()).status() == StepStatus.REQUESTED)
                    .findFirst().orElseThrow(() -> new AssertionError("nothing runs: " + state.steps()));
            order.add(next.step());
            now = now.plusSeconds(30);
            run(new ReleaseCommand.RecordResult(new Envelope("r" + log.size(), "/svc", "1.29.1", now, null,
                    new StepSucceeded(next.step(), next.attempt(), next.commandId(), outputs.get(next.step())))));
        }
        assertEquals(ReleaseStatus.COMPLETED, state.status());
        assertEquals(12, order.size(), order.toString());
        assertTrue(order.indexOf("cdn.invalidate") > order.indexOf("git.await-sync-merge"), "the CDN after the sync merge: " + order);
        assertTrue(order.indexOf("git.tag-release") > order.indexOf("git.cherry-pick-fixes"), order.toString());

        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        requested().forEach(r -> params.put(r.step(), r.params()));
        Map<String, String> cut = params.get("git.cut-release-branch");
        assertEquals("release-1.29.1", cut.get("releaseBranch"), "its own branch, so its own images");
        assertEquals("refs/tags/1.29.0", cut.get("from"), "cut from the tag of the release it patches");
        Map<String, String> pick = params.get("git.cherry-pick-fixes");
        assertEquals("release-1.29.1", pick.get("label"));
        assertEquals(TAGGED_1_29_0.toString(), pick.get("mergedAfter"), "the fixes merged since 1.29.0 was tagged");
        assertEquals("1.29.0", pick.get("previousVersion"), "not the running 1.30.0 nor the proving run");
        Map<String, String> bump = params.get("git.bump-version");
        assertEquals("2026-12-01", bump.get("releaseDate"), "dated the day it started, in the calendar's zone, not the next slot");
        assertEquals("bbb222", bump.get("base"), "on top of the picked fixes");
        assertEquals(STARTED.toString(), bump.get("releaseTime"));
        assertEquals("2026-12-01", bump.get("today"));
        assertEquals("release-1.29.1-unstable", params.get("deploy.await-unstable-image").get("tags"));
        assertEquals("release-1.29.1,latest-release", params.get("deploy.await-release-image").get("tags"));
        Map<String, String> chart = params.get("git.bump-chart");
        assertEquals("release-1.29.1", chart.get("imageTag"));
        assertEquals("patch", chart.get("bumpPart"));
        assertEquals("bump patch", chart.get("label"));
        assertEquals("77", params.get("git.await-sync-merge").get("pullRequest"));
        assertEquals("ccc333", params.get("git.await-sync-merge").get("bumpCommit"));
        assertEquals("", params.get("notify.announce-release").get("postUrl"), "no blog post for a patch");
        assertEquals("patch", params.get("notify.announce-release").get("kind"));
    }

    @Test
    void aPatchOfAVersionReleasedBeforeReleaseTrainHasNoReleaseTimeAndNamesTheTagInstead() throws IOException {
        KnownVersions known = KnownVersions.released(List.of("1.28.2", "1.28.3"));
        String previous = known.previous("1.28.4", "patch");
        Map<String, String> v = ReleaseVariables.of("1.28.4", "patch", previous, known.releaseTime(previous, x -> Optional.empty()),
                NEXT_MONTH, STARTED, "alice");
        assertEquals("1.28.3", v.get("previousVersion"));
        assertEquals("", v.get("previousReleaseTime"), "the git step falls back to the tagger time of 1.28.3");
        assertEquals("refs/tags/1.28.3", v.get("fromRef"));
        Map<String, String> minor = ReleaseVariables.of("1.30.0", "minor", "1.29.0", TAGGED_1_29_0.toString(), NEXT_MONTH, STARTED, "alice");
        assertEquals("2026-12-28", minor.get("releaseDate"), "a minor is launched on its calendar day");
        assertEquals("", minor.get("fromRef"), "a minor is cut from the default branch");
        assertEquals("2026-12-01", minor.get("today"));
    }
}
