package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.StepStatus;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.RunbookParser;
import dev.releasetrain.coordinator.timeline.Timeline;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.ApprovalVoided;
import dev.releasetrain.protocol.ReleaseEvent.GateApproved;
import dev.releasetrain.protocol.ReleaseEvent.GateOpened;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Approvals bound to what was approved, on the built-in monthly plan and the pure state machine: the
 * break-the-release approval records the release branch commit, the playground's image digest and chart; a
 * cherry-pick that moves the branch voids it, the gate opens again and nothing after it runs until a new approval.
 */
class ApprovalBindingsTest {
    static final String CUT = "1111111111111111111111111111111111111111";
    static final String BUMP = "2222222222222222222222222222222222222222";
    static final String PICKED = "3333333333333333333333333333333333333333";
    static final String LATE = "4444444444444444444444444444444444444444";
    static final String UNSTABLE = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String RELEASE_IMAGE = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    static Runbook monthly() {
        try (InputStream in = ApprovalBindingsTest.class.getResourceAsStream("/runbooks/monthly-minor.yaml")) {
            return RunbookParser.parse("monthly-minor.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    final Runbook plan = monthly();
    final ReleaseStateMachine machine = new ReleaseStateMachine(n -> plan);
    final List<Envelope> log = new ArrayList<>();
    ReleaseState state = ReleaseState.empty("1.29.0");
    Instant now = Instant.parse("2026-11-25T14:00:00Z");
    /** What each step answers when it succeeds; a test changes an entry to move an artifact. */
    final Map<String, Map<String, Object>> outputs = new LinkedHashMap<>();

    {
        outputs.put("git.cut-release-branch", Map.of("branch", "release-1.29.0", "commit", CUT));
        outputs.put("git.collect-changelog", Map.of("log", "fix: a thing a@posthog.com", "highlights", List.of(),
                "externalContributors", List.of()));
        outputs.put("git.bump-version", Map.of("commit", BUMP));
        outputs.put("git.push-release-branch", Map.of("branch", "release-1.29.0", "commit", BUMP));
        outputs.put("deploy.await-unstable-image", Map.of("digest", UNSTABLE));
        outputs.put("git.update-playground-values", Map.of("commit", "5555", "valuesYaml", "image: x"));
        outputs.put("deploy.upgrade-playground", Map.of("revision", 7, "status", "deployed", "chart", "posthog-30.2.1"));
        outputs.put("notify.draft-release-post", Map.of("pullRequest", 12));
        outputs.put("git.cherry-pick-fixes", Map.of("picked", List.of(), "head", BUMP));
        outputs.put("git.cherry-pick-late-fixes", Map.of("picked", List.of(), "head", BUMP));
        outputs.put("git.tag-release", Map.of("tag", "1.29.0", "commit", BUMP));
        outputs.put("deploy.await-release-image", Map.of("digest", RELEASE_IMAGE));
        outputs.put("notify.publish-release-post", Map.of("url", "https://posthog.com/blog/1-29-0"));
        outputs.put("git.sync-version", Map.of("pullRequest", 40));
    }

    Decision run(ReleaseCommand c) {
        Decision d = machine.decide(state, c, now);
        assertFalse(d.rejected(), () -> d.rejection().message());
        if (c instanceof ReleaseCommand.RecordResult r) {
            append(r.result().data());
        }
        d.events().forEach(this::append);
        return d;
    }

    void append(ReleaseEvent e) {
        Envelope stored = new Envelope("e" + (log.size() + 1), "/test", "1.29.0", now, (long) log.size() + 1, e);
        log.add(stored);
        state = machine.evolve(state, stored);
    }

    void start() {
        run(new ReleaseCommand.Start("1.29.0", "minor", "1.28.3", plan, "alice", Map.of("version", "1.29.0",
                "releaseBranch", "release-1.29.0", "owner", "alice", "releaseTime", "2026-11-30T14:00:00Z",
                "freezeTime", "2026-11-25T14:00:00Z")));
    }

    /** Lets every requested step succeed with its canned outputs, until none is requested but {@code stopAt}. */
    void runStepsUntil(String... stopAt) {
        List<String> stops = List.of(stopAt);
        boolean moved = true;
        while (moved) {
            moved = false;
            for (ReleaseState.StepState step : state.steps().values()) {
                if (step.status() == StepStatus.REQUESTED && !stops.contains(step.id())) {
                    run(new ReleaseCommand.RecordResult(new Envelope("r" + log.size(), "/svc", "1.29.0", now, null,
                            new StepSucceeded(step.id(), step.attempt(), step.commandId(),
                                    outputs.getOrDefault(step.id(), Map.of())))));
                    moved = true;
                    break;
                }
            }
        }
    }

    void succeed(String step) {
        ReleaseState.StepState s = state.steps().get(step);
        assertEquals(StepStatus.REQUESTED, s.status(), step + " is requested");
        run(new ReleaseCommand.RecordResult(new Envelope("r" + log.size(), "/svc", "1.29.0", now, null,
                new StepSucceeded(step, s.attempt(), s.commandId(), outputs.get(step)))));
    }

    void approve(String gate, String who) {
        run(new ReleaseCommand.ApproveGate(gate, who, true, "looks good", null));
    }

    <T extends ReleaseEvent> List<T> events(Class<T> type) {
        return log.stream().map(Envelope::data).filter(type::isInstance).map(type::cast).toList();
    }

    StepStatus status(String step) {
        return state.steps().get(step).status();
    }

    @Test
    void anApprovalRecordsTheBranchCommitTheImageDigestAndTheChartItWasGivenOn() {
        start();
        runStepsUntil();
        assertEquals(StepStatus.AWAITING_APPROVAL, status("break-the-release"));
        approve("break-the-release", "bob");

        GateApproved approved = events(GateApproved.class).get(0);
        assertEquals(Map.of("releaseBranchCommit", BUMP, "playgroundImageDigest", UNSTABLE, "playgroundChart", "posthog-30.2.1"),
                approved.bound());
    }

    @Test
    void aCherryPickThatMovesTheBranchVoidsTheApprovalAndTheGateWaitsAgain() {
        start();
        runStepsUntil();
        approve("break-the-release", "bob");
        outputs.put("git.cherry-pick-fixes", Map.of("picked", List.of(Map.of("pullRequest", 5996)), "head", PICKED));
        succeed("git.cherry-pick-fixes");

        ApprovalVoided voided = events(ApprovalVoided.class).get(0);
        assertEquals("break-the-release", voided.gate());
        assertEquals("bob", voided.approver());
        assertEquals(List.of(new ApprovalVoided.BindingChange("releaseBranchCommit", BUMP, PICKED, "git.cherry-pick-fixes.head")),
                voided.changes());
        assertEquals("the approval by bob no longer holds: releaseBranchCommit changed from 222222222222 to 333333333333"
                + " (git.cherry-pick-fixes.head)", voided.reason());
        // the gate opens again, saying why, and release-day (after it) does not open
        assertEquals(StepStatus.AWAITING_APPROVAL, status("break-the-release"));
        GateOpened reopened = events(GateOpened.class).get(1);
        assertEquals("break-the-release", reopened.gate());
        assertTrue(reopened.reason().contains(voided.reason()), reopened.reason());
        assertEquals(StepStatus.PENDING, status("release-day"));
        runStepsUntil();
        assertEquals(StepStatus.PENDING, status("release-day"), "nothing after a voided gate runs");

        // a new approval binds the branch as it is now, and the release goes on
        approve("break-the-release", "bob");
        assertEquals(PICKED, events(GateApproved.class).get(1).bound().get("releaseBranchCommit"));
        assertEquals(StepStatus.AWAITING_APPROVAL, status("release-day"));
        assertEquals(1, events(ApprovalVoided.class).size());
    }

    @Test
    void anApprovalSurvivesWhenNothingChangedAndTheReleaseCompletes() {
        start();
        runStepsUntil();
        approve("break-the-release", "bob");
        runStepsUntil();
        approve("release-day", "alice");
        runStepsUntil();

        assertEquals(List.of(), events(ApprovalVoided.class));
        assertEquals(ReleaseState.ReleaseStatus.COMPLETED, state.status());
        GateApproved releaseDay = events(GateApproved.class).get(1);
        assertEquals(Map.of("tagCommit", BUMP), releaseDay.bound(), "the release image has no digest before the tag");
        assertEquals(Map.of("tagCommit", BUMP, "releaseImageDigest", RELEASE_IMAGE),
                state.steps().get("release-day").outputs().get("bound"), "bound to the release image's first digest");
    }

    @Test
    void lateFixesVoidReleaseDayAndOnlyAPersonApprovesItAgain() {
        start();
        runStepsUntil();
        approve("break-the-release", "bob");
        runStepsUntil();
        now = Instant.parse("2026-11-30T14:00:01Z");
        run(new ReleaseCommand.Tick(now)); // the calendar approves release-day at its time
        assertEquals("calendar", events(GateApproved.class).get(1).approver());
        outputs.put("git.cherry-pick-late-fixes", Map.of("picked", List.of(Map.of("pullRequest", 6010)), "head", LATE));
        succeed("git.cherry-pick-late-fixes");

        ApprovalVoided voided = events(ApprovalVoided.class).get(0);
        assertEquals("release-day", voided.gate());
        assertEquals("tagCommit", voided.changes().get(0).binding());
        assertNull(state.steps().get("git.tag-release").commandId(), "the tag waits for the new approval");
        GateOpened reopened = events(GateOpened.class).get(events(GateOpened.class).size() - 1);
        assertNull(reopened.autoApproveAt(), "the calendar approves a gate once");
        run(new ReleaseCommand.Tick(now.plusSeconds(60)));
        assertEquals(StepStatus.AWAITING_APPROVAL, status("release-day"));

        approve("release-day", "alice");
        assertEquals(LATE, events(GateApproved.class).get(2).bound().get("tagCommit"));
        assertEquals(StepStatus.REQUESTED, status("git.tag-release"));
    }

    @Test
    void theTimelineShowsTheVoidedApprovalAndWhy() {
        start();
        runStepsUntil();
        approve("break-the-release", "bob");
        outputs.put("git.cherry-pick-fixes", Map.of("picked", List.of(Map.of("pullRequest", 5996)), "head", PICKED));
        succeed("git.cherry-pick-fixes");

        Timeline t = Timeline.of("1.29.0", log);
        Timeline.Step gate = t.steps().stream().filter(s -> s.step().equals("break-the-release")).findFirst().orElseThrow();
        assertEquals("awaiting-approval", gate.status());
        assertNull(gate.gate().approvedAt());
        assertEquals(1, gate.gate().voided().size());
        Timeline.VoidedApproval v = gate.gate().voided().get(0);
        assertEquals("bob", v.approver());
        assertTrue(v.reason().contains("releaseBranchCommit changed from 222222222222 to 333333333333"), v.reason());
        assertEquals(PICKED, v.changes().get(0).current());
    }

    @Test
    void aStepStartsOnlyOnceEveryStepBeforeItSucceededNotOnlyItsDirectNeeds() {
        Runbook small = RunbookParser.parse("small.yaml", """
                name: small
                steps:
                  - id: git.a
                  - id: qa
                    gate: { approvers: approver }
                    needs: [git.a]
                    binds:
                      commit: [git.a.commit, git.b.commit]
                  - id: git.b
                    needs: [qa]
                  - id: git.c
                    needs: [git.b]
                """);
        ReleaseStateMachine m = new ReleaseStateMachine(n -> small);
        List<Envelope> l = new ArrayList<>();
        ReleaseState[] s = {ReleaseState.empty("1.0.0")};
        java.util.function.Consumer<ReleaseCommand> go = c -> {
            Decision d = m.decide(s[0], c, now);
            assertFalse(d.rejected(), () -> d.rejection().message());
            List<ReleaseEvent> all = new ArrayList<>();
            if (c instanceof ReleaseCommand.RecordResult r) {
                all.add(r.result().data());
            }
            all.addAll(d.events());
            for (ReleaseEvent e : all) {
                Envelope stored = new Envelope("e" + l.size(), "/t", "1.0.0", now, (long) l.size() + 1, e);
                l.add(stored);
                s[0] = m.evolve(s[0], stored);
            }
        };
        go.accept(new ReleaseCommand.Start("1.0.0", "minor", null, small, "alice", Map.of()));
        go.accept(result(s[0], "git.a", Map.of("commit", "c1")));
        go.accept(new ReleaseCommand.ApproveGate("qa", "bob", true, null, null));
        go.accept(result(s[0], "git.b", Map.of("commit", "c2")));

        assertEquals(StepStatus.AWAITING_APPROVAL, s[0].steps().get("qa").status(), "git.b moved the commit: qa waits again");
        assertEquals(StepStatus.SUCCEEDED, s[0].steps().get("git.b").status());
        assertEquals(StepStatus.PENDING, s[0].steps().get("git.c").status(),
                "git.c's own need (git.b) succeeded, but qa before it waits again");
        go.accept(new ReleaseCommand.ApproveGate("qa", "bob", true, null, null));
        assertEquals(StepStatus.REQUESTED, s[0].steps().get("git.c").status());
    }

    private ReleaseCommand result(ReleaseState s, String step, Map<String, Object> out) {
        ReleaseState.StepState st = s.steps().get(step);
        return new ReleaseCommand.RecordResult(new Envelope("r-" + step, "/svc", s.releaseId(), now, null,
                new StepSucceeded(step, st.attempt(), st.commandId(), out)));
    }

    @Test
    void aRunbookBindsOnlyGatesToOutputsOfItsOwnSteps() {
        var notAGate = org.junit.jupiter.api.Assertions.assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("x.yaml", """
                name: x
                steps:
                  - id: git.a
                    binds: { commit: [git.a.commit] }
                """));
        assertTrue(notAGate.getMessage().contains("only a gate binds artifacts"), notAGate.getMessage());
        var unknown = org.junit.jupiter.api.Assertions.assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("x.yaml", """
                name: x
                steps:
                  - id: git.a
                  - id: qa
                    gate: { approvers: approver }
                    needs: [git.a]
                    binds: { commit: [git.nope.commit] }
                """));
        assertTrue(unknown.getMessage().contains("binds 'commit' to 'git.nope.commit'"), unknown.getMessage());
    }
}
