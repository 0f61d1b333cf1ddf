package dev.releasetrain.coordinator.metrics;

import dev.releasetrain.coordinator.log.AppendListener;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts and times step attempts from the events this coordinator appends to the release log, after each commit:
 * the log is the only door, so every attempt, retry, time-out, gate and release end passes here once per
 * instance that appended it. The times are the events' own (when the coordinator requested, when the worker began
 * and ended), so a wait is measured where it happened, not when the coordinator heard of it.
 *
 * <p>An attempt's queue wait needs its request, which this instance saw only if it appended it; an attempt
 * requested by another instance (or before a restart) is counted without its queue wait. Labels are step and gate
 * ids from the runbooks, outcomes and statuses: a bounded set, and never a person or a parameter.
 */
@ApplicationScoped
@Priority(StepMetrics.LISTENER_PRIORITY)
public class StepMetrics implements AppendListener {
    /** After the fast path and the live streams: counting can wait a microsecond. */
    static final int LISTENER_PRIORITY = 1;

    @Inject
    MeterRegistry registry;

    /** Release id → attempt key (step/attempt) or gate → when it was requested, began, or opened. */
    private final Map<String, Map<String, Instant>> open = new ConcurrentHashMap<>();

    @Override
    public void appended(String releaseId, List<Envelope> events) {
        for (Envelope e : events) {
            observe(releaseId, e);
        }
    }

    private void observe(String releaseId, Envelope e) {
        Map<String, Instant> times = open.computeIfAbsent(releaseId, id -> new ConcurrentHashMap<>());
        ReleaseEvent d = e.data();
        if (d instanceof ReleaseEvent.StepRequested r) {
            times.put(requested(r.step(), r.attempt()), e.time());
        } else if (d instanceof ReleaseEvent.StepStarted s) {
            times.put(started(s.step(), s.attempt()), e.time());
            Instant asked = times.get(requested(s.step(), s.attempt()));
            if (asked != null) {
                queueWait(s.step()).record(between(asked, e.time()));
            }
        } else if (d instanceof ReleaseEvent.StepSucceeded s) {
            ended(times, s.step(), s.attempt(), s.startedAt(), e.time(), "succeeded");
        } else if (d instanceof ReleaseEvent.StepFailed f) {
            ended(times, f.step(), f.attempt(), f.startedAt(), e.time(), f.retryable() ? "failed_retryable" : "failed");
        } else if (d instanceof ReleaseEvent.StepTimedOut t) {
            ended(times, t.step(), t.attempt(), null, e.time(), "timed_out");
            counter("release_train_step_timeouts_total", "Step attempts that reached their deadline with no result",
                    "step", t.step()).increment();
        } else if (d instanceof ReleaseEvent.StepRetryRequested r) {
            counter("release_train_step_retries_total", "Retries of a step asked for, by the runbook's retry policy or by a person",
                    "step", r.step(), "by", "retry-policy".equals(r.requestedBy()) ? "policy" : "person").increment();
        } else if (d instanceof ReleaseEvent.GateOpened g) {
            times.put(gate(g.gate()), e.time());
        } else if (d instanceof ReleaseEvent.GateApproved g) {
            Instant opened = times.remove(gate(g.gate()));
            if (opened != null) {
                timer("release_train_gate_wait_seconds", "Human wait: from a gate opening to its approval",
                        "gate", g.gate()).record(between(opened, e.time()));
            }
        } else if (d instanceof ReleaseEvent.ReleaseCompleted) {
            open.remove(releaseId);
            finished("completed");
        } else if (d instanceof ReleaseEvent.ReleaseCancelled) {
            open.remove(releaseId);
            finished("cancelled");
        } else if (d instanceof ReleaseEvent.ReleaseFailed) {
            finished("failed"); // resumable: its open attempts and gates stay known
        } else if (d instanceof ReleaseEvent.ReleaseStarted s) {
            counter("release_train_releases_started_total", "Releases started, by kind",
                    "kind", s.kind() == null ? "minor" : s.kind()).increment();
        }
    }

    private void ended(Map<String, Instant> times, String step, int attempt, Instant reportedStart, Instant end, String outcome) {
        Instant asked = times.remove(requested(step, attempt));
        Instant began = times.remove(started(step, attempt));
        if (began == null) {
            began = reportedStart;
            if (began != null && asked != null) {
                // a short step reports its start inside its result: its queue wait is known only now
                queueWait(step).record(between(asked, began));
            }
        }
        counter("release_train_step_attempts_total", "Step attempts that ended, by step and outcome",
                "step", step, "outcome", outcome).increment();
        Instant from = began != null ? began : asked;
        if (from != null) {
            timer("release_train_step_running_seconds", "Running: from a worker beginning a step attempt to its end",
                    "step", step, "outcome", outcome).record(between(from, end));
        }
    }

    private Timer queueWait(String step) {
        return timer("release_train_step_queue_wait_seconds", "Queue wait: from a step's request to a worker beginning it",
                "step", step);
    }

    private void finished(String status) {
        counter("release_train_releases_finished_total",
                "Releases that completed, were cancelled, or halted on a failed step", "status", status).increment();
    }

    private Counter counter(String name, String help, String... tags) {
        return Counter.builder(name).description(help).tags(tags).register(registry);
    }

    private Timer timer(String name, String help, String... tags) {
        return Timer.builder(name).description(help).tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(24)).register(registry);
    }

    private static Duration between(Instant from, Instant to) {
        Duration d = Duration.between(from, to);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static String requested(String step, int attempt) {
        return "requested/" + step + "/" + attempt;
    }

    private static String started(String step, int attempt) {
        return "started/" + step + "/" + attempt;
    }

    private static String gate(String gate) {
        return "gate/" + gate;
    }
}
