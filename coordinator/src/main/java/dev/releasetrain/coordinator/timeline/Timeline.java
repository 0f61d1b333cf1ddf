package dev.releasetrain.coordinator.timeline;

import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.EventTypes;
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
public record Timeline(String release, String version, String runbook, String startedBy, String status,
                       Instant startedAt, Instant endedAt, Long durationMs, List<Step> steps, long events) {

    public record Step(String step, String service, String status, List<Attempt> attempts) {
    }

    /** One attempt; queue = requested -> started, run = started -> ended. */
    public record Attempt(int attempt, String commandId, String status, Instant requestedAt, Instant startedAt,
                          Instant endedAt, Long queueMs, Long runMs, Long durationMs, String worker, String reason,
                          Map<String, Object> outputs, String retryRequestedBy, String lastProgress) {
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
    }

    private static final class Builder {
        final String releaseId;
        String version;
        String runbook;
        String startedBy;
        String status = "running";
        Instant startedAt;
        Instant endedAt;
        long count;
        final Map<String, String> services = new LinkedHashMap<>();
        final Map<String, List<MutableAttempt>> attempts = new LinkedHashMap<>();
        final Map<String, String> pendingRetryBy = new LinkedHashMap<>();

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
                runbook = s.runbook();
                startedBy = s.startedBy();
                startedAt = t;
            } else if (d instanceof StepRequested r) {
                services.put(r.step(), r.service());
                MutableAttempt a = new MutableAttempt();
                a.attempt = r.attempt();
                a.commandId = r.commandId();
                a.requestedAt = t;
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
                finish(attempt(s.step(), s.attempt()), "succeeded", t, null, s.outputs());
            } else if (d instanceof StepFailed f) {
                finish(attempt(f.step(), f.attempt()), "failed", t, f.reason(), null);
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
            } else if (d instanceof GateOpened || d instanceof GateApproved) {
                services.putIfAbsent(d.step(), "coordinator");
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
            attempts.forEach((step, list) -> {
                List<Attempt> out = new ArrayList<>();
                for (MutableAttempt a : list) {
                    out.add(new Attempt(a.attempt, a.commandId, a.status, a.requestedAt, a.startedAt, a.endedAt,
                            millis(a.requestedAt, a.startedAt), millis(a.startedAt, a.endedAt),
                            millis(a.requestedAt, a.endedAt), a.worker, a.reason, a.outputs, a.retryRequestedBy,
                            a.lastProgress));
                }
                steps.add(new Step(step, services.get(step), out.get(out.size() - 1).status(), out));
            });
            return new Timeline(releaseId, version, runbook, startedBy, status, startedAt, endedAt,
                    millis(startedAt, endedAt), steps, count);
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
