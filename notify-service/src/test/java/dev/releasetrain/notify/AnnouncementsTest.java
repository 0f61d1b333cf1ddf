package dev.releasetrain.notify;

import com.slack.api.model.Message;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The four channel messages of the runbook, rendered from the default templates, posted once per release step. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class AnnouncementsTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.slack.api-url")
    String slackApiUrl;

    @ConfigProperty(name = "release-train.slack.token")
    String slackToken;

    TestBus bus;
    SlackProbe slack;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
        slack = new SlackProbe(slackApiUrl, slackToken);
    }

    @AfterEach
    void disconnect() throws Exception {
        bus.close();
        slack.close();
    }

    /** The release variables every command carries, as the coordinator renders them. */
    static Map<String, String> releaseVariables(String release) {
        Map<String, String> p = new HashMap<>();
        p.put("version", release);
        p.put("previousVersion", "1.28.3");
        p.put("kind", "minor");
        p.put("releaseBranch", "release-" + release);
        p.put("owner", "alice");
        p.put("ownerSlack", "U024BE7LH");
        p.put("freezeDate", "2026-11-25");
        p.put("freezeTime", "2026-11-25T14:00:00Z");
        p.put("releaseDate", "2026-11-30");
        p.put("releaseTime", "2026-11-30T14:00:00Z");
        p.put("startedBy", "alice");
        return p;
    }

    @Test
    void theCodeFreezeHeadsUpIsPostedOnceHoweverOftenTheStepRuns() throws Exception {
        String release = TestBus.freshReleaseId();
        StepRequested first = TestBus.command("notify", "notify.announce-code-freeze", releaseVariables(release));
        Envelope envelope = Envelope.of("/release-train/coordinator", release, first);
        bus.sendEnvelope(Topics.commands("notify"), envelope);
        bus.sendEnvelope(Topics.commands("notify"), envelope); // redelivered
        StepSucceeded posted = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, first.commandId())));
        StepRequested again = new StepRequested("notify.announce-code-freeze", "notify", 2, UUID.randomUUID().toString(),
                releaseVariables(release));
        bus.send(release, again);
        StepSucceeded reused = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, again.commandId())));

        List<Message> messages = slack.messagesAbout("#team-releases", release);
        assertEquals(1, messages.size(), messages.toString());
        assertEquals(":snowflake: *Code freeze for PostHog " + release + "* starts Wednesday 25 November 2026, 14:00 UTC. "
                + "Release owner: <@U024BE7LH>. The branch `release-" + release + "` is cut from `master` now; after that, "
                + "fixes for this release need the label `release-" + release + "`. Break-the-release session: "
                + "Wednesday 25 November 2026, 16:00 UTC on https://playground.posthog.net. Release day: 2026-11-30.",
                messages.get(0).getText());
        assertEquals(posted.outputs(), reused.outputs());
        assertEquals(messages.get(0).getTs(), posted.outputs().get("ts"));
        String channel = (String) posted.outputs().get("channel");
        assertTrue(channel.startsWith("C"), channel);
        assertEquals("https://posthog.slack.com/archives/" + channel + "/p" + messages.get(0).getTs().replace(".", ""),
                posted.outputs().get("permalink"));
    }

    @Test
    void eachMessageGoesToItsChannel() throws Exception {
        String release = TestBus.freshReleaseId();
        String postUrl = "https://posthog.com/blog/posthog-array-" + release.replace('.', '-');
        Map<String, String> freeze = releaseVariables(release);
        freeze.put("playgroundRevision", "7");
        Map<String, String> launch = releaseVariables(release);
        launch.put("postUrl", postUrl);

        Map<String, String> texts = Map.of(
                "notify.announce-freeze", "#team-releases",
                "notify.announce-release", "#announcements",
                "notify.newsletter", "#marketing");
        for (var step : texts.entrySet()) {
            StepRequested command = TestBus.command("notify", step.getKey(),
                    step.getKey().equals("notify.announce-freeze") ? freeze : launch);
            bus.send(release, command);
            StepSucceeded done = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, command.commandId())));
            List<Message> in = slack.messagesAbout(step.getValue(), release);
            assertEquals(1, in.size(), step + ": " + in);
            assertEquals(step.getKey(), in.get(0).getMetadata().getEventPayload().get("step"));
            assertEquals(in.get(0).getTs(), done.outputs().get("ts"));
        }
        assertEquals(":rocket: *PostHog " + release + " is out!* Read what is new in the release post: " + postUrl,
                slack.messagesAbout("#announcements", release).get(0).getText());
        assertEquals(":newspaper: PostHog " + release + " is released and its post is live: " + postUrl
                        + " - over to you for the newsletter. Release owner: alice.",
                slack.messagesAbout("#marketing", release).get(0).getText());
        assertTrue(slack.messagesAbout("#team-releases", release).get(0).getText()
                .contains("runs `release-" + release + "-unstable` (Helm revision 7)"));
    }

    @Test
    void theNewsletterWithoutThePostLinkFailsNotRetryableAndPostsNothing() throws Exception {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("notify", "notify.newsletter", releaseVariables(release));
        bus.send(release, command);
        StepFailed failed = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, command.commandId())));
        assertFalse(failed.retryable());
        assertTrue(failed.reason().startsWith("message template newsletter uses {{postUrl}}, which has no value here"),
                failed.reason());
        assertTrue(slack.messagesAbout("#marketing", release).isEmpty());
    }

    static ReleaseEvent last(List<Envelope> events) {
        return events.get(events.size() - 1).data();
    }
}
