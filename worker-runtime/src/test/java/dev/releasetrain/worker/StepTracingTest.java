package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A command's span continues the trace context its command carries: the handler runs inside it, and every event the
 * command publishes carries it back ({@code ce_traceparent}), so the coordinator joins the attempt to it.
 */
class StepTracingTest {
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String ATTEMPT_SPAN = "00f067aa0ba902b7";
    static final String COMMAND_CONTEXT = "00-" + TRACE + "-" + ATTEMPT_SPAN + "-01";

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    final StepDispatcherTest.RecordingPublisher published = new StepDispatcherTest.RecordingPublisher();

    @AfterEach
    void close() {
        provider.close();
    }

    StepDispatcher dispatcher(StepTracing tracing, StepHandler handler) {
        return new StepDispatcher(new StepHandlers(List.of(handler)), new CommandLog(100), published,
                new SecretRedactor(List.of()), new WorkerIdentity("git-service", "host-1"), StartReports.immediate(),
                ResultLimits.defaults(), tracing);
    }

    static StepHandler handler(String step, StepDispatcherTest.StepHandlerBody body) {
        return new StepHandler() {
            @Override
            public String stepId() {
                return step;
            }

            @Override
            public StepOutcome run(StepContext ctx) throws Exception {
                return body.run(ctx);
            }
        };
    }

    static StepDispatcher.Disposition send(StepDispatcher d, String step, String commandId, String traceParent) {
        CloudEventCodec.Encoded e = CloudEventCodec.encode(new Envelope("event-of-" + commandId, "/release-train/coordinator",
                "1.29.0", Instant.now(), 4L, new StepRequested(step, "git", 2, commandId, Map.of()), traceParent));
        return d.dispatch(e.headers(), e.body(), "release.commands.git-0@7");
    }

    @Test
    void theHandlerRunsInASpanThatContinuesTheCommandsContextAndEveryEventCarriesIt() {
        AtomicReference<SpanContext> during = new AtomicReference<>();
        StepDispatcher d = dispatcher(new StepTracing(provider.get("test")), handler("git.resolve-head", ctx -> {
            during.set(Span.current().getSpanContext());
            ctx.progress("looking", Map.of());
            return StepOutcome.succeeded(Map.of("commit", "abc"));
        }));

        send(d, "git.resolve-head", "1.29.0/git.resolve-head/2", COMMAND_CONTEXT);

        List<SpanData> finished = spans.getFinishedSpanItems();
        assertEquals(1, finished.size(), finished.toString());
        SpanData run = finished.get(0);
        assertEquals("run git.resolve-head", run.getName());
        assertEquals(SpanKind.CONSUMER, run.getKind());
        assertEquals(TRACE, run.getTraceId(), "the coordinator's trace continues");
        assertEquals(ATTEMPT_SPAN, run.getParentSpanId(), "a child of the attempt's span");
        assertEquals("succeeded", run.getAttributes().get(StepTracing.OUTCOME));
        assertEquals("1.29.0/git.resolve-head/2", run.getAttributes().get(StepTracing.COMMAND_ID));
        assertEquals(2L, run.getAttributes().get(StepTracing.ATTEMPT));
        assertEquals(run.getSpanId(), during.get().getSpanId(), "the handler ran inside the span");

        String own = "00-" + TRACE + "-" + run.getSpanId() + "-01";
        assertEquals(3, published.events.size(), published.events.toString());
        for (Envelope e : published.events) {
            assertEquals(own, e.traceParent(), "StepStarted, StepProgress and the result carry the span's context: " + e);
        }
        assertTrue(published.events.get(1).data() instanceof StepProgress);
        assertTrue(published.last().data() instanceof StepSucceeded);
        assertFalse(Span.current().getSpanContext().isValid(), "nothing is left current after the command");
    }

    @Test
    void aFailedStepMarksItsSpanAndACommandWithoutContextStartsATraceOfItsOwn() {
        StepDispatcher d = dispatcher(new StepTracing(provider.get("test")),
                handler("git.tag-release", ctx -> StepOutcome.failed("remote rejected", true)));

        send(d, "git.tag-release", "c-1", null);

        SpanData run = spans.getFinishedSpanItems().get(0);
        assertEquals(StatusCode.ERROR, run.getStatus().getStatusCode());
        assertEquals("failed_retryable", run.getAttributes().get(StepTracing.OUTCOME));
        assertFalse(run.getParentSpanContext().isValid(), "a root span");
        assertNotEquals(TRACE, run.getTraceId());
        assertTrue(published.last().data() instanceof StepFailed);
        assertEquals("00-" + run.getTraceId() + "-" + run.getSpanId() + "-01", published.last().traceParent());
    }

    @Test
    void offTheEventsCarryTheCommandsContextOnAndNoSpanIsMade() {
        StepDispatcher d = dispatcher(StepTracing.off(), handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of())));

        send(d, "git.resolve-head", "c-1", COMMAND_CONTEXT);
        assertEquals(COMMAND_CONTEXT, published.last().traceParent());
        send(d, "git.resolve-head", "c-2", null);
        assertNull(published.last().traceParent(), "a command without context: results without it");
        assertTrue(spans.getFinishedSpanItems().isEmpty());
    }
}
