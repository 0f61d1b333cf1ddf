package dev.releasetrain.git;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Produces {@link GitSettings} and {@link GitHubAccess} from the configuration (see the README's table). */
@ApplicationScoped
public class GitConfiguration {

    @ConfigProperty(name = "release-train.git.repository-url")
    String appUrl;
    @ConfigProperty(name = "release-train.git.default-branch", defaultValue = "master")
    String appBranch;
    @ConfigProperty(name = "release-train.github.repository", defaultValue = "PostHog/posthog")
    String appGithub;

    @ConfigProperty(name = "release-train.git.repositories.vpc.url")
    Optional<String> vpcUrl;
    @ConfigProperty(name = "release-train.git.repositories.vpc.default-branch", defaultValue = "main")
    String vpcBranch;
    @ConfigProperty(name = "release-train.git.repositories.vpc.github-repository", defaultValue = "PostHog/vpc")
    String vpcGithub;
    @ConfigProperty(name = "release-train.git.repositories.vpc.values-path", defaultValue = "client_values/posthog/playground.yaml")
    String valuesPath;

    @ConfigProperty(name = "release-train.git.repositories.charts.url")
    Optional<String> chartsUrl;
    @ConfigProperty(name = "release-train.git.repositories.charts.default-branch", defaultValue = "main")
    String chartsBranch;
    @ConfigProperty(name = "release-train.git.repositories.charts.github-repository", defaultValue = "PostHog/charts-clickhouse")
    String chartsGithub;
    @ConfigProperty(name = "release-train.git.repositories.charts.chart-dir", defaultValue = "charts/posthog")
    String chartDir;
    @ConfigProperty(name = "release-train.git.repositories.charts.bump-part", defaultValue = "minor")
    String bumpPart;
    @ConfigProperty(name = "release-train.git.repositories.charts.label", defaultValue = "bump minor")
    String chartLabel;

    @ConfigProperty(name = "release-train.git.branches.release", defaultValue = "release-{version}")
    String releaseBranch;
    @ConfigProperty(name = "release-train.git.branches.chart", defaultValue = "bump-{version}")
    String chartBranch;
    @ConfigProperty(name = "release-train.git.branches.sync", defaultValue = "sync-{version}")
    String syncBranch;
    @ConfigProperty(name = "release-train.git.record-refs", defaultValue = "refs/release-train/")
    String recordRefs;
    @ConfigProperty(name = "release-train.git.labels.highlight", defaultValue = "highlight")
    String highlightLabel;
    @ConfigProperty(name = "release-train.git.org-domains", defaultValue = "posthog.com")
    List<String> orgDomains;
    @ConfigProperty(name = "release-train.git.identity.name", defaultValue = "PostHog Release Train")
    String botName;
    @ConfigProperty(name = "release-train.git.identity.email", defaultValue = "release-train@posthog.com")
    String botEmail;
    @ConfigProperty(name = "release-train.git.cache-dir", defaultValue = "${java.io.tmpdir}/release-train-git")
    String cacheDir;

    @ConfigProperty(name = "release-train.github.api-url", defaultValue = "https://api.github.com")
    String githubApiUrl;
    /** From RELEASE_TRAIN_GITHUB_TOKEN: HTTPS pushes and the GitHub API. Never logged. */
    @ConfigProperty(name = "release-train.github.token")
    Optional<String> githubToken;

    @Produces
    @Singleton
    GitSettings settings() {
        return new GitSettings(
                new GitSettings.Repo(appUrl, appBranch, appGithub),
                new GitSettings.Repo(vpcUrl.orElse("https://github.com/" + vpcGithub + ".git"), vpcBranch, vpcGithub),
                new GitSettings.Repo(chartsUrl.orElse("https://github.com/" + chartsGithub + ".git"), chartsBranch, chartsGithub),
                valuesPath, chartDir, bumpPart, chartLabel, releaseBranch, chartBranch, syncBranch, recordRefs,
                highlightLabel, orgDomains, botName, botEmail, Path.of(cacheDir));
    }

    @Produces
    @Singleton
    GitHubAccess github() {
        return new GitHubAccess(githubApiUrl, githubToken.orElse(null));
    }
}
