package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.ReleaseStatus;
import dev.releasetrain.coordinator.release.ReleaseState.StepState;
import dev.releasetrain.coordinator.release.ReleaseState.StepStatus;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.StepDefinition;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.GateApproved;
import dev.releasetrain.protocol.ReleaseEvent.GateOpened;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseCancelled;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseCompleted;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseFailed;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepRetryRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.ReleaseEvent.StepTimedOut;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The release state machine as two pure functions: {@link #evolve} folds one event into the state,
 * {@link #decide} turns a command into the events to append. No I/O, no clock, no randomness: the
 * same stream always folds to the same state, so any node can rebuild any release from the log.
 */
public final class ReleaseStateMachine {
    private final Function<String, Runbook> runbooks;

    public ReleaseStateMachine(Function<String, Runbook> runbooks) {
        this.runbooks = runbooks;
    }

    public ReleaseState fold(String releaseId, List<Envelope> stream) {
        ReleaseState state = ReleaseState.empty(releaseId);
        for (Envelope e : stream) {
            state = evolve(state, e);
        }
        return state;
    }

    public ReleaseState evolve(ReleaseState s, Envelope envelope) {
        long seq = envelope.seq() != null ? envelope.seq() : s.lastSeq() + 1;
        ReleaseEvent event = envelope.data();
        if (event instanceof ReleaseStarted started) {
            Runbook runbook = runbooks.apply(started.runbook());
            Map<String, StepState> steps = new LinkedHashMap<>();
            for (StepDefinition d : runbook.steps()) {
                steps.put(d.id(), new StepState(d.id(), d.service(), StepStatus.PENDING, 0, null, null, null));
            }
            return new ReleaseState(s.releaseId(), started.version(), runbook, ReleaseStatus.RUNNING, steps, seq, null, null);
        }
        if (!s.started()) {
            return s.atSeq(seq);
        }
        StepState step = event.step() == null ? null : s.steps().get(event.step());
        if (event instanceof StepRequested r && step != null) {
            return s.withStep(step.with(StepStatus.REQUESTED, r.attempt(), r.commandId(), null, null), seq);
        }
        if (event instanceof StepStarted r && isCurrent(step, r.attempt()) && step.status() == StepStatus.REQUESTED) {
            return s.withStep(step.with(StepStatus.RUNNING, step.attempt(), step.commandId(), null, null), seq);
        }
        if (event instanceof StepProgress r && isCurrent(step, r.attempt()) && step.status() == StepStatus.REQUESTED) {
            return s.withStep(step.with(StepStatus.RUNNING, step.attempt(), step.commandId(), null, null), seq);
        }
        if (event instanceof StepSucceeded r && isCurrent(step, r.attempt()) && step.status().inFlight()) {
            return s.withStep(step.with(StepStatus.SUCCEEDED, step.attempt(), step.commandId(), r.outputs(), null), seq);
        }
        if (event instanceof StepFailed r && isCurrent(step, r.attempt()) && step.status().inFlight()) {
            return s.withStep(step.with(StepStatus.FAILED, step.attempt(), step.commandId(), null, r.reason()), seq);
        }
        if (event instanceof StepTimedOut r && isCurrent(step, r.attempt()) && step.status().inFlight()) {
            return s.withStep(step.with(StepStatus.TIMED_OUT, step.attempt(), step.commandId(), null,
                    "no result before " + r.deadline()), seq);
        }
        if (event instanceof StepRetryRequested r && step != null && step.status().failed()) {
            ReleaseState reopened = s.status() == ReleaseStatus.FAILED
                    ? s.withStatus(ReleaseStatus.RUNNING, null, null, seq) : s;
            return reopened.withStep(step.with(StepStatus.PENDING, step.attempt(), step.commandId(), null, step.reason()), seq);
        }
        if (event instanceof ReleaseCompleted) {
            return s.withStatus(ReleaseStatus.COMPLETED, null, null, seq);
        }
        if (event instanceof ReleaseFailed f) {
            return s.withStatus(ReleaseStatus.FAILED, f.failedStep(), f.reason(), seq);
        }
        if (event instanceof ReleaseCancelled c) {
            return s.withStatus(ReleaseStatus.CANCELLED, null, "cancelled by " + c.cancelledBy(), seq);
        }
        if (event instanceof GateOpened || event instanceof GateApproved) {
            return s.atSeq(seq); // gates arrive with the runbook engine
        }
        // A stale, duplicate or unknown-step result: recorded in the log, changes nothing.
        return s.atSeq(seq);
    }

    private static boolean isCurrent(StepState step, int attempt) {
        return step != null && step.attempt() == attempt;
    }

    public Decision decide(ReleaseState s, ReleaseCommand command) {
        if (command instanceof ReleaseCommand.Start start) {
            if (s.started()) {
                return Decision.reject(Decision.Reason.CONFLICT, "release " + start.version() + " already exists");
            }
            Runbook runbook = runbooks.apply(start.runbook());
            ReleaseEvent started = new ReleaseStarted(start.version(), "minor", null, runbook.name(), runbook.hash(),
                    start.startedBy(), Map.of(), null);
            return withFollowUps(s, List.of(started));
        }
        if (!s.started()) {
            return Decision.reject(Decision.Reason.NOT_FOUND, "no release " + s.releaseId());
        }
        if (command instanceof ReleaseCommand.RecordResult r) {
            ReleaseState after = evolve(s, r.result());
            return Decision.accept(next(after));
        }
        if (command instanceof ReleaseCommand.RetryStep retry) {
            StepState step = s.steps().get(retry.step());
            if (step == null) {
                return Decision.reject(Decision.Reason.NOT_FOUND,
                        "release " + s.releaseId() + " has no step '" + retry.step() + "'");
            }
            if (s.status() == ReleaseStatus.CANCELLED || s.status() == ReleaseStatus.COMPLETED) {
                return Decision.reject(Decision.Reason.CONFLICT,
                        "release " + s.releaseId() + " is " + s.status().name().toLowerCase() + "; nothing can be retried");
            }
            if (!step.status().failed()) {
                return Decision.reject(Decision.Reason.CONFLICT, "step '" + retry.step() + "' of release " + s.releaseId()
                        + " is " + step.status().name().toLowerCase() + "; only a failed or timed-out step can be retried");
            }
            return withFollowUps(s, List.of(new StepRetryRequested(retry.step(), step.attempt() + 1,
                    retry.requestedBy(), retry.reason(), null, Map.of())));
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    private Decision withFollowUps(ReleaseState s, List<ReleaseEvent> first) {
        ReleaseState after = s;
        for (ReleaseEvent e : first) {
            after = evolve(after, Envelope.of("/decide", s.releaseId(), e));
        }
        List<ReleaseEvent> all = new ArrayList<>(first);
        all.addAll(next(after));
        return Decision.accept(all);
    }

    /** What the state calls for next: ready steps, or the release's end. */
    List<ReleaseEvent> next(ReleaseState s) {
        if (s.status() != ReleaseStatus.RUNNING) {
            return List.of();
        }
        List<ReleaseEvent> out = new ArrayList<>();
        boolean inFlight = false;
        boolean allSucceeded = true;
        StepState firstFailed = null;
        for (StepState step : s.steps().values()) {
            inFlight |= step.status().inFlight();
            allSucceeded &= step.status() == StepStatus.SUCCEEDED;
            if (firstFailed == null && step.status().failed()) {
                firstFailed = step;
            }
            if (step.status() == StepStatus.PENDING && dependenciesSucceeded(s, step.id())) {
                int attempt = step.attempt() + 1;
                StepDefinition d = s.runbook().step(step.id()).orElseThrow();
                Map<String, String> params = new LinkedHashMap<>(d.params());
                params.put("version", s.version());
                out.add(new StepRequested(step.id(), step.service(), attempt, commandId(s.releaseId(), step.id(), attempt), params));
            }
        }
        if (allSucceeded) {
            return List.of(new ReleaseCompleted(List.copyOf(s.steps().keySet())));
        }
        if (out.isEmpty() && !inFlight && firstFailed != null) {
            return List.of(new ReleaseFailed(firstFailed.id(), firstFailed.reason()));
        }
        return out;
    }

    private static boolean dependenciesSucceeded(ReleaseState s, String stepId) {
        return s.runbook().step(stepId).orElseThrow().dependsOn().stream()
                .allMatch(dep -> s.steps().get(dep).status() == StepStatus.SUCCEEDED);
    }

    /** Deterministic, so a re-decided request is recognisably the same command. */
    public static String commandId(String releaseId, String step, int attempt) {
        return releaseId + "/" + step + "/" + attempt;
    }
}
