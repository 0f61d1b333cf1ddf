package dev.releasetrain.coordinator.timeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.EventTypes;
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

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timeline projection: a release's stream folded into per-step spans, one per attempt, with
 * when each was requested, picked up and finished, and who asked for retries. Rebuilt from the log
 * on demand, so it is always consistent with it.
 */
public record Timeline(String release, String version, String kind, String runbook, String runbookHash, String startedBy,
                       String status, Instant startedAt, Instant endedAt, Long durationMs, Waits waits,
                       List<String> criticalPath, List<Step> steps, long events) {

    /** Time spent across the release: commands waiting for a worker, steps running, gates waiting for people. */
    public record Waits(long queueMs, long runMs, long humanWaitMs) {
    }

    /**
     * A step, by its runbook node id; {@code action} is the handler it reuses ({@code uses:} in the runbook),
     * absent when the step runs its own. For a gate, {@code gate} says when it opened, who approved it, when and why.
     */
    public record Step(String step, String service, String status, List<Attempt> attempts, GateSpan gate,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String action) {
    }

    /**
     * A gate's current opening and approval ({@code bound}: what the approval is bound to), and every earlier
     * approval that became void, with why. {@code waitMs} counts every wait for people at the gate.
     */
    public record GateSpan(Instant openedAt, Instant approvedAt, Long waitMs, String approver, String note,
                           String evidence, String waitingFor,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> bound,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<VoidedApproval> voided) {
    }

    /** An approval that no longer holds: who gave it and when, when it became void and what changed. */
    public record VoidedApproval(String approver, Instant approvedAt, Instant voidedAt, String reason,
                                 List<ApprovalVoided.BindingChange> changes) {
    }

    /** One attempt; queue = requested -> started, run = started -> ended. */
    public record Attempt(int attempt, String commandId, String status, Instant requestedAt, Instant startedAt,
                          Instant endedAt, Long queueMs, Long runMs, Long durationMs, String worker, String reason,
                          Map<String, Object> outputs, String retryRequestedBy, String lastProgress,
                          Map<String, String> params) {
    }

    public static Timeline of(String releaseId, List<Envelope> stream) {
        Builder b = new Builder(releaseId);
        stream.forEach(b::add);
        return b.build();
    }

    private static final class MutableAttempt {
        int attempt;
        String commandId;
        String status = "requested";
        Instant requestedAt;
        Instant startedAt;
        Instant endedAt;
        String worker;
        String reason;
        Map<String, Object> outputs;
        String retryRequestedBy;
        String lastProgress;
        Map<String, String> params;
    }

    private static final class MutableGate {
        Instant openedAt;
        Instant approvedAt;
        String approver;
        String note;
        String evidence;
        String waitingFor;
        Map<String, String> bound;
        long earlierWaitMs;
        final List<VoidedApproval> voided = new ArrayList<>();
    }

    private static final class Builder {
        final String releaseId;
        String version;
        String kind;
        String runbookHash;
        String definition;
        String runbook;
        String startedBy;
        String status = "running";
        Instant startedAt;
        Instant endedAt;
        long count;
        final Map<String, String> services = new LinkedHashMap<>();
        final Map<String, String> actions = new LinkedHashMap<>();
        final Map<String, List<MutableAttempt>> attempts = new LinkedHashMap<>();
        final Map<String, String> pendingRetryBy = new LinkedHashMap<>();
        final Map<String, MutableGate> gates = new LinkedHashMap<>();
        final java.util.Set<String> order = new java.util.LinkedHashSet<>();

        Builder(String releaseId) {
            this.releaseId = releaseId;
        }

        MutableAttempt attempt(String step, int n) {
            for (MutableAttempt a : attempts.getOrDefault(step, List.of())) {
                if (a.attempt == n) {
                    return a;
                }
            }
            return null;
        }

        void add(Envelope e) {
            count++;
            ReleaseEvent d = e.data();
            Instant t = e.time();
            if (d instanceof ReleaseStarted s) {
                version = s.version();
                kind = s.kind();
                runbookHash = s.runbookHash();
                definition = s.definition();
                runbook = s.runbook();
                startedBy = s.startedBy();
                startedAt = t;
            } else if (d instanceof StepRequested r) {
                services.put(r.step(), r.service());
                if (r.action() != null) {
                    actions.put(r.step(), r.action());
                }
                order.add(r.step());
                MutableAttempt a = new MutableAttempt();
                a.attempt = r.attempt();
                a.commandId = r.commandId();
                a.requestedAt = t;
                a.params = r.params();
                a.retryRequestedBy = pendingRetryBy.remove(r.step());
                attempts.computeIfAbsent(r.step(), k -> new ArrayList<>()).add(a);
            } else if (d instanceof StepStarted s) {
                MutableAttempt a = attempt(s.step(), s.attempt());
                if (a != null && a.startedAt == null) {
                    a.startedAt = t;
                    a.worker = s.worker();
                    if ("requested".equals(a.status)) {
                        a.status = "running";
                    }
                }
            } else if (d instanceof StepProgress p) {
                MutableAttempt a = attempt(p.step(), p.attempt());
                if (a != null) {
                    a.lastProgress = p.message();
                }
            } else if (d instanceof StepSucceeded s) {
                MutableAttempt a = attempt(s.step(), s.attempt());
                startedBy(a, s.worker(), s.startedAt());
                finish(a, "succeeded", t, null, s.outputs());
            } else if (d instanceof StepFailed f) {
                MutableAttempt a = attempt(f.step(), f.attempt());
                startedBy(a, f.worker(), f.startedAt());
                finish(a, "failed", t, f.reason(), null);
            } else if (d instanceof StepTimedOut o) {
                finish(attempt(o.step(), o.attempt()), "timed-out", t, "no result before " + o.deadline(), null);
            } else if (d instanceof StepRetryRequested r) {
                pendingRetryBy.put(r.step(), r.requestedBy());
                if ("failed".equals(status)) {
                    status = "running";
                    endedAt = null;
                }
            } else if (d instanceof ReleaseCompleted) {
                status = "completed";
                endedAt = t;
            } else if (d instanceof ReleaseFailed) {
                status = "failed";
                endedAt = t;
            } else if (d instanceof ReleaseCancelled) {
                status = "cancelled";
                endedAt = t;
            } else if (d instanceof GateOpened g) {
                services.putIfAbsent(g.gate(), "coordinator");
                order.add(g.gate());
                MutableGate m = gates.computeIfAbsent(g.gate(), k -> new MutableGate());
                m.openedAt = t;
                m.waitingFor = g.approvers();
            } else if (d instanceof GateApproved g) {
                MutableGate m = gates.get(g.gate());
                if (m != null && m.approvedAt == null) {
                    m.approvedAt = t;
                    m.approver = g.approver();
                    m.note = g.note();
                    m.evidence = g.evidence();
                    m.bound = g.bound();
                }
            } else if (d instanceof ApprovalVoided v) {
                MutableGate m = gates.get(v.gate());
                if (m != null && m.approvedAt != null) {
                    Long wait = millis(m.openedAt, m.approvedAt);
                    m.earlierWaitMs += wait == null ? 0 : wait;
                    m.voided.add(new VoidedApproval(m.approver, m.approvedAt, t, v.reason(), v.changes()));
                    m.approvedAt = null;
                    m.approver = null;
                    m.note = null;
                    m.evidence = null;
                    m.bound = null;
                }
            }
        }

        /** A step that finished within its worker's grace period sent no StepStarted: its result says who and when. */
        private static void startedBy(MutableAttempt a, String worker, Instant startedAt) {
            if (a != null && a.endedAt == null && a.startedAt == null && startedAt != null) {
                a.startedAt = startedAt;
                a.worker = worker;
            }
        }

        private static void finish(MutableAttempt a, String status, Instant t, String reason, Map<String, Object> outputs) {
            if (a == null || a.endedAt != null) {
                return; // a result for an attempt we never requested, or a duplicate: recorded, not counted
            }
            a.status = status;
            a.endedAt = t;
            a.reason = reason;
            a.outputs = outputs;
        }

        Timeline build() {
            List<Step> steps = new ArrayList<>();
            Map<String, Instant> ends = new LinkedHashMap<>();
            long queue = 0;
            long run = 0;
            long human = 0;
            for (String step : order) {
                List<Attempt> out = new ArrayList<>();
                for (MutableAttempt a : attempts.getOrDefault(step, List.of())) {
                    Long q = millis(a.requestedAt, a.startedAt);
                    Long r = millis(a.startedAt, a.endedAt);
                    queue += q == null ? 0 : q;
                    run += r == null ? 0 : r;
                    out.add(new Attempt(a.attempt, a.commandId, a.status, a.requestedAt, a.startedAt, a.endedAt,
                            q, r, millis(a.requestedAt, a.endedAt), a.worker, a.reason, a.outputs, a.retryRequestedBy,
                            a.lastProgress, a.params));
                    if ("succeeded".equals(a.status)) {
                        ends.put(step, a.endedAt);
                    }
                }
                GateSpan gate = null;
                String status;
                MutableGate g = gates.get(step);
                if (g != null) {
                    Long current = millis(g.openedAt, g.approvedAt);
                    Long wait = current == null && g.voided.isEmpty() ? null : (current == null ? 0 : current) + g.earlierWaitMs;
                    human += wait == null ? 0 : wait;
                    gate = new GateSpan(g.openedAt, g.approvedAt, wait, g.approver, g.note, g.evidence, g.waitingFor,
                            g.bound, List.copyOf(g.voided));
                    status = g.approvedAt == null ? "awaiting-approval" : "approved";
                    if (g.approvedAt != null) {
                        ends.put(step, g.approvedAt);
                    }
                } else {
                    status = out.get(out.size() - 1).status();
                }
                steps.add(new Step(step, services.get(step), status, out, gate, actions.get(step)));
            }
            return new Timeline(releaseId, version, kind, runbook, runbookHash, startedBy, status, startedAt, endedAt,
                    millis(startedAt, endedAt), new Waits(queue, run, human), criticalPath(ends), steps, count);
        }

        /**
         * The chain of steps that set the release's length: from the step that finished last, back
         * through the dependency of each that finished last.
         */
        private List<String> criticalPath(Map<String, Instant> ends) {
            if (definition == null || ends.isEmpty()) {
                return List.of();
            }
            dev.releasetrain.coordinator.runbook.Runbook plan;
            try {
                plan = dev.releasetrain.coordinator.runbook.RunbookParser.parse("recorded definition", definition);
            } catch (RuntimeException e) {
                return List.of();
            }
            String current = ends.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            List<String> path = new ArrayList<>();
            while (current != null) {
                path.add(0, current);
                String last = null;
                for (String dep : plan.step(current).map(s -> s.dependsOn()).orElse(List.of())) {
                    if (ends.containsKey(dep) && (last == null || ends.get(dep).isAfter(ends.get(last)))) {
                        last = dep;
                    }
                }
                current = last;
            }
            return path;
        }

        private static Long millis(Instant from, Instant to) {
            return from == null || to == null ? null : Duration.between(from, to).toMillis();
        }
    }

    /** The short type names of a stream, handy in logs and tests. */
    public static List<String> types(List<Envelope> stream) {
        return stream.stream().map(e -> EventTypes.shortName(e.type())).toList();
    }
}
