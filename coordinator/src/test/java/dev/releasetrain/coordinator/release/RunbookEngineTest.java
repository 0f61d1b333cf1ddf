package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.ReleaseStatus;
import dev.releasetrain.coordinator.release.ReleaseState.StepStatus;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.RunbookParser;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.GateApproved;
import dev.releasetrain.protocol.ReleaseEvent.GateOpened;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepRetryRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.ReleaseEvent.StepTimedOut;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gates, automatic retries with backoff, deadlines and timeouts, cancellation and parameter
 * templates, on a small plan and a fake clock: pure functions, no Kafka, no database.
 */
class RunbookEngineTest {
    static final Runbook PLAN = RunbookParser.parse("engine-test.yaml", """
            name: engine-test
            defaults:
              timeout: 10m
              retry: { maxAttempts: 3, backoff: 30s, maxBackoff: 1m }
            steps:
              - id: git.cut
                params:
                  branch: "{{releaseBranch}}"
              - id: deploy.wait
                needs: [git.cut]
                timeout: 5m
                params:
                  commit: "{{steps.git.cut.commit}}"
                  tags: "{{releaseBranch}}-unstable"
              - id: qa
                gate: { approvers: approver, notTheStarter: true }
                needs: [deploy.wait]
              - id: launch
                gate: { approvers: owner, opensAt: releaseTime }
                needs: [qa]
              - id: notify.done
                needs: [launch]
                retry: { maxAttempts: 1 }
            """);

    final ReleaseStateMachine machine = new ReleaseStateMachine(n -> PLAN);
    Instant now = Instant.parse("2026-11-25T14:00:00Z");
    final List<Envelope> log = new ArrayList<>();
    ReleaseState state = ReleaseState.empty("1.29.0");

