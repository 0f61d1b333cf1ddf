package dev.releasetrain.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The local stand-ins of the external systems, started in-process on free 127.0.0.1 ports:
 * seeded bare git repositories ({@code file://} remotes), Slack Web API (a team and a community workspace, each
 * known by its token), CloudFront, Kubernetes API
 * (fabric8 mock server, CRUD mode, made fit for real Helm, with a simulated controller; a local chart standing
 * in for {@code posthog/posthog}, also served as a Helm chart repository, and a kubeconfig), an image registry (Docker Hub tag API) fed by a CI simulation
 * that watches the {@code posthog} repository, the playground app ({@code /api/instance_status}, reporting the
 * version in {@code posthog/version.py} of the commit the image deployed in the Kubernetes stand-in was built from),
 * the public website (the posts of the website repository that the GitHub stand-in hosts, once merged), and an
 * admin endpoint for fault injection and call counts.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.start(tempDir)) {
 *     String remote = sandbox.gitRemoteUrl("posthog");
 *     ...
 * }
 * }</pre>
 */
public final class Sandbox implements AutoCloseable {

    /** Stand-in names accepted by {@link #failNext}, {@link #calls} and the admin endpoint. */
    public static final String SLACK = "slack";
    public static final String CLOUDFRONT = "cloudfront";
    public static final String KUBERNETES = "kubernetes";
    public static final String REGISTRY = "registry";
    public static final String GITHUB = "github";
    public static final String PLAYGROUND = "playground";
    public static final String WEBSITE = "website";
    /** The playground's personal API key (a secret in real life: never logged by the services). */
    public static final String PLAYGROUND_API_KEY = "phx_sandboxPlaygroundPersonalApiKey000000";
    public static final String GITHUB_TOKEN = "ghp_sandboxReleaseTrain0000000000000000";
    /** The bot token of the community Slack workspace (the team's is {@link Options#slackToken()}). */
    public static final String SLACK_COMMUNITY_TOKEN = "xoxb-sandbox-community-workspace-token";
    /** The channels the community Slack workspace has from the start. */
    public static final List<String> SLACK_COMMUNITY_CHANNELS = List.of("announcements", "general");

    /** Settings of a sandbox; {@link #defaults()} then {@code with...} to change one. */
    public record Options(String slackToken, List<String> slackChannels, String distributionId,
                          Duration invalidationDelay, String awsAccessKeyId, String awsSecretAccessKey,
                          Duration ciBuildTime) {

        public Options {
            Objects.requireNonNull(slackToken, "slackToken");
            slackChannels = List.copyOf(slackChannels);
            Objects.requireNonNull(distributionId, "distributionId");
            Objects.requireNonNull(invalidationDelay, "invalidationDelay");
            Objects.requireNonNull(ciBuildTime, "ciBuildTime");
        }

        public static Options defaults() {
            return new Options("xoxb-sandbox-release-train-token",
                    List.of("releases", "team-platform", "marketing", "team-releases"),
                    "E2RELEASETRAIN1", Duration.ofSeconds(2), "AKIASANDBOXRELEASETR", "sandbox-secret-access-key",
                    Duration.ofSeconds(3));
        }

        public Options withSlackToken(String token) {
            return new Options(token, slackChannels, distributionId, invalidationDelay, awsAccessKeyId, awsSecretAccessKey, ciBuildTime);
        }

        public Options withDistributionId(String id) {
            return new Options(slackToken, slackChannels, id, invalidationDelay, awsAccessKeyId, awsSecretAccessKey, ciBuildTime);
        }

        public Options withInvalidationDelay(Duration delay) {
            return new Options(slackToken, slackChannels, distributionId, delay, awsAccessKeyId, awsSecretAccessKey, ciBuildTime);
        }

        /** How long the simulated CI takes to publish an image after a release branch or tag is pushed. */
        public Options withCiBuildTime(Duration buildTime) {
            return new Options(slackToken, slackChannels, distributionId, invalidationDelay, awsAccessKeyId,
                    awsSecretAccessKey, buildTime);
        }

        public Options withSlackChannels(List<String> channels) {
            return new Options(slackToken, channels, distributionId, invalidationDelay, awsAccessKeyId, awsSecretAccessKey, ciBuildTime);
        }
    }

