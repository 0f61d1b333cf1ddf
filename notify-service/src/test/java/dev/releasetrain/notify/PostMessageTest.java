package dev.releasetrain.notify;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.model.Message;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class PostMessageTest {
    static final String STEP = "notify.post-message";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.slack.api-url")
    String slackApiUrl;

    @ConfigProperty(name = "release-train.slack.token")
    String slackToken;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    TestBus bus;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        bus.close();
    }

    @Test
    void postsOneMessagePerReleaseStepWhateverTheDeliveriesAndCommands() throws Exception {
        String release = TestBus.freshReleaseId();
        StepRequested first = TestBus.command("notify", STEP, Map.of("version", release));
        Envelope firstEnvelope = Envelope.of("/release-train/coordinator", release, first);

        bus.sendEnvelope(Topics.commands("notify"), firstEnvelope);
        bus.sendEnvelope(Topics.commands("notify"), firstEnvelope); // a redelivery of the same command
        StepSucceeded posted = assertInstanceOf(StepSucceeded.class, TestBus.result(bus.awaitOutcome(release, first.commandId())).data());
        StepRequested second = new StepRequested(STEP, "notify", 2, UUID.randomUUID().toString(), Map.of("version", release));
        bus.send(release, second);
        StepSucceeded reused = assertInstanceOf(StepSucceeded.class, TestBus.result(bus.awaitOutcome(release, second.commandId())).data());

        List<Message> messages = messagesAbout(release);
        assertEquals(1, messages.size(), messages.toString());
        assertEquals("Release Train: release " + release + " went through the proving runbook", messages.get(0).getText());
        assertEquals(messages.get(0).getTs(), posted.outputs().get("ts"));
        assertEquals(posted.outputs(), reused.outputs());
        assertTrue(String.valueOf(posted.outputs().get("channel")).startsWith("C"), posted.outputs().toString());
        assertEquals(1, bus.awaitResults(release, e -> e.data() instanceof StepSucceeded s
                && s.commandId().equals(first.commandId()), 1).size(), "the redelivered command did not run again");
    }

    @Test
    void aRateLimitedSlackFailsTheStepRetryable() throws Exception {
        HttpResponse<String> fault = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(adminUrl + "/admin/faults/slack?count=1&status=429"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, fault.statusCode(), fault.body());
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("notify", STEP, Map.of("version", release));

        bus.send(release, command);

        StepFailed failed = assertInstanceOf(StepFailed.class, TestBus.result(bus.awaitOutcome(release, command.commandId())).data());
        assertTrue(failed.retryable());
        assertTrue(failed.reason().contains("ratelimited"), failed.reason());
        assertEquals(0, messagesAbout(release).size());
    }

    /** Reads the channel through the stand-in's own Web API, as any Slack client would. */
    private List<Message> messagesAbout(String release) throws Exception {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(slackApiUrl);
        config.setStatsEnabled(false);
        try (Slack slack = Slack.getInstance(config)) {
            var history = slack.methods(slackToken).conversationsHistory(r -> r
                    .channel("#releases").includeAllMetadata(true).limit(999));
            assertTrue(history.isOk(), history.getError());
            return history.getMessages().stream()
                    .filter(m -> m.getMetadata() != null && release.equals(m.getMetadata().getEventPayload().get("release")))
                    .toList();
        }
    }
}
