package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.ReleaseHistory;
import com.marcnuri.helm.UpgradeCommand;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code deploy.upgrade-playground}: {@code helm upgrade --install} of the playground release with the values
 * file of param {@code valuesYaml}, atomic, waiting up to {@code release-train.deploy.helm-timeout} (20m), through
 * helm-java (Helm in-process). Idempotent: when the release's last revision is deployed with the same values and
 * chart, nothing is upgraded and that revision is reported. helm-java has no {@code --wait-for-jobs}; the step
 * waits for the release's Jobs to complete after Helm returns (within the same timeout). Outputs
 * {@code revision}, {@code status}, {@code chart}, {@code changed}.
 */
@ApplicationScoped
public class UpgradePlayground implements StepHandler {

    private static final Logger LOG = Logger.getLogger(UpgradePlayground.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Inject
    HelmKubeconfig kubeconfig;

    @Inject
    KubernetesClient kubernetes;

    @ConfigProperty(name = "release-train.deploy.release-name", defaultValue = "posthog")
    String releaseName;

    @ConfigProperty(name = "release-train.deploy.namespace", defaultValue = "posthog")
    String namespace;

    /** A chart reference ({@code posthog/posthog}, with the repository below) or a local chart directory. */
    @ConfigProperty(name = "release-train.deploy.chart", defaultValue = "posthog/posthog")
    String chart;

    @ConfigProperty(name = "release-train.deploy.chart-repository-url", defaultValue = "https://posthog.github.io/charts-clickhouse/")
    String chartRepositoryUrl;

    @ConfigProperty(name = "release-train.deploy.chart-version")
    Optional<String> chartVersion;

    @ConfigProperty(name = "release-train.deploy.helm-timeout", defaultValue = "PT20M")
    Duration timeout;

    /** Only for API servers without OpenAPI documents (the sandbox). */
    @ConfigProperty(name = "release-train.deploy.openapi-validation", defaultValue = "true")
    boolean openApiValidation;

    @ConfigProperty(name = "release-train.deploy.progress-interval", defaultValue = "PT30S")
    Duration progressInterval;

    @Override
    public String stepId() {
        return "deploy.upgrade-playground";
    }

    @Override
    public StepOutcome run(StepContext ctx) throws Exception {
        String valuesYaml = ctx.param("valuesYaml");
        JsonNode desired;
        try {
            desired = YAML.readTree(valuesYaml);
        } catch (IOException e) {
            throw new StepFailure("param valuesYaml is not valid YAML: " + e.getMessage(), false);
        }
        Optional<Path> kube = kubeconfig.path();
        ChartRef ref = chartRef();

        Optional<ReleaseHistory> last = lastRevision(kube);
        if (last.isPresent()) {
            String status = last.get().getStatus();
            if (status != null && status.startsWith("pending-")) {
                return StepOutcome.failed("release " + releaseName + " in namespace " + namespace + " has an operation in "
                        + "progress (revision " + last.get().getRevision() + " is " + status + "); try again when it ends", true);
            }
            if ("deployed".equals(status) && ref.expected().map(c -> c.equals(last.get().getChart())).orElse(true)) {
                JsonNode current = currentValues(kube, last.get().getRevision());
                if (sameValues(current, desired)) {
                    LOG.infof("release %s revision %d already deployed with these values: no upgrade", releaseName,
                            last.get().getRevision());
                    awaitJobs(ctx, System.nanoTime() + timeout.toNanos());
                    return outcome(last.get().getRevision(), status, last.get().getChart(), false);
                }
            }
        }

        Path valuesFile = writeValues(valuesYaml);
        long deadline = System.nanoTime() + timeout.toNanos();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "helm-upgrade-progress");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        ticker.scheduleAtFixedRate(() -> {
            try {
                Duration running = Duration.ofNanos(System.nanoTime() - start);
                ctx.progress("helm upgrade of " + releaseName + " running for " + AwaitImages.human(running)
                        + " (timeout " + AwaitImages.human(timeout) + ")", Map.of("runningSeconds", running.toSeconds(),
                        "timeoutSeconds", timeout.toSeconds()));
            } catch (RuntimeException e) {
                LOG.debugf(e, "progress not published");
            }
        }, progressInterval.toMillis(), progressInterval.toMillis(), TimeUnit.MILLISECONDS);
        Release release;
        try {
            UpgradeCommand upgrade = (ref.local() ? new Helm(Path.of(chart)).upgrade() : Helm.upgrade(chart))
                    .withName(releaseName).withNamespace(namespace)
                    .install().atomic().waitReady()
                    .withTimeout((int) Math.max(1, timeout.toSeconds()))
                    .withValuesFile(valuesFile)
                    .withDescription(describe(ctx));
            kube.ifPresent(upgrade::withKubeConfig);
            ref.repositoryConfig().ifPresent(upgrade::withRepositoryConfig);
            chartVersion.filter(v -> !v.isBlank() && !ref.local()).ifPresent(upgrade::withVersion);
            if (!openApiValidation) {
                upgrade.disableOpenApiValidation();
            }
            release = upgrade.call();
        } catch (IllegalStateException e) {
            return helmFailure("helm upgrade --install " + releaseName + " (" + chart + ") failed", e);
        } finally {
            ticker.shutdownNow();
            Files.deleteIfExists(valuesFile);
        }
        int revision = Integer.parseInt(release.getRevision().strip());
        if (!"deployed".equals(release.getStatus())) {
            return StepOutcome.failed("helm upgrade of " + releaseName + " ended as " + release.getStatus()
                    + " (revision " + revision + ")", false);
        }
        awaitJobs(ctx, deadline);
        return outcome(revision, release.getStatus(), release.getChart(), true);
    }

