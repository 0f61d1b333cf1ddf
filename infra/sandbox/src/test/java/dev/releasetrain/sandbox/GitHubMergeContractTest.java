package dev.releasetrain.sandbox;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Merges on the GitHub stand-in land in the seeded git remote, through github-api and the Java API. */
class GitHubMergeContractTest {
    static final String TOKEN = "ghp_mergeContract0000000000000000000000";
    static final String POSTHOG = "PostHog/posthog";

    @TempDir
    Path dir;
    Map<String, Path> repos;
    GitHubStandIn stand;
    GitHub github;

    @BeforeEach
    void start() throws IOException {
        repos = GitFixtures.seed(dir.resolve("git"));
        stand = GitHubStandIn.start(TOKEN, repos);
        github = new GitHubBuilder().withEndpoint(stand.url()).withOAuthToken(TOKEN).build();
    }

    @AfterEach
    void stop() {
        stand.close();
    }

    /** A branch {@code name} from master with one commit writing {@code path}. */
    private String branch(String name, String path, String content) throws IOException {
        Path bare = repos.get(GitFixtures.POSTHOG);
        try (Repository r = bare()) {
            RefUpdate u = r.updateRef("refs/heads/" + name);
            u.setNewObjectId(r.resolve("refs/heads/master"));
            u.update();
        }
        PersonIdent who = new PersonIdent("Alex Kim", "alex@posthog.com", Instant.parse("2021-09-28T09:00:00Z"), ZoneOffset.UTC);
        return BareRepositories.commitFile(bare, name, path, content, "change " + path, who, who);
    }

    private Repository bare() throws IOException {
        return new FileRepositoryBuilder().setGitDir(repos.get(GitFixtures.POSTHOG).toFile()).setMustExist(true).build();
    }

    private RevCommit commit(String rev) throws IOException {
        try (Repository r = bare(); RevWalk walk = new RevWalk(r)) {
            RevCommit c = walk.parseCommit(r.resolve(rev));
            walk.parseBody(c);
            return c;
        }
    }

