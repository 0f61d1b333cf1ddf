package dev.releasetrain.coordinator.trace;

import dev.releasetrain.coordinator.TestResults;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.KafkaHeaders;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One trace per release, on the real Kafka and PostgreSQL, with tracing switched on and spans kept in memory: the
 * release's root span, its events in the log carrying its trace context, each command on Kafka carrying its attempt
 * span's context as {@code ce_traceparent}, and each attempt's span (a child of the release span) linked to the
 * span the service ran the command in, whose context its result carried back. The services' side (a command's span
 * continuing that context, the result carrying it) is {@code StepTracingTest} in the worker runtime and
 * {@code ReadDistributionTraceTest} in the CDN service; {@code TraceFlowIT} (launcher) runs the whole trace across the
 * packaged coordinator and services.
 */
@QuarkusTest
@TestProfile(ReleaseTraceTest.Tracing.class)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ReleaseTraceTest {
    private static final String FAILING_STEP = "git.resolve-head";

    /** Tracing on, as QUARKUS_OTEL_SDK_DISABLED=false switches it on in production. */
    public static class Tracing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false",
                    // a finished span reaches the exporter within 50 ms instead of 5 s
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    @Inject
    InMemorySpanExporter spans;
    @Inject
    ReleaseLog log;

    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Command id → the ce_traceparent its command record carried. */
    private final Map<String, String> commandContexts = new ConcurrentHashMap<>();
    /** Command id → the context the test's worker sent back with the result. */
    private final Map<String, String> resultContexts = new ConcurrentHashMap<>();
    /** The releases this test started: only their commands are answered. */
    private final Set<String> ours = ConcurrentHashMap.newKeySet();
    /** The release whose first attempt of {@link #FAILING_STEP} fails. */
    private volatile String failing;
    private Thread worker;

    @Test
    void aReleaseIsOneTraceAcrossTheLogTheCommandsAndTheAttemptsAndTheNextReleaseAnother() throws InterruptedException {
        answerCommands();
        String v = start();
        TestResults.await(() -> "failed".equals(status(v)), "the first attempt of " + FAILING_STEP + " failed the release");
        given().spec(TestTokens.as(TestTokens.ALICE)).contentType(ContentType.JSON).body("{\"reason\":\"flaky remote\"}")
                .post("/releases/" + v + "/steps/" + FAILING_STEP + "/retry").then().statusCode(202);
        TestResults.await(() -> "completed".equals(status(v)), "release " + v + " completed after the retry");

        // the log: every event carries the release's trace; the start the release span's context
        List<Envelope> stream = log.read(v);
        Envelope started = stream.get(0);
        assertTrue(started.data() instanceof ReleaseStarted, stream.toString());
        String traceId = traceId(started.traceParent());
        for (Envelope e : stream) {
            assertNotNull(e.traceParent(), "every event of the release has a trace context: " + e);
            assertEquals(traceId, traceId(e.traceParent()), "one trace for the release: " + e);
        }
        List<Envelope> requests = stream.stream().filter(e -> e.data() instanceof StepRequested).toList();
        assertEquals(5, requests.size(), "four steps and the retried one: " + requests);
        for (Envelope r : requests) {
            String commandId = ((StepRequested) r.data()).commandId();
            assertEquals(r.traceParent(), commandContexts.get(commandId), "the command record carries the row's context");
        }

        // the spans: the release's root span and one span per attempt, its child, with the command's span id
        SpanData root = awaitSpans(v, 6).stream().filter(s -> s.getName().equals("release")).findFirst().orElseThrow();
        assertEquals(traceId, root.getTraceId());
        assertFalse(root.getParentSpanContext().isValid(), "the release's span is a root");
        assertEquals(started.traceParent(), "00-" + traceId + "-" + root.getSpanId() + "-01");
        List<SpanData> attempts = spansOf(v).stream().filter(s -> s.getName().startsWith("step ")).toList();
        assertEquals(5, attempts.size(), attempts.toString());
        for (Envelope r : requests) {
            StepRequested cmd = (StepRequested) r.data();
            SpanData attempt = attempts.stream().filter(s -> cmd.commandId().equals(s.getAttributes().get(ReleaseTraces.COMMAND_ID)))
                    .findFirst().orElseThrow(() -> new AssertionError("no span of attempt " + cmd.commandId() + " in " + attempts));
            assertEquals("step " + cmd.step(), attempt.getName());
            assertEquals(SpanKind.PRODUCER, attempt.getKind());
            assertEquals(traceId, attempt.getTraceId());
            assertEquals(root.getSpanId(), attempt.getParentSpanId(), "an attempt is a child of the release span");
            assertEquals(spanId(commandContexts.get(cmd.commandId())), attempt.getSpanId(),
                    "the attempt's span is the one its command named, so the service's span is its child");
            List<String> linked = attempt.getLinks().stream().map(LinkData::getSpanContext).map(c -> c.getSpanId()).toList();
            assertEquals(List.of(spanId(resultContexts.get(cmd.commandId()))), linked, "linked to the service's span");
            assertFalse(attempt.getStartEpochNanos() > attempt.getEndEpochNanos());
            boolean failed = cmd.step().equals(FAILING_STEP) && cmd.attempt() == 1;
            assertEquals(failed ? StatusCode.ERROR : StatusCode.UNSET, attempt.getStatus().getStatusCode(), attempt.toString());
            assertEquals(failed ? "failed" : "succeeded", attempt.getAttributes().get(ReleaseTraces.OUTCOME));
        }

        // the next release: a trace of its own
        String next = start();
        TestResults.await(() -> "completed".equals(status(next)), "release " + next + " completed");
        String nextTrace = traceId(log.read(next).get(0).traceParent());
        assertNotEquals(traceId, nextTrace);
        SpanData nextRoot = awaitSpans(next, 5).stream().filter(s -> s.getName().equals("release")).findFirst().orElseThrow();
        assertEquals(nextTrace, nextRoot.getTraceId());
        assertTrue(spansOf(next).stream().allMatch(s -> s.getTraceId().equals(nextTrace)), "every span of the next release in its trace");
        assertTrue(spansOf(v).stream().allMatch(s -> s.getTraceId().equals(traceId)), "and none of them in the first release's");
    }

    private String start() {
        String v = given().spec(TestTokens.as(TestTokens.ALICE)).contentType(ContentType.JSON).body("{\"runbook\":\"proving\"}")
                .post("/releases").then().statusCode(202).extract().path("version");
        if (failing == null) {
            failing = v; // before it counts as ours, so its commands are answered knowing it
        }
        ours.add(v);
        return v;
    }

    private List<SpanData> spansOf(String release) {
        return spans.getFinishedSpanItems().stream().filter(s -> release.equals(s.getAttributes().get(ReleaseTraces.RELEASE))).toList();
    }

    /** The release's spans once there are {@code count}: the root and one per attempt. */
    private List<SpanData> awaitSpans(String release, int count) throws InterruptedException {
        TestResults.await(() -> spansOf(release).size() >= count, count + " spans of release " + release);
        return spansOf(release);
    }

    private static String traceId(String traceParent) {
        assertTrue(CloudEventCodec.isTraceParent(traceParent), "a W3C traceparent: " + traceParent);
        return traceParent.substring(3, 35);
    }

    private static String spanId(String traceParent) {
        assertTrue(CloudEventCodec.isTraceParent(traceParent), "a W3C traceparent: " + traceParent);
        return traceParent.substring(36, 52);
    }

    private static String status(String v) {
        return given().spec(TestTokens.as(TestTokens.VERA)).get("/releases/" + v).then().extract().path("status");
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    /**
     * Answers every proving command as a service with tracing on would: the result carries a span of the command's
     * trace (a new span id in the trace id its command record carried); the first attempt of {@link #FAILING_STEP}
     * fails in the first release.
     */
    private void answerCommands() {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "trace-test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> answered = ConcurrentHashMap.newKeySet();
        List<Envelope> waiting = new java.util.ArrayList<>(); // commands of a release not known to be ours yet
        worker = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap(), 0)) {
                consumer.subscribe(Pattern.compile("release\\.commands\\..*"));
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        waiting.add(CloudEventCodec.decode(KafkaHeaders.toMap(r.headers()), r.value()));
                    }
                    List<Envelope> now = waiting.stream().filter(e -> ours.contains(e.releaseId())).toList();
                    waiting.removeAll(now);
                    for (Envelope e : now) {
                        if (!(e.data() instanceof StepRequested cmd) || !answered.add(cmd.commandId())) {
                            continue;
                        }
                        String header = e.traceParent(); // as decoded from the record's ce_traceparent
                        commandContexts.put(cmd.commandId(), String.valueOf(header));
                        String context = header == null ? null
                                : "00-" + header.substring(3, 35) + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16) + "-01";
                        resultContexts.put(cmd.commandId(), String.valueOf(context));
                        ReleaseEvent result = cmd.step().equals(FAILING_STEP) && cmd.attempt() == 1 && e.releaseId().equals(failing)
                                ? new ReleaseEvent.StepFailed(cmd.step(), cmd.attempt(), cmd.commandId(), "remote refused", false)
                                : new ReleaseEvent.StepSucceeded(cmd.step(), cmd.attempt(), cmd.commandId(), Map.of("ok", true));
                        producer.send(TestResults.encoded(Envelope.of("/test/worker", e.releaseId(), result).withTraceParent(context)));
                    }
                }
            }
        }, "trace-test-worker");
        worker.start();
    }

    @AfterEach
    void stopWorker() throws InterruptedException {
        running.set(false);
        if (worker != null) {
            worker.join(10_000);
        }
    }
}
