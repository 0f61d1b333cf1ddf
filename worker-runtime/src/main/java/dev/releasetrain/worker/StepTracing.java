package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.SpanAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A command's span in the service: {@code run <step>}, a child of the step attempt's span whose context the command
 * carries ({@code ce_traceparent}, set by the coordinator), current on the thread while the handler runs, ended once
 * the result is published. Every event the command publishes (StepStarted, StepProgress, its result) carries this
 * span's context, so the coordinator links the attempt to it. A command without context starts a trace of its own.
 *
 * <p>Off ({@code quarkus.otel.sdk.disabled=true}, the default) no span is made and the events carry the command's
 * context on unchanged, so the coordinator's trace still joins its results.
 */
@Singleton
public class StepTracing {
    private static final Logger LOG = Logger.getLogger(StepTracing.class);
    /** The instrumentation scope of the services' spans. */
    static final String TRACER = "dev.releasetrain.worker";
    public static final AttributeKey<String> RELEASE = AttributeKey.stringKey(SpanAttributes.RELEASE);
    public static final AttributeKey<String> STEP = AttributeKey.stringKey(SpanAttributes.STEP);
    public static final AttributeKey<String> ACTION = AttributeKey.stringKey(SpanAttributes.ACTION);
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey(SpanAttributes.ATTEMPT);
    public static final AttributeKey<String> COMMAND_ID = AttributeKey.stringKey(SpanAttributes.COMMAND_ID);
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(SpanAttributes.OUTCOME);
    public static final AttributeKey<String> WORKER = AttributeKey.stringKey(SpanAttributes.WORKER);

    private static final StepTracing OFF = new StepTracing(null);

    /** Null when off. */
    private final Tracer tracer;

    @Inject
    StepTracing(@ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean disabled,
                Instance<OpenTelemetry> openTelemetry) {
        this(disabled || !openTelemetry.isResolvable() ? null : openTelemetry.get().getTracer(TRACER));
    }

    /** Spans made with {@code tracer}; null: none. */
    public StepTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** No spans; events carry the command's context on. */
    public static StepTracing off() {
        return OFF;
    }

    /**
     * A command begins to run on this thread: its span (when tracing is on) becomes current until {@link Run#close}.
     * Tracing never stops a command: should the span not be made, the command runs without it and its events carry
     * the command's context on.
     *
     * @param traceParent the command's {@code ce_traceparent}, or null
     */
    public Run begin(String traceParent, String releaseId, StepRequested request, String worker) {
        Run passOn = new Run(null, null, CloudEventCodec.isTraceParent(traceParent) ? traceParent : null);
        if (tracer == null) {
            return passOn;
        }
        try {
            return span(traceParent, releaseId, request, worker);
        } catch (RuntimeException e) {
            LOG.warnf("no span for a command of release %s (%s); it runs without one", releaseId, e.toString());
            return passOn;
        }
    }

    private Run span(String traceParent, String releaseId, StepRequested request, String worker) {
        SpanBuilder builder = tracer.spanBuilder("run " + request.step()).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(RELEASE, releaseId).setAttribute(STEP, request.step())
                .setAttribute(ATTEMPT, (long) request.attempt()).setAttribute(WORKER, worker);
        if (!request.handler().equals(request.step())) {
            builder.setAttribute(ACTION, request.handler());
        }
        if (request.commandId() != null) {
            builder.setAttribute(COMMAND_ID, request.commandId());
        }
        SpanContext parent = spanContext(traceParent);
        if (parent != null) {
            builder.setParent(Context.root().with(Span.wrap(parent)));
        } else {
            builder.setNoParent();
        }
        Span span = builder.startSpan();
        SpanContext c = span.getSpanContext();
        String own = c.isValid() ? "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex() : null;
        return new Run(span, span.makeCurrent(), own);
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

    /** One command's span. */
    public static final class Run implements AutoCloseable {
        private final Span span;
        private final Scope scope;
        private final String traceParent;

        Run(Span span, Scope scope, String traceParent) {
            this.span = span;
            this.scope = scope;
            this.traceParent = traceParent;
        }

        /** The context the command's events carry: its span's, or (off) the command's own; null for none. */
        public String traceParent() {
            return traceParent;
        }

        /** What became of the command; an error marks the span failed. */
        void outcome(String outcome, boolean error) {
            if (span != null) {
                span.setAttribute(OUTCOME, outcome);
                if (error) {
                    span.setStatus(StatusCode.ERROR, outcome);
                }
            }
        }

        @Override
        public void close() {
            if (scope != null) {
                scope.close();
            }
            if (span != null) {
                span.end();
            }
        }
    }
}
