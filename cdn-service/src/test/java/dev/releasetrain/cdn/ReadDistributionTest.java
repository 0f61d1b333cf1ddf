package dev.releasetrain.cdn;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class ReadDistributionTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    @ConfigProperty(name = "sandbox.test.domain-name")
    String domainName;

    @Test
    void readsTheDistributionThroughTheCloudFrontApi() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("cdn", "cdn.read-distribution", Map.of("version", release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);
            List<Envelope> events = bus.awaitOutcome(release, command.commandId());

            StepSucceeded succeeded = assertInstanceOf(StepSucceeded.class, TestBus.result(events).data());
            assertEquals(Map.of("distributionId", distributionId, "domainName", domainName, "status", "Deployed"),
                    succeeded.outputs());
            assertEquals("/release-train/cdn-service", TestBus.result(events).source());
        }
    }
}
