package dev.releasetrain.sandbox;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Seeds the bare git repositories the release steps work on ({@code workDir/git/<name>.git}, used as
 * {@code file://} remotes), in the shapes of {@code FORMATS.md}:
 * <ul>
 *   <li>{@code posthog} (branch {@code master}): eleven commits by org and external authors,
 *       {@code posthog/version.py} at 1.28.3, {@code posthog/versions.json}, annotated tags {@code 1.28.2}
 *       and {@code 1.28.3} ({@code Version 1.28.3}) followed by ten more commits, three of them after the
 *       1.29.0 code freeze ({@link #FREEZE_TIME}); the pull requests behind them: {@link #mergedPullRequests};</li>
 *   <li>{@code vpc} (branch {@code main}): {@code client_values/posthog/playground.yaml} with image tag
 *       {@code release-1.28.3-unstable};</li>
 *   <li>{@code charts-clickhouse} (branch {@code main}): {@code charts/posthog/Chart.yaml} (29.0.11 /
 *       1.28.3), {@code values.yaml}, {@code ALL_VALUES.md}.</li>
 * </ul>
 * Author and committer identities and times are explicit, so the commit ids are the same on every run.
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
        try (Seeder s = new Seeder(gitRoot, POSTHOG)) {
            s.write("README.md", """
                    # PostHog

                    PostHog is developer-friendly, open-source product analytics.

                    ## Self-hosting

                    Deploy PostHog on your own infrastructure with our Helm chart
                    (https://github.com/PostHog/charts-clickhouse).
                    """);
            s.write("posthog/__init__.py", "");
            s.write("posthog/version.py", versionPy("1.28.2"));
            s.write("posthog/versions.json", versionsJson(List.of(
                    new String[]{"1.28.2", "2021-09-07"},
                    new String[]{"1.28.1", "2021-09-02"},
                    new String[]{"1.28.0", "2021-08-30"},
                    new String[]{"1.27.0", "2021-07-26"},
                    new String[]{"1.26.0", "2021-06-28"})));
            s.write("posthog/queries/funnels/base.py", """
                    class ClickhouseFunnelBase:
                        def __init__(self, filter, team):
                            self._filter = filter
                            self._team = team

                        def conversion_window_seconds(self):
                            return self._filter.funnel_window_days * 24 * 3600
                    """);
            s.write("frontend/src/scenes/insights/InsightLegend.tsx", """
                    export function InsightLegend(): JSX.Element {
                        return <div className="insight-legend" />
                    }
                    """);
            s.write("plugin-server/src/worker/plugins/run.ts", """
                    export async function runPlugin(pluginConfig: PluginConfig): Promise<void> {
                        status.info('🔌', `Running plugin ${pluginConfig.plugin.name}`)
                    }
                    """);
            RevCommit v1282 = s.commit("chore: Bump version to 1.28.2", who(PRIYA, "2021-09-07T09:41:12Z"));
            s.tag("1.28.2", v1282, who(PRIYA, "2021-09-07T09:45:03Z"));

            s.append("posthog/queries/funnels/base.py", """

                        def strict_order_window_seconds(self):
                            # strict funnels count the window from the first step, not the previous one
                            return self.conversion_window_seconds()
                    """);
            s.commit("fix(funnels): Correct conversion window for strict order funnels (#5902)", who(TOMAS, "2021-09-09T14:02:51Z"));

            s.append("README.md", """

                    See the upgrade notes before moving between major chart versions.
                    """);
            s.commit("Fix typo in self-hosted upgrade docs (#5911)", who(JORDAN, "2021-09-10T18:27:34Z"));

            s.write("posthog/version.py", versionPy("1.28.3"));
            s.write("posthog/versions.json", versionsJson(List.of(
                    new String[]{"1.28.3", "2021-09-14"},
                    new String[]{"1.28.2", "2021-09-07"},
                    new String[]{"1.28.1", "2021-09-02"},
                    new String[]{"1.28.0", "2021-08-30"},
                    new String[]{"1.27.0", "2021-07-26"},
                    new String[]{"1.26.0", "2021-06-28"})));
            RevCommit v1283 = s.commit("chore: Bump version to 1.28.3", who(PRIYA, "2021-09-14T10:05:40Z"));
            s.tag("1.28.3", v1283, who(PRIYA, "2021-09-14T10:09:17Z"));

            s.write("frontend/src/scenes/insights/InsightLegend.tsx", """
                    export function InsightLegend({ onToggle }: { onToggle: (index: number) => void }): JSX.Element {
                        return <div className="insight-legend" onClick={() => onToggle(0)} />
                    }
                    """);
            s.commit("feat(insights): Show legend toggle on line graphs (#5934)", who(ALEX, "2021-09-15T11:13:09Z"));

            s.write("frontend/src/scenes/insights/insightLogic.ts", """
                    export const insightLogic = kea({
                        actions: { setFilters: (filters: Record<string, any>) => ({ filters }) },
                        // property filters survive switching insight tabs
                        reducers: { filters: [{}, { persist: true }, { setFilters: (_, { filters }) => filters }] },
                    })
                    """);
            s.commit("fix: Persist property filters when switching insight tabs (#5948)", who(TOMAS, "2021-09-16T08:51:22Z"));

            s.append("plugin-server/src/worker/plugins/run.ts", """

                    export function redactSecrets(config: Record<string, any>, secretKeys: string[]): Record<string, any> {
                        return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, secretKeys.includes(k) ? '**************' : v]))
                    }
                    """);
            s.commit("feat(plugins): Redact plugin config secrets in logs (#5952)", who(HEDGEHOG, "2021-09-17T21:36:48Z"));

            s.write("plugin-server/src/worker/ingestion/validate.ts", """
                    export function validateEventProperties(properties: Record<string, any>): boolean {
                        return Object.keys(properties).every((key) => key.length <= 200)
                    }
                    """);
            s.commit("refactor(ingestion): Move event property validation to the plugin server (#5967)", who(ALEX, "2021-09-20T13:40:05Z"));

            s.write("posthog/models/cohort.py", """
                    def person_matches(person_properties, cohort_filters):
                        properties = person_properties or {}
                        return all(properties.get(f["key"]) == f["value"] for f in cohort_filters)
                    """);
            s.commit("fix(cohorts): Handle empty person properties in cohort filters (#5979)", who(SAM, "2021-09-21T16:18:59Z"));

            s.write("frontend/package.json", """
                    {
                      "name": "posthog-frontend",
                      "private": true,
                      "dependencies": {
                        "kea": "^2.4.7",
                        "react": "^16.14.0"
                      }
                    }
                    """);
            s.commit("chore(deps): Bump kea to 2.4.7 (#5985)", who(PRIYA, "2021-09-22T09:02:31Z"));

            s.write("posthog/api/team.py", """
                    class TeamSerializer:
                        fields = ["id", "name", "session_recording_opt_in", "capture_console_log_opt_in"]
                    """);
            s.commit("feat(session-recording): Add console log capture toggle to project settings (#5991)", who(ALEX, "2021-09-23T15:47:26Z"));

            // after the 1.29.0 code freeze (FREEZE_TIME): fixes labelled release-1.29.0 (5996, 6010) and one
            // that depends on the unlabelled feature 5991 (6003), which conflicts when picked without it
            s.write("frontend/src/scenes/insights/InsightLegend.tsx", """
                    export function InsightLegend({ onToggle }: { onToggle: (index: number) => void }): JSX.Element {
                        // an empty series has nothing to toggle
                        return <div className="insight-legend" onClick={() => onToggle(0)} aria-disabled={false} />
                    }
                    """);
            s.commit("fix(insights): Keep the legend toggle working on empty series (#5996)", who(TOMAS, "2021-09-24T10:20:31Z"));

            s.write("posthog/api/team.py", """
                    class TeamSerializer:
                        fields = ["id", "name", "session_recording_opt_in", "capture_console_log_opt_in"]
                        read_only_fields = ["capture_console_log_opt_in"]
                    """);
            s.commit("fix(session-recording): Make console log capture read-only until enabled (#6003)", who(ALEX, "2021-09-24T16:02:11Z"));

            s.append("plugin-server/src/worker/plugins/run.ts", """

                    export const PLUGIN_SETUP_RETRIES = 3
                    """);
            s.commit("fix(plugins): Retry plugin setup on transient errors (#6010)", who(HEDGEHOG, "2021-09-25T09:14:52Z"));

            return s.pushTo(gitRoot);
        }
    }

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

    private static Path seedVpc(Path gitRoot) throws IOException, GitAPIException {
        try (Seeder s = new Seeder(gitRoot, VPC)) {
            s.write("README.md", """
                    # vpc

                    Infrastructure of PostHog's own deployments. `client_values/` holds the Helm values
                    of each deployment of the `posthog/posthog` chart.
                    """);
            s.write("client_values/posthog/playground.yaml", playgroundValues("release-1.28.2-unstable"));
            s.commit("playground: deploy release-1.28.2-unstable", who(DANA, "2021-09-01T12:30:00Z"));
            s.write("client_values/posthog/playground.yaml", playgroundValues("release-1.28.3-unstable"));
            s.commit("playground: deploy release-1.28.3-unstable", who(DANA, "2021-09-13T16:12:45Z"));
            return s.pushTo(gitRoot);
        }
    }

    public static String playgroundValues(String tag) {
        return """
                cloud: "aws"

                ingress:
                  hostname: playground.posthog.net
                  nginx:
                    enabled: false
                  letsencrypt: false

                image:
                  repository: posthog/posthog
                  tag: %s
                  pullPolicy: Always

                # Sentry for the playground only
                sentryDSN: "https://00000000000000000000000000000000@o1.ingest.sentry.io/1"

                web:
                  replicacount: 2
                  hpa:
                    enabled: false
                  env:
                    - name: SKIP_SERVICE_VERSION_REQUIREMENTS
                      value: "1"

                worker:
                  replicacount: 1

                plugins:
                  replicacount: 1

                events:
                  replicacount: 1

                clickhouse:
                  enabled: true
                  persistentVolumeClaim:
                    enabled: true
                    size: 50Gi

                postgresql:
                  enabled: true
                  persistence:
                    size: 20Gi

                redis:
                  enabled: true

                kafka:
                  enabled: true
                  persistence:
                    size: 20Gi

                cert-manager:
                  enabled: false
                """.formatted(tag);
    }

    // ---------------------------------------------------------------- charts-clickhouse

    private static Path seedCharts(Path gitRoot) throws IOException, GitAPIException {
        try (Seeder s = new Seeder(gitRoot, CHARTS)) {
            s.write("README.md", """
                    # PostHog Helm chart (ClickHouse)

                    Deploy PostHog with ClickHouse on Kubernetes. See `charts/posthog/ALL_VALUES.md` for
                    every value.
                    """);
            s.write("charts/posthog/Chart.yaml", chartYaml("29.0.10", "1.28.2"));
            s.write("charts/posthog/values.yaml", chartValues("1.28.2"));
            s.write("charts/posthog/ALL_VALUES.md", allValues("29.0.10", "1.28.2"));
            s.commit("Update PostHog App to 1.28.2 (#142)", who(PRIYA, "2021-09-07T13:20:11Z"));
            s.write("charts/posthog/Chart.yaml", chartYaml(CHART_VERSION, "1.28.3"));
            s.write("charts/posthog/values.yaml", chartValues("1.28.3"));
            s.write("charts/posthog/ALL_VALUES.md", allValues(CHART_VERSION, "1.28.3"));
            s.commit("Update PostHog App to 1.28.3 (#147)", who(PRIYA, "2021-09-14T14:02:58Z"));
            return s.pushTo(gitRoot);
        }
    }

    public static String chartYaml(String chartVersion, String appVersion) {
        return """
                apiVersion: v2
                name: posthog
                description: PostHog is developer-friendly, open-source product analytics.
                home: https://posthog.com
                icon: https://posthog.com/brand/posthog-logo-stacked.svg
                sources:
                  - https://github.com/PostHog/posthog
                  - https://github.com/PostHog/charts-clickhouse
                maintainers:
                  - name: PostHog
                    email: hey@posthog.com

                # A chart can be either an 'application' or a 'library' chart.
                type: application

                # This is the chart version. This version number should be incremented each time you make changes
                # to the chart and its templates, including the app version.
                version: %s

                # This is the version number of the application being deployed. This version number should be
                # incremented each time you make changes to the application.
                appVersion: %s

                dependencies:
                  - name: postgresql
                    version: 8.6.1
                    repository: https://charts.bitnami.com/bitnami
                    condition: postgresql.enabled
                  - name: redis
                    version: 12.7.4
                    repository: https://charts.bitnami.com/bitnami
                    condition: redis.enabled
                  - name: kafka
                    version: 12.6.0
                    repository: https://charts.bitnami.com/bitnami
                    condition: kafka.enabled
                """.formatted(chartVersion, appVersion);
    }

    public static String chartValues(String appVersion) {
        return """
                # Default values for PostHog.

                # -- Cloud service being deployed on (example: `aws`, `azure`, `do`, `gcp`, `other`).
                cloud:

                image:
                  # -- PostHog image repository to use.
                  repository: posthog/posthog
                  # -- PostHog image SHA to use (example: `sha256:...`).
                  sha:
                  # -- PostHog image tag to use (example: `release-1.35.0`).
                  tag:
                  # -- PostHog default image. Do not overwrite, use `image.sha` or `image.tag` instead.
                  default: ":release-%s"
                  # -- PostHog image pull policy.
                  pullPolicy: IfNotPresent

                # -- Sentry endpoint to send errors to.
                sentryDSN:

                web:
                  # -- Whether to install the PostHog web stack or not.
                  enabled: true
                  # -- Count of web pods to run. This setting is ignored if `web.hpa.enabled` is set to `true`.
                  replicacount: 1

                worker:
                  # -- Whether to install the PostHog worker stack or not.
                  enabled: true
                  # -- Count of worker pods to run.
                  replicacount: 1

                plugins:
                  # -- Whether to install the PostHog plugin-server stack or not.
                  enabled: true
                  # -- Count of plugin-server pods to run.
                  replicacount: 1

                clickhouse:
                  # -- Whether to install ClickHouse through the operator.
                  enabled: true
                  # -- ClickHouse database.
                  database: posthog
                """.formatted(appVersion);
    }

    public static String allValues(String chartVersion, String appVersion) {
        return """
                # PostHog Helm chart configuration

                ![Version: %1$s](https://img.shields.io/badge/Version-%1$s-informational?style=flat-square) ![AppVersion: %2$s](https://img.shields.io/badge/AppVersion-%2$s-informational?style=flat-square)

                ## Configuration

                The following table lists the configurable parameters of the PostHog chart and their default values.

                | Key | Type | Default | Description |
                |-----|------|---------|-------------|
                | cloud | string | `nil` | Cloud service being deployed on (example: `aws`, `azure`, `do`, `gcp`, `other`). |
                | image.repository | string | `"posthog/posthog"` | PostHog image repository to use. |
                | image.sha | string | `nil` | PostHog image SHA to use (example: `sha256:...`). |
                | image.tag | string | `nil` | PostHog image tag to use (example: `release-1.35.0`). |
                | image.default | string | `":release-%2$s"` | PostHog default image. Do not overwrite, use `image.sha` or `image.tag` instead. |
                | image.pullPolicy | string | `"IfNotPresent"` | PostHog image pull policy. |
                | sentryDSN | string | `nil` | Sentry endpoint to send errors to. |
                | web.enabled | bool | `true` | Whether to install the PostHog web stack or not. |
                | web.replicacount | int | `1` | Count of web pods to run. This setting is ignored if `web.hpa.enabled` is set to `true`. |
                | worker.enabled | bool | `true` | Whether to install the PostHog worker stack or not. |
                | worker.replicacount | int | `1` | Count of worker pods to run. |
                | plugins.enabled | bool | `true` | Whether to install the PostHog plugin-server stack or not. |
                | plugins.replicacount | int | `1` | Count of plugin-server pods to run. |
                | clickhouse.enabled | bool | `true` | Whether to install ClickHouse through the operator. |
                | clickhouse.database | string | `"posthog"` | ClickHouse database. |
                """.formatted(chartVersion, appVersion);
    }

    // ---------------------------------------------------------------- seeding machinery

    /** A throw-away working repository that commits files and pushes them into the bare remote. */
    private static final class Seeder implements AutoCloseable {
        private final String repo;
        private final String branch;
        private final Path workDir;
        private final Git git;

        Seeder(Path gitRoot, String repo) throws IOException, GitAPIException {
            this.repo = repo;
            this.branch = defaultBranch(repo);
            this.workDir = gitRoot.resolve(".seed-" + repo);
            deleteRecursively(workDir);
            this.git = Git.init().setDirectory(workDir.toFile()).setInitialBranch(branch).call();
        }

        void write(String path, String content) throws IOException {
            Path file = workDir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        }

        void append(String path, String content) throws IOException {
            Path file = workDir.resolve(path);
            Files.writeString(file, Files.readString(file, StandardCharsets.UTF_8) + content, StandardCharsets.UTF_8);
        }

        RevCommit commit(String message, PersonIdent who) throws GitAPIException {
            git.add().addFilepattern(".").call();
            return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
        }

        void tag(String name, RevCommit on, PersonIdent tagger) throws GitAPIException {
            git.tag().setName(name).setAnnotated(true).setMessage("Version " + name).setTagger(tagger)
                    .setObjectId(on).setSigned(false).call();
        }

        Path pushTo(Path gitRoot) throws IOException, GitAPIException {
            Path bare = barePath(gitRoot, repo);
            deleteRecursively(bare);
            Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch(branch).call().close();
            Iterable<PushResult> results = git.push().setRemote(fileUrl(bare))
                    .setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch))
                    .setPushTags().call();
            for (PushResult r : results) {
                for (RemoteRefUpdate u : r.getRemoteUpdates()) {
                    if (u.getStatus() != RemoteRefUpdate.Status.OK) {
                        throw new IllegalStateException("seeding " + repo + ": push of " + u.getRemoteName()
                                + " failed: " + u.getStatus() + " " + u.getMessage());
                    }
                }
            }
            return bare;
        }

        @Override
        public void close() throws IOException {
            git.close();
            deleteRecursively(workDir);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
