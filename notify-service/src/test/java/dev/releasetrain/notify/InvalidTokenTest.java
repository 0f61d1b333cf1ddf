package dev.releasetrain.notify;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

@QuarkusTest
@TestProfile(InvalidTokenTest.WrongToken.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class InvalidTokenTest {
    static final String WRONG_TOKEN = "xoxb-revoked-token-0123456789";

    public static class WrongToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.slack.token", WRONG_TOKEN);
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aTokenSlackRefusesFailsTheStepNotRetryableWithSlacksErrorCode() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("notify", "notify.post-message", Map.of("version", release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);

            StepFailed failed = assertInstanceOf(StepFailed.class, bus.awaitOutcome(release, command.commandId()).get(1).data());

            assertFalse(failed.retryable());
            assertEquals("Slack conversations.history failed: invalid_auth", failed.reason());
        }
    }
}
