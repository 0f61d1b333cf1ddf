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

import static dev.releasetrain.notify.AnnouncementsTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

@QuarkusTest
@TestProfile(UnknownChannelTest.MisspelledChannel.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class UnknownChannelTest {

    public static class MisspelledChannel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.notify.channels.announcements", "#anouncements");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aChannelSlackDoesNotKnowFailsTheStepNotRetryableNamingIt() {
        String release = TestBus.freshReleaseId();
        Map<String, String> params = AnnouncementsTest.releaseVariables(release);
        params.put("postUrl", "https://posthog.com/blog/posthog-array-1-29-0");
        StepRequested command = TestBus.command("notify", "notify.announce-release", params);
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);
            StepFailed failed = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, command.commandId())));
            assertFalse(failed.retryable());
            assertEquals("Slack channel #anouncements not found in the community workspace (channel_not_found)", failed.reason());
        }
    }
}
