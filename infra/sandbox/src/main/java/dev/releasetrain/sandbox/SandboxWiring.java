package dev.releasetrain.sandbox;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where each service finds its stand-ins in a running sandbox, as that service's configuration: the one
 * mapping from the sandbox's endpoints to the services' properties, used by the launcher (which starts each
 * service as a process) and by the services' Quarkus test resources. Secrets are kept apart from the rest so
 * that a launcher can hand them over in the environment (where {@code ps} does not show them) and a test as
 * configuration. What only a caller needs (a cache directory, short test timeouts, the demo's own links) the
 * caller adds.
 */
public final class SandboxWiring {
    /** The region the launcher gives the AWS SDK (CloudFront itself is global). */
    static final String AWS_REGION = "us-east-1";

    private SandboxWiring() {
    }

    /**
     * One service's settings for a sandbox.
     *
     * @param config  its configuration properties that are no secret
     * @param secrets its secret configuration properties (tokens, API keys)
     * @param aws     credentials for the AWS SDK's default chain, or null when the service uses none
     */
    public record Service(Map<String, String> config, Map<String, String> secrets, AwsCredentials aws) {
        public Service {
            config = Map.copyOf(config);
            secrets = Map.copyOf(secrets);
        }

        /** The configuration and the secrets as configuration properties, as a test resource returns them. */
        public Map<String, String> properties() {
            Map<String, String> all = new LinkedHashMap<>(new java.util.TreeMap<>(config));
            all.putAll(new java.util.TreeMap<>(secrets));
            return all;
        }

        /**
         * The secrets as the environment of a service process: each property under its environment variable
         * name ({@code release-train.github.token} as {@code RELEASE_TRAIN_GITHUB_TOKEN}), and the AWS
         * credentials as the SDK's variables.
         */
        public Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            new java.util.TreeMap<>(secrets).forEach((k, v) -> env.put(environmentName(k), v));
            if (aws != null) {
                env.putAll(aws.environment());
            }
            return env;
        }
    }

    /** Credentials the AWS SDK's default chain finds in the environment or in system properties. */
    public record AwsCredentials(String accessKeyId, String secretAccessKey, String region) {
        /** {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_REGION}: for a service process. */
        public Map<String, String> environment() {
            return Map.of("AWS_ACCESS_KEY_ID", accessKeyId, "AWS_SECRET_ACCESS_KEY", secretAccessKey, "AWS_REGION", region);
        }

        /** {@code aws.accessKeyId}, {@code aws.secretAccessKey}: for a service under test in this JVM. */
        public Map<String, String> systemProperties() {
            return Map.of("aws.accessKeyId", accessKeyId, "aws.secretAccessKey", secretAccessKey);
        }
    }

    /** git-service: the seeded remotes (posthog, vpc, charts-clickhouse) and the GitHub API. */
    public static Service git(Sandbox sandbox) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("release-train.git.repository-url", sandbox.git().url("posthog"));
        config.put("release-train.git.default-branch", sandbox.gitDefaultBranch("posthog"));
        config.put("release-train.git.repositories.vpc.url", sandbox.git().url("vpc"));
        config.put("release-train.git.repositories.charts.url", sandbox.git().url("charts-clickhouse"));
        config.put("release-train.github.api-url", sandbox.githubUrl());
        return new Service(config, Map.of("release-train.github.token", sandbox.githubToken()), null);
    }

    /**
     * deploy-service: the Kubernetes API (Helm talks to it too), chart {@code posthog/posthog} from the sandbox's
     * Helm chart repository as in production, the image registry and the playground.
     */
    public static Service deploy(Sandbox sandbox) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("release-train.deploy.kubernetes-url", sandbox.kubernetesUrl());
        config.put("release-train.deploy.namespace", KubernetesStandIn.NAMESPACE);
        config.put("release-train.deploy.chart", "posthog/posthog");
        config.put("release-train.deploy.chart-repository-url", sandbox.chartRepositoryUrl());
        config.put("release-train.deploy.openapi-validation", "false"); // the stand-in serves no OpenAPI documents
        config.put("release-train.registry.url", sandbox.registryUrl());
        config.put("release-train.playground.url", sandbox.playgroundUrl());
        return new Service(config, Map.of("release-train.playground.api-key", sandbox.playgroundApiKey()), null);
    }

    /** cdn-service: the CloudFront stand-in and its distribution; credentials through the AWS default chain. */
    public static Service cdn(Sandbox sandbox) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("release-train.cdn.endpoint", sandbox.cloudFrontEndpoint());
        config.put("release-train.cdn.distribution-id", sandbox.distributionId());
        return new Service(config, Map.of(),
                new AwsCredentials(sandbox.awsAccessKeyId(), sandbox.awsSecretAccessKey(), AWS_REGION));
    }

    /** notify-service: Slack (the team and the community workspace), the GitHub API and the public website. */
    public static Service notify(Sandbox sandbox) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("release-train.slack.api-url", sandbox.slackApiUrl());
        config.put("release-train.github.api-url", sandbox.githubUrl());
        config.put("release-train.notify.website.site-url", sandbox.websiteUrl());
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("release-train.slack.token", sandbox.slackToken());
        secrets.put("release-train.slack.community.token", sandbox.slackCommunityToken());
        secrets.put("release-train.github.token", sandbox.githubToken());
        return new Service(config, secrets, null);
    }

    /** A configuration property's environment variable as MicroProfile Config reads it. */
    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
