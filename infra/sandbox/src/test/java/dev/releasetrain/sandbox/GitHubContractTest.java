package dev.releasetrain.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHLabel;
import org.kohsuke.github.GHPullRequest;
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

/** The minimal GitHub stand-in as seen by github-api 1.330, the client git-service and notify-service use. */
class GitHubContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static GitHub github;

    @BeforeAll
    static void start() throws Exception {
        sandbox = Sandbox.start(workDir);
        github = new GitHubBuilder().withEndpoint(sandbox.githubUrl()).withOAuthToken(sandbox.githubToken()).build();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void userAndRepository() throws Exception {
        assertEquals(GitHubStandIn.BOT_LOGIN, github.getMyself().getLogin());
        GHRepository repo = github.getRepository("PostHog/charts-clickhouse");
        assertEquals("charts-clickhouse", repo.getName());
        assertEquals("main", repo.getDefaultBranch());
        assertEquals(sandbox.gitRemoteUrl("charts-clickhouse"), repo.getHttpTransportUrl());
        assertThrows(GHFileNotFoundException.class, () -> github.getRepository("PostHog/nope"));
        assertTrue(repo.listLabels().toList().stream().anyMatch(l -> l.getName().equals("bump minor")));
    }

    @Test
    void pullRequestWithLabelAndReviewerThenMerge() throws Exception {
        GHRepository repo = github.getRepository("PostHog/charts-clickhouse");
        GHPullRequest pr = repo.createPullRequest("Update PostHog App to 1.29.0", "bump-1.29.0", "main",
                "Bumps the app version to 1.29.0");
        assertEquals("bump-1.29.0", pr.getHead().getRef());
        assertEquals("main", pr.getBase().getRef());
        assertEquals(GHIssueState.OPEN, pr.getState());
        pr.addLabels("bump minor");
        List<String> labels = repo.getPullRequest(pr.getNumber()).getLabels().stream().map(GHLabel::getName).toList();
        assertEquals(List.of("bump minor"), labels);

        // a second PR from the same head is a 422, and the list finds the first one by head
        HttpException dup = assertThrows(HttpException.class,
                () -> repo.createPullRequest("again", "bump-1.29.0", "main", ""));
        assertEquals(422, dup.getResponseCode());
        List<GHPullRequest> open = repo.queryPullRequests().head("PostHog:bump-1.29.0").state(GHIssueState.OPEN).list().toList();
        assertEquals(1, open.size());
        assertEquals(pr.getNumber(), open.get(0).getNumber());

        pr.requestReviewers(List.of(github.getUser("posthog-marketing")));
        pr.merge("merge it");
        GHPullRequest merged = repo.getPullRequest(pr.getNumber());
        assertTrue(merged.isMerged());
        assertEquals(GHIssueState.CLOSED, merged.getState());
        assertFalse(repo.queryPullRequests().state(GHIssueState.OPEN).list().toList().stream()
                .anyMatch(p -> p.getNumber() == pr.getNumber()));
        assertEquals(1, sandbox.github().pullRequests("PostHog/charts-clickhouse").size());
    }

    @Test
    void wrongTokenIsBadCredentials() throws Exception {
        GitHub wrong = new GitHubBuilder().withEndpoint(sandbox.githubUrl()).withOAuthToken("ghp_wrong").build();
        HttpException e = assertThrows(HttpException.class, () -> wrong.getRepository("PostHog/posthog"));
        assertEquals(401, e.getResponseCode());
    }
}
