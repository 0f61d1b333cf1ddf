package dev.releasetrain.cdn;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

@QuarkusTest
@TestProfile(MissingDistributionTest.UnknownDistribution.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class MissingDistributionTest {

    public static class UnknownDistribution implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.cdn.distribution-id", "E0NOSUCHDIST");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void anUnknownDistributionFailsNotRetryableNamingIt() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("cdn", "cdn.read-distribution", Map.of("version", release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);

            StepFailed failed = assertInstanceOf(StepFailed.class, TestBus.result(bus.awaitOutcome(release, command.commandId())).data());

            assertEquals(new StepFailed("cdn.read-distribution", 1, command.commandId(),
                    "CloudFront distribution 'E0NOSUCHDIST' does not exist (NoSuchDistribution)", false, failed.worker(),
                    failed.startedAt()), failed);
        }
    }
}
