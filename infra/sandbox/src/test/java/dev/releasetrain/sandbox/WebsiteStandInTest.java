package dev.releasetrain.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public website: the markdown pages of the website repository's default branch, at the URLs their paths give. */
class WebsiteStandInTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static GitHub github;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        sandbox = Sandbox.start(workDir);
        github = new GitHubBuilder().withEndpoint(sandbox.github().url()).withOAuthToken(sandbox.github().token()).build();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPostIsLiveAtItsDerivedUrlOnceItsPullRequestIsMergedAndNotBefore() throws Exception {
        String path = WebsiteFixtures.POSTS_DIR + "/posthog-array-1-29-0.md";
        String url = sandbox.website().pageUrl(path);
        assertEquals(sandbox.website().url() + "/blog/posthog-array-1-29-0", url);

        GHRepository repo = github.getRepository(WebsiteFixtures.FULL_NAME);
        String main = repo.getDefaultBranch();
        repo.createRef("refs/heads/release-post-1.29.0", repo.getRef("heads/" + main).getObject().getSha());
        repo.createContent().path(path).branch("release-post-1.29.0").message("Array 1.29.0")
                .content("---\ntitle: Array 1.29.0\n---\n\nPostHog 1.29.0 is out <with> & more.\n").commit();
        GHPullRequest pr = repo.createPullRequest("Array 1.29.0", "release-post-1.29.0", main, "The release post");

        HttpResponse<String> before = get(url);
        assertEquals(404, before.statusCode(), "only the branch has it: " + before.body());
        assertTrue(before.body().contains("Page not found"), before.body());
        assertFalse(sandbox.website().pages().containsKey("/blog/posthog-array-1-29-0"));

        sandbox.github().hosted().approve(WebsiteFixtures.FULL_NAME, pr.getNumber(), "marketing-reviewer");
        pr.merge("Array 1.29.0");

        HttpResponse<String> live = get(url);
        assertEquals(200, live.statusCode());
        assertTrue(live.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(live.body().contains("<title>Array 1.29.0 - PostHog</title>"), live.body());
        assertTrue(live.body().contains("PostHog 1.29.0 is out &lt;with&gt; &amp; more."), live.body());
        assertFalse(live.body().contains("title: Array"), "the front matter is not shown: " + live.body());
        assertEquals(200, get(url + "/").statusCode(), "with a trailing slash too");
        assertEquals(Optional.of("---\ntitle: Array 1.29.0\n---\n\nPostHog 1.29.0 is out <with> & more.\n"),
                sandbox.website().page("/blog/posthog-array-1-29-0"));
    }

    @Test
    void theSeededPostIsPublishedAndOtherFilesAndPathsAreNot() throws Exception {
        HttpResponse<String> previous = get(sandbox.website().url() + "/blog/posthog-array-1-28-0");
        assertEquals(200, previous.statusCode());
        assertTrue(previous.body().contains("PostHog 1.28.0 is out."), previous.body());
        assertEquals(404, get(sandbox.website().url() + "/README").statusCode(), "not under contents/");
        assertEquals(404, get(sandbox.website().url() + "/blog/posthog-array-9-9-9").statusCode());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.website().url() + "/blog/posthog-array-1-28-0"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void pathsMapToUrlsAsTheSiteGeneratorDoes() {
        assertEquals(Optional.of("/blog/posthog-array-1-29-0"), WebsiteStandIn.urlPath("contents/blog/posthog-array-1-29-0.md"));
        assertEquals(Optional.of("/docs/self-host"), WebsiteStandIn.urlPath("contents/docs/self-host/index.mdx"));
        assertEquals(Optional.of("/handbook/people/team"), WebsiteStandIn.urlPath("contents/handbook/people/team.mdx"));
        assertEquals(Optional.empty(), WebsiteStandIn.urlPath("README.md"));
        assertEquals(Optional.empty(), WebsiteStandIn.urlPath("contents/images/logo.png"));
    }

    @Test
    void faultsAreInjectedAsOnEveryStandIn() throws Exception {
        sandbox.standIns().inject(Sandbox.WEBSITE, FaultSpec.failNext(1, 503).withPathContains("/blog/posthog-array-1-28-0"));
        assertEquals(503, get(sandbox.website().url() + "/blog/posthog-array-1-28-0").statusCode());
        assertEquals(200, get(sandbox.website().url() + "/blog/posthog-array-1-28-0").statusCode());
    }
}
