package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.ReleaseStatus;
import dev.releasetrain.coordinator.release.ReleaseState.StepState;
import dev.releasetrain.coordinator.release.ReleaseState.StepStatus;
import dev.releasetrain.coordinator.runbook.Gate;
import dev.releasetrain.coordinator.runbook.RetryPolicy;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.RunbookParser;
import dev.releasetrain.coordinator.runbook.StepDefinition;
import dev.releasetrain.coordinator.runbook.Templates;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.ApprovalVoided;
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

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The release state machine as two pure functions: {@link #evolve} folds one event into the state,
 * {@link #decide} turns a command into the events to append. No I/O, no clock (time arrives as the
 * events' times and as {@link ReleaseCommand.Tick}), no randomness: the same stream always folds to
 * the same state, so any node can rebuild any release from the log.
 */
public final class ReleaseStateMachine {
    public static final String RETRY_POLICY = "retry-policy";
    public static final String CALENDAR = "calendar";
    private static final Map<String, Runbook> PARSED = new ConcurrentHashMap<>();

    private final Function<String, Runbook> runbooksByName;

    /** {@code runbooksByName} resolves releases recorded without their definition (built in code). */
    public ReleaseStateMachine(Function<String, Runbook> runbooksByName) {
        this.runbooksByName = runbooksByName;
    }

    public ReleaseState fold(String releaseId, List<Envelope> stream) {
        ReleaseState state = ReleaseState.empty(releaseId);
        for (Envelope e : stream) {
            state = evolve(state, e);
        }
        return state;
    }

    /** The plan a release runs: its recorded definition, so editing the file never changes a running release. */
    public Runbook runbookOf(ReleaseStarted started) {
        if (started.definition() != null) {
            return PARSED.computeIfAbsent(started.runbookHash() + "/" + started.runbook(),
                    k -> RunbookParser.parse("recorded definition of " + started.runbook(), started.definition()));
        }
        return runbooksByName.apply(started.runbook());
    }

    public ReleaseState evolve(ReleaseState s, Envelope envelope) {
        long seq = envelope.seq() != null ? envelope.seq() : s.lastSeq() + 1;
        Instant at = envelope.time();
        ReleaseEvent event = envelope.data();
        if (event instanceof ReleaseStarted started) {
            Runbook runbook = runbookOf(started);
            Map<String, StepState> steps = new LinkedHashMap<>();
            for (StepDefinition d : runbook.steps()) {
                steps.put(d.id(), StepState.pending(d.id(), d.service()));
            }
            return new ReleaseState(s.releaseId(), started.version(), started.kind(), runbook, ReleaseStatus.RUNNING,
                    steps, seq, null, null, started.params(), started.startedBy(), envelope.traceParent());
        }
        if (!s.started()) {
            return s.atSeq(seq);
        }
        StepState step = event.step() == null ? null : s.steps().get(event.step());
        StepDefinition def = step == null ? null : s.runbook().step(step.id()).orElse(null);
        if (event instanceof StepRequested r && step != null) {
            return s.withStep(step.requested(r.attempt(), r.commandId(), at.plus(def.timeout())), seq);
        }
        if ((event instanceof StepStarted || event instanceof StepProgress) && step != null && step.status().inFlight()
                && CurrentCommand.isCurrent(step, event)) {
            return s.withStep(step.running(at.plus(def.timeout())), seq);
        }
        if (event instanceof StepSucceeded r && CurrentCommand.isCurrent(step, event) && step.status().inFlight()) {
            return ApprovalBindings.firstValues(s.withStep(step.succeeded(r.outputs(), at), seq), step.id());
        }
        if (event instanceof StepFailed r && CurrentCommand.isCurrent(step, event) && step.status().inFlight()) {
            return s.withStep(step.failed(StepStatus.FAILED, r.reason(), r.retryable(), at), seq);
        }
        if (event instanceof StepTimedOut r && CurrentCommand.isCurrent(step, event) && step.status().inFlight()) {
            return s.withStep(step.failed(StepStatus.TIMED_OUT, "no result or progress before " + r.deadline(),
                    def.retry().onTimeout(), at), seq);
        }
        if (event instanceof StepRetryRequested r && step != null
                && (step.status().failed() || step.status() == StepStatus.RETRY_SCHEDULED)) {
            ReleaseState reopened = s.status() == ReleaseStatus.FAILED ? s.withStatus(ReleaseStatus.RUNNING, null, null, seq) : s;
            Map<String, String> params = r.params() == null || r.params().isEmpty() ? null : r.params();
            boolean later = r.notBefore() != null && r.notBefore().isAfter(at);
            return reopened.withStep(step.retry(later ? StepStatus.RETRY_SCHEDULED : StepStatus.PENDING,
                    later ? r.notBefore() : null, params), seq);
        }
        if (event instanceof GateOpened g && step != null && step.status() == StepStatus.PENDING) {
            return s.withStep(step.awaitingApproval(g.autoApproveAt()), seq);
        }
        if (event instanceof GateApproved g && step != null && step.status() == StepStatus.AWAITING_APPROVAL) {
            Map<String, Object> outputs = new LinkedHashMap<>();
            outputs.put("approver", g.approver());
            if (g.note() != null) {
                outputs.put("note", g.note());
            }
            if (g.evidence() != null) {
                outputs.put("evidence", g.evidence());
            }
            if (g.bound() != null && !g.bound().isEmpty()) {
                outputs.put(ApprovalBindings.BOUND, Map.copyOf(g.bound()));
            }
            return s.withStep(step.succeeded(outputs, at), seq);
        }
        if (event instanceof ApprovalVoided v && step != null && step.status() == StepStatus.SUCCEEDED) {
            return s.withStep(step.approvalVoided(v.reason()), seq);
        }
        if (event instanceof ReleaseCompleted) {
            return s.withStatus(ReleaseStatus.COMPLETED, null, null, seq);
        }
        if (event instanceof ReleaseFailed f) {
            return s.withStatus(ReleaseStatus.FAILED, f.failedStep(), f.reason(), seq);
        }
        if (event instanceof ReleaseCancelled c) {
            return s.withStatus(ReleaseStatus.CANCELLED, null, "cancelled by " + c.cancelledBy()
                    + (c.reason() == null ? "" : ": " + c.reason()), seq);
        }
        // A stale, duplicate or unknown-step result: recorded in the log, changes nothing.
        return s.atSeq(seq);
    }

    /**
     * The events {@code command} leads to, to be appended at {@code now} (the time the caller stamps
     * on them, so deadlines and backoffs decided here match what the log will say).
     */
    public Decision decide(ReleaseState s, ReleaseCommand command, Instant now) {
        if (command instanceof ReleaseCommand.Start start) {
            if (s.started()) {
                return Decision.reject(Decision.Reason.CONFLICT, "release " + start.version() + " already exists");
            }
            Runbook runbook = start.runbook();
            ReleaseEvent started = new ReleaseStarted(start.version(), start.kind(), start.previousVersion(), runbook.name(),
                    runbook.hash(), start.startedBy(), start.variables(), runbook.text());
            return withFollowUps(s, List.of(started), now);
        }
        if (!s.started()) {
            return Decision.reject(Decision.Reason.NOT_FOUND, "no release " + s.releaseId());
        }
        if (command instanceof ReleaseCommand.RecordResult r) {
            String notCurrent = CurrentCommand.notCurrent(s, r.result().data());
            if (notCurrent != null) {
                return Decision.reject(Decision.Reason.CONFLICT, notCurrent);
            }
            if (CurrentCommand.answered(s, r.result().data())) {
                return Decision.repeat();
            }
            return Decision.accept(next(evolve(s, r.result())));
        }
        if (command instanceof ReleaseCommand.RetryStep retry) {
            return retry(s, retry, now);
        }
        if (command instanceof ReleaseCommand.ApproveGate approve) {
            return approve(s, approve, now);
        }
        if (command instanceof ReleaseCommand.Cancel cancel) {
            return s.finished()
                    ? Decision.reject(Decision.Reason.CONFLICT, "release " + s.releaseId() + " is " + s.status().name().toLowerCase())
                    : Decision.accept(List.of(new ReleaseCancelled(cancel.cancelledBy(), cancel.reason())));
        }
        if (command instanceof ReleaseCommand.Tick tick) {
            return withFollowUps(s, due(s, tick.now()), now);
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    private Decision retry(ReleaseState s, ReleaseCommand.RetryStep retry, Instant now) {
        StepState step = s.steps().get(retry.step());
        if (step == null) {
            return Decision.reject(Decision.Reason.NOT_FOUND, "release " + s.releaseId() + " has no step '" + retry.step() + "'");
        }
        if (s.finished()) {
            return Decision.reject(Decision.Reason.CONFLICT,
                    "release " + s.releaseId() + " is " + s.status().name().toLowerCase() + "; nothing can be retried");
        }
        if (!step.status().failed() && step.status() != StepStatus.RETRY_SCHEDULED) {
            return Decision.reject(Decision.Reason.CONFLICT, "step '" + retry.step() + "' of release " + s.releaseId()
                    + " is " + step.status().label() + "; only a failed or timed-out step can be retried");
        }
        return withFollowUps(s, List.of(new StepRetryRequested(retry.step(), step.attempt() + 1, retry.requestedBy(),
                retry.reason(), null, retry.params() == null ? Map.of() : Map.copyOf(retry.params()))), now);
    }

    private Decision approve(ReleaseState s, ReleaseCommand.ApproveGate a, Instant now) {
        StepState step = s.steps().get(a.gate());
        StepDefinition def = s.runbook().step(a.gate()).orElse(null);
        if (step == null || def == null || !def.isGate()) {
            return Decision.reject(Decision.Reason.NOT_FOUND, "release " + s.releaseId() + " has no gate '" + a.gate() + "'");
        }
        if (s.finished()) {
            return Decision.reject(Decision.Reason.CONFLICT, "release " + s.releaseId() + " is " + s.status().name().toLowerCase());
        }
        if (step.status() != StepStatus.AWAITING_APPROVAL) {
            String why = step.status() == StepStatus.SUCCEEDED ? "it was already approved"
                    : "it has not opened yet (it waits for " + String.join(", ", def.dependsOn()) + ")";
            return Decision.reject(Decision.Reason.CONFLICT, "gate '" + a.gate() + "' is not waiting for approval: " + why);
        }
        Gate gate = def.gate();
        if (Gate.OWNER.equals(gate.approvers())) {
            String owner = s.variables().get("owner");
            if (owner == null || !owner.equals(a.approver())) {
                return Decision.reject(Decision.Reason.FORBIDDEN, "only the release owner (" + owner + ") can approve '"
                        + a.gate() + "' before it opens by itself");
            }
        } else if (!a.approverRole()) {
            return Decision.reject(Decision.Reason.FORBIDDEN, "approving '" + a.gate() + "' needs the approver role");
        }
        if (gate.notTheStarter() && a.approver().equals(s.startedBy())) {
            return Decision.reject(Decision.Reason.FORBIDDEN, a.approver() + " started release " + s.releaseId()
                    + " and cannot also approve '" + a.gate() + "': another approver must sign off");
        }
        return withFollowUps(s, List.of(new GateApproved(a.gate(), a.approver(), a.note(), a.evidence(),
                ApprovalBindings.now(s, def))), now);
    }

    /** What the clock makes happen: missed deadlines, due retries, gates whose time came. */
    private List<ReleaseEvent> due(ReleaseState s, Instant now) {
        List<ReleaseEvent> out = new ArrayList<>();
        if (s.finished()) {
            return out;
        }
        for (StepState step : s.steps().values()) {
            Instant timer = step.nextTimer();
            if (timer == null || timer.isAfter(now)) {
                continue;
            }
            switch (step.status()) {
                case REQUESTED, RUNNING -> out.add(new StepTimedOut(step.id(), step.attempt(), step.commandId(), step.deadline()));
                case RETRY_SCHEDULED -> out.add(request(s, step, s.runbook().step(step.id()).orElseThrow()));
                case AWAITING_APPROVAL -> out.add(new GateApproved(step.id(), CALENDAR,
                        "the scheduled time " + step.autoApproveAt() + " was reached", null,
                        ApprovalBindings.now(s, s.runbook().step(step.id()).orElseThrow())));
                default -> {
                }
            }
        }
        return out;
    }

    private Decision withFollowUps(ReleaseState s, List<ReleaseEvent> first, Instant now) {
        ReleaseState after = s;
        for (ReleaseEvent e : first) {
            after = evolve(after, new Envelope("decided", "/decide", s.releaseId(), now, null, e));
        }
        List<ReleaseEvent> all = new ArrayList<>(first);
        all.addAll(next(after));
        return Decision.accept(all);
    }

    /**
     * What the state calls for next: ready steps and gates, automatic retries, or the release's
     * end. Running it on its own output's state yields nothing new (the step statuses moved on).
     */
    List<ReleaseEvent> next(ReleaseState s) {
        if (s.status() != ReleaseStatus.RUNNING) {
            return List.of();
        }
        // An approval whose artifacts changed is void first: its gate then opens again, and nothing after it runs.
        List<ApprovalVoided> voided = ApprovalBindings.voided(s);
        if (!voided.isEmpty()) {
            ReleaseState after = s;
            for (ApprovalVoided v : voided) {
                after = after.withStep(after.steps().get(v.gate()).approvalVoided(v.reason()), after.lastSeq());
            }
            List<ReleaseEvent> out = new ArrayList<>(voided);
            out.addAll(requests(after));
            return out;
        }
        return requests(s);
    }

    private List<ReleaseEvent> requests(ReleaseState s) {
        List<ReleaseEvent> out = new ArrayList<>();
        boolean busy = false;
        boolean allSucceeded = true;
        StepState stuck = null;
        for (StepState step : s.steps().values()) {
            StepDefinition d = s.runbook().step(step.id()).orElseThrow();
            allSucceeded &= step.status() == StepStatus.SUCCEEDED;
            switch (step.status()) {
                case REQUESTED, RUNNING, RETRY_SCHEDULED -> busy = true;
                case PENDING -> {
                    if (dependenciesSucceeded(s, d)) {
                        out.add(d.isGate() ? open(s, d) : request(s, step, d));
                        busy = true;
                    }
                }
                case FAILED, TIMED_OUT -> {
                    RetryPolicy p = d.retry();
                    if (step.retryable() && step.attempt() < p.maxAttempts()) {
                        Instant base = step.endedAt() == null ? Instant.EPOCH : step.endedAt();
                        out.add(new StepRetryRequested(step.id(), step.attempt() + 1, RETRY_POLICY, step.reason(),
                                base.plus(p.backoffBefore(step.attempt() + 1)), Map.of()));
                        busy = true;
                    } else if (stuck == null) {
                        stuck = step;
                    }
                }
                default -> {
                }
            }
        }
        if (allSucceeded) {
            return List.of(new ReleaseCompleted(List.copyOf(s.steps().keySet())));
        }
        if (!busy && stuck != null) {
            return List.of(new ReleaseFailed(stuck.id(), stuck.reason()));
        }
        return out;
    }

    private static GateOpened open(ReleaseState s, StepDefinition d) {
        Gate g = d.gate();
        Instant auto = null;
        String voided = s.steps().get(d.id()).voided();
        // the calendar approves a gate once; after its approval was void, only a person can
        if (voided == null && g.opensAt() != null && s.variables().get(g.opensAt()) != null) {
            try {
                auto = Instant.parse(s.variables().get(g.opensAt()));
            } catch (DateTimeParseException ignored) {
                // no usable time: the gate waits for a person
            }
        }
        String who = Gate.OWNER.equals(g.approvers()) ? "the release owner " + s.variables().getOrDefault("owner", "")
                : "a person with the approver role" + (g.notTheStarter() ? " other than " + s.startedBy() : "");
        return new GateOpened(d.id(), "waiting for " + who + (auto == null ? "" : "; opens by itself at " + auto)
                + (voided == null ? "" : "; " + voided), who, auto);
    }

    private static StepRequested request(ReleaseState s, StepState step, StepDefinition d) {
        int attempt = step.attempt() + 1;
        Map<String, String> params = new LinkedHashMap<>(s.variables());
        d.params().forEach((k, template) -> params.put(k, Templates.render(template, s.variables(),
                id -> s.steps().containsKey(id) ? s.steps().get(id).outputs() : null)));
        if (step.nextParams() != null) {
            params.putAll(step.nextParams());
        }
        return new StepRequested(step.id(), step.service(), attempt, commandId(s.releaseId(), step.id(), attempt), params,
                d.uses());
    }

    /** Every step before this one, not only its direct needs: a gate waiting again holds back all that follows it. */
    private static boolean dependenciesSucceeded(ReleaseState s, StepDefinition d) {
        return d.dependsOn().stream().allMatch(dep -> s.steps().get(dep).status() == StepStatus.SUCCEEDED)
                && s.runbook().ancestors(d.id()).stream().allMatch(a -> s.steps().get(a).status() == StepStatus.SUCCEEDED);
    }

    /** Deterministic, so a re-decided request is recognisably the same command. */
    public static String commandId(String releaseId, String step, int attempt) {
        return releaseId + "/" + step + "/" + attempt;
    }
}
