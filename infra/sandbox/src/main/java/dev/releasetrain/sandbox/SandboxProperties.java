package dev.releasetrain.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A sandbox's endpoints as configuration: Release Train's own keys where one exists (so they can be fed to the
 * services as-is), {@code sandbox.*} otherwise. Served by {@code GET /admin/endpoints} and written to
 * {@code sandbox.properties}.
 */
final class SandboxProperties {

    private SandboxProperties() {
    }

    static Map<String, String> of(Sandbox sandbox) {
        Map<String, String> p = new LinkedHashMap<>();
        GitRemotes git = sandbox.git();
        p.put("sandbox.work-dir", sandbox.workDir().toString());
        p.put("sandbox.admin-url", sandbox.adminUrl());
        for (String repo : git.names()) {
            p.put("sandbox.git." + repo + ".url", git.url(repo));
            p.put("sandbox.git." + repo + ".default-branch", git.defaultBranch(repo));
        }
        p.put("release-train.git.repository-url", git.url(GitFixtures.POSTHOG));
        p.put("release-train.git.default-branch", git.defaultBranch(GitFixtures.POSTHOG));
        SlackStandIn slack = sandbox.slack();
        p.put("sandbox.slack.url", slack.url());
        p.put("release-train.slack.api-url", slack.apiUrl());
        p.put("release-train.slack.token", slack.token());
        p.put("release-train.slack.community.token", slack.token(SlackStandIn.COMMUNITY));
        p.put("sandbox.website.url", sandbox.website().url());
        p.put("release-train.notify.website.site-url", sandbox.website().url());
        p.put("release-train.cdn.endpoint", sandbox.cloudFront().url());
        p.put("release-train.cdn.distribution-id", sandbox.cloudFront().distributionId());
        p.put("sandbox.aws.access-key-id", sandbox.options().awsAccessKeyId());
        p.put("sandbox.aws.secret-access-key", sandbox.options().awsSecretAccessKey());
        p.put("sandbox.aws.region", "us-east-1");
        p.put("release-train.deploy.kubernetes-url", sandbox.kubernetes().url());
        p.put("release-train.deploy.namespace", KubernetesStandIn.NAMESPACE);
        p.put("sandbox.registry.url", sandbox.registry().url());
        p.put("release-train.registry.url", sandbox.registry().url());
        p.put("release-train.deploy.kubeconfig", sandbox.kubeconfigPath().toString());
        p.put("release-train.deploy.chart", sandbox.chartPath().toString());
        // chart posthog/posthog from a Helm repository
        p.put("sandbox.chart-repository.url", sandbox.chartRepository().repositoryUrl());
        p.put("release-train.deploy.openapi-validation", "false"); // the stand-in serves no OpenAPI documents
        p.put("release-train.playground.url", sandbox.playground().url());
        p.put("sandbox.playground.api-key", sandbox.playground().apiKey());
        p.put("sandbox.github.url", sandbox.github().url());
        p.put("sandbox.github.token", sandbox.github().token());
        p.put("release-train.github.api-url", sandbox.github().url());
        p.put("release-train.github.token", sandbox.github().token());
        p.put("release-train.git.repositories.vpc.url", git.url(GitFixtures.VPC));
        p.put("release-train.git.repositories.charts.url", git.url(GitFixtures.CHARTS));
        return p;
    }

    /** Writes the properties to {@code file} ({@link Properties} format). */
    static Path write(Path file, Map<String, String> properties) {
        Properties props = new Properties();
        props.putAll(properties);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(w, "Release Train sandbox endpoints");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
