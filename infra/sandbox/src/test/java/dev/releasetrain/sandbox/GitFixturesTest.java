package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seeded repositories as seen by JGit, the library git-service uses. */
class GitFixturesTest {

    @TempDir
    static Path workDir;
    @TempDir
    static Path clones;
    static Sandbox sandbox;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void lsRemoteShowsDefaultBranchesAndTags() throws Exception {
        Map<String, Ref> refs = Git.lsRemoteRepository().setRemote(sandbox.git().url("posthog")).callAsMap();
        assertTrue(refs.containsKey("refs/heads/master"), refs.keySet().toString());
        assertTrue(refs.containsKey("refs/tags/1.28.3"), refs.keySet().toString());
        assertEquals("refs/heads/master", refs.get("HEAD").getTarget().getName());
        assertTrue(sandbox.git().url("posthog").startsWith("file://"));
        assertTrue(Git.lsRemoteRepository().setRemote(sandbox.git().url("vpc")).callAsMap().containsKey("refs/heads/main"));
        assertTrue(Git.lsRemoteRepository().setRemote(sandbox.git().url("charts-clickhouse")).callAsMap()
                .containsKey("refs/heads/main"));
    }

    @Test
    void posthogHasVersionFilesTagAndHistoryInTheFormatsShapes() throws Exception {
        Path dir = clones.resolve("posthog");
        try (Git git = Git.cloneRepository().setURI(sandbox.git().url("posthog")).setDirectory(dir.toFile()).call()) {
            Repository repo = git.getRepository();
            assertEquals("master", repo.getBranch());
            assertEquals("VERSION = \"1.28.3\"\n", Files.readString(dir.resolve("posthog/version.py")));

            String versionsText = Files.readString(dir.resolve("posthog/versions.json"));
            assertTrue(versionsText.startsWith("[\n  {\n    \"version\": \"1.28.3\",\n    \"release_date\": \"2021-09-14\"\n  },"),
                    versionsText);
            JsonNode versions = new ObjectMapper().readTree(versionsText);
            assertTrue(versions.isArray() && versions.size() >= 3);
            assertEquals("1.28.3", versions.get(0).get("version").asText());
            assertTrue(versions.get(0).get("release_date").asText().matches("\\d{4}-\\d{2}-\\d{2}"));
            assertTrue(versions.get(0).get("release_date").asText().compareTo(versions.get(1).get("release_date").asText()) > 0);

            // annotated tag 1.28.3 "Version 1.28.3", on the bump commit
            Ref tagRef = repo.exactRef("refs/tags/1.28.3");
            ObjectId tagged;
            try (RevWalk walk = new RevWalk(repo)) {
                RevTag tag = walk.parseTag(tagRef.getObjectId());
                assertEquals("Version 1.28.3", tag.getFullMessage().trim());
                RevCommit commit = walk.parseCommit(tag.getObject());
                assertEquals("chore: Bump version to 1.28.3", commit.getShortMessage());
                tagged = commit;
            }

            // the changelog range [prev]..master: subject + author email, several authors, some external
            ObjectId head = repo.resolve("refs/heads/master");
            List<String> lines = new ArrayList<>();
            for (RevCommit c : git.log().addRange(tagged, head).call()) {
                lines.add(c.getShortMessage() + " " + c.getAuthorIdent().getEmailAddress());
            }
            assertTrue(lines.size() >= 5, lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.endsWith("@posthog.com")), lines.toString());
            assertTrue(lines.stream().anyMatch(l -> !l.endsWith("@posthog.com")), lines.toString());
            Pattern pr = Pattern.compile(".*\\(#\\d+\\) \\S+@\\S+$");
            assertTrue(lines.stream().allMatch(l -> pr.matcher(l).matches()), lines.toString());

            int total = 0;
            for (RevCommit ignored : git.log().call()) {
                total++;
            }
            assertTrue(total >= 10, "commits: " + total);
            Collection<Ref> tags = git.tagList().call();
            assertTrue(tags.stream().anyMatch(t -> t.getName().equals("refs/tags/1.28.2")));
        }
    }

    @Test
    void vpcAndChartHoldTheValuesFiles() throws Exception {
        Path vpc = clones.resolve("vpc");
        try (Git git = Git.cloneRepository().setURI(sandbox.git().url("vpc")).setDirectory(vpc.toFile()).call()) {
            assertEquals("main", git.getRepository().getBranch());
            String values = Files.readString(vpc.resolve("client_values/posthog/playground.yaml"));
            assertTrue(values.contains("image:\n  repository: posthog/posthog\n  tag: release-1.28.3-unstable\n"), values);
        }
        Path charts = clones.resolve("charts");
        try (Git git = Git.cloneRepository().setURI(sandbox.git().url("charts-clickhouse")).setDirectory(charts.toFile()).call()) {
            assertEquals("main", git.getRepository().getBranch());
            String chart = Files.readString(charts.resolve("charts/posthog/Chart.yaml"));
            assertTrue(chart.contains("\nversion: 29.0.11\n"), chart);
            assertTrue(chart.contains("\nappVersion: 1.28.3\n"), chart);
            assertTrue(chart.contains("# This is the version number of the application being deployed."), chart);
            String values = Files.readString(charts.resolve("charts/posthog/values.yaml"));
            assertTrue(values.contains("""
                      # -- PostHog default image. Do not overwrite, use `image.sha` or `image.tag` instead.
                      default: ":release-1.28.3"
                    """), values);
            String all = Files.readString(charts.resolve("charts/posthog/ALL_VALUES.md"));
            assertTrue(all.contains("![Version: 29.0.11](https://img.shields.io/badge/Version-29.0.11-informational?style=flat-square) "
                    + "![AppVersion: 1.28.3](https://img.shields.io/badge/AppVersion-1.28.3-informational?style=flat-square)"), all);
            assertTrue(all.contains("| image.default | string | `\":release-1.28.3\"` | PostHog default image. Do not overwrite, "
                    + "use `image.sha` or `image.tag` instead. |"), all);
        }
    }

    @Test
    void pullRequestsBehindMasterAndTheFreezePoint() {
        Path bare = sandbox.git().path("posthog");
        List<GitFixtures.MergedPullRequest> prs = GitFixtures.mergedPullRequests(bare, "posthog");
        assertEquals(List.of(5902, 5911, 5934, 5948, 5952, 5967, 5979, 5985, 5991, 5996, 6003, 6010),
                prs.stream().map(GitFixtures.MergedPullRequest::number).toList());
        List<Integer> fixesAfterFreeze = prs.stream()
                .filter(p -> p.labels().contains("release-1.29.0") && p.mergedAt().isAfter(GitFixtures.FREEZE_TIME))
                .map(GitFixtures.MergedPullRequest::number).toList();
        assertEquals(List.of(5996, 6010), fixesAfterFreeze);
        String atFreeze = GitFixtures.commitAt(bare, "master", GitFixtures.FREEZE_TIME);
        assertEquals(prs.stream().filter(p -> p.number() == 5985).findFirst().orElseThrow().mergeCommitSha(), atFreeze);
        assertEquals("hedgehog-fan", prs.get(prs.size() - 1).author());
    }

    @Test
    void seedingIsDeterministic() throws Exception {
        Path other = clones.resolve("reseed");
        GitFixtures.seed(other);
        ObjectId a = Git.lsRemoteRepository().setRemote(sandbox.git().url("posthog")).callAsMap().get("refs/heads/master").getObjectId();
        ObjectId b = Git.lsRemoteRepository().setRemote(GitFixtures.fileUrl(GitFixtures.barePath(other, "posthog")))
                .callAsMap().get("refs/heads/master").getObjectId();
        assertEquals(a, b);
    }
}
