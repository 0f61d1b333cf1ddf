package dev.releasetrain.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.model.Message;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.releasetrain.notify.AnnouncementsTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /plan} of the notify steps over HTTP, as the coordinator asks it: the release post and the messages
 * rendered by the steps' own code, nothing posted or written (the stand-ins' write counters do not move), and what
 * the steps then do is what the plan showed.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class PlanResourceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> STAND_INS = List.of("slack", "github", "website");

    @TestHTTPResource("/plan")
    URI plan;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    @ConfigProperty(name = "release-train.github.api-url")
    String githubUrl;

    @ConfigProperty(name = "release-train.github.token")
    String githubToken;

    @ConfigProperty(name = "release-train.slack.api-url")
    String slackApiUrl;

    @ConfigProperty(name = "release-train.slack.community.token")
    String communityToken;

    TestBus bus;
    SlackProbe community;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
        community = new SlackProbe(slackApiUrl, communityToken);
    }

    @AfterEach
    void disconnect() throws Exception {
        bus.close();
        community.close();
    }

    static Map<String, Object> step(String id, Map<String, String> params) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("step", id);
        s.put("handler", id);
        s.put("params", params);
        return s;
    }

    HttpResponse<String> post(Object body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(plan).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePostAndTheMessagesAreWhatTheStepsThenPostAndNothingIsWrittenMeanwhile() throws Exception {
        String release = TestBus.freshReleaseId();
        Map<String, String> draft = ReleasePostTest.draftParams(release);
        Map<String, String> freeze = AnnouncementsTest.releaseVariables(release);
        freeze.put("playgroundRevision", "<deploy.upgrade-playground.revision>");
        Map<String, String> publish = AnnouncementsTest.releaseVariables(release);
        publish.put("pullRequest", "<notify.draft-release-post.pullRequest>");
        Map<String, String> launch = AnnouncementsTest.releaseVariables(release);
        launch.put("postUrl", "<notify.publish-release-post.url>");
        List<Object> steps = new ArrayList<>(List.of(
                step("notify.announce-code-freeze", AnnouncementsTest.releaseVariables(release)),
                step("notify.announce-freeze", freeze),
                step("notify.draft-release-post", draft),
                step("notify.publish-release-post", publish),
                step("notify.announce-release", launch),
                step("notify.newsletter", launch),
                step("notify.no-such-step", Map.of())));
        Map<String, Long> writes = writes();

        HttpResponse<String> answer = post(Map.of("steps", steps));

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(writes, writes(), "the plan posted nothing to Slack and wrote nothing to GitHub");
        JsonNode planned = JSON.readTree(answer.body()).path("steps");
        assertEquals(7, planned.size(), answer.body());

        JsonNode code = planned.get(0);
        assertTrue(code.path("planned").asBoolean(), code.toString());
        assertEquals("team", code.at("/message/workspace").asText());
        assertEquals("#team-releases", code.at("/message/channel").asText());
        assertTrue(code.at("/message/text").asText().startsWith(":snowflake: *Code freeze for PostHog " + release
                + "* starts Wednesday 25 November 2026, 14:00 UTC. Release owner: <@U024BE7LH>."), code.toString());
        assertTrue(planned.get(1).at("/message/text").asText().contains("(Helm revision <deploy.upgrade-playground.revision>)"),
                "an output not planned is shown as such: " + planned.get(1));

        JsonNode post = planned.get(2);
        String path = "contents/blog/posthog-array-" + release.replace('.', '-') + ".md";
        String postUrl = "/blog/posthog-array-" + release.replace('.', '-');
        assertTrue(post.path("planned").asBoolean(), post.toString());
        assertEquals(ReleasePostTest.EXPECTED_POST.formatted(release), post.at("/post/markdown").asText());
        assertEquals(path, post.at("/post/path").asText());
        assertEquals("release-post-" + release, post.at("/post/branch").asText());
        assertEquals("Array " + release + ": release post", post.at("/post/pullRequestTitle").asText());
        assertEquals("PostHog/posthog.com", post.at("/post/repository").asText());
        assertTrue(post.at("/post/url").asText().endsWith(postUrl), post.toString());

        JsonNode published = planned.get(3);
        assertEquals(post.at("/post/url").asText(), published.at("/outputs/url").asText());
        JsonNode announced = planned.get(4);
        assertEquals("community", announced.at("/message/workspace").asText());
        assertEquals("#announcements", announced.at("/message/channel").asText());
        assertEquals(":rocket: *PostHog " + release + " is out!*\nRead what is new in the release post: " + post.at("/post/url").asText(),
                announced.at("/message/text").asText(), "the planned post URL of the step before fills in the link");
        assertEquals("#marketing", planned.get(5).at("/message/channel").asText());
        assertFalse(planned.get(6).path("planned").asBoolean());
        assertEquals("no plan for handler notify.no-such-step", planned.get(6).path("note").asText());

        // the steps then write and post exactly what the plan showed
        StepRequested drafting = TestBus.command("notify", "notify.draft-release-post", draft);
        bus.send(release, drafting);
        StepSucceeded drafted = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, drafting.commandId())));
        GitHub github = new GitHubBuilder().withEndpoint(githubUrl).withOAuthToken(githubToken).build();
        assertEquals(post.at("/post/markdown").asText(), github.getRepository("PostHog/posthog.com")
                .getFileContent(path, (String) drafted.outputs().get("branch")).getContent());
        assertEquals(post.at("/outputs/branch").asText(), drafted.outputs().get("branch"));
        assertEquals(post.at("/outputs/path").asText(), drafted.outputs().get("path"));

        Map<String, String> announce = AnnouncementsTest.releaseVariables(release);
        announce.put("postUrl", published.at("/outputs/url").asText());
        StepRequested announcing = TestBus.command("notify", "notify.announce-release", announce);
        bus.send(release, announcing);
        assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, announcing.commandId())));
        List<Message> messages = community.messagesAbout("#announcements", release);
        assertEquals(List.of(announced.at("/message/text").asText()), messages.stream().map(Message::getText).toList());
    }

    @Test
    void aPostWhoseChangelogHasNoPlanIsNotPlannedAndSaysWhy() throws Exception {
        String release = TestBus.freshReleaseId();
        Map<String, String> draft = AnnouncementsTest.releaseVariables(release);
        draft.put("log", "<git.collect-changelog.log>");
        draft.put("highlights", "<git.collect-changelog.highlights>");
        draft.put("externalContributors", "<git.collect-changelog.externalContributors>");

        HttpResponse<String> answer = post(Map.of("steps", List.of(step("notify.draft-release-post", draft))));

        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode p = JSON.readTree(answer.body()).path("steps").get(0);
        assertFalse(p.path("planned").asBoolean(), p.toString());
        assertEquals("not planned: its changelog log (<git.collect-changelog.log>) has no plan (see git.collect-changelog)",
                p.path("note").asText());
    }

    @Test
    void aBodyWithoutStepsIsRefused() throws Exception {
        assertEquals(400, post(Map.of()).statusCode());
    }

    private Map<String, Long> writes() throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String name : STAND_INS) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl + "/admin/calls/" + name))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), name + ": " + r.body());
            out.put(name, JSON.readTree(r.body()).path("writes").asLong());
        }
        return out;
    }
}
