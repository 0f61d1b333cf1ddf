package dev.releasetrain.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.kohsuke.github.GHDirection;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHLabel;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;

import java.nio.file.Path;
import java.time.Instant;
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
        github = new GitHubBuilder().withEndpoint(sandbox.github().url()).withOAuthToken(sandbox.github().token()).build();
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
        assertEquals(sandbox.git().url("charts-clickhouse"), repo.getHttpTransportUrl());
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
    void seededMergedPullRequestsCarryTheirMergeCommitsOnMaster() throws Exception {
        GHRepository repo = github.getRepository("PostHog/posthog");
        GHPullRequest fix = repo.getPullRequest(5996);
        assertTrue(fix.isMerged());
        assertEquals(GHIssueState.CLOSED, fix.getState());
        assertEquals("fix(insights): Keep the legend toggle working on empty series", fix.getTitle());
        assertEquals("tomasnovak", fix.getUser().getLogin());
        assertEquals(Instant.parse("2021-09-24T10:20:31Z"), fix.getMergedAt().toInstant());
        assertTrue(fix.getLabels().stream().anyMatch(l -> l.getName().equals("release-1.29.0")));
        String sha = fix.getMergeCommitSha();
        try (Repository git = new FileRepositoryBuilder().setGitDir(sandbox.git().path("posthog").toFile()).build();
             RevWalk walk = new RevWalk(git)) {
            RevCommit commit = walk.parseCommit(ObjectId.fromString(sha));
            assertEquals("fix(insights): Keep the legend toggle working on empty series (#5996)", commit.getShortMessage());
            assertTrue(walk.isMergedInto(commit, walk.parseCommit(git.resolve("refs/heads/master"))));
        }
        assertEquals("https://github.com/PostHog/posthog/pull/5996", fix.getHtmlUrl().toString());
    }

    @Test
    void issueSearchByLabelAndMergeDateAsGithubApiSendsIt() throws Exception {
        List<GHIssue> highlights = github.searchIssues()
                .q("repo:PostHog/posthog").q("is:pr").isMerged().q("label:highlight").q("merged:>=2021-09-14")
                .order(GHDirection.ASC).list().toList();
        assertEquals(List.of(5934, 5952, 5991), highlights.stream().map(GHIssue::getNumber).toList());
        assertTrue(highlights.stream().allMatch(GHIssue::isPullRequest));
        assertEquals("https://github.com/PostHog/posthog/pull/5934", highlights.get(0).getHtmlUrl().toString());

        // a date-time bound with an offset, a quoted label; newest first by default
        List<Integer> fixes = github.searchIssues().q("repo:PostHog/posthog is:pr is:merged")
                .q("label:\"release-1.29.0\"").q("merged:>2021-09-22T14:00:00+00:00").list().toList()
                .stream().map(GHIssue::getNumber).toList();
        assertEquals(List.of(6010, 5996), fixes);

        // labelled on demand (what a person does in the UI), then found
        sandbox.github().addLabels("PostHog/posthog", 6003, "release-1.29.0");
        assertEquals(List.of(6010, 6003, 5996), github.searchIssues()
                .q("repo:PostHog/posthog is:pr is:merged label:release-1.29.0 merged:>2021-09-22").list().toList()
                .stream().map(GHIssue::getNumber).toList());

        assertEquals(0, github.searchIssues().q("repo:PostHog/charts-clickhouse is:pr label:highlight").list().getTotalCount());
        HttpException bad = assertThrows(HttpException.class,
                () -> github.searchIssues().q("repo:PostHog/posthog").q("frobnicate:yes").list().toList());
        assertEquals(422, bad.getResponseCode());
    }

    @Test
    void pullRequestsOfAnyRepositoryIncludingTheWebsite() throws Exception {
        GHRepository site = github.getRepository("PostHog/posthog.com");
        GHPullRequest post = site.createPullRequest("PostHog 1.29.0 release post", "release-post-1.29.0", "master",
                "The Array post");
        assertEquals("release-post-1.29.0", site.getPullRequest(post.getNumber()).getHead().getRef());
        GHPullRequest sync = github.getRepository("PostHog/posthog").createPullRequest("Sync 1.29.0", "sync-1.29.0",
                "master", "");
        assertTrue(sync.getNumber() > 6010, "numbers never collide with seeded ones: " + sync.getNumber());
    }

    @Test
    void wrongTokenIsBadCredentials() throws Exception {
        GitHub wrong = new GitHubBuilder().withEndpoint(sandbox.github().url()).withOAuthToken("ghp_wrong").build();
        HttpException e = assertThrows(HttpException.class, () -> wrong.getRepository("PostHog/posthog"));
        assertEquals(401, e.getResponseCode());
    }
}
