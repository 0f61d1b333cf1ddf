package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.releasetrain.cli.ReleaseClient;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces switched on across the packaged coordinator and the four services, each its own process on the embedded
 * Kafka and PostgreSQL, exporting over OTLP (HTTP, protobuf) to a collector stand-in in this test: a proving release
 * is one trace, its root span from the coordinator, a span per step attempt from the coordinator, and under each of
 * them the span of the service that ran it; the next release is another trace.
 */
class TraceFlowIT {
    static final Map<String, String> PROVING = Map.of("git.resolve-head", "git-service", "deploy.list-pods", "deploy-service",
            "cdn.read-distribution", "cdn-service", "notify.post-message", "notify-service");

    /** A span as the collector received it, with the service that sent it. */
    record Received(String service, Span span) {
        String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        String spanId() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        String parentSpanId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        String attribute(String key) {
            return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).map(KeyValue::getValue)
                    .map(AnyValue::getStringValue).findFirst().orElse(null);
        }
    }

    static final List<Received> received = new CopyOnWriteArrayList<>();
    static HttpServer collector;
    static Stack stack;
    static ReleaseClient api;

    @BeforeAll
    static void start() throws Exception {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    String service = rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
                            .map(a -> a.getValue().getStringValue()).findFirst().orElse("?");
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        ss.getSpansList().forEach(s -> received.add(new Received(service, s)));
                    }
                }
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
            exchange.close();
        });
        collector.start();
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
        stack = Stack.start(System.out::println, Demo.RUNBOOK, Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.exporter.otlp.traces.endpoint", endpoint,
                "quarkus.otel.bsp.schedule.delay", "100ms"));
        api = new ReleaseClient(stack.coordinatorUrl(), "alice", stack.apiToken("alice"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            if (collector != null) {
                collector.stop(0);
            }
        }
    }

    @Test
    void aReleaseIsOneTraceAcrossTheCoordinatorAndEveryServiceAndTheNextReleaseAnother() {
        String v = startAndComplete();
        // the root, an attempt span per step and a service span under each
        await("the spans of release " + v).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> spansOf(v).size() >= 1 + 2 * PROVING.size());
        Received root = spansOf(v).stream().filter(s -> s.span().getName().equals("release")).findFirst().orElseThrow();
        assertEquals("coordinator", root.service());
        assertTrue(root.span().getParentSpanId().isEmpty(), "the release's span is a root");
        String trace = root.traceId();
        assertTrue(spansOf(v).stream().allMatch(s -> s.traceId().equals(trace)), "one trace: " + spansOf(v));

        for (Map.Entry<String, String> step : PROVING.entrySet()) {
            Received attempt = only(v, "step " + step.getKey());
            assertEquals("coordinator", attempt.service());
            assertEquals(root.spanId(), attempt.parentSpanId(), "the attempt of " + step.getKey() + " under the release");
            Received run = only(v, "run " + step.getKey());
            assertEquals(step.getValue(), run.service(), "run by its service");
            assertEquals(attempt.spanId(), run.parentSpanId(), "the service's span of " + step.getKey() + " under its attempt");
            assertEquals(run.spanId(), HexFormat.of().formatHex(attempt.span().getLinks(0).getSpanId().toByteArray()),
                    "the attempt links the service's span its result carried back");
        }

        String next = startAndComplete();
        await("the root span of release " + next).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> spansOf(next).stream().anyMatch(s -> s.span().getName().equals("release")));
        Received nextRoot = spansOf(next).stream().filter(s -> s.span().getName().equals("release")).findFirst().orElseThrow();
        assertNotEquals(trace, nextRoot.traceId(), "the next release is another trace");
        assertFalse(spansOf(v).stream().anyMatch(s -> s.traceId().equals(nextRoot.traceId())));
    }

    private static String startAndComplete() {
        ReleaseClient.Answer started = api.post("/releases", "{\"runbook\":\"proving\"}");
        assertEquals(202, started.status(), started.message());
        String v = started.body().path("version").asText();
        await("release " + v + " completed").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    JsonNode release = api.get("/releases/" + v).body();
                    return "completed".equals(release.path("status").asText());
                });
        return v;
    }

    private static List<Received> spansOf(String release) {
        return received.stream().filter(s -> release.equals(s.attribute("release_train.release"))).toList();
    }

    private static Received only(String release, String name) {
        List<Received> found = spansOf(release).stream().filter(s -> s.span().getName().equals(name)).toList();
        assertEquals(1, found.size(), name + ": " + found);
        return found.get(0);
    }
}
