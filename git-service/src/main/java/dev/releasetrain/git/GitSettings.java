package dev.releasetrain.git;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the repositories are and how the steps name things: built from {@code release-train.git.*} and
 * {@code release-train.github.*} by {@link GitConfiguration}, or directly in tests.
 *
 * @param app            the app repository ({@code posthog})
 * @param vpc            the infrastructure repository holding the playground values
 * @param charts         the Helm chart repository ({@code charts-clickhouse})
 * @param valuesPath     path of the playground values in {@code vpc}
 * @param chartDir       directory of the chart in {@code charts}
 * @param chartBumpPart  which part of the chart's semver a release bumps: major, minor or patch
 * @param chartLabel     label of the chart pull request
 * @param releaseBranch  release branch template when the command has no {@code releaseBranch}, {@code {version}}
 * @param chartBranch    chart bump branch template
 * @param syncBranch     version sync branch template
 * @param recordRefs     prefix of the refs recording a release's work on the app remote (not branches: CI ignores them)
 * @param highlightLabel label of the pull requests that feed the release notes
 * @param orgDomains     e-mail domains of the organisation; other authors are external contributors
 * @param botName        committer and tagger name
 * @param botEmail       committer and tagger e-mail
 * @param cacheDir       local clones, a cache only
 */
public record GitSettings(Repo app, Repo vpc, Repo charts, String valuesPath, String chartDir, String chartBumpPart,
                          String chartLabel, String releaseBranch, String chartBranch, String syncBranch,
                          String recordRefs, String highlightLabel, List<String> orgDomains, String botName,
                          String botEmail, Path cacheDir) {

    /** A repository: its git remote, default branch and GitHub {@code owner/name}. */
    public record Repo(String url, String defaultBranch, String github) {
    }

    public GitSettings {
        chartBumpPart = chartBumpPart.toLowerCase(Locale.ROOT);
        if (!List.of("major", "minor", "patch").contains(chartBumpPart)) {
            throw new IllegalArgumentException("release-train.git.repositories.charts.bump-part must be major, minor or patch: "
                    + chartBumpPart);
        }
        orgDomains = orgDomains.stream().map(d -> d.strip().toLowerCase(Locale.ROOT)).filter(d -> !d.isEmpty()).toList();
        if (!recordRefs.endsWith("/")) {
            recordRefs = recordRefs + "/";
        }
    }

    static String render(String template, String version) {
        return template.replace("{version}", version);
    }

    /** The ref recording one fact of a release on the app remote, e.g. {@code refs/release-train/1.29.0/cut}. */
    String recordRef(String version, String what) {
        return recordRefs + version + "/" + what;
    }

    boolean isExternal(String email) {
        String domain = Optional.ofNullable(email).map(e -> e.substring(e.lastIndexOf('@') + 1)).orElse("")
                .toLowerCase(Locale.ROOT);
        return orgDomains.stream().noneMatch(d -> domain.equals(d) || domain.endsWith("." + d));
    }
}
