package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The flow of one command in a service, free of Kafka: decode, check it is a StepRequested this service
 * can run (its handler is the command's action when it names one, else its step), skip it if this instance already ran or is running it, run the handler, publish StepSucceeded
 * or StepFailed (which name the worker and when the attempt began). StepStarted is published only if the
 * handler runs longer than {@link StartReports}' grace period, or reports progress first. The caller acknowledges the command only after this returns
 * {@link Disposition.Completed} or {@link Disposition.Skipped}, and dead-letters it on
 * {@link Disposition.Rejected}.
 */
@Singleton
public class StepDispatcher {
    private static final Logger LOG = Logger.getLogger(StepDispatcher.class);

    /** What became of one delivered message. */
    public sealed interface Disposition {
        /** The step ran; {@code result} (StepSucceeded or StepFailed) is on release.results. */
        record Completed(Envelope result) implements Disposition {
        }

        /** A duplicate delivery of a command this instance ran or is running; nothing was done. */
        record Skipped(String why) implements Disposition {
        }

        /** Not a command this service can run (or its result could not be published): dead-letter it. */
        record Rejected(String reason) implements Disposition {
        }
    }

    private final StepHandlers handlers;
    private final CommandLog log;
    private final ResultPublisher publisher;
    private final SecretRedactor redactor;
    private final WorkerIdentity worker;
    private final StartReports starts;
    private final ResultLimits limits;
    private final StepTracing tracing;
    private final StepLocks stepLocks = new StepLocks();

    /** Every StepStarted sent at once, before the handler runs (no grace period). */
    public StepDispatcher(StepHandlers handlers, CommandLog log, ResultPublisher publisher, SecretRedactor redactor,
                          WorkerIdentity worker) {
        this(handlers, log, publisher, redactor, worker, StartReports.immediate(), ResultLimits.defaults());
    }

    public StepDispatcher(StepHandlers handlers, CommandLog log, ResultPublisher publisher, SecretRedactor redactor,
                          WorkerIdentity worker, StartReports starts) {
        this(handlers, log, publisher, redactor, worker, starts, ResultLimits.defaults());
    }

    public StepDispatcher(StepHandlers handlers, CommandLog log, ResultPublisher publisher, SecretRedactor redactor,
                          WorkerIdentity worker, StartReports starts, ResultLimits limits) {
        this(handlers, log, publisher, redactor, worker, starts, limits, StepTracing.off());
    }

    /** {@code tracing}: each command's span ({@link StepTracing}). */
    @Inject
    public StepDispatcher(StepHandlers handlers, CommandLog log, ResultPublisher publisher, SecretRedactor redactor,
                          WorkerIdentity worker, StartReports starts, ResultLimits limits, StepTracing tracing) {
        this.handlers = handlers;
        this.log = log;
        this.publisher = publisher;
        this.redactor = redactor;
        this.worker = worker;
        this.starts = starts;
        this.limits = limits;
        this.tracing = tracing;
    }

    /**
     * @param headers the record's headers as UTF-8 strings (the {@code ce_*} attributes)
     * @param body    the record's value
     * @param origin  where the message came from, for reasons and logs (topic, partition, offset)
     */
    public Disposition dispatch(Map<String, String> headers, byte[] body, String origin) {
        Envelope command;
        try {
            command = CloudEventCodec.decode(headers, body);
        } catch (CloudEventCodec.UndecodableMessage e) {
            return reject("undecodable message on " + origin + ": " + e.getMessage());
        }
        if (!(command.data() instanceof StepRequested request)) {
            return reject("not a command: " + command.type() + " (event " + command.id() + ", release "
                    + command.releaseId() + ") on " + origin + "; " + worker.service() + " accepts only StepRequested");
        }
        String about = "release " + command.releaseId() + " step " + request.step()
                + (request.handler().equals(request.step()) ? "" : " (action " + request.handler() + ")")
                + " attempt " + request.attempt() + " command " + request.commandId();
        if (request.commandId() == null || request.commandId().isBlank()) {
            return reject("StepRequested without a commandId (" + about + ") on " + origin);
        }
        // A runbook node may reuse another step's handler (uses: in the runbook): the command then names it
        // as its action, while results keep the node's own step id.
        Optional<StepHandler> handler = handlers.forStep(request.handler());
        if (handler.isEmpty()) {
            String wanted = request.handler().equals(request.step()) ? "step '" + request.step() + "'"
                    : "action '" + request.handler() + "' (of step '" + request.step() + "')";
            return reject(worker.service() + " has no handler for " + wanted + " (" + about + ") on "
                    + origin + "; it handles " + handlers.stepIds());
        }

        // A command id names a release's step attempt (1.29.0/notify.announce-code-freeze/1), which another
        // installation, or this one after its database was reset, uses again; the command event's id is new at
        // each append and the same at each redelivery. Together they name this one command.
        String once = request.commandId() + "@" + command.id();
        try (LogContext context = LogContext.of(command.releaseId(), request.step(), request.attempt(), request.commandId())) {
            return claimAndRun(command.releaseId(), request, handler.get(), about, once, command.traceParent());
        }
    }

    private Disposition claimAndRun(String releaseId, StepRequested request, StepHandler handler, String about, String once,
                                    String traceParent) {
        switch (log.claim(once)) {
            case COMPLETED -> {
                LOG.infof("skipping %s: already completed by this service (redelivery)", redactor.redact(about));
                WorkerMetrics.skipped();
                return new Disposition.Skipped("already completed");
            }
            case IN_PROGRESS -> {
                LOG.infof("skipping %s: in progress on this instance (redelivery)", redactor.redact(about));
                WorkerMetrics.skipped();
                return new Disposition.Skipped("in progress");
            }
            case CLAIMED -> {
                // ours to run
            }
        }
        // Commands of one release share a partition, so they reach this instance; running the attempts of
        // one step one at a time keeps a handler's check-before-acting sound against a parallel attempt.
        String stepKey = releaseId + "/" + request.step();
        stepLocks.lock(stepKey);
        // the command's span: current while the handler runs, its context on every event the command publishes
        try (StepTracing.Run trace = tracing.begin(traceParent, releaseId, request, worker.instance())) {
            Disposition d = run(releaseId, request, handler, about, once, trace.traceParent());
            trace.outcome(outcomeOf(d), !(d instanceof Disposition.Completed c) || c.result().data() instanceof StepFailed);
            return d;
        } finally {
            stepLocks.unlock(stepKey);
        }
    }

    /** A command's outcome as a span attribute: the metrics' outcome names, or {@code not_published}. */
    private static String outcomeOf(Disposition d) {
        if (d instanceof Disposition.Completed c) {
            return c.result().data() instanceof StepFailed f ? f.retryable() ? "failed_retryable" : "failed" : "succeeded";
        }
        return "not_published";
    }

    private Disposition run(String releaseId, StepRequested request, StepHandler handler, String about, String once,
                            String traceParent) {
        // StepStarted only for a step that runs longer than the grace period (or reports progress first):
        // a step that finishes sooner says in its result who ran it and when it began, one record and one
        // log row fewer (docs/architecture.md). A start is not awaited: the result that follows is ordered
        // after it on the release's partition. A start that could not be published is logged; the result,
        // awaited, says what became of the step.
        Instant began = Instant.now().truncatedTo(ChronoUnit.MICROS); // as the release log keeps times
        StartReports.Start start = starts.begin(() -> sendStarted(releaseId, request, about, traceParent));
        LOG.infof("running %s", redactor.redact(about));

        StepContext ctx = new StepContext(releaseId, request.step(), request.handler(), request.attempt(), request.commandId(),
                request.params(), (message, details) -> {
                    start.sendIfPending();
                    publisher.publish(event(releaseId, new StepProgress(
                            request.step(), request.attempt(), request.commandId(), redact(message), details), traceParent));
                });
        StepOutcome outcome;
        try {
            outcome = outcomeOf(handler, ctx, about);
        } finally {
            start.end();
        }

        if (outcome instanceof StepOutcome.Succeeded s) {
            // Outputs are redacted, then measured: what is published is what counts against the cap.
            Map<String, Object> outputs = redactor.redactOutputs(s.outputs());
            Optional<String> tooLarge = limits.outputsProblem(request.step(), outputs);
            outcome = tooLarge.<StepOutcome>map(why -> StepOutcome.failed(why, false))
                    .orElseGet(() -> StepOutcome.succeeded(outputs));
        }
        ReleaseEvent resultData;
        if (outcome instanceof StepOutcome.Succeeded s) {
            resultData = new StepSucceeded(request.step(), request.attempt(), request.commandId(), s.outputs(),
                    worker.instance(), began);
            LOG.infof("succeeded %s: %s", redactor.redact(about), s.outputs().keySet());
        } else {
            StepOutcome.Failed f = (StepOutcome.Failed) outcome;
            String reason = redact(f.reason());
            resultData = new StepFailed(request.step(), request.attempt(), request.commandId(), reason, f.retryable(),
                    worker.instance(), began);
            LOG.warnf("failed %s (%s): %s", redactor.redact(about), f.retryable() ? "retryable" : "not retryable", reason);
        }
        WorkerMetrics.ran(request.step(), resultData instanceof StepSucceeded ? "succeeded"
                        : ((StepFailed) resultData).retryable() ? "failed_retryable" : "failed",
                Duration.between(began, Instant.now()));
        Envelope result = event(releaseId, resultData, traceParent);
        ChaosHalt.reached(worker.service() + ".after-call"); // off unless the chaos run armed it
        try {
            publisher.publish(result);
        } catch (RuntimeException e) {
            log.abandon(once);
            return reject("could not publish the result of " + about + ": " + describe(e));
        }
        log.complete(once, result);
        return new Disposition.Completed(result);
    }

    private void sendStarted(String releaseId, StepRequested request, String about, String traceParent) {
        CompletionStage<Void> started;
        try {
            started = publisher.publishAsync(event(releaseId, new StepStarted(request.step(), request.attempt(), request.commandId(),
                    worker.instance()), traceParent));
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warnf("StepStarted of %s was not published (%s); the coordinator learns of the step from its result",
                        redactor.redact(about), redact(describe(error)));
            }
        });
    }

    private StepOutcome outcomeOf(StepHandler handler, StepContext ctx, String about) {
        try {
            StepOutcome outcome = handler.run(ctx);
            if (outcome == null) {
                return StepOutcome.failed("handler " + handler.getClass().getSimpleName() + " returned no outcome", true);
            }
            return outcome;
        } catch (StepFailure f) {
            LOG.debugf(f, "step failure in %s", about);
            return f.outcome();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // The stack trace may quote secrets; the redacted reason is logged by the caller.
            LOG.debugf(t, "exception in %s", about);
            return StepOutcome.failed(describe(t), true);
        }
    }

    private Envelope event(String releaseId, ReleaseEvent data, String traceParent) {
        return Envelope.of(worker.source(), releaseId, data).withTraceParent(traceParent);
    }

    private Disposition reject(String reason) {
        String redacted = redact(reason);
        LOG.warnf("dead-lettering: %s", redacted);
        return new Disposition.Rejected(redacted);
    }

    /** Secrets masked, then cut to the reason cap (a stack of causes is no use in the release log or Slack). */
    private String redact(String text) {
        return limits.cutReason(redactor.redact(text));
    }

    /** {@code IOException: connection refused (caused by ConnectException: ...)}. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getSimpleName());
        if (t.getMessage() != null) {
            sb.append(": ").append(t.getMessage());
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != t && root.getMessage() != null && (t.getMessage() == null || !t.getMessage().contains(root.getMessage()))) {
            sb.append(" (caused by ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage()).append(')');
        }
        return sb.toString();
    }

    /** One lock per release and step, dropped when nobody holds or waits for it. */
    private static final class StepLocks {
        private final Map<String, Entry> entries = new HashMap<>();

        private static final class Entry {
            final ReentrantLock lock = new ReentrantLock();
            int users;
        }

        void lock(String key) {
            Entry e;
            synchronized (entries) {
                e = entries.computeIfAbsent(key, k -> new Entry());
                e.users++;
            }
            e.lock.lock();
        }

        void unlock(String key) {
            synchronized (entries) {
                Entry e = entries.get(key);
                e.lock.unlock();
                if (--e.users == 0) {
                    entries.remove(key);
                }
            }
        }
    }
}