    private String file(String rev, String path) throws IOException {
        try (Repository r = bare(); RevWalk walk = new RevWalk(r);
             TreeWalk tw = TreeWalk.forPath(r, path, walk.parseCommit(r.resolve(rev)).getTree())) {
            return tw == null ? null : new String(r.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aMergeThroughTheApiIsAMergeCommitOnTheBaseBranch() throws Exception {
        String master = commit("refs/heads/master").name();
        String head = branch("sync-1.29.0", "posthog/versions.json", "[]\n");
        GHRepository repo = github.getRepository(POSTHOG);
        GHPullRequest pr = repo.createPullRequest("chore: Bump version to 1.29.0 on master", "sync-1.29.0", "master", "");

        pr.merge("merge it");

        GHPullRequest merged = repo.getPullRequest(pr.getNumber());
        assertTrue(merged.isMerged());
        assertEquals(GHIssueState.CLOSED, merged.getState());
        RevCommit tip = commit("refs/heads/master");
        assertEquals(tip.name(), merged.getMergeCommitSha());
        assertEquals(List.of(master, head), List.of(tip.getParent(0).name(), tip.getParent(1).name()));
        assertEquals("Merge pull request #" + pr.getNumber() + " from PostHog/sync-1.29.0\n\nmerge it\n", tip.getFullMessage());
        assertEquals("[]\n", file("refs/heads/master", "posthog/versions.json"));

        HttpException again = assertThrows(HttpException.class, () -> pr.merge("again"));
        assertEquals(405, again.getResponseCode());
        assertEquals(tip.name(), commit("refs/heads/master").name(), "nothing merged twice");
    }

    @Test
    void aMaintainersMergeIsOneSquashCommitAndAConflictIsRefused() throws Exception {
        String master = commit("refs/heads/master").name();
        branch("sync-1.29.0", "posthog/version.py", "VERSION = \"1.29.0\"\n");
        GHPullRequest pr = github.getRepository(POSTHOG).createPullRequest("chore: Bump version to 1.29.0 on master",
                "sync-1.29.0", "master", "");

        GitHubStandIn.PullRequest merged = stand.mergePullRequest(POSTHOG, pr.getNumber());

        RevCommit tip = commit("refs/heads/master");
        assertEquals(tip.name(), merged.mergeCommitSha());
        assertEquals(1, tip.getParentCount());
        assertEquals(master, tip.getParent(0).name());
        assertEquals("chore: Bump version to 1.29.0 on master (#" + pr.getNumber() + ")\n", tip.getFullMessage());
        assertEquals("VERSION = \"1.29.0\"\n", file("refs/heads/master", "posthog/version.py"));
        assertEquals(tip.name(), github.getRepository(POSTHOG).getPullRequest(pr.getNumber()).getMergeCommitSha());

        // a branch made before that merge, changing the same line otherwise, conflicts with master now
        try (Repository r = bare()) {
            RefUpdate u = r.updateRef("refs/heads/other");
            u.setNewObjectId(ObjectId.fromString(master));
            u.update();
        }
        PersonIdent who = new PersonIdent("Alex Kim", "alex@posthog.com", Instant.parse("2021-09-28T09:00:00Z"), ZoneOffset.UTC);
        BareRepositories.commitFile(repos.get(GitFixtures.POSTHOG), "other", "posthog/version.py", "VERSION = \"9.9.9\"\n",
                "other version", who, who);
        GHPullRequest conflicting = github.getRepository(POSTHOG).createPullRequest("other", "other", "master", "");
        HttpException refused = assertThrows(HttpException.class, () -> conflicting.merge("try"));
        assertEquals(405, refused.getResponseCode());
        assertThrows(IllegalStateException.class, () -> stand.mergePullRequest(POSTHOG, conflicting.getNumber()));
        assertEquals(tip.name(), commit("refs/heads/master").name());
        assertEquals(GHIssueState.OPEN, github.getRepository(POSTHOG).getPullRequest(conflicting.getNumber()).getState());
    }

    @Test
    void aClosedPullRequestIsNotMergeableUntilReopened() throws Exception {
        String master = commit("refs/heads/master").name();
        branch("sync-1.29.0", "posthog/version.py", "VERSION = \"1.29.0\"\n");
        GHRepository repo = github.getRepository(POSTHOG);
        GHPullRequest pr = repo.createPullRequest("chore: Bump version to 1.29.0 on master", "sync-1.29.0", "master", "");

        pr.close();

        GHPullRequest closed = repo.getPullRequest(pr.getNumber());
        assertEquals(GHIssueState.CLOSED, closed.getState());
        assertTrue(!closed.isMerged());
        assertEquals(405, assertThrows(HttpException.class, () -> closed.merge("merge it")).getResponseCode());
        assertEquals(master, commit("refs/heads/master").name());

        closed.reopen();
        assertEquals(GHIssueState.OPEN, repo.getPullRequest(pr.getNumber()).getState());
        stand.mergePullRequest(POSTHOG, pr.getNumber());
        assertEquals(master, commit("refs/heads/master").getParent(0).name());
    }

    @Test
    void aFixMergedOnDemandIsOnMasterAndFoundByItsLabelAndMergeTime() throws Exception {
        String master = commit("refs/heads/master").name();
        Instant at = Instant.parse("2021-09-28T11:30:00Z");

        GitHubStandIn.PullRequest fix = stand.mergeFix(POSTHOG, "fix(ingestion): Drop events with empty distinct ids",
                "plugin-server/src/worker/ingestion/distinct.ts", "export const EMPTY = ''\n", at, "release-1.29.1", "bug");

        RevCommit tip = commit("refs/heads/master");
        assertEquals(tip.name(), fix.mergeCommitSha());
        assertEquals(master, tip.getParent(0).name());
        assertEquals("fix(ingestion): Drop events with empty distinct ids (#" + fix.number() + ")", tip.getShortMessage());
        assertEquals(at, tip.getCommitterIdent().getWhenAsInstant());
        assertEquals("export const EMPTY = ''\n", file("refs/heads/master", "plugin-server/src/worker/ingestion/distinct.ts"));
        assertEquals(file(master, "README.md"), file("refs/heads/master", "README.md"));

        List<GHIssue> found = github.searchIssues().q("repo:PostHog/posthog is:pr is:merged").q("label:\"release-1.29.1\"")
                .q("merged:>2021-09-28T10:00:00+00:00").list().toList();
        assertEquals(List.of(fix.number()), found.stream().map(GHIssue::getNumber).toList());
        GHPullRequest pr = github.getRepository(POSTHOG).getPullRequest(fix.number());
        assertTrue(pr.isMerged());
        assertEquals(at, pr.getMergedAt().toInstant());
        assertEquals(tip.name(), pr.getMergeCommitSha());
        assertTrue(fix.number() > 6010, "numbered after the seeded pull requests: " + fix.number());
    }
}
