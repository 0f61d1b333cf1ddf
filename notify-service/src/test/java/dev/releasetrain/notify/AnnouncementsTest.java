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

/**
 * The four channel messages of the runbook, rendered from the default templates, posted once per release step, each
 * in its workspace: the release announcement in the community's, the others in the team's.
 */
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

    @ConfigProperty(name = "release-train.slack.community.token")
    String communityToken;

    TestBus bus;
    SlackProbe slack;
    SlackProbe community;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
        slack = new SlackProbe(slackApiUrl, slackToken);
        community = new SlackProbe(slackApiUrl, communityToken);
    }

    @AfterEach
    void disconnect() throws Exception {
        bus.close();
        slack.close();
        community.close();
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
            SlackProbe workspace = step.getKey().equals("notify.announce-release") ? community : slack;
            List<Message> in = workspace.messagesAbout(step.getValue(), release);
            assertEquals(1, in.size(), step + ": " + in);
            assertEquals(step.getKey(), in.get(0).getMetadata().getEventPayload().get("step"));
            assertEquals(in.get(0).getTs(), done.outputs().get("ts"));
        }
        Message announced = community.messagesAbout("#announcements", release).get(0);
        assertEquals(":rocket: *PostHog " + release + " is out!*\nRead what is new in the release post: " + postUrl,
                announced.getText());
        assertEquals(dev.releasetrain.sandbox.SlackStandIn.COMMUNITY_TEAM_ID, announced.getTeam(), "posted in the community workspace");
        assertEquals("channel_not_found", slack.historyError("#announcements"), "the team workspace has no #announcements");
        assertEquals(":newspaper: PostHog " + release + " is released and its post is live: " + postUrl
                        + " - over to you for the newsletter. Release owner: alice.",
                slack.messagesAbout("#marketing", release).get(0).getText());
        assertTrue(slack.messagesAbout("#team-releases", release).get(0).getText()
                .contains("runs `release-" + release + "-unstable` (Helm revision 7)"));
    }

    @Test
    void anAnnouncementWithoutAPostHasNoLinkLine() throws Exception {
        String release = TestBus.freshReleaseId();
        Map<String, String> patch = releaseVariables(release);
        patch.put("kind", "patch");
        patch.put("postUrl", "");
        StepRequested command = TestBus.command("notify", "notify.announce-release", patch);
        bus.send(release, command);
        assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, command.commandId())));
        assertEquals(List.of(":rocket: *PostHog " + release + " is out!*"),
                community.messagesAbout("#announcements", release).stream().map(Message::getText).toList());
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
