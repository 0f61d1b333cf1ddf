package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.runbook.Runbook;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A release as its event stream folds it: the plan it runs (pinned at start), its variables, the
 * status of each step with its timers, the sequence number of the last event (the
 * optimistic-concurrency guard for the next append), and its trace context: the W3C {@code traceparent} of
 * its release span, recorded with its first event (null for a release started while tracing was off). Immutable.
 */
public record ReleaseState(String releaseId, String version, String kind, Runbook runbook, ReleaseStatus status,
                           Map<String, StepState> steps, long lastSeq, String failedStep, String reason,
                           Map<String, String> variables, String startedBy, String traceParent) {

    public enum ReleaseStatus { NOT_STARTED, RUNNING, COMPLETED, FAILED, CANCELLED }

    public enum StepStatus {
        PENDING, REQUESTED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, RETRY_SCHEDULED, AWAITING_APPROVAL;

        public boolean failed() {
            return this == FAILED || this == TIMED_OUT;
        }

        public boolean inFlight() {
            return this == REQUESTED || this == RUNNING;
        }

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * One step: its current attempt and what it came to. {@code deadline} (in flight), {@code retryAt}
     * (a scheduled retry) and {@code autoApproveAt} (a gate the calendar opens) are its timers. {@code voided}
     * says why a gate's last approval no longer holds, until a new one is given.
     */
    public record StepState(String id, String service, StepStatus status, int attempt, String commandId,
                            Map<String, Object> outputs, String reason, boolean retryable, Instant deadline,
                            Instant retryAt, Map<String, String> nextParams, Instant autoApproveAt, Instant endedAt,
                            String voided) {

        static StepState pending(String id, String service) {
            return new StepState(id, service, StepStatus.PENDING, 0, null, null, null, false, null, null, null, null, null, null);
        }

        StepState requested(int attempt, String commandId, Instant deadline) {
            return new StepState(id, service, StepStatus.REQUESTED, attempt, commandId, null, null, false, deadline, null, null, null, null, null);
        }

        StepState running(Instant deadline) {
            return new StepState(id, service, StepStatus.RUNNING, attempt, commandId, null, null, false, deadline, null, null, null, null, null);
        }

        StepState succeeded(Map<String, Object> outputs, Instant at) {
            return new StepState(id, service, StepStatus.SUCCEEDED, attempt, commandId, outputs, null, false, null, null, null, null, at, null);
        }

        StepState failed(StepStatus status, String reason, boolean retryable, Instant at) {
            return new StepState(id, service, status, attempt, commandId, null, reason, retryable, null, null, null, null, at, null);
        }

        StepState retry(StepStatus status, Instant retryAt, Map<String, String> params) {
            return new StepState(id, service, status, attempt, commandId, null, reason, retryable, null, retryAt, params, null, endedAt, null);
        }

        StepState awaitingApproval(Instant autoApproveAt) {
            return new StepState(id, service, StepStatus.AWAITING_APPROVAL, attempt, commandId, null, null, false, null, null, null, autoApproveAt, null, voided);
        }

        /** A gate whose approval no longer holds: pending again, to be opened for a new approval. */
        StepState approvalVoided(String why) {
            return new StepState(id, service, StepStatus.PENDING, attempt, commandId, null, null, false, null, null, null, null, null, why);
        }

        /** The same step with {@code outputs} in place of its own (a gate's bindings learning a first value). */
        StepState withOutputs(Map<String, Object> outputs) {
            return new StepState(id, service, status, attempt, commandId, outputs, reason, retryable, deadline, retryAt, nextParams,
                    autoApproveAt, endedAt, voided);
        }

        /** The earliest time something must happen to this step without any input. */
        Instant nextTimer() {
            return switch (status) {
                case REQUESTED, RUNNING -> deadline;
                case RETRY_SCHEDULED -> retryAt;
                case AWAITING_APPROVAL -> autoApproveAt;
                default -> null;
            };
        }
    }

    public ReleaseState {
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        variables = variables == null ? Map.of() : Map.copyOf(variables);
    }

    public static ReleaseState empty(String releaseId) {
        return new ReleaseState(releaseId, null, null, null, ReleaseStatus.NOT_STARTED, Map.of(), 0, null, null, Map.of(), null, null);
    }

    public boolean started() {
        return status != ReleaseStatus.NOT_STARTED;
    }

    public boolean finished() {
        return status == ReleaseStatus.COMPLETED || status == ReleaseStatus.CANCELLED;
    }

    public Optional<StepState> step(String id) {
        return Optional.ofNullable(steps.get(id));
    }

    /** The earliest timer of any step (deadline, scheduled retry, gate opening), or null. */
    public Instant nextTimer() {
        if (status != ReleaseStatus.RUNNING && status != ReleaseStatus.FAILED) {
            return null;
        }
        Instant min = null;
        for (StepState s : steps.values()) {
            Instant t = s.nextTimer();
            if (t != null && (min == null || t.isBefore(min))) {
                min = t;
            }
        }
        return min;
    }

    ReleaseState withStep(StepState step, long seq) {
        Map<String, StepState> copy = new LinkedHashMap<>(steps);
        copy.put(step.id(), step);
        return new ReleaseState(releaseId, version, kind, runbook, status, copy, seq, failedStep, reason, variables, startedBy, traceParent);
    }

    ReleaseState withStatus(ReleaseStatus status, String failedStep, String reason, long seq) {
        return new ReleaseState(releaseId, version, kind, runbook, status, steps, seq, failedStep, reason, variables, startedBy, traceParent);
    }

    ReleaseState atSeq(long seq) {
        return new ReleaseState(releaseId, version, kind, runbook, status, steps, seq, failedStep, reason, variables, startedBy, traceParent);
    }
}
