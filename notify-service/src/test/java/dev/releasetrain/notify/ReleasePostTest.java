package dev.releasetrain.notify;

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
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GHUser;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.releasetrain.notify.AnnouncementsTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release post: drafted as one PR on the website repository, published only once approved. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class ReleasePostTest {
    static final String WEBSITE = "PostHog/posthog.com";

    /** A changelog as git.collect-changelog outputs it: the %s %ae lines, newest first, and its lists as JSON. */
    static final String LOG = """
            feat(session-recording): Add console log capture toggle to project settings (#5991) alex@posthog.com
            fix(funnels): Handle [empty] breakdowns (#5984) jordanlee.dev@gmail.com
            chore(deps): Bump django to 3.1.13 41899876+hedgehog-fan@users.noreply.github.com
            feat(insights): Add legend toggle for trends (#5952) priya@posthog.com""";
    static final String HIGHLIGHTS = """
            [{"number":5991,"title":"feat(session-recording): Add console log capture toggle to project settings",\
            "url":"https://github.com/PostHog/posthog/pull/5991"},\
            {"number":5952,"title":"feat(insights): Add legend toggle for trends","url":"https://github.com/PostHog/posthog/pull/5952"}]""";
    static final String CONTRIBUTORS = "[\"jordanlee.dev@gmail.com\",\"41899876+hedgehog-fan@users.noreply.github.com\"]";

    static final String EXPECTED_POST = """
            ---
            date: 2026-11-30
            title: Array %1$s
            rootPage: /blog
            sidebar: Blog
            showTitle: true
            hideAnchor: true
            category: PostHog news
            tags: ["Release notes"]
            ---

            PostHog %1$s is out: here is everything that changed since 1.28.3.

            ## Highlights

            - [feat(session-recording): Add console log capture toggle to project settings](https://github.com/PostHog/posthog/pull/5991) (#5991)
            - [feat(insights): Add legend toggle for trends](https://github.com/PostHog/posthog/pull/5952) (#5952)

            ## Every change

            - feat(session-recording): Add console log capture toggle to project settings ([#5991](https://github.com/PostHog/posthog/pull/5991))
            - fix(funnels): Handle \\[empty\\] breakdowns ([#5984](https://github.com/PostHog/posthog/pull/5984))
            - chore(deps): Bump django to 3.1.13
            - feat(insights): Add legend toggle for trends ([#5952](https://github.com/PostHog/posthog/pull/5952))

            ## Thank you

            Thanks to everyone outside PostHog who contributed to this release:

            - jordanlee.dev
            - [@hedgehog-fan](https://github.com/hedgehog-fan)
            """;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "release-train.github.api-url")
    String githubUrl;

    @ConfigProperty(name = "release-train.github.token")
    String githubToken;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    TestBus bus;
    GHRepository website;

    @BeforeEach
    void connect() throws Exception {
        bus = new TestBus(bootstrapServers);
        GitHub github = new GitHubBuilder().withEndpoint(githubUrl).withOAuthToken(githubToken).build();
        website = github.getRepository(WEBSITE);
    }

    @AfterEach
    void disconnect() {
        bus.close();
    }

    static Map<String, String> draftParams(String release) {
        Map<String, String> p = AnnouncementsTest.releaseVariables(release);
        p.put("log", LOG);
        p.put("highlights", HIGHLIGHTS);
        p.put("externalContributors", CONTRIBUTORS);
        return p;
    }

    @Test
    void thePostIsOnePullRequestHoweverOftenItIsDraftedAndIsPublishedOnlyOnceApproved() throws Exception {
        String release = TestBus.freshReleaseId();
        StepRequested draft = TestBus.command("notify", "notify.draft-release-post", draftParams(release));
        Envelope envelope = Envelope.of("/release-train/coordinator", release, draft);
        bus.sendEnvelope(Topics.commands("notify"), envelope);
        bus.sendEnvelope(Topics.commands("notify"), envelope); // redelivered
        StepSucceeded drafted = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, draft.commandId())));
        StepRequested redraft = new StepRequested("notify.draft-release-post", "notify", 2, UUID.randomUUID().toString(),
                draftParams(release));
        bus.send(release, redraft);
        StepSucceeded redrafted = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, redraft.commandId())));

        String branch = "release-post-" + release;
        String path = "contents/blog/releases/array-" + release + ".md";
        List<GHPullRequest> prs = website.queryPullRequests().head("PostHog:" + branch).state(GHIssueState.ALL).list().toList();
        assertEquals(1, prs.size(), prs.toString());
        GHPullRequest pr = prs.get(0);
        assertEquals(Map.of("pullRequest", pr.getNumber(), "url", pr.getHtmlUrl().toString(), "branch", branch, "path", path),
                drafted.outputs());
        assertEquals(drafted.outputs(), redrafted.outputs());
        assertEquals(EXPECTED_POST.formatted(release), website.getFileContent(path, branch).getContent());
        assertEquals(List.of("marketing-reviewer"), pr.getRequestedReviewers().stream().map(GHUser::getLogin).toList());
        assertFalse(pr.isMerged());

        // release day, nobody approved yet: not retryable, and the reason says why
        Map<String, String> publishParams = AnnouncementsTest.releaseVariables(release);
        publishParams.put("pullRequest", String.valueOf(pr.getNumber()));
        StepRequested publish = TestBus.command("notify", "notify.publish-release-post", publishParams);
        bus.send(release, publish);
        StepFailed refused = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, publish.commandId())));
        assertFalse(refused.retryable());
        assertEquals("pull request #" + pr.getNumber() + " of PostHog/posthog.com is not approved: no approving review "
                + "(review requested from marketing-reviewer)", refused.reason());
        assertFalse(website.getPullRequest(pr.getNumber()).isMerged());

        approve(pr.getNumber(), "marketing-reviewer");
        StepRequested retry = new StepRequested("notify.publish-release-post", "notify", 2, UUID.randomUUID().toString(), publishParams);
        bus.send(release, retry);
        StepSucceeded published = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, retry.commandId())));
        GHPullRequest merged = website.getPullRequest(pr.getNumber());
        assertTrue(merged.isMerged());
        String sha = website.getRef("heads/" + website.getDefaultBranch()).getObject().getSha();
        assertEquals(Map.of("merged", true, "url", "https://posthog.com/blog/posthog-array-" + release.replace('.', '-'),
                "sha", sha), published.outputs());
        assertEquals(EXPECTED_POST.formatted(release), website.getFileContent(path, website.getDefaultBranch()).getContent());

        // publishing again (a redelivery after a crash) finds it merged: the same success
        StepRequested again = new StepRequested("notify.publish-release-post", "notify", 3, UUID.randomUUID().toString(), publishParams);
        bus.send(release, again);
        StepSucceeded republished = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, again.commandId())));
        assertEquals(published.outputs(), republished.outputs());
    }

    @Test
    void aDraftCutShortAfterTheBranchAndFileFinishesWithOnePullRequestAndTheCurrentPost() throws Exception {
        String release = TestBus.freshReleaseId();
        String branch = "release-post-" + release;
        String path = "contents/blog/releases/array-" + release + ".md";
        // the attempt before the crash made the branch and wrote an older rendering of the post, then died
        website.createRef("refs/heads/" + branch, website.getRef("heads/" + website.getDefaultBranch()).getObject().getSha());
        website.createContent().path(path).branch(branch).message("Array " + release + ": release post")
                .content("# an older draft\n").commit();

        StepRequested draft = new StepRequested("notify.draft-release-post", "notify", 2, UUID.randomUUID().toString(),
                draftParams(release));
        bus.send(release, draft);
        StepSucceeded drafted = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, draft.commandId())));

        List<GHPullRequest> prs = website.queryPullRequests().head("PostHog:" + branch).state(GHIssueState.ALL).list().toList();
        assertEquals(1, prs.size());
        assertEquals(prs.get(0).getNumber(), drafted.outputs().get("pullRequest"));
        assertEquals(EXPECTED_POST.formatted(release), website.getFileContent(path, branch).getContent());
    }

    private void approve(int number, String reviewer) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl
                        + "/admin/github/" + WEBSITE + "/pulls/" + number + "/approve?reviewer=" + reviewer))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }
}
