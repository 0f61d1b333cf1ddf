package dev.releasetrain.notify;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
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

/**
 * The release post: drafted as one PR on the website repository, published only once approved, and done only once
 * the website (the sandbox's stand-in publishing the repository's default branch) serves it at its URL.
 */
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

    @ConfigProperty(name = "release-train.notify.website.site-url")
    String siteUrl;

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
        String path = "contents/blog/posthog-array-" + release.replace('.', '-') + ".md";
        String postUrl = siteUrl + "/blog/posthog-array-" + release.replace('.', '-');
        List<GHPullRequest> prs = website.queryPullRequests().head("PostHog:" + branch).state(GHIssueState.ALL).list().toList();
        assertEquals(1, prs.size(), prs.toString());
        GHPullRequest pr = prs.get(0);
        assertEquals(Map.of("pullRequest", pr.getNumber(), "url", pr.getHtmlUrl().toString(), "branch", branch, "path", path),
                drafted.outputs());
        assertEquals(drafted.outputs(), redrafted.outputs());
        assertEquals(EXPECTED_POST.formatted(release), website.getFileContent(path, branch).getContent());
        assertEquals(List.of("marketing-reviewer"), pr.getRequestedReviewers().stream().map(GHUser::getLogin).toList());
        assertFalse(pr.isMerged());
        assertEquals(404, get(postUrl).statusCode(), "the site does not have it before the merge");

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
        assertEquals(Map.of("merged", true, "url", postUrl, "sha", sha), published.outputs());
        assertEquals(EXPECTED_POST.formatted(release), website.getFileContent(path, website.getDefaultBranch()).getContent());
        HttpResponse<String> page = get(postUrl);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Array " + release), page.body());

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
        String path = "contents/blog/posthog-array-" + release.replace('.', '-') + ".md";
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

    @Test
    void publishingWaitsUntilThePostIsLiveWithProgressAndAPageThatNeverComesUpFailsRetryable() throws Exception {
        String release = TestBus.freshReleaseId();
        StepRequested draft = TestBus.command("notify", "notify.draft-release-post", draftParams(release));
        bus.send(release, draft);
        StepSucceeded drafted = assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, draft.commandId())));
        int number = (Integer) drafted.outputs().get("pullRequest");
        approve(number, "marketing-reviewer");
        String page = "/blog/posthog-array-" + release.replace('.', '-');
        String postUrl = siteUrl + page;
        Map<String, String> publishParams = AnnouncementsTest.releaseVariables(release);
        publishParams.put("pullRequest", String.valueOf(number));

        // the website never publishes it: every request for the page answers 404
        admin("POST", "/admin/faults/website?count=1000&status=404&pathContains=" + page);
        StepRequested publish = TestBus.command("notify", "notify.publish-release-post", publishParams);
        bus.send(release, publish);
        List<Envelope> events = bus.awaitOutcome(release, publish.commandId());
        StepFailed notLive = assertInstanceOf(StepFailed.class, last(events));
        assertTrue(notLive.retryable());
        assertEquals("the release post is merged but " + postUrl + " did not answer 200 with " + release + " within 2s "
                + "(release-train.notify.website.live-max-wait): last answer HTTP 404; check the website's build and deployment",
                notLive.reason());
        List<StepProgress> waiting = progress(events);
        assertFalse(waiting.isEmpty(), "progress while waiting: " + events);
        assertEquals("waiting for the release post to be live at " + postUrl + ": HTTP 404 after 0 s", waiting.get(0).message());
        assertEquals(postUrl, waiting.get(0).details().get("url"));
        assertTrue(website.getPullRequest(number).isMerged(), "merged before the wait");
        admin("DELETE", "/admin/faults/website");

        // the site's build lags: the page answers 404 twice more, then it is there
        admin("POST", "/admin/faults/website?count=2&status=404&pathContains=" + page);
        StepRequested retry = new StepRequested("notify.publish-release-post", "notify", 2, UUID.randomUUID().toString(), publishParams);
        bus.send(release, retry);
        List<Envelope> retried = bus.awaitOutcome(release, retry.commandId());
        StepSucceeded live = assertInstanceOf(StepSucceeded.class, last(retried));
        assertEquals(postUrl, live.outputs().get("url"));
        assertEquals(1, progress(retried).size(), "one report for the one answer while waiting: " + retried);
        assertEquals(0, admin("GET", "/admin/calls/website").get("pendingFaults"));

        // a third run (the post merged and live) finds it all done: the same outputs
        StepRequested again = new StepRequested("notify.publish-release-post", "notify", 3, UUID.randomUUID().toString(), publishParams);
        bus.send(release, again);
        assertEquals(live.outputs(), assertInstanceOf(StepSucceeded.class, last(bus.awaitOutcome(release, again.commandId()))).outputs());
    }

    @Test
    void aPostPathThatIsNoPageOfTheSiteFailsBeforeMergingAnything() throws Exception {
        String release = TestBus.freshReleaseId();
        Map<String, String> params = AnnouncementsTest.releaseVariables(release);
        params.put("pullRequest", "1");
        params.put("path", "blog/posthog-array.txt");
        StepRequested publish = TestBus.command("notify", "notify.publish-release-post", params);
        bus.send(release, publish);
        StepFailed failed = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, publish.commandId())));
        assertFalse(failed.retryable());
        assertEquals("the release post's path blog/posthog-array.txt is no page of the website: the site publishes the "
                + "markdown files under contents/ (release-train.notify.website.path)", failed.reason());
    }

    private static List<StepProgress> progress(List<Envelope> events) {
        return events.stream().map(Envelope::data).filter(StepProgress.class::isInstance).map(StepProgress.class::cast).toList();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A call of the sandbox's admin API; its JSON answer. */
    private Map<String, Object> admin(String method, String pathAndQuery) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return dev.releasetrain.protocol.CloudEventCodec.json().readValue(r.body(), new com.fasterxml.jackson.core.type.TypeReference<>() { });
    }

    private void approve(int number, String reviewer) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl
                        + "/admin/github/" + WEBSITE + "/pulls/" + number + "/approve?reviewer=" + reviewer))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }
}
