package dev.releasetrain.cdn;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudfront.model.Invalidation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class InvalidateTest {
    static final String STEP = "cdn.invalidate";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.cdn.endpoint")
    String endpoint;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    TestBus bus;
    CloudFrontProbe cloudFront;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
        cloudFront = new CloudFrontProbe(endpoint, distributionId);
    }

    @AfterEach
    void disconnect() {
        bus.close();
        cloudFront.close();
    }

    @Test
    void oneInvalidationPerReleaseHoweverOftenTheStepRuns() {
        String release = TestBus.freshReleaseId();
        StepRequested first = TestBus.command("cdn", STEP, Map.of("version", release, "paths", "/*"));
        Envelope envelope = Envelope.of("/release-train/coordinator", release, first);
        bus.sendEnvelope(Topics.commands("cdn"), envelope);
        bus.sendEnvelope(Topics.commands("cdn"), envelope); // redelivered

        List<Envelope> events = bus.awaitOutcome(release, first.commandId());
        StepSucceeded done = assertInstanceOf(StepSucceeded.class, events.get(events.size() - 1).data());
        assertEquals("Completed", done.outputs().get("status"));
        String id = (String) done.outputs().get("invalidationId");
        assertTrue(events.stream().anyMatch(e -> e.data() instanceof StepProgress p
                && p.message().contains(id) && p.message().contains("InProgress")), events.toString());

        // the step runs again as a new attempt (e.g. retried after a later failure): the same invalidation
        StepRequested again = new StepRequested(STEP, "cdn", 2, UUID.randomUUID().toString(), Map.of("version", release, "paths", "/*"));
        bus.send(release, again);
        StepSucceeded second = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, again.commandId())));
        assertEquals(Map.of("invalidationId", id, "status", "Completed"), second.outputs());

        List<Invalidation> made = cloudFront.invalidationsWithReference("release-train/" + release + "/");
        assertEquals(1, made.size(), made.toString());
        assertEquals(List.of("/*"), made.get(0).invalidationBatch().paths().items());
        assertEquals(1, bus.awaitResults(release, e -> e.data() instanceof StepSucceeded s
                && s.commandId().equals(first.commandId()), 1).size(), "the redelivered command did not run again");
    }

    @Test
    void aNewAttemptAfterACrashBetweenCreateAndWaitWaitsOnTheSameInvalidation() {
        String release = TestBus.freshReleaseId();
        // attempt 1 created the invalidation, then its worker died before waiting
        Invalidation leftBehind = cloudFront.create(Invalidate.callerReference(release, STEP, List.of("/*")), List.of("/*"));
        StepRequested attempt2 = new StepRequested(STEP, "cdn", 2, UUID.randomUUID().toString(), Map.of("version", release));

        bus.send(release, attempt2);

        StepSucceeded done = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, attempt2.commandId())));
        assertEquals(Map.of("invalidationId", leftBehind.id(), "status", "Completed"), done.outputs());
        assertEquals(1, cloudFront.invalidationsWithReference("release-train/" + release + "/").size());
    }

    @Test
    void pathsThatAreNotPathsFailNotRetryable() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("cdn", STEP, Map.of("version", release, "paths", "versions.json"));
        bus.send(release, command);
        var failed = assertInstanceOf(dev.releasetrain.protocol.ReleaseEvent.StepFailed.class,
                last(bus.awaitOutcome(release, command.commandId())));
        assertFalse(failed.retryable());
        assertEquals("cdn.invalidate needs paths starting with '/', comma-separated; got 'versions.json'", failed.reason());
        assertTrue(cloudFront.invalidationsWithReference("release-train/" + release + "/").isEmpty());
    }

    /** The terminal result: the last of a command's events (StepStarted, StepProgress..., then the result). */
    static dev.releasetrain.protocol.ReleaseEvent last(java.util.List<dev.releasetrain.protocol.Envelope> events) {
        return events.get(events.size() - 1).data();
    }
}