    private final Path workDir;
    private final Options options;
    private final Map<String, Path> gitRepos = new LinkedHashMap<>();
    private final Map<String, StandIn> standIns = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SlackStandIn slack;
    private CloudFrontStandIn cloudFront;
    private KubernetesStandIn kubernetes;
    private RegistryStandIn registry;
    private GitHubStandIn github;
    private CiSimulator ci;
    private AdminServer admin;
    private PlaygroundStandIn playground;
    private ChartRepositoryStandIn chartRepository;
    private WebsiteStandIn website;
    private Path chartPath;
    private Path kubeconfigPath;

    private Sandbox(Path workDir, Options options) {
        this.workDir = workDir.toAbsolutePath().normalize();
        this.options = options;
    }

    /** Starts everything with {@link Options#defaults()}; git repositories are (re)seeded under workDir/git. */
    public static Sandbox start(Path workDir) {
        return start(workDir, Options.defaults());
    }

    public static Sandbox start(Path workDir, Options options) {
        Sandbox sandbox = new Sandbox(workDir, options);
        try {
            sandbox.startAll();
            return sandbox;
        } catch (RuntimeException | Error e) {
            sandbox.close();
            throw e;
        }
    }

    private void startAll() {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gitRepos.putAll(GitFixtures.seed(workDir.resolve("git")));

        slack = register(new SlackStandIn(List.of(
                new SlackStandIn.Workspace(SlackStandIn.TEAM, options.slackToken(), SlackStandIn.TEAM_ID, "posthog",
                        options.slackChannels()),
                new SlackStandIn.Workspace(SlackStandIn.COMMUNITY, SLACK_COMMUNITY_TOKEN, SlackStandIn.COMMUNITY_TEAM_ID,
                        "posthogusers", SLACK_COMMUNITY_CHANNELS))));
        slack.start();
        cloudFront = register(new CloudFrontStandIn(options.distributionId(), options.invalidationDelay()));
        cloudFront.start();
        kubernetes = register(new KubernetesStandIn(Images.POSTHOG + ":release-" + GitFixtures.CURRENT_VERSION + "-unstable",
                this::registryDigest));
        kubernetes.start();
        kubeconfigPath = SandboxChart.writeKubeconfig(workDir.resolve("kubeconfig"), kubernetes.url(),
                KubernetesStandIn.NAMESPACE);
        chartPath = SandboxChart.write(workDir.resolve("charts"));
        chartRepository = register(new ChartRepositoryStandIn(chartPath));
        chartRepository.start();

        registry = register(new RegistryStandIn());
        registry.start();
        // the images CI built for the seeded releases, from their tagged commits
        Path app = gitRepositoryPath(GitFixtures.POSTHOG);
        for (String v : List.of("1.28.2", GitFixtures.CURRENT_VERSION)) {
            String commit = AppSource.resolve(app, "refs/tags/" + v);
            registry.push(Images.POSTHOG, "release-" + v + "-unstable",
                    Images.digest(Images.POSTHOG, "release-" + v + "-unstable"), commit);
            registry.push(Images.POSTHOG, "release-" + v, Images.digest(Images.POSTHOG, "release-" + v), commit);
        }
        registry.push(Images.POSTHOG, "latest-release",
                Images.digest(Images.POSTHOG, "release-" + GitFixtures.CURRENT_VERSION),
                AppSource.resolve(app, "refs/tags/" + GitFixtures.CURRENT_VERSION));
        github = register(new GitHubStandIn(GITHUB_TOKEN,
                List.of(GitFixtures.POSTHOG, GitFixtures.CHARTS, GitFixtures.VPC, "posthog.com"),
                repo -> gitRepos.containsKey(repo) ? gitRemoteUrl(repo) : null));
        github.start();
        for (GitFixtures.MergedPullRequest pr : GitFixtures.mergedPullRequests(gitRepositoryPath(GitFixtures.POSTHOG),
                GitFixtures.POSTHOG)) {
            github.addMergedPullRequest(GitHubStandIn.OWNER + "/" + GitFixtures.POSTHOG, pr);
        }
        playground = register(new PlaygroundStandIn(PLAYGROUND_API_KEY, () -> kubernetes.servingImage("posthog-web"),
                this::imageSourceCommit, commit -> AppSource.version(app, commit)));
        playground.start();
        ci = new CiSimulator(gitRepositoryPath(GitFixtures.POSTHOG), registry, options.ciBuildTime());
        closeables.add(ci);
        ci.start();
        WebsiteFixtures.host(github);
        website = register(new WebsiteStandIn(github.hosted, WebsiteFixtures.FULL_NAME, WebsiteFixtures.defaultBranch()));
        website.start();

        admin = new AdminServer(this);
        closeables.add(admin);
        admin.start();
    }

