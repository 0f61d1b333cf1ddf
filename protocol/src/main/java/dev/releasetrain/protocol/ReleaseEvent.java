package dev.releasetrain.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The whole vocabulary of a release, in one place: every event of a release stream and every
 * command on the bus. A {@link StepRequested} is both an event of the release log and the command
 * a service receives on its topic; the four step results are what services publish back.
 *
 * <p>Records are immutable and carry only data; the envelope ({@link Envelope}) carries identity,
 * source, time and the release (the CloudEvents subject). Field names are part of the stored
 * format: renaming one breaks {@code StoredSamplesCompatibilityTest}.
 */
public sealed interface ReleaseEvent {

    /** The step this event is about, or null for release-level events. */
    default String step() {
        return null;
    }

    /**
     * A release began. {@code runbook} names the plan, {@code definition} is its full text as it was
     * when the release started and {@code runbookHash} pins it, so editing the file never changes a
     * running release. {@code params} are the release variables (dates, owner, branch, ...).
     */
    record ReleaseStarted(String version, String kind, String previousVersion, String runbook,
                          String runbookHash, String startedBy, Map<String, String> params,
                          String definition) implements ReleaseEvent {
    }

    /**
     * The coordinator asks {@code service} to run {@code step}; the command of the bus. {@code step} is the
     * runbook's node (its results, timeline row and outputs carry that id); {@code action} names the handler
     * the service runs when a node reuses another step's handler ({@code uses:} in the runbook), null when the
     * handler is the step's own. Commands stored before the field existed decode with none.
     */
    record StepRequested(String step, String service, int attempt, String commandId,
                         Map<String, String> params,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String action) implements ReleaseEvent {
        public StepRequested(String step, String service, int attempt, String commandId, Map<String, String> params) {
            this(step, service, attempt, commandId, params, null);
        }

        /** The handler to run: {@code action} when given, else the step's own id. */
        public String handler() {
            return action == null || action.isBlank() ? step : action;
        }
    }

    /** A worker picked the command up. */
    record StepStarted(String step, int attempt, String commandId, String worker) implements ReleaseEvent {
    }

    /** A long-running step is still alive; extends the attempt's deadline. */
    record StepProgress(String step, int attempt, String commandId, String message,
                        Map<String, Object> details) implements ReleaseEvent {
    }

    /**
     * The step did its work; {@code outputs} are recorded in the log for later steps and the timeline.
     * {@code worker} ran the attempt, which began at {@code startedAt} (both optional: null in results from
     * workers that do not set them, which still decode): a step that finishes within the worker's grace
     * sends no {@link StepStarted}, its result says it instead.
     */
    record StepSucceeded(String step, int attempt, String commandId, Map<String, Object> outputs, String worker,
                         Instant startedAt) implements ReleaseEvent {
        public StepSucceeded(String step, int attempt, String commandId, Map<String, Object> outputs) {
            this(step, attempt, commandId, outputs, null, null);
        }
    }

    /**
     * The step could not do its work; {@code retryable} says whether trying again can help. {@code worker}
     * and {@code startedAt} as in {@link StepSucceeded}.
     */
    record StepFailed(String step, int attempt, String commandId, String reason, boolean retryable, String worker,
                      Instant startedAt) implements ReleaseEvent {
        public StepFailed(String step, int attempt, String commandId, String reason, boolean retryable) {
            this(step, attempt, commandId, reason, retryable, null, null);
        }
    }

    /** No result and no progress arrived before the attempt's deadline. */
    record StepTimedOut(String step, int attempt, String commandId, Instant deadline) implements ReleaseEvent {
    }

    /**
     * A person (or the retry policy, with requestedBy {@code "retry-policy"}) asked for another
     * attempt, not before {@code notBefore} (null: at once), with {@code params} replacing the
     * step's parameters when not empty.
     */
    record StepRetryRequested(String step, int nextAttempt, String requestedBy, String reason,
                              Instant notBefore, Map<String, String> params) implements ReleaseEvent {
    }

    /**
     * A human gate is waiting for approval by {@code approvers}; when {@code autoApproveAt} is set
     * the calendar approves it then (the release-day gate).
     */
    record GateOpened(String gate, String reason, String approvers, Instant autoApproveAt) implements ReleaseEvent {
        @Override
        public String step() {
            return gate;
        }
    }

    /**
     * A person (or the calendar) approved a gate. {@code bound} holds the value of each artifact the gate binds
     * ({@code binds:} in the runbook: a commit, an image digest, a chart) as it was when approved; absent for a gate
     * that binds nothing, and in approvals stored before the field existed.
     */
    record GateApproved(String gate, String approver, String note, String evidence,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> bound) implements ReleaseEvent {
        public GateApproved(String gate, String approver, String note, String evidence) {
            this(gate, approver, note, evidence, null);
        }

        @Override
        public String step() {
            return gate;
        }
    }

    /**
     * An approval no longer holds: an artifact it was bound to changed after it was given (a cherry-pick moved the
     * release branch, another image was built). The gate waits for a new approval, and nothing after it runs until
     * then. {@code reason} says what changed, in words; {@code changes} says it as data.
     */
    record ApprovalVoided(String gate, String approver, String reason, List<BindingChange> changes) implements ReleaseEvent {
        /** One bound artifact: its value when approved, its value now, and the step output that gave the new one. */
        public record BindingChange(String binding, String approved, String current, String source) {
        }

        @Override
        public String step() {
            return gate;
        }
    }

    /** Every step succeeded. */
    record ReleaseCompleted(List<String> steps) implements ReleaseEvent {
    }

    /** The release stopped on a failed step; a retry of that step resumes it. */
    record ReleaseFailed(String failedStep, String reason) implements ReleaseEvent {
    }

    /** A person cancelled the release; nothing more is requested. */
    record ReleaseCancelled(String cancelledBy, String reason) implements ReleaseEvent {
    }
}