    private StepOutcome outcome(int revision, String status, String chartName, boolean changed) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("revision", revision);
        outputs.put("status", status);
        outputs.put("chart", chartName);
        outputs.put("changed", changed);
        return StepOutcome.succeeded(outputs);
    }

    private String describe(StepContext ctx) {
        String commit = ctx.params().get("valuesCommit");
        return "Release Train " + ctx.releaseId() + (commit == null || commit.isBlank() ? "" : " values " + commit);
    }

    /** The chart to install and what the release's chart field must say for an upgrade to be skipped. */
    private record ChartRef(boolean local, Optional<String> expected, Optional<Path> repositoryConfig) {
    }

    private ChartRef chartRef() throws IOException {
        Path dir = Path.of(chart);
        if (Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            JsonNode meta = YAML.readTree(dir.resolve("Chart.yaml").toFile());
            return new ChartRef(true, Optional.of(meta.path("name").asText() + "-" + meta.path("version").asText()),
                    Optional.empty());
        }
        String repo = chart.contains("/") ? chart.substring(0, chart.indexOf('/')) : "posthog";
        String name = chart.substring(chart.lastIndexOf('/') + 1);
        Path dirTmp = Files.createTempDirectory("release-train-helm-repos");
        Path reposFile = dirTmp.resolve("repositories.yaml");
        Files.writeString(reposFile, """
                apiVersion: ""
                generated: "0001-01-01T00:00:00Z"
                repositories:
                  - name: %s
                    url: %s
                """.formatted(repo, chartRepositoryUrl));
        return new ChartRef(false, chartVersion.filter(v -> !v.isBlank()).map(v -> name + "-" + v), Optional.of(reposFile));
    }

    private Optional<ReleaseHistory> lastRevision(Optional<Path> kube) {
        try {
            var history = Helm.history(releaseName).withNamespace(namespace);
            kube.ifPresent(history::withKubeConfig);
            List<ReleaseHistory> revisions = history.call();
            return revisions.stream().max(Comparator.comparingInt(ReleaseHistory::getRevision));
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("not found")) {
                return Optional.empty();
            }
            throw helmException("reading the history of release " + releaseName + " failed", e);
        }
    }

    private JsonNode currentValues(Optional<Path> kube, int revision) throws IOException {
        try {
            var get = Helm.get(releaseName).values().withNamespace(namespace).withRevision(revision);
            kube.ifPresent(get::withKubeConfig);
            String yaml = get.call();
            JsonNode node = YAML.readTree(yaml == null ? "" : yaml);
            return node == null ? MissingNode.getInstance() : node;
        } catch (IllegalStateException e) {
            throw helmException("reading the values of release " + releaseName + " failed", e);
        }
    }

    /** Same values, numbers compared by value (Helm stores them as floats). */
    static boolean sameValues(JsonNode a, JsonNode b) {
        if (a == null || a.isMissingNode() || a.isNull()) {
            return b == null || b.isMissingNode() || b.isNull() || (b.isObject() && b.isEmpty());
        }
        if (b == null || b.isMissingNode() || b.isNull()) {
            return a.isObject() && a.isEmpty();
        }
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText())) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!b.has(k) || !sameValues(a.get(k), b.get(k))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameValues(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static Path writeValues(String valuesYaml) throws IOException {
        Path file = Files.createTempFile("release-train-values", ".yaml",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, valuesYaml);
        return file;
    }

    /** What {@code --wait-for-jobs} would do: the release's Jobs complete, none fails, within the deadline. */
    private void awaitJobs(StepContext ctx, long deadline) throws InterruptedException {
        while (true) {
            List<Job> jobs;
            try {
                jobs = kubernetes.batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
                        .filter(j -> j.getMetadata().getAnnotations() != null
                                && releaseName.equals(j.getMetadata().getAnnotations().get("meta.helm.sh/release-name")))
                        .toList();
            } catch (KubernetesClientException e) {
                throw new StepFailure("listing the jobs of release " + releaseName + " failed: HTTP " + e.getCode()
                        + ": " + e.getMessage(), true, e);
            }
            List<String> pending = new java.util.ArrayList<>();
            for (Job job : jobs) {
                int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
                int backoff = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
                var status = job.getStatus();
                int succeeded = status == null || status.getSucceeded() == null ? 0 : status.getSucceeded();
                int failed = status == null || status.getFailed() == null ? 0 : status.getFailed();
                if (failed > backoff) {
                    throw new StepFailure("job " + namespace + "/" + job.getMetadata().getName() + " of release "
                            + releaseName + " failed (" + failed + " failed pods)", false);
                }
                if (succeeded < completions) {
                    pending.add(job.getMetadata().getName());
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new StepFailure("jobs " + pending + " of release " + releaseName + " did not complete within "
                        + AwaitImages.human(timeout), false);
            }
            ctx.progress("waiting for jobs " + pending + " of release " + releaseName, Map.of("jobs", pending));
            Thread.sleep(1000);
        }
    }

    /** Helm's message decides: an unreachable cluster is worth retrying; a failed, rolled-back upgrade is not. */
    static StepOutcome helmFailure(String what, Exception e) {
        String message = String.valueOf(e.getMessage()).strip();
        return StepOutcome.failed(what + ": " + message, transientHelmError(message));
    }

    private static StepFailure helmException(String what, Exception e) {
        String message = String.valueOf(e.getMessage()).strip();
        return new StepFailure(what + ": " + message, transientHelmError(message), e);
    }

    static boolean transientHelmError(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("rolled back") || m.contains("rolling back") || m.contains("has no deployed releases")) {
            return false;
        }
        return m.contains("cluster unreachable") || m.contains("connection refused") || m.contains("i/o timeout")
                || m.contains("no such host") || m.contains("eof") || m.contains("tls handshake")
                || m.contains("server is currently unable") || m.contains("too many requests")
                || m.contains("another operation (install/upgrade/rollback) is in progress")
                || m.contains("internal error") || m.contains("service unavailable");
    }
}
