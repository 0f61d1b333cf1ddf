package dev.releasetrain.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.github.GHContent;
import org.kohsuke.github.GHContentUpdateResponse;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHPullRequestReview;
import org.kohsuke.github.GHPullRequestReviewState;
import org.kohsuke.github.GHRef;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The website repository hosted by the GitHub stand-in, as github-api 1.330 sees it. */
class WebsiteRepositoryContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static GitHub github;

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

    @Test
    void branchFileReviewedPullRequestMerged() throws Exception {
        GHRepository repo = github.getRepository(WebsiteFixtures.FULL_NAME);
        String main = repo.getDefaultBranch();
        GHRef base = repo.getRef("heads/" + main);
        assertThrows(GHFileNotFoundException.class, () -> repo.getRef("heads/release-post-1.29.0"));
        GHRef branch = repo.createRef("refs/heads/release-post-1.29.0", base.getObject().getSha());
        assertEquals(base.getObject().getSha(), branch.getObject().getSha());
        assertThrows(HttpException.class, () -> repo.createRef("refs/heads/release-post-1.29.0", base.getObject().getSha()));

        String path = WebsiteFixtures.POSTS_DIR + "/array-1.29.0.md";
        assertThrows(GHFileNotFoundException.class, () -> repo.getFileContent(path, "release-post-1.29.0"));
        GHContentUpdateResponse created = repo.createContent().path(path).branch("release-post-1.29.0")
                .message("Array 1.29.0").content("# Array 1.29.0\n").commit();
        GHContent read = repo.getFileContent(path, "release-post-1.29.0");
        assertEquals("# Array 1.29.0\n", read.getContent());
        assertEquals(created.getContent().getSha(), read.getSha());
        // an update needs the current blob sha
        assertThrows(HttpException.class, () -> repo.createContent().path(path).branch("release-post-1.29.0")
                .message("again").content("other").commit());
        repo.createContent().path(path).branch("release-post-1.29.0").message("Array 1.29.0, edited")
                .content("# Array 1.29.0\n\nEdited.\n").sha(read.getSha()).commit();
        assertThrows(GHFileNotFoundException.class, () -> repo.getFileContent(path, main));

        GHPullRequest pr = repo.createPullRequest("Array 1.29.0", "release-post-1.29.0", main, "The release post");
        assertEquals(List.of(pr.getNumber()), repo.queryPullRequests().head("PostHog:release-post-1.29.0")
                .state(GHIssueState.OPEN).list().toList().stream().map(GHPullRequest::getNumber).toList());

        // the bot cannot approve its own pull request; unapproved, the merge is refused
        assertThrows(HttpException.class, () -> pr.createReview().event(
                org.kohsuke.github.GHPullRequestReviewEvent.APPROVE).create());
        HttpException refused = assertThrows(HttpException.class, () -> pr.merge("Array 1.29.0"));
        assertEquals(405, refused.getResponseCode());
        assertTrue(refused.getMessage().contains("approving review"), refused.getMessage());

        sandbox.github().hosted().approve(WebsiteFixtures.FULL_NAME, pr.getNumber(), "marketing-reviewer");
        List<GHPullRequestReview> reviews = pr.listReviews().toList();
        assertEquals(1, reviews.size());
        assertEquals(GHPullRequestReviewState.APPROVED, reviews.get(0).getState());
        assertEquals("marketing-reviewer", reviews.get(0).getUser().getLogin());

        pr.merge("Array 1.29.0");
        GHPullRequest merged = repo.getPullRequest(pr.getNumber());
        assertTrue(merged.isMerged());
        assertEquals("# Array 1.29.0\n\nEdited.\n", repo.getFileContent(path, main).getContent());
        assertEquals(repo.getRef("heads/" + main).getObject().getSha(),
                sandbox.github().hosted().head(WebsiteFixtures.FULL_NAME, main).orElseThrow().sha());
        assertFalse(sandbox.github().hosted().files(WebsiteFixtures.FULL_NAME, main).orElseThrow().isEmpty());
    }
}
