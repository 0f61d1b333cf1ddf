package dev.releasetrain.coordinator.trace;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.ReleaseEvent.StepTimedOut;
import dev.releasetrain.protocol.SpanAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A release's trace. Starting a release opens its trace with a root span, {@code release}, whose context (a W3C
 * {@code traceparent}) the coordinator writes with the release's events: the release state holds it from the first
 * event on, on every instance and after a restart. Each step attempt is a span {@code step <id>}, a child of the
 * release span, from its StepRequested to its result (or time-out): its span id follows from the trace id and the
 * command id, so the StepRequested carries it before the span exists, the service's span continues it, and whichever
 * instance records the attempt's end records the span with that id, linked to the service's span (the result's
 * context). Every other event the coordinator appends carries the release span's context.
 *
 * <p>Off ({@code quarkus.otel.sdk.disabled=true}, the default) nothing is traced and events carry no context. A
 * release started while tracing was off stays without a trace. Only what this class adds runs on the hot path: a
 * string per appended event, and per ended attempt one span handed to the SDK's batch processor.
 */
@ApplicationScoped
public class ReleaseTraces {
    private static final Logger LOG = Logger.getLogger(ReleaseTraces.class);
    /** The instrumentation scope of the coordinator's spans. */
    static final String TRACER = "dev.releasetrain.coordinator";
    public static final AttributeKey<String> RELEASE = AttributeKey.stringKey(SpanAttributes.RELEASE);
    public static final AttributeKey<String> KIND = AttributeKey.stringKey(SpanAttributes.KIND);
    public static final AttributeKey<String> STEP = AttributeKey.stringKey(SpanAttributes.STEP);
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey(SpanAttributes.ATTEMPT);
    public static final AttributeKey<String> COMMAND_ID = AttributeKey.stringKey(SpanAttributes.COMMAND_ID);
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(SpanAttributes.OUTCOME);
    public static final AttributeKey<String> WORKER = AttributeKey.stringKey(SpanAttributes.WORKER);
    /** Requests whose attempt has not ended are remembered up to this many, then forgotten (their spans start at the worker's start). */
    static final int MAX_OPEN_ATTEMPTS = 10_000;

    @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false")
    boolean disabled;
    @Inject
    Instance<OpenTelemetry> openTelemetry;

    private volatile Tracer tracer;
    /** Trace id and command id → when this instance appended the attempt's StepRequested. */
    private final Map<String, Instant> requested = new ConcurrentHashMap<>();

    public boolean enabled() {
        return !disabled;
    }

    private Tracer tracer() {
        Tracer t = tracer;
        if (t == null) {
            t = openTelemetry.get().getTracer(TRACER);
            tracer = t;
        }
        return t;
    }

    /**
     * A release being started: its root span, open until {@link ReleaseSpan#end}. Tracing never stops a start: should
     * the span not be made, the release is not traced.
     */
    public ReleaseSpan start(String releaseId, String kind) {
        if (!enabled()) {
            return ReleaseSpan.NONE;
        }
        try {
            return rootSpan(releaseId, kind);
        } catch (RuntimeException e) {
            LOG.warnf("release %s: no trace (%s)", releaseId, e.toString());
            return ReleaseSpan.NONE;
        }
    }

    private ReleaseSpan rootSpan(String releaseId, String kind) {
        SpanBuilder builder = tracer().spanBuilder("release").setNoParent().setSpanKind(SpanKind.INTERNAL)
                .setAttribute(RELEASE, releaseId).setAttribute(KIND, kind == null ? "" : kind);
        SpanContext request = Span.current().getSpanContext();
        if (request.isValid()) {
            builder.addLink(request); // the REST call (or timer) that started it
        }
        return new ReleaseSpan(builder.startSpan());
    }

    /** The root span of a release being started. */
    public static final class ReleaseSpan {
        static final ReleaseSpan NONE = new ReleaseSpan(null);
        private final Span span;

        ReleaseSpan(Span span) {
            this.span = span;
        }

        /** The span's context as a W3C {@code traceparent}, or null when not tracing. */
        public String traceParent() {
            return span == null ? null : traceParent(span.getSpanContext());
        }

        /** The start was refused (nothing appended): the span says so. */
        public void refused(String why) {
            if (span != null) {
                span.setStatus(StatusCode.ERROR, why);
            }
        }

        public void end() {
            if (span != null) {
                span.end();
            }
        }

        static String traceParent(SpanContext c) {
            return c.isValid() ? "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex() : null;
        }
    }