    Decision run(ReleaseCommand c) {
        Decision d = machine.decide(state, c, now);
        if (c instanceof ReleaseCommand.RecordResult r && !d.rejected()) {
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

    StepRequested last(String step) {
        StepRequested found = null;
        for (Envelope e : log) {
            if (e.data() instanceof StepRequested r && r.step().equals(step)) {
                found = r;
            }
        }
        return found;
    }

    Decision result(ReleaseEvent e) {
        return run(new ReleaseCommand.RecordResult(new Envelope("r" + log.size(), "/svc", "1.29.0", now, null, e)));
    }

    Decision succeed(String step, Map<String, Object> outputs) {
        StepRequested r = last(step);
        return result(new StepSucceeded(step, r.attempt(), r.commandId(), outputs));
    }

    void start() {
        run(new ReleaseCommand.Start("1.29.0", "minor", "1.28.3", PLAN, "carol", Map.of("version", "1.29.0",
                "releaseBranch", "release-1.29.0", "owner", "alice", "releaseTime", "2026-11-30T14:00:00Z")));
    }

    void toTheGates() {
        start();
        succeed("git.cut", Map.of("commit", "abc123"));
        succeed("deploy.wait", Map.of());
    }

    @Test
    void paramsAreRenderedFromReleaseVariablesAndEarlierOutputs() {
        start();
        assertEquals("release-1.29.0", last("git.cut").params().get("branch"));
        assertEquals("1.29.0", last("git.cut").params().get("version"), "release variables travel with every command");
        succeed("git.cut", Map.of("commit", "abc123"));
        assertEquals("abc123", last("deploy.wait").params().get("commit"));
        assertEquals("release-1.29.0-unstable", last("deploy.wait").params().get("tags"));
    }

    @Test
    void aRetryableFailureIsRetriedAfterTheBackoffAndGivesUpAtTheLimit() {
        start();
        StepRequested first = last("git.cut");
        result(new StepFailed("git.cut", 1, first.commandId(), "connection reset", true));
        StepRetryRequested scheduled = (StepRetryRequested) log.get(log.size() - 1).data();
        assertEquals(ReleaseStateMachine.RETRY_POLICY, scheduled.requestedBy());
        assertEquals(now.plusSeconds(30), scheduled.notBefore());
        assertEquals(StepStatus.RETRY_SCHEDULED, state.steps().get("git.cut").status());

        now = now.plusSeconds(29);
        assertTrue(run(new ReleaseCommand.Tick(now)).events().isEmpty(), "not before the backoff");
        now = now.plusSeconds(1);
        run(new ReleaseCommand.Tick(now));
        assertEquals(2, last("git.cut").attempt());

        result(new StepFailed("git.cut", 2, last("git.cut").commandId(), "connection reset", true));
        assertEquals(now.plusSeconds(60), ((StepRetryRequested) log.get(log.size() - 1).data()).notBefore(),
                "backoff doubles (30s -> 60s, capped at 1m)");
        now = now.plusSeconds(60);
        run(new ReleaseCommand.Tick(now));
        result(new StepFailed("git.cut", 3, last("git.cut").commandId(), "connection reset", true));
        assertEquals(ReleaseStatus.FAILED, state.status(), "three attempts, then a person decides");
        assertEquals("git.cut", state.failedStep());
    }

    @Test
    void aFailureThatIsNotRetryableWaitsForAPersonWhoMayEditTheParameters() {
        start();
        result(new StepFailed("git.cut", 1, last("git.cut").commandId(), "branch exists at another commit", false));
        assertEquals(ReleaseStatus.FAILED, state.status());
        run(new ReleaseCommand.RetryStep("git.cut", "alice", "moved it", Map.of("branch", "release-1.29.0-b")));
        StepRequested again = last("git.cut");
        assertEquals(2, again.attempt());
        assertEquals("release-1.29.0-b", again.params().get("branch"));
        assertEquals(ReleaseStatus.RUNNING, state.status());
    }

    @Test
    void aSilentStepTimesOutAndIsRetriedButProgressExtendsTheDeadline() {
        start();
        succeed("git.cut", Map.of("commit", "abc"));
        StepRequested wait = last("deploy.wait");
        now = now.plus(Duration.ofMinutes(4));
        result(new StepProgress("deploy.wait", 1, wait.commandId(), "waiting for the image", Map.of()));
        now = now.plus(Duration.ofMinutes(4)); // 8 minutes after the request, 4 after the progress
        assertTrue(run(new ReleaseCommand.Tick(now)).events().isEmpty(), "progress moved the deadline");
        now = now.plus(Duration.ofMinutes(1).plusSeconds(1));
        run(new ReleaseCommand.Tick(now));
        assertInstanceOf(StepTimedOut.class, log.stream().map(Envelope::data).filter(StepTimedOut.class::isInstance).findFirst().orElseThrow());
        assertEquals(StepStatus.RETRY_SCHEDULED, state.steps().get("deploy.wait").status());
        now = now.plusSeconds(30);
        run(new ReleaseCommand.Tick(now));
        assertEquals(2, last("deploy.wait").attempt());
        // The late success of the timed-out attempt changes nothing.
        result(new StepSucceeded("deploy.wait", 1, wait.commandId(), Map.of()));
        assertEquals(StepStatus.REQUESTED, state.steps().get("deploy.wait").status());
    }

    @Test
    void breakTheReleaseNeedsAnApproverWhoDidNotStartTheRelease() {
        toTheGates();
        GateOpened opened = (GateOpened) log.get(log.size() - 1).data();
        assertEquals("qa", opened.gate());
        assertEquals(Decision.Reason.CONFLICT, run(new ReleaseCommand.ApproveGate("launch", "alice", true, null, null)).rejection().reason(),
                "launch has not opened yet");
        assertEquals(Decision.Reason.FORBIDDEN, run(new ReleaseCommand.ApproveGate("qa", "carol", true, null, null)).rejection().reason(),
                "carol started the release");
        assertEquals(Decision.Reason.FORBIDDEN, run(new ReleaseCommand.ApproveGate("qa", "dave", false, null, null)).rejection().reason(),
                "dave has no approver role");
        run(new ReleaseCommand.ApproveGate("qa", "bob", true, "no blockers", "https://qa.example/1.29.0"));
        GateApproved approved = (GateApproved) log.stream().map(Envelope::data).filter(GateApproved.class::isInstance).findFirst().orElseThrow();
        assertEquals("bob", approved.approver());
        assertEquals("no blockers", approved.note());
        GateOpened launch = (GateOpened) log.get(log.size() - 1).data();
        assertEquals(Instant.parse("2026-11-30T14:00:00Z"), launch.autoApproveAt());
        assertEquals(Decision.Reason.CONFLICT, run(new ReleaseCommand.ApproveGate("qa", "bob", true, null, null)).rejection().reason(),
                "already approved");
    }

    @Test
    void releaseDayOpensByItselfAtTheReleaseTimeOrEarlierByTheOwner() {
        toTheGates();
        run(new ReleaseCommand.ApproveGate("qa", "bob", true, null, null));
        now = Instant.parse("2026-11-30T13:59:59Z");
        assertTrue(run(new ReleaseCommand.Tick(now)).events().isEmpty());
        now = Instant.parse("2026-11-30T14:00:00Z");
        run(new ReleaseCommand.Tick(now));
        GateApproved byCalendar = (GateApproved) log.stream().map(Envelope::data)
                .filter(e -> e instanceof GateApproved g && g.gate().equals("launch")).findFirst().orElseThrow();
        assertEquals(ReleaseStateMachine.CALENDAR, byCalendar.approver());
        assertEquals("notify.done", last("notify.done").step());
    }

    @Test
    void onlyTheOwnerMayOpenReleaseDayEarly() {
        toTheGates();
        run(new ReleaseCommand.ApproveGate("qa", "bob", true, null, null));
        assertEquals(Decision.Reason.FORBIDDEN, run(new ReleaseCommand.ApproveGate("launch", "bob", true, null, null)).rejection().reason());
        run(new ReleaseCommand.ApproveGate("launch", "alice", true, "ship it", null));
        succeed("notify.done", Map.of());
        assertEquals(ReleaseStatus.COMPLETED, state.status());
    }

    @Test
    void aNodeThatUsesAnotherStepsHandlerIsRequestedUnderItsOwnIdWithThatAction() {
        Runbook plan = RunbookParser.parse("uses.yaml", """
                name: uses
                steps:
                  - id: git.pick
                    params: { label: "release-{{version}}" }
                  - id: late-pick
                    uses: git.pick
                    needs: [git.pick]
                    params: { label: "release-{{version}}" }
                """);
        ReleaseStateMachine m = new ReleaseStateMachine(n -> plan);
        List<ReleaseEvent> started = m.decide(ReleaseState.empty("1.29.0"), new ReleaseCommand.Start("1.29.0", "minor", "",
                plan, "carol", Map.of("version", "1.29.0")), now).events();
        StepRequested own = (StepRequested) started.get(1);
        assertEquals("git.pick", own.step());
        assertNull(own.action(), "a step that runs its own handler names no action");
        ReleaseState s = ReleaseState.empty("1.29.0");
        for (ReleaseEvent e : started) {
            s = m.evolve(s, new Envelope("e" + s.lastSeq(), "/test", "1.29.0", now, s.lastSeq() + 1, e));
        }
        List<ReleaseEvent> next = m.decide(s, new ReleaseCommand.RecordResult(new Envelope("r1", "/svc", "1.29.0", now, null,
                new StepSucceeded("git.pick", 1, own.commandId(), Map.of()))), now).events();
        StepRequested late = (StepRequested) next.get(0);
        assertEquals("late-pick", late.step(), "the node's own id: its row in the timeline, its outputs");
        assertEquals("git.pick", late.action(), "the handler the service runs");
        assertEquals("git", late.service());
        assertEquals("1.29.0/late-pick/1", late.commandId());
        assertEquals("release-1.29.0", late.params().get("label"));
    }

    @Test
    void aCancelledReleaseRequestsNothingMore() {
        start();
        run(new ReleaseCommand.Cancel("alice", "postponed"));
        assertEquals(ReleaseStatus.CANCELLED, state.status());
        assertTrue(succeed("git.cut", Map.of("commit", "abc")).events().isEmpty());
        assertNull(last("deploy.wait"));
        assertEquals(Decision.Reason.CONFLICT, run(new ReleaseCommand.Cancel("alice", null)).rejection().reason());
        assertNull(state.nextTimer(), "no timers on a cancelled release");
    }
}
