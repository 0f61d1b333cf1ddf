package dev.releasetrain.cdn;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.worker.StepTracing;
import dev.releasetrain.worker.testing.TestBus;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The service's side of a release's trace, on Kafka with tracing on: a command carrying its attempt's span context
 * ({@code ce_traceparent}, as the coordinator's relay puts it on) runs in a span of the service that is a child of it,
 * and the result on release.results carries that span's context back, in the same trace.
 */
@QuarkusTest
@TestProfile(ReadDistributionTraceTest.Tracing.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class ReadDistributionTraceTest {

    /** Tracing on, as QUARKUS_OTEL_SDK_DISABLED=false switches it on in production. */
    public static class Tracing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @Inject
    InMemorySpanExporter spans;

    @Test
    void theCommandRunsInAChildOfItsAttemptsSpanAndTheResultCarriesItBack() {
        String release = TestBus.freshReleaseId();
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String attemptSpan = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        StepRequested command = TestBus.command("cdn", "cdn.read-distribution", Map.of("version", release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.sendEnvelope(Topics.commands("cdn"), Envelope.of("/release-train/coordinator", release, command)
                    .withTraceParent("00-" + traceId + "-" + attemptSpan + "-01"));
            List<Envelope> events = bus.awaitOutcome(release, command.commandId());

            Envelope result = TestBus.result(events);
            assertInstanceOf(StepSucceeded.class, result.data());
            String back = result.traceParent();
            assertEquals("00-" + traceId, back.substring(0, 35), "the result is in the command's trace: " + back);
            assertNotEquals(attemptSpan, back.substring(36, 52), "with the service's own span");

            Awaitility.await("the service's span").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> runSpans(release).size() == 1);
            SpanData run = runSpans(release).get(0);
            assertEquals("run cdn.read-distribution", run.getName());
            assertEquals(SpanKind.CONSUMER, run.getKind());
            assertEquals(traceId, run.getTraceId());
            assertEquals(attemptSpan, run.getParentSpanId(), "a child of the attempt's span the command named");
            assertEquals(back.substring(36, 52), run.getSpanId(), "the result carries the service's span");
            assertEquals("succeeded", run.getAttributes().get(StepTracing.OUTCOME));
            assertEquals(command.commandId(), run.getAttributes().get(StepTracing.COMMAND_ID));
        }
    }

    private List<SpanData> runSpans(String release) {
        return spans.getFinishedSpanItems().stream().filter(s -> release.equals(s.getAttributes().get(StepTracing.RELEASE))).toList();
    }
}
