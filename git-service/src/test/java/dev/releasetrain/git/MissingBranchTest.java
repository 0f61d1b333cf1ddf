package dev.releasetrain.git;

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

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(MissingBranchTest.BranchThatDoesNotExist.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(GitSandboxResource.class)
class MissingBranchTest {

    public static class BranchThatDoesNotExist implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.git.default-branch", "trunk");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.git.repository-url")
    String repositoryUrl;

    @Test
    void aMissingBranchFailsNotRetryableNamingTheBranchAndTheRepository() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("git", "git.resolve-head", Map.of("version", release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);

            StepFailed failed = assertInstanceOf(StepFailed.class, TestBus.result(bus.awaitOutcome(release, command.commandId())).data());

            assertFalse(failed.retryable());
            assertTrue(failed.reason().contains("branch 'trunk' not found in " + repositoryUrl), failed.reason());
            assertTrue(failed.reason().contains("master"), failed.reason());
        }
    }
}