    /**
     * The trace context of an event the coordinator appends to a release whose release span is {@code releaseTrace}:
     * a StepRequested's is its attempt's span, any other event's the release span's. Null without a trace.
     */
    public String contextOf(String releaseTrace, ReleaseEvent event) {
        if (releaseTrace == null || !enabled()) {
            return null;
        }
        if (event instanceof StepRequested r) {
            SpanContext release = spanContext(releaseTrace);
            if (release == null) {
                return null;
            }
            return "00-" + release.getTraceId() + "-" + attemptSpanId(release.getTraceId(), commandKey(r.commandId(), r.step(), r.attempt()))
                    + "-" + release.getTraceFlags().asHex();
        }
        return CloudEventCodec.isTraceParent(releaseTrace) ? releaseTrace : null;
    }

    /**
     * After the commit of {@code events} to a release whose release span is {@code releaseTrace}: remembers when
     * attempts were requested, and records the span of each attempt that ended. What goes wrong here is logged, never
     * thrown: the events are committed.
     */
    public void appended(String releaseId, String releaseTrace, List<Envelope> events) {
        if (releaseTrace == null || !enabled()) {
            return;
        }
        try {
            record(releaseId, releaseTrace, events);
        } catch (RuntimeException e) {
            LOG.warnf("release %s: the spans of %d events were not recorded (%s)", releaseId, events.size(), e.toString());
        }
    }

    private void record(String releaseId, String releaseTrace, List<Envelope> events) {
        SpanContext release = spanContext(releaseTrace);
        if (release == null) {
            return;
        }
        for (Envelope e : events) {
            ReleaseEvent d = e.data();
            if (d instanceof StepRequested r) {
                if (requested.size() >= MAX_OPEN_ATTEMPTS) {
                    requested.clear(); // attempts that never ended (a cancelled release): their spans start at the worker's start
                }
                requested.put(release.getTraceId() + "/" + commandKey(r.commandId(), r.step(), r.attempt()), e.time());
            } else if (d instanceof StepSucceeded s) {
                ended(releaseId, release, e, s.step(), s.attempt(), s.commandId(), s.startedAt(), "succeeded", s.worker(), null);
            } else if (d instanceof StepFailed f) {
                ended(releaseId, release, e, f.step(), f.attempt(), f.commandId(), f.startedAt(),
                        f.retryable() ? "failed_retryable" : "failed", f.worker(), "the step failed");
            } else if (d instanceof StepTimedOut t) {
                ended(releaseId, release, e, t.step(), t.attempt(), t.commandId(), null, "timed_out", null,
                        "no result or progress before the deadline");
            }
        }
    }

    private void ended(String releaseId, SpanContext release, Envelope end, String step, int attempt, String commandId,
                       Instant workerStart, String outcome, String worker, String error) {
        String command = commandKey(commandId, step, attempt);
        Instant asked = requested.remove(release.getTraceId() + "/" + command);
        Instant start = asked != null ? asked : workerStart != null ? workerStart : end.time();
        Instant stop = end.time().isBefore(start) ? start : end.time(); // another machine's clock
        SpanBuilder builder = tracer().spanBuilder("step " + step)
                .setParent(Context.root().with(Span.wrap(release)))
                .setSpanKind(SpanKind.PRODUCER)
                .setStartTimestamp(start)
                .setAttribute(RELEASE, releaseId).setAttribute(STEP, step).setAttribute(ATTEMPT, (long) attempt)
                .setAttribute(OUTCOME, outcome);
        if (commandId != null) {
            builder.setAttribute(COMMAND_ID, commandId);
        }
        if (worker != null) {
            builder.setAttribute(WORKER, worker);
        }
        SpanContext service = spanContext(end.traceParent());
        if (service != null) {
            builder.addLink(service); // the service's span that ran the attempt (its parent is this span)
        }
        Span span = PresetSpanIds.starting(attemptSpanId(release.getTraceId(), command), builder::startSpan);
        if (error != null) {
            span.setStatus(StatusCode.ERROR, error);
        }
        span.end(stop);
    }

    /** The command id, or for a command without one, its step and attempt. */
    private static String commandKey(String commandId, String step, int attempt) {
        return commandId != null ? commandId : step + "/" + attempt;
    }

    /**
     * The span id of a step attempt in a trace: the first eight bytes of SHA-256 over the trace id and the command
     * id (unique within a release: its step and attempt number), never all zero.
     */
    static String attemptSpanId(String traceId, String commandKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(traceId.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '/');
            long bits = ByteBuffer.wrap(sha.digest(commandKey.getBytes(StandardCharsets.UTF_8))).getLong();
            return SpanId.fromLong(bits == 0 ? 1 : bits);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** A W3C {@code traceparent} as a remote span context, or null when it is none. */
    static SpanContext spanContext(String traceParent) {
        if (!CloudEventCodec.isTraceParent(traceParent)) {
            return null;
        }
        SpanContext c = SpanContext.createFromRemoteParent(traceParent.substring(3, 35), traceParent.substring(36, 52),
                TraceFlags.fromHex(traceParent, 53), TraceState.getDefault());
        return c.isValid() ? c : null;
    }
}