    private <T extends StandIn> T register(T standIn) {
        standIns.put(standIn.name(), standIn);
        closeables.add(standIn);
        return standIn;
    }

    // ---------------------------------------------------------------- git

    /** {@code file://} URL of a seeded bare repository: posthog, vpc, charts-clickhouse. */
    public String gitRemoteUrl(String repo) {
        return GitFixtures.fileUrl(gitRepositoryPath(repo));
    }

    /** Path of a seeded bare repository. */
    public Path gitRepositoryPath(String repo) {
        Path p = gitRepos.get(repo);
        if (p == null) {
            throw new IllegalArgumentException("no seeded repository " + repo + "; known: " + gitRepos.keySet());
        }
        return p;
    }

    /** Default branch of a seeded repository (master for posthog, main for the others). */
    public String gitDefaultBranch(String repo) {
        gitRepositoryPath(repo);
        return GitFixtures.defaultBranch(repo);
    }

    // ---------------------------------------------------------------- slack

    public SlackStandIn slack() {
        return slack;
    }

    /** Base URL of the Slack stand-in (no path). */
    public String slackUrl() {
        return slack.url();
    }

    /** Methods URL prefix for slack-api-client / release-train.slack.api-url ({@code http://127.0.0.1:P/api/}). */
    public String slackApiUrl() {
        return slack.apiUrl();
    }

    /** The bot token of the team workspace. */
    public String slackToken() {
        return slack.token();
    }

    /** The bot token of the community workspace ({@code #announcements}). */
    public String slackCommunityToken() {
        return slack.token(SlackStandIn.COMMUNITY);
    }

    /** Messages posted to a channel of any workspace (id, {@code #name}, {@code name}, or a user id for DMs), oldest first. */
    public List<SlackStandIn.Message> slackMessages(String channel) {
        return slack.messages(channel);
    }

    /**
     * Messages posted to a channel of one workspace ({@link SlackStandIn#TEAM}, {@link SlackStandIn#COMMUNITY}):
     * id, {@code #name}, {@code name}, or a user id for the bot's direct messages with that user; oldest first.
     */
    public List<SlackStandIn.Message> slackMessages(String workspace, String channel) {
        return slack.messages(workspace, channel);
    }

    // ---------------------------------------------------------------- website

    public WebsiteStandIn website() {
        return website;
    }

    /** The public site ({@code http://127.0.0.1:P}): the markdown pages of the website repository's default branch. */
    public String websiteUrl() {
        return website.url();
    }

    // ---------------------------------------------------------------- cloudfront

    public CloudFrontStandIn cloudFront() {
        return cloudFront;
    }

    /** Endpoint override for the CloudFront client ({@code http://127.0.0.1:P}). */
    public String cloudFrontEndpoint() {
        return cloudFront.url();
    }

    public String distributionId() {
        return cloudFront.distributionId();
    }

    public String distributionDomainName() {
        return cloudFront.domainName();
    }

    /** Invalidations created so far, oldest first. */
    public List<CloudFrontStandIn.Invalidation> invalidations() {
        return cloudFront.invalidations();
    }

    /** How long new invalidations stay InProgress. */
    public void setInvalidationDelay(Duration delay) {
        cloudFront.invalidationDelay(delay);
    }

    public String awsAccessKeyId() {
        return options.awsAccessKeyId();
    }

    public String awsSecretAccessKey() {
        return options.awsSecretAccessKey();
    }

    // ---------------------------------------------------------------- kubernetes

    public KubernetesStandIn kubernetes() {
        return kubernetes;
    }

    /** Kubernetes API server URL ({@code http://127.0.0.1:P}). */
    public String kubernetesUrl() {
        return kubernetes.url();
    }

    public String kubernetesNamespace() {
        return KubernetesStandIn.NAMESPACE;
    }

    /** Helm kubeconfig for the Kubernetes stand-in (cluster, user and context {@code sandbox}). */
    public Path kubeconfigPath() {
        return kubeconfigPath;
    }

    /** The local chart standing in for {@code posthog/posthog} (a directory under the work dir). */
    public Path chartPath() {
        return chartPath;
    }

