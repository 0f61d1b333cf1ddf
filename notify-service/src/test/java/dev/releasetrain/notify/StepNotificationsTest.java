package dev.releasetrain.notify;

import com.slack.api.model.Message;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.GateOpened;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepTimedOut;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.sandbox.SlackStandIn;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failed and timed-out steps and opened gates, fed through release.events, become direct messages to the owner. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class StepNotificationsTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String COORDINATOR = "/release-train/coordinator";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.slack.api-url")
    String slackApiUrl;

    @ConfigProperty(name = "release-train.slack.token")
    String slackToken;

    TestBus bus;
    SlackProbe slack;
    long seq;

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

    private Envelope publish(String release, dev.releasetrain.protocol.ReleaseEvent data) {
        Envelope e = Envelope.of(COORDINATOR, release, data).withSeq(++seq);
        bus.sendEnvelope(Topics.EVENTS, e);
        return e;
    }

    static String freshUser() {
        return "U" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase(Locale.ROOT);
    }

    private String start(String owner) {
        String release = TestBus.freshReleaseId();
        Map<String, String> params = AnnouncementsTest.releaseVariables(release);
        params.put("ownerSlack", owner);
        publish(release, new ReleaseStarted(release, "minor", "1.28.3", "monthly-minor", "h", "alice", params, "name: monthly-minor"));
        return release;
    }

    @Test
    void aFailedDeployStepAndAnOpenedGateReachTheOwnerOnceEachAndTheFailureThePlatformTeam() throws Exception {
        String owner = freshUser();
        String release = start(owner);
        Envelope failed = publish(release, new StepFailed("deploy.upgrade-playground", 1, "c-1",
                "helm upgrade failed: timed out waiting for the condition", false));
        bus.sendEnvelope(Topics.EVENTS, failed); // the relay republished it
        Envelope gate = publish(release, new GateOpened("break-the-release", "the QA session signs off", "approver", null));

        List<Message> dms = slack.await(owner, release, m -> m.size() >= 2, WAIT);
        List<Message> platform = slack.await("#team-platform", release, m -> m.size() >= 1, WAIT);

        assertEquals(failed.id(), dms.get(0).getMetadata().getEventPayload().get("event"));
        String curl = "curl -fsS -X POST -H \"Authorization: Bearer $RELEASE_TRAIN_TOKEN\" -H 'Content-Type: application/json' ";
        String retryCurl = curl + "-d '{\"reason\":\"...\"}' http://localhost:8080/releases/" + release
                + "/steps/deploy.upgrade-playground/retry";
        String retryCli = "RELEASE_TRAIN_URL=http://localhost:8080 ./release-train retry " + release + " deploy.upgrade-playground";
        assertEquals(":x: Release *" + release + "*: step `deploy.upgrade-playground` failed (attempt 1): helm upgrade failed: "
                + "timed out waiting for the condition\nIn the console: <http://localhost:8080/release.html?version=" + release
                + "#step-deploy.upgrade-playground|" + release + " deploy.upgrade-playground>\nA person must fix the cause, then retry (with a release manager's token "
                + "exported as RELEASE_TRAIN_TOKEN):\n```" + retryCurl + "```\nor, in a checkout of Release Train:\n```"
                + retryCli + "```", dms.get(0).getText());
        assertEquals(List.of(retryCurl, retryCli), SlackStandIn.codeBlocks(dms.get(0).getText()));
        assertEquals(gate.id(), dms.get(1).getMetadata().getEventPayload().get("event"));
        String approveCurl = curl + "-d '{\"note\":\"...\"}' http://localhost:8080/releases/" + release
                + "/gates/break-the-release/approve";
        String approveCli = "RELEASE_TRAIN_URL=http://localhost:8080 ./release-train approve " + release + " break-the-release";
        assertEquals(":vertical_traffic_light: Release *" + release + "*: gate `break-the-release` is waiting for approval by "
                + "approver (the QA session signs off).\nIn the console: <http://localhost:8080/release.html?version=" + release
                + "#step-break-the-release|" + release + " break-the-release>\nTo approve (with an approver's token exported as RELEASE_TRAIN_TOKEN):\n```"
                + approveCurl + "```\nor, in a checkout of Release Train:\n```" + approveCli + "```", dms.get(1).getText());
        assertEquals(List.of(approveCurl, approveCli), SlackStandIn.codeBlocks(dms.get(1).getText()));
        assertTrue(platform.get(0).getText().startsWith(":rotating_light: team-platform, the release needs you: :x: Release *"
                + release + "*: step `deploy.upgrade-playground` failed"), platform.get(0).getText());

        // a later event is notified after the redelivered one, so the redelivery was handled by now
        Envelope timedOut = publish(release, new StepTimedOut("git.tag-release", 1, "c-2", Instant.parse("2026-11-30T15:00:00Z")));
        dms = slack.await(owner, release, m -> m.size() >= 3, WAIT);
        assertEquals(List.of(failed.id(), gate.id(), timedOut.id()),
                dms.stream().map(m -> m.getMetadata().getEventPayload().get("event")).toList());
        assertTrue(dms.get(2).getText().contains("step `git.tag-release` timed out (attempt 1, deadline 2026-11-30T15:00:00Z)"));
        assertEquals(List.of(new CoordinatorCommands("http://localhost:8080").retryCurl(release, "git.tag-release"),
                new CoordinatorCommands("http://localhost:8080").retryCli(release, "git.tag-release")), SlackStandIn.codeBlocks(dms.get(2).getText()));
        assertEquals(1, slack.messagesAbout("#team-platform", release).size(), "a git step does not concern the platform team");
    }

    @Test
    void theOwnerIsAlsoKnownFromTheReleaseVariablesOfACommand() throws Exception {
        String owner = freshUser();
        String release = TestBus.freshReleaseId(); // its ReleaseStarted was before this instance's time
        Map<String, String> params = AnnouncementsTest.releaseVariables(release);
        params.put("ownerSlack", owner);
        publish(release, new StepRequested("git.cut-release-branch", "git", 1, "c-1", params));
        Envelope failed = publish(release, new StepFailed("git.cut-release-branch", 1, "c-1", "remote refused the push", true));

        List<Message> dms = slack.await(owner, release, m -> !m.isEmpty(), WAIT);
        assertEquals(failed.id(), dms.get(0).getMetadata().getEventPayload().get("event"));
        assertTrue(dms.get(0).getText().contains("The failure may pass: the coordinator retries by the step's policy"),
                dms.get(0).getText());
    }
}
