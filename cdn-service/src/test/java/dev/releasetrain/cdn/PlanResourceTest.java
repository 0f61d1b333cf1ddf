package dev.releasetrain.cdn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudfront.model.Invalidation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /plan} of the cdn steps over HTTP: the distribution and paths {@code cdn.invalidate} would send,
 * no invalidation created (the CloudFront stand-in's write counter does not move), and the step then sends those.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class PlanResourceTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/plan")
    URI plan;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.cdn.endpoint")
    String endpoint;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    @ConfigProperty(name = "sandbox.test.domain-name")
    String domainName;

    static HttpResponse<String> post(URI uri, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String body(String release, String paths) {
        return "{\"steps\": [{\"step\": \"cdn.invalidate\", \"handler\": \"cdn.invalidate\", \"params\": {\"version\": \""
                + release + "\", \"paths\": \"" + paths + "\"}}]}";
    }

    @Test
    void theInvalidationIsWhatTheStepThenSendsAndNoneIsCreatedMeanwhile() throws Exception {
        String release = TestBus.freshReleaseId();
        long writes = writes();

        HttpResponse<String> answer = post(plan, body(release, "/versions.json, /index.html"), null);

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(writes, writes(), "no CreateInvalidation");
        JsonNode p = JSON.readTree(answer.body()).path("steps").get(0);
        assertTrue(p.path("planned").asBoolean(), p.toString());
        assertEquals(List.of("/versions.json", "/index.html"), List.of(p.at("/paths/0").asText(), p.at("/paths/1").asText()));
        assertEquals(2, p.path("paths").size());
        assertEquals(distributionId, p.at("/distribution/id").asText());
        assertEquals(domainName, p.at("/distribution/domainName").asText());
        try (CloudFrontProbe cloudFront = new CloudFrontProbe(endpoint, distributionId)) {
            assertTrue(cloudFront.invalidationsWithReference("release-train/" + release + "/").isEmpty());

            StepRequested command = TestBus.command("cdn", "cdn.invalidate", Map.of("version", release, "paths", "/versions.json, /index.html"));
            try (TestBus bus = new TestBus(bootstrapServers)) {
                bus.send(release, command);
                assertInstanceOf(StepSucceeded.class, TestBus.result(bus.awaitOutcome(release, command.commandId())).data());
            }
            List<Invalidation> made = cloudFront.invalidationsWithReference("release-train/" + release + "/");
            assertEquals(1, made.size(), made.toString());
            assertEquals(List.of(p.at("/paths/0").asText(), p.at("/paths/1").asText()), made.get(0).invalidationBatch().paths().items());
            assertEquals(p.path("callerReference").asText(), made.get(0).invalidationBatch().callerReference());
        }
    }

    @Test
    void pathsTheStepWouldRefuseAreNotPlannedWithItsReason() throws Exception {
        HttpResponse<String> answer = post(plan, body(TestBus.freshReleaseId(), "versions.json"), null);

        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode p = JSON.readTree(answer.body()).path("steps").get(0);
        assertFalse(p.path("planned").asBoolean(), p.toString());
        assertEquals("would fail: cdn.invalidate needs paths starting with '/', comma-separated; got 'versions.json'",
                p.path("note").asText());
    }

    @Test
    void aStepWithoutItsHandlerIsRefusedNamingIt() throws Exception {
        HttpResponse<String> answer = post(plan, "{\"steps\": [{\"step\": \"cdn.invalidate\", \"handler\": \"cdn.invalidate\"},"
                + " {\"step\": \"cdn.other\"}]}", null);

        assertEquals(400, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("steps[1] must name its step and its handler"), answer.body());
        HttpResponse<String> noSteps = post(plan, "{}", null);
        assertEquals(400, noSteps.statusCode(), noSteps.body());
    }

    private long writes() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl + "/admin/calls/cloudfront"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("writes").asLong();
    }
}