    /** The sandbox chart served as a Helm repository ({@code index.yaml} and the packaged chart). */
    public ChartRepositoryStandIn chartRepository() {
        return chartRepository;
    }

    /** URL of that repository ({@code http://127.0.0.1:P/}): chart {@code posthog/posthog}. */
    public String chartRepositoryUrl() {
        return chartRepository.repositoryUrl();
    }

    // ---------------------------------------------------------------- playground

    public PlaygroundStandIn playground() {
        return playground;
    }

    /** Base URL of the deployed playground app ({@code http://127.0.0.1:P}; {@code /api/instance_status}). */
    public String playgroundUrl() {
        return playground.url();
    }

    public String playgroundApiKey() {
        return playground.apiKey();
    }

    /**
     * The commit an image was built from, as the registry recorded it: {@code repository@sha256:...} by its digest,
     * {@code repository:tag} by the tag's current digest.
     */
    public Optional<String> imageSourceCommit(String image) {
        int at = image.indexOf('@');
        if (at > 0) {
            return registry.builtFrom(image.substring(at + 1));
        }
        int colon = image.lastIndexOf(':');
        if (colon <= image.lastIndexOf('/')) {
            return Optional.empty();
        }
        return registry.tag(image.substring(0, colon), image.substring(colon + 1)).map(RegistryStandIn.Tag::commit);
    }

    /** The registry digest of an image reference {@code repository:tag}, else the deterministic one. */
    private String registryDigest(String image) {
        int colon = image.lastIndexOf(':');
        if (registry != null && colon > 0) {
            Optional<RegistryStandIn.Tag> tag = registry.tag(image.substring(0, colon), image.substring(colon + 1));
            if (tag.isPresent()) {
                return tag.get().digest();
            }
        }
        return KubernetesStandIn.defaultDigest(image);
    }

    // ---------------------------------------------------------------- image registry

    public RegistryStandIn registry() {
        return registry;
    }

    /** Base URL of the Docker Hub tag API stand-in ({@code http://127.0.0.1:P}; routes under /v2/). */
    public String registryUrl() {
        return registry.url();
    }

    /** Publishes {@code posthog/posthog:<tag>} now (what CI would do), with the given digest. */
    public RegistryStandIn.Tag pushImage(String tag, String digest) {
        return registry.push(Images.POSTHOG, tag, digest);
    }

    /**
     * Publishes {@code posthog/posthog:<tag>} now, built from {@code revision} of the {@code posthog} remote (a commit
     * id, branch or tag), with the digest CI would give that build; the registry records the commit.
     */
    public RegistryStandIn.Tag buildImage(String tag, String revision) {
        String commit = AppSource.resolve(gitRepositoryPath(GitFixtures.POSTHOG), revision);
        return registry.push(Images.POSTHOG, tag, Images.built(Images.POSTHOG, tag, commit), commit);
    }

    /** Sets how long the simulated CI takes to publish images after a release branch or tag push. */
    public void setCiBuildTime(Duration buildTime) {
        ci.buildTime(buildTime);
    }

    // ---------------------------------------------------------------- github

    public GitHubStandIn github() {
        return github;
    }

    /** API endpoint for github-api's {@code GitHubBuilder().withEndpoint(...)} ({@code http://127.0.0.1:P}). */
    public String githubUrl() {
        return github.url();
    }

    public String githubToken() {
        return github.token();
    }

    /** Branches, files and reviews of the repositories hosted only on the GitHub stand-in (the website). */
    public GitHubHostedRepositories githubHosted() {
        return github.hosted;
    }

    /** {@code reviewer} approves pull request {@code number} of {@code owner/repo} (a hosted repository). */
    public GitHubHostedRepositories.Review approvePullRequest(String fullName, int number, String reviewer) {
        return github.hosted.review(fullName, number, reviewer, "APPROVED", "Looks good to me");
    }

    // ---------------------------------------------------------------- admin / faults

    /** Base URL of the admin endpoint ({@code http://127.0.0.1:P}; routes under /admin/). */
    public String adminUrl() {
        return admin.url();
    }

    public Path workDir() {
        return workDir;
    }

    /** The stand-in of that name, if this sandbox runs one. */
    public Optional<StandIn> standIn(String name) {
        return Optional.ofNullable(standIns.get(name));
    }

    public List<String> standInNames() {
        return List.copyOf(standIns.keySet());
    }

