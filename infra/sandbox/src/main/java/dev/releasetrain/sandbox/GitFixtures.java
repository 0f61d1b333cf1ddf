package dev.releasetrain.sandbox;

import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeds the bare git repositories the release steps work on ({@code workDir/git/<name>.git}, used as
 * {@code file://} remotes), in the shapes of {@code FORMATS.md}:
 * <ul>
 *   <li>{@code posthog} (branch {@code master}): fourteen commits by org and external authors,
 *       {@code posthog/version.py} at 1.28.3, {@code posthog/versions.json}, annotated tags {@code 1.28.2}
 *       and {@code 1.28.3} ({@code Version 1.28.3}) followed by ten squash-merged pull requests, three of them
 *       after the 1.29.0 code freeze ({@link #FREEZE_TIME}); the pull requests behind them: {@link #mergedPullRequests};</li>
 *   <li>{@code vpc} (branch {@code main}): {@code client_values/posthog/playground.yaml} with image tag
 *       {@code release-1.28.3-unstable};</li>
 *   <li>{@code charts-clickhouse} (branch {@code main}): {@code charts/posthog/Chart.yaml} (29.0.11 /
 *       1.28.3), {@code values.yaml}, {@code ALL_VALUES.md}.</li>
 * </ul>
 * This class holds the history (who committed what, when, the tags); the files' contents are resources read by
 * {@link FixtureFiles}. Author and committer identities and times are explicit, so the commit ids are the same on
 * every run.
 */
public final class GitFixtures {

    public static final String POSTHOG = "posthog";
    public static final String VPC = "vpc";
    public static final String CHARTS = "charts-clickhouse";
    public static final List<String> REPOSITORIES = List.of(POSTHOG, VPC, CHARTS);

    /** The version the fixtures are at (the last release). */
    public static final String CURRENT_VERSION = "1.28.3";
    public static final String CHART_VERSION = "29.0.11";

    /** The release the fixtures prepare for, and its code freeze (fixes merged after it are picked). */
    public static final String NEXT_VERSION = "1.29.0";
    public static final Instant FREEZE_TIME = Instant.parse("2021-09-22T14:00:00Z");

    /**
     * Labels of the merged pull requests of {@code posthog} by number (the {@code (#n)} of their commit subjects);
     * 6003 has none: label it {@code release-1.29.0} to make a cherry-pick conflict.
     */
    public static final Map<Integer, List<String>> POSTHOG_PR_LABELS = Map.ofEntries(
            Map.entry(5902, List.of("highlight", "bug")),
            Map.entry(5934, List.of("highlight", "enhancement")),
            Map.entry(5952, List.of("highlight")),
            Map.entry(5979, List.of("release-" + NEXT_VERSION, "bug")),
            Map.entry(5991, List.of("highlight", "enhancement")),
            Map.entry(5996, List.of("release-" + NEXT_VERSION, "bug")),
            Map.entry(6010, List.of("release-" + NEXT_VERSION)));

    private static final Map<String, String> LOGINS = Map.of(
            "alex@posthog.com", "alexkim", "priya@posthog.com", "priyaraman", "tomas@posthog.com", "tomasnovak",
            "jordanlee.dev@gmail.com", "jordanlee-dev", "sam.okafor@outlook.com", "samokafor",
            "41899876+hedgehog-fan@users.noreply.github.com", "hedgehog-fan", "dana@posthog.com", "danawhitfield");

    /** A squash-merged pull request as GitHub knows it: its commit on the default branch and when it landed. */
    public record MergedPullRequest(int number, String title, String author, List<String> labels, Instant mergedAt,
                                    String mergeCommitSha) {
    }

    private static final ZoneId UTC = ZoneId.of("UTC");

    private GitFixtures() {
    }

    /** Default branch of a seeded repository. */
    public static String defaultBranch(String repo) {
        return POSTHOG.equals(repo) ? "master" : "main";
    }

    /** Path of the bare repository of {@code repo} under {@code gitRoot}. */
    public static Path barePath(Path gitRoot, String repo) {
        return gitRoot.resolve(repo + ".git").toAbsolutePath().normalize();
    }

    /** {@code file://} URL of a bare repository. */
    public static String fileUrl(Path bare) {
        return "file://" + bare.toAbsolutePath().normalize();
    }

    /** (Re)creates all repositories under {@code gitRoot}; existing ones are replaced. */
    public static Map<String, Path> seed(Path gitRoot) {
        Map<String, Path> out = new LinkedHashMap<>();
        try {
            Files.createDirectories(gitRoot);
            out.put(POSTHOG, seedPosthog(gitRoot));
            out.put(VPC, seedVpc(gitRoot));
            out.put(CHARTS, seedCharts(gitRoot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot seed the git repositories", e);
        }
        return out;
    }

    /**
     * The pull requests behind the commits of {@code repo}'s default branch whose subject ends in {@code (#n)},
     * oldest first, labelled from {@link #POSTHOG_PR_LABELS} for {@code posthog}.
     */
    public static List<MergedPullRequest> mergedPullRequests(Path bare, String repo) {
        Pattern subject = Pattern.compile("^(.*) \\(#(\\d+)\\)$");
        List<MergedPullRequest> out = new ArrayList<>();
        try (Repository r = new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(r)) {
            walk.markStart(walk.parseCommit(r.resolve(Constants.R_HEADS + defaultBranch(repo))));
            for (RevCommit c : walk) {
                Matcher m = subject.matcher(c.getShortMessage());
                if (!m.matches()) {
                    continue;
                }
                int number = Integer.parseInt(m.group(2));
                String email = c.getAuthorIdent().getEmailAddress();
                List<String> labels = POSTHOG.equals(repo) ? POSTHOG_PR_LABELS.getOrDefault(number, List.of()) : List.of();
                out.add(0, new MergedPullRequest(number, m.group(1), LOGINS.getOrDefault(email, email.replaceAll("@.*", "")),
                        labels, c.getCommitterIdent().getWhenAsInstant(), c.name()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The newest commit of {@code branch} committed at or before {@code time} (e.g. the head at the code freeze). */
    public static String commitAt(Path bare, String branch, Instant time) {
        try (Repository r = new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
             RevWalk walk = new RevWalk(r)) {
            walk.markStart(walk.parseCommit(r.resolve(Constants.R_HEADS + branch)));
            for (RevCommit c : walk) {
                if (!c.getCommitterIdent().getWhenAsInstant().isAfter(time)) {
                    return c.name();
                }
            }
            throw new IllegalArgumentException("no commit of " + branch + " at or before " + time);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes the bare repository refuse updates of {@code ref} (as a remote does when the ref is locked or
     * protected) until the returned handle is closed: pushes to it are answered "failed to lock".
     */
    public static AutoCloseable refuseUpdates(Path bare, String ref) {
        Path lock = bare.resolve(ref + ".lock");
        try {
            Files.createDirectories(lock.getParent());
            Files.writeString(lock, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return () -> Files.deleteIfExists(lock);
    }

    // ---------------------------------------------------------------- people

    private static PersonIdent who(String name, String email, String when) {
        return new PersonIdent(name, email, Instant.parse(when), UTC);
    }

    private static final String ALEX = "Alex Kim|alex@posthog.com";
    private static final String PRIYA = "Priya Raman|priya@posthog.com";
    private static final String TOMAS = "Tomas Novak|tomas@posthog.com";
    private static final String JORDAN = "Jordan Lee|jordanlee.dev@gmail.com";
    private static final String SAM = "Sam Okafor|sam.okafor@outlook.com";
    private static final String HEDGEHOG = "hedgehog-fan|41899876+hedgehog-fan@users.noreply.github.com";
    private static final String DANA = "Dana Whitfield|dana@posthog.com";

    private static PersonIdent who(String person, String when) {
        String[] p = person.split("\\|");
        return who(p[0], p[1], when);
    }

    // ---------------------------------------------------------------- posthog

    private static Path seedPosthog(Path gitRoot) throws IOException, GitAPIException {
        try (FixtureSeeder s = new FixtureSeeder(gitRoot, POSTHOG)) {
            s.copy("1.28.2", "README.md", "posthog/__init__.py", "posthog/queries/funnels/base.py",
                    "frontend/src/scenes/insights/InsightLegend.tsx", "plugin-server/src/worker/plugins/run.ts");
            s.write("posthog/version.py", versionPy("1.28.2"));
            s.write("posthog/versions.json", versionsJson(RELEASES_BEFORE_1_28_3));
            RevCommit v1282 = s.commit("chore: Bump version to 1.28.2", who(PRIYA, "2021-09-07T09:41:12Z"));
            s.tag("1.28.2", v1282, who(PRIYA, "2021-09-07T09:45:03Z"));

            s.pullRequest("fix(funnels): Correct conversion window for strict order funnels", 5902,
                    who(TOMAS, "2021-09-09T14:02:51Z"), "posthog/queries/funnels/base.py");
            s.pullRequest("Fix typo in self-hosted upgrade docs", 5911, who(JORDAN, "2021-09-10T18:27:34Z"), "README.md");

            List<String[]> releases = new ArrayList<>(RELEASES_BEFORE_1_28_3);
            releases.add(0, new String[]{"1.28.3", "2021-09-14"});
            s.write("posthog/version.py", versionPy("1.28.3"));
            s.write("posthog/versions.json", versionsJson(releases));
            RevCommit v1283 = s.commit("chore: Bump version to 1.28.3", who(PRIYA, "2021-09-14T10:05:40Z"));
            s.tag("1.28.3", v1283, who(PRIYA, "2021-09-14T10:09:17Z"));

            s.pullRequest("feat(insights): Show legend toggle on line graphs", 5934, who(ALEX, "2021-09-15T11:13:09Z"),
                    "frontend/src/scenes/insights/InsightLegend.tsx");
            s.pullRequest("fix: Persist property filters when switching insight tabs", 5948, who(TOMAS, "2021-09-16T08:51:22Z"),
                    "frontend/src/scenes/insights/insightLogic.ts");
            s.pullRequest("feat(plugins): Redact plugin config secrets in logs", 5952, who(HEDGEHOG, "2021-09-17T21:36:48Z"),
                    "plugin-server/src/worker/plugins/run.ts");
            s.pullRequest("refactor(ingestion): Move event property validation to the plugin server", 5967,
                    who(ALEX, "2021-09-20T13:40:05Z"), "plugin-server/src/worker/ingestion/validate.ts");
            s.pullRequest("fix(cohorts): Handle empty person properties in cohort filters", 5979, who(SAM, "2021-09-21T16:18:59Z"),
                    "posthog/models/cohort.py");
            s.pullRequest("chore(deps): Bump kea to 2.4.7", 5985, who(PRIYA, "2021-09-22T09:02:31Z"), "frontend/package.json");
            s.pullRequest("feat(session-recording): Add console log capture toggle to project settings", 5991,
                    who(ALEX, "2021-09-23T15:47:26Z"), "posthog/api/team.py");

            // after the 1.29.0 code freeze (FREEZE_TIME): fixes labelled release-1.29.0 (5996, 6010) and one
            // that depends on the unlabelled feature 5991 (6003), which conflicts when picked without it
            s.pullRequest("fix(insights): Keep the legend toggle working on empty series", 5996, who(TOMAS, "2021-09-24T10:20:31Z"),
                    "frontend/src/scenes/insights/InsightLegend.tsx");
            s.pullRequest("fix(session-recording): Make console log capture read-only until enabled", 6003,
                    who(ALEX, "2021-09-24T16:02:11Z"), "posthog/api/team.py");
            s.pullRequest("fix(plugins): Retry plugin setup on transient errors", 6010, who(HEDGEHOG, "2021-09-25T09:14:52Z"),
                    "plugin-server/src/worker/plugins/run.ts");

            return s.pushTo(gitRoot);
        }
    }

    /** The entries of {@code posthog/versions.json} at 1.28.2, newest first: version and release date. */
    private static final List<String[]> RELEASES_BEFORE_1_28_3 = List.of(
            new String[]{"1.28.2", "2021-09-07"},
            new String[]{"1.28.1", "2021-09-02"},
            new String[]{"1.28.0", "2021-08-30"},
            new String[]{"1.27.0", "2021-07-26"},
            new String[]{"1.26.0", "2021-06-28"});

    /** {@code posthog/version.py}: one line. */
    public static String versionPy(String version) {
        return "VERSION = \"" + version + "\"\n";
    }

    /** {@code posthog/versions.json}: newest first, 2-space indentation. */
    public static String versionsJson(List<String[]> newestFirst) {
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < newestFirst.size(); i++) {
            String[] e = newestFirst.get(i);
            b.append("  {\n")
                    .append("    \"version\": \"").append(e[0]).append("\",\n")
                    .append("    \"release_date\": \"").append(e[1]).append("\"\n")
                    .append("  }").append(i + 1 < newestFirst.size() ? "," : "").append('\n');
        }
        return b.append("]\n").toString();
    }

    // ---------------------------------------------------------------- vpc

    private static final String PLAYGROUND_VALUES = "client_values/posthog/playground.yaml";

    private static Path seedVpc(Path gitRoot) throws IOException, GitAPIException {
        try (FixtureSeeder s = new FixtureSeeder(gitRoot, VPC)) {
            s.copy("1.28.2", "README.md");
            s.write(PLAYGROUND_VALUES, playgroundValues("release-1.28.2-unstable"));
            s.commit("playground: deploy release-1.28.2-unstable", who(DANA, "2021-09-01T12:30:00Z"));
            s.write(PLAYGROUND_VALUES, playgroundValues("release-1.28.3-unstable"));
            s.commit("playground: deploy release-1.28.3-unstable", who(DANA, "2021-09-13T16:12:45Z"));
            return s.pushTo(gitRoot);
        }
    }

    /** {@code client_values/posthog/playground.yaml} of {@code vpc}: the playground's Helm values, image tag {@code tag}. */
    public static String playgroundValues(String tag) {
        return FixtureFiles.template(VPC + "/" + PLAYGROUND_VALUES, Map.of("imageTag", tag));
    }

    // ---------------------------------------------------------------- charts-clickhouse

    private static Path seedCharts(Path gitRoot) throws IOException, GitAPIException {
        try (FixtureSeeder s = new FixtureSeeder(gitRoot, CHARTS)) {
            s.copy("142", "README.md");
            writeChart(s, "29.0.10", "1.28.2");
            s.commit("Update PostHog App to 1.28.2 (#142)", who(PRIYA, "2021-09-07T13:20:11Z"));
            writeChart(s, CHART_VERSION, "1.28.3");
            s.commit("Update PostHog App to 1.28.3 (#147)", who(PRIYA, "2021-09-14T14:02:58Z"));
            return s.pushTo(gitRoot);
        }
    }

    private static void writeChart(FixtureSeeder s, String chartVersion, String appVersion) throws IOException {
        s.write("charts/posthog/Chart.yaml", chartYaml(chartVersion, appVersion));
        s.write("charts/posthog/values.yaml", chartValues(appVersion));
        s.write("charts/posthog/ALL_VALUES.md", allValues(chartVersion, appVersion));
    }

    /** {@code charts/posthog/Chart.yaml} of {@code charts-clickhouse}. */
    public static String chartYaml(String chartVersion, String appVersion) {
        return FixtureFiles.template(CHARTS + "/charts/posthog/Chart.yaml",
                Map.of("chartVersion", chartVersion, "appVersion", appVersion));
    }

    /** {@code charts/posthog/values.yaml} of {@code charts-clickhouse}: the default image is {@code :release-<appVersion>}. */
    public static String chartValues(String appVersion) {
        return FixtureFiles.template(CHARTS + "/charts/posthog/values.yaml", Map.of("appVersion", appVersion));
    }

    /** {@code charts/posthog/ALL_VALUES.md} of {@code charts-clickhouse}: the badges and the {@code image.default} row. */
    public static String allValues(String chartVersion, String appVersion) {
        return FixtureFiles.template(CHARTS + "/charts/posthog/ALL_VALUES.md",
                Map.of("chartVersion", chartVersion, "appVersion", appVersion));
    }
}
