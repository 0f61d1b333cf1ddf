package dev.releasetrain.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The local stand-ins of the external systems, started in-process on free 127.0.0.1 ports:
 * seeded bare git repositories ({@code file://} remotes, {@link #git()}), Slack Web API (a team and a community
 * workspace, each known by its token), CloudFront, Kubernetes API (fabric8 mock server, CRUD mode, made fit for real
 * Helm, with a simulated controller; a local chart standing in for {@code posthog/posthog}, also served as a Helm
 * chart repository, and a kubeconfig), an image registry (Docker Hub tag API) fed by a CI simulation that watches
 * the {@code posthog} repository, the playground app ({@code /api/instance_status}, reporting the version in
 * {@code posthog/version.py} of the commit the image deployed in the Kubernetes stand-in was built from), the public
 * website (the posts of the website repository that the GitHub stand-in hosts, once merged), and an admin endpoint
 * for fault injection and call counts.
 *
 * <p>Each stand-in is reached through its own accessor ({@link #slack()}, {@link #github()}, ...: its URL, token
 * and state), their faults and call counters through {@link #standIns()}, and all endpoints as configuration
 * through {@link #properties()}.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.start(tempDir)) {
 *     String remote = sandbox.git().url("posthog");
 *     sandbox.standIns().failNext(Sandbox.SLACK, 1, 503);
 *     ...
 * }
 * }</pre>
 */
public final class Sandbox implements AutoCloseable {

    /** Stand-in names accepted by {@link StandIns} and the admin endpoint. */
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
    private final StandIns standIns = new StandIns();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private GitRemotes git;
    private SlackStandIn slack;
    private CloudFrontStandIn cloudFront;
    private KubernetesStandIn kubernetes;
    private RegistryStandIn registry;
    private GitHubStandIn github;
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
        Map<String, Path> seeded = GitFixtures.seed(workDir.resolve("git"));
        git = new GitRemotes(seeded);

        slack = register(new SlackStandIn(List.of(
                new SlackStandIn.Workspace(SlackStandIn.TEAM, options.slackToken(), SlackStandIn.TEAM_ID, "posthog",
                        options.slackChannels()),
                new SlackStandIn.Workspace(SlackStandIn.COMMUNITY, SLACK_COMMUNITY_TOKEN, SlackStandIn.COMMUNITY_TEAM_ID,
                        "posthogusers", SLACK_COMMUNITY_CHANNELS))));
        slack.start();
        cloudFront = register(new CloudFrontStandIn(options.distributionId(), options.invalidationDelay()));
        cloudFront.start();
        kubernetes = register(new KubernetesStandIn(Images.POSTHOG + ":release-" + GitFixtures.CURRENT_VERSION + "-unstable",
                this::podImageDigest));
        kubernetes.start();
        kubeconfigPath = SandboxChart.writeKubeconfig(workDir.resolve("kubeconfig"), kubernetes.url(),
                KubernetesStandIn.NAMESPACE);
        chartPath = SandboxChart.write(workDir.resolve("charts"));
        chartRepository = register(new ChartRepositoryStandIn(chartPath));
        chartRepository.start();

        registry = register(new RegistryStandIn());
        registry.start();
        // the images CI built for the seeded releases, from their tagged commits
        Path app = git.path(GitFixtures.POSTHOG);
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
                repo -> seeded.containsKey(repo) ? git.url(repo) : null));
        github.start();
        for (GitFixtures.MergedPullRequest pr : GitFixtures.mergedPullRequests(app, GitFixtures.POSTHOG)) {
            github.addMergedPullRequest(GitHubStandIn.OWNER + "/" + GitFixtures.POSTHOG, pr);
        }
        playground = register(new PlaygroundStandIn(PLAYGROUND_API_KEY, () -> kubernetes.servingImage("posthog-web"),
                registry::sourceCommit, commit -> AppSource.version(app, commit)));
        playground.start();
        CiSimulator ci = new CiSimulator(app, registry, options.ciBuildTime());
        closeables.add(ci);
        ci.start();
        WebsiteFixtures.host(github);
        website = register(new WebsiteStandIn(github.hosted, WebsiteFixtures.FULL_NAME, WebsiteFixtures.defaultBranch()));
        website.start();

        admin = new AdminServer(this);
        closeables.add(admin);
        admin.start();
    }

    /** The digest a pod's {@code imageID} carries: the registry's for its image, else a deterministic one. */
    private String podImageDigest(String image) {
        Optional<String> digest = registry == null ? Optional.empty() : registry.digest(image);
        return digest.orElseGet(() -> KubernetesStandIn.defaultDigest(image));
    }

    private <T extends StandIn> T register(T standIn) {
        closeables.add(standIn);
        return standIns.add(standIn);
    }

    // ---------------------------------------------------------------- the parts

    /** The settings this sandbox was started with (also the AWS credentials the services sign with). */
    public Options options() {
        return options;
    }

    /** The seeded bare git repositories ({@code file://} remotes). */
    public GitRemotes git() {
        return git;
    }

    /** The running stand-ins by name: their faults and call counters. */
    public StandIns standIns() {
        return standIns;
    }

    public SlackStandIn slack() {
        return slack;
    }

    public CloudFrontStandIn cloudFront() {
        return cloudFront;
    }

    /** The Kubernetes API server (namespace {@link KubernetesStandIn#NAMESPACE}). */
    public KubernetesStandIn kubernetes() {
        return kubernetes;
    }

    /** The sandbox chart served as a Helm repository ({@code index.yaml} and the packaged chart). */
    public ChartRepositoryStandIn chartRepository() {
        return chartRepository;
    }

    public RegistryStandIn registry() {
        return registry;
    }

    /** The GitHub API: the seeded repositories' pull requests, and the repositories it hosts itself (the website). */
    public GitHubStandIn github() {
        return github;
    }

    /** The deployed playground app ({@code /api/instance_status}). */
    public PlaygroundStandIn playground() {
        return playground;
    }

    /** The public site: the markdown pages of the website repository's default branch. */
    public WebsiteStandIn website() {
        return website;
    }

    /** Base URL of the admin endpoint ({@code http://127.0.0.1:P}; routes under /admin/). */
    public String adminUrl() {
        return admin.url();
    }

    public Path workDir() {
        return workDir;
    }

    /** Helm kubeconfig for the Kubernetes stand-in (cluster, user and context {@code sandbox}). */
    public Path kubeconfigPath() {
        return kubeconfigPath;
    }

    /** The local chart standing in for {@code posthog/posthog} (a directory under the work dir). */
    public Path chartPath() {
        return chartPath;
    }

    /**
     * Publishes {@code posthog/posthog:<tag>} now, built from {@code revision} of the {@code posthog} remote (a commit
     * id, branch or tag), with the digest CI would give that build; the registry records the commit.
     */
    public RegistryStandIn.Tag buildImage(String tag, String revision) {
        String commit = AppSource.resolve(git.path(GitFixtures.POSTHOG), revision);
        return registry.push(Images.POSTHOG, tag, Images.built(Images.POSTHOG, tag, commit), commit);
    }

    /** The endpoints as configuration (see {@link SandboxProperties}). */
    public Map<String, String> properties() {
        return SandboxProperties.of(this);
    }

    /** Writes {@link #properties()} to {@code workDir/sandbox.properties} and returns the path. */
    public Path writeProperties() {
        return SandboxProperties.write(workDir.resolve("sandbox.properties"), properties());
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

    // ---------------------------------------------------------------- shortcuts
    // The launcher's way to the values above; other code asks the part itself (sandbox.slack().token(), ...).

    public String gitDefaultBranch(String repo) { return git.defaultBranch(repo); }
    public Path gitRepositoryPath(String repo) { return git.path(repo); }
    public Optional<StandIn> standIn(String name) { return standIns.get(name); }
    public List<String> standInNames() { return standIns.names(); }
    public void failNext(String standIn, int count, int status) { standIns.failNext(standIn, count, status); }
    public void inject(String standIn, FaultSpec fault) { standIns.inject(standIn, fault); }
    public String slackApiUrl() { return slack.apiUrl(); }
    public String slackToken() { return slack.token(); }
    public String slackCommunityToken() { return slack.token(SlackStandIn.COMMUNITY); }
    public List<SlackStandIn.Message> slackMessages(String channel) { return slack.messages(channel); }
    public List<SlackStandIn.Message> slackMessages(String workspace, String channel) { return slack.messages(workspace, channel); }
    public String websiteUrl() { return website.url(); }
    public String cloudFrontEndpoint() { return cloudFront.url(); }
    public String distributionId() { return cloudFront.distributionId(); }
    public List<CloudFrontStandIn.Invalidation> invalidations() { return cloudFront.invalidations(); }
    public String awsAccessKeyId() { return options.awsAccessKeyId(); }
    public String awsSecretAccessKey() { return options.awsSecretAccessKey(); }
    public String kubernetesUrl() { return kubernetes.url(); }
    public String chartRepositoryUrl() { return chartRepository.repositoryUrl(); }
    public String playgroundUrl() { return playground.url(); }
    public String playgroundApiKey() { return playground.apiKey(); }
    public String registryUrl() { return registry.url(); }
    public String githubUrl() { return github.url(); }
    public String githubToken() { return github.token(); }
    public GitHubHostedRepositories githubHosted() { return github.hosted(); }
    public GitHubHostedRepositories.Review approvePullRequest(String fullName, int number, String reviewer) {
        return github.hosted().approve(fullName, number, reviewer);
    }
}