    /** Makes a stand-in fail its next {@code count} calls with HTTP {@code status}. */
    public void failNext(String standIn, int count, int status) {
        requireStandIn(standIn).failNext(count, status);
    }

    /** Queues a fault on a stand-in: its next matching calls are delayed and/or fail (see {@link FaultSpec}). */
    public void inject(String standIn, FaultSpec fault) {
        requireStandIn(standIn).inject(fault);
    }

    /** Requests a stand-in received so far (failed ones included). */
    public long calls(String standIn) {
        return requireStandIn(standIn).calls();
    }

    /** Drops every queued fault. */
    public void clearFaults() {
        standIns.values().forEach(StandIn::clearFaults);
    }

    private StandIn requireStandIn(String name) {
        return standIn(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown stand-in " + name + "; running: " + standIns.keySet()));
    }

    /**
     * The endpoints as configuration: Release Train's own keys where one exists (so they can be fed to the
     * services as-is), {@code sandbox.*} otherwise.
     */
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sandbox.work-dir", workDir.toString());
        p.put("sandbox.admin-url", adminUrl());
        for (String repo : gitRepos.keySet()) {
            p.put("sandbox.git." + repo + ".url", gitRemoteUrl(repo));
            p.put("sandbox.git." + repo + ".default-branch", gitDefaultBranch(repo));
        }
        p.put("release-train.git.repository-url", gitRemoteUrl(GitFixtures.POSTHOG));
        p.put("release-train.git.default-branch", gitDefaultBranch(GitFixtures.POSTHOG));
        p.put("sandbox.slack.url", slackUrl());
        p.put("release-train.slack.api-url", slackApiUrl());
        p.put("release-train.slack.token", slackToken());
        p.put("release-train.slack.community.token", slackCommunityToken());
        p.put("sandbox.website.url", websiteUrl());
        p.put("release-train.notify.website.site-url", websiteUrl());
        p.put("release-train.cdn.endpoint", cloudFrontEndpoint());
        p.put("release-train.cdn.distribution-id", distributionId());
        p.put("sandbox.aws.access-key-id", awsAccessKeyId());
        p.put("sandbox.aws.secret-access-key", awsSecretAccessKey());
        p.put("sandbox.aws.region", "us-east-1");
        p.put("release-train.deploy.kubernetes-url", kubernetesUrl());
        p.put("release-train.deploy.namespace", kubernetesNamespace());
        p.put("sandbox.registry.url", registryUrl());
        p.put("release-train.registry.url", registryUrl());
        p.put("release-train.deploy.kubeconfig", kubeconfigPath.toString());
        p.put("release-train.deploy.chart", chartPath.toString());
        p.put("sandbox.chart-repository.url", chartRepositoryUrl()); // chart posthog/posthog from a Helm repository
        p.put("release-train.deploy.openapi-validation", "false"); // the stand-in serves no OpenAPI documents
        p.put("release-train.playground.url", playgroundUrl());
        p.put("sandbox.playground.api-key", playgroundApiKey());
        p.put("sandbox.github.url", githubUrl());
        p.put("sandbox.github.token", githubToken());
        p.put("release-train.github.api-url", githubUrl());
        p.put("release-train.github.token", githubToken());
        p.put("release-train.git.repositories.vpc.url", gitRemoteUrl(GitFixtures.VPC));
        p.put("release-train.git.repositories.charts.url", gitRemoteUrl(GitFixtures.CHARTS));
        return p;
    }

    /** Writes {@link #properties()} to {@code workDir/sandbox.properties} and returns the path. */
    public Path writeProperties() {
        Path file = workDir.resolve("sandbox.properties");
        Properties props = new Properties();
        props.putAll(properties());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(w, "Release Train sandbox endpoints");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Stops every stand-in (idempotent). */
    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the sandbox failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        closeables.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Starts a sandbox and runs until killed. Argument: the work directory (default: a new temporary
     * directory). Prints the endpoints as {@code key=value} lines and writes them to
     * {@code <workDir>/sandbox.properties}.
     */
    public static void main(String[] args) throws Exception {
        Path workDir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("release-train-sandbox");
        Sandbox sandbox = Sandbox.start(workDir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.close();
            stopped.countDown();
        }, "sandbox-shutdown"));
        sandbox.writeProperties();
        sandbox.properties().forEach((k, v) -> System.out.println(k + "=" + v));
        System.out.flush();
        stopped.await();
    }
}
