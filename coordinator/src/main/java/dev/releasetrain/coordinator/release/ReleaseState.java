package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.runbook.Runbook;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A release as its event stream folds it: the plan it runs, the status of each step, and the
 * sequence number of the last event (the optimistic-concurrency guard for the next append).
 * Immutable: {@link ReleaseStateMachine#evolve} returns a new state.
 */
public record ReleaseState(String releaseId, String version, Runbook runbook, ReleaseStatus status,
                           Map<String, StepState> steps, long lastSeq, String failedStep, String reason) {

    public enum ReleaseStatus { NOT_STARTED, RUNNING, COMPLETED, FAILED, CANCELLED }

    public enum StepStatus {
        PENDING, REQUESTED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT;

        public boolean failed() {
            return this == FAILED || this == TIMED_OUT;
        }

        public boolean inFlight() {
            return this == REQUESTED || this == RUNNING;
        }
    }

    /** One step: its current attempt and what that attempt came to. */
    public record StepState(String id, String service, StepStatus status, int attempt, String commandId,
                            Map<String, Object> outputs, String reason) {
        public StepState with(StepStatus status, int attempt, String commandId, Map<String, Object> outputs, String reason) {
            return new StepState(id, service, status, attempt, commandId, outputs, reason);
        }
    }

    public ReleaseState {
        steps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }

    public static ReleaseState empty(String releaseId) {
        return new ReleaseState(releaseId, null, null, ReleaseStatus.NOT_STARTED, Map.of(), 0, null, null);
    }

    public boolean started() {
        return status != ReleaseStatus.NOT_STARTED;
    }

    public Optional<StepState> step(String id) {
        return Optional.ofNullable(steps.get(id));
    }

    ReleaseState withStep(StepState step, long seq) {
        Map<String, StepState> copy = new LinkedHashMap<>(steps);
        copy.put(step.id(), step);
        return new ReleaseState(releaseId, version, runbook, status, copy, seq, failedStep, reason);
    }

    ReleaseState withStatus(ReleaseStatus status, String failedStep, String reason, long seq) {
        return new ReleaseState(releaseId, version, runbook, status, steps, seq, failedStep, reason);
    }

    ReleaseState atSeq(long seq) {
        return new ReleaseState(releaseId, version, runbook, status, steps, seq, failedStep, reason);
    }
}
