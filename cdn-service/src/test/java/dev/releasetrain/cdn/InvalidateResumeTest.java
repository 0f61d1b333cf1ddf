package dev.releasetrain.cdn;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox keeps the invalidation InProgress for 8 s; with a max wait of 1.5 s the first attempt gives up
 * (retryable), and the second, sent once CloudFront reports the invalidation completed, finds that same one.
 */
@QuarkusTest
@TestProfile(InvalidateResumeTest.ShortWait.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class InvalidateResumeTest {

    public static class ShortWait implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.cdn.invalidation-max-wait", "PT1.5S");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.cdn.endpoint")
    String endpoint;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    @Test
    void anAttemptThatGaveUpWaitingIsResumedByTheNextOnTheSameInvalidation() {
        String release = TestBus.freshReleaseId();
        try (TestBus bus = new TestBus(bootstrapServers); CloudFrontProbe cloudFront = new CloudFrontProbe(endpoint, distributionId)) {
            admin("/admin/cloudfront/invalidation-delay?ms=8000");
            StepRequested attempt1 = TestBus.command("cdn", "cdn.invalidate", Map.of("version", release, "paths", "/*"));
            bus.send(release, attempt1);
            StepFailed gaveUp = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, attempt1.commandId())));
            assertTrue(gaveUp.retryable());
            assertTrue(gaveUp.reason().contains("is still InProgress after"), gaveUp.reason());

            org.awaitility.Awaitility.await("the invalidation completed").atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> cloudFront.invalidationsWithReference("release-train/" + release + "/").stream()
                            .allMatch(i -> "Completed".equals(i.status())));
            StepRequested attempt2 = new StepRequested("cdn.invalidate", "cdn", 2, UUID.randomUUID().toString(),
                    Map.of("version", release, "paths", "/*"));
            bus.send(release, attempt2);
            StepSucceeded done = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, attempt2.commandId())));

            assertEquals("Completed", done.outputs().get("status"));
            var made = cloudFront.invalidationsWithReference("release-train/" + release + "/");
            assertEquals(1, made.size());
            assertEquals(made.get(0).id(), done.outputs().get("invalidationId"));
            assertTrue(gaveUp.reason().contains(made.get(0).id()), gaveUp.reason());
        } finally {
            admin("/admin/cloudfront/invalidation-delay?ms=2000"); // the sandbox's default
        }
    }

    private void admin(String path) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(adminUrl + path)).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The terminal result: the last of a command's events (StepStarted, StepProgress..., then the result). */
    static dev.releasetrain.protocol.ReleaseEvent last(java.util.List<dev.releasetrain.protocol.Envelope> events) {
        return events.get(events.size() - 1).data();
    }
}
