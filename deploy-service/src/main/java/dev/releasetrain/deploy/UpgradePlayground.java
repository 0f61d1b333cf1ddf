package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
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
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code deploy.upgrade-playground}: {@code helm upgrade --install --atomic --wait --wait-for-jobs} of the
 * playground release with the values file of param {@code valuesYaml}, within {@code release-train.deploy.helm-timeout}
 * (20m), through helm-java (Helm in-process). helm-java 0.0.21 (the newest on Maven Central) has no rollback, no
 * {@code --wait-for-jobs} and drops {@code --atomic} on a first install, so the step completes those semantics
 * itself (see docs/deploy.md):
 * <ul>
 *   <li>a rollout that never gets ready is rolled back by Helm's own atomic upgrade;</li>
 *   <li>the release's Jobs (named in the new revision's manifest) are awaited after Helm returns; a failed Job
 *       or one still running at the deadline rolls the release back to the previous successful revision (an
 *       upgrade that re-applies that revision's stored manifest, chart and values), or uninstalls a first
 *       install;</li>
 *   <li>a failed first install is uninstalled;</li>
 *   <li>a revision left {@code pending-*} by an attempt that stopped half-way (a crash) is recovered on the next
 *       attempt, once it is older than {@code release-train.deploy.pending-grace} (until then another operation
 *       may still be running, and the step waits): a pending install is uninstalled, a pending upgrade or
 *       rollback is marked failed; then the upgrade runs from the last deployed revision.</li>
 * </ul>
 * Idempotent: when the last revision is deployed with the same chart and values, nothing is upgraded (its Jobs
 * are still checked) and that revision is reported. Outputs {@code revision}, {@code status}, {@code chart},
 * {@code changed}. Failures name what failed with Helm's reason, secrets redacted; an unreachable cluster or
 * chart repository is retryable, a failed rollout or Job is not.
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

    /** How old a pending revision must be before it counts as left behind by a stopped attempt (default: helm-timeout). */
    @ConfigProperty(name = "release-train.deploy.pending-grace")
    Optional<Duration> pendingGrace;

    /** Only for API servers without OpenAPI documents (the sandbox). */
    @ConfigProperty(name = "release-train.deploy.openapi-validation", defaultValue = "true")
    boolean openApiValidation;

    @ConfigProperty(name = "release-train.deploy.progress-interval", defaultValue = "PT30S")
    Duration progressInterval;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the parser's own words and position, not the document (values may carry credentials)
            throw new StepFailure("param valuesYaml is not valid YAML: " + Redaction.text(e.getOriginalMessage())
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), false);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> pinned = chartVersion.filter(v -> !v.isBlank());
        // A pinned chart from a repository is known without its index: a repeat needs no repository.
        ChartSource source = pinned.isPresent() && !ChartSource.isLocal(chart) ? null
                : ChartSource.resolve(chart, chartRepositoryUrl, pinned, http);
        String expectedChart = source != null ? source.chart() : ChartSource.name(chart) + "-" + pinned.orElseThrow();
        HelmReleases releases = new HelmReleases(kubernetes, namespace, releaseName);

        List<HelmReleases.Stored> history = history(releases);
        HelmReleases.Stored last = history.isEmpty() ? null : history.get(history.size() - 1);
        if (last != null && last.status().startsWith("pending-")) {
            history = recoverInterrupted(ctx, releases, last, deadline);
            last = history.isEmpty() ? null : history.get(history.size() - 1);
        }
        if (last != null && "deployed".equals(last.status()) && expectedChart.equals(last.chartName())
                && sameValues(last.config(), desired)) {
            LOG.infof("release %s revision %d already deployed with chart %s and these values: no upgrade",
                    releaseName, last.version(), last.chartName());
            finishJobs(ctx, releases, last, deadline);
            return outcome(last.version(), "deployed", last.chartName(), false);
        }
        if (!history.isEmpty() && history.stream().noneMatch(UpgradePlayground::succeeded)) {
            // A first install that failed earlier (helm-java installs without --atomic): start again from nothing.
            uninstall("an earlier first install that failed");
            history = List.of();
        }
        boolean firstInstall = history.stream().noneMatch(UpgradePlayground::succeeded);
        if (source == null) {
            source = ChartSource.resolve(chart, chartRepositoryUrl, pinned, http);
        }

        Path valuesFile = kubeconfig.newPrivateFile("values", ".yaml");
        RolloutWatch watch = new RolloutWatch(kubernetes, namespace, releaseName);
        Release release;
        try {
            Files.writeString(valuesFile, valuesYaml);
            UpgradeCommand upgrade = (source.local() ? new Helm(Path.of(source.reference())).upgrade()
                    : Helm.upgrade(source.reference()))
                    .withName(releaseName).withNamespace(namespace)
                    .install().atomic().waitReady()
                    .withTimeout(secondsLeft(deadline))
                    .withValuesFile(valuesFile)
                    .withDescription(describe(ctx));
            release = withProgress(ctx, "helm upgrade --install of " + releaseName + " (" + source.chart() + ")",
                    watch, configured(upgrade)::call);
        } catch (IllegalStateException e) {
            String reason = withNotReady(Redaction.text(String.valueOf(e.getMessage()).strip()), watch);
            String what = "helm upgrade --install of release " + releaseName + " (chart " + source.chart()
                    + ") in namespace " + namespace + " failed: " + reason;
            if (transientHelmError(reason)) {
                return StepOutcome.failed(what, true);
            }
            if (firstInstall) {
                return StepOutcome.failed(what + "; " + uninstallAfterFailure("the failed first install"), false);
            }
            return StepOutcome.failed(what, false);
        } finally {
            Files.deleteIfExists(valuesFile);
        }
        int revision = Integer.parseInt(release.getRevision().strip());
        if (!"deployed".equals(release.getStatus())) {
            String what = "helm upgrade of " + releaseName + " ended as " + release.getStatus() + " (revision " + revision + ")";
            return StepOutcome.failed(firstInstall ? what + "; " + uninstallAfterFailure("the failed first install") : what, false);
        }
        HelmReleases.Stored current = releases.revision(revision).orElseThrow(() -> new StepFailure(
                "revision " + revision + " of release " + releaseName + " is not stored after helm upgrade", true));
        finishJobs(ctx, releases, current, deadline);
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

    private static boolean succeeded(HelmReleases.Stored r) {
        return "deployed".equals(r.status()) || "superseded".equals(r.status());
    }

    private UpgradeCommand configured(UpgradeCommand upgrade) {
        kubeconfig.path().ifPresent(upgrade::withKubeConfig);
        if (!openApiValidation) {
            upgrade.disableOpenApiValidation();
        }
        return upgrade;
    }

    private int secondsLeft(long deadline) {
        return (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
    }

    /**
     * Runs a Helm call, watching the release's rollout every second and publishing progress every
     * progress-interval (how long, and which Deployments are not ready yet) while it runs.
     */
    private <T> T withProgress(StepContext ctx, String what, RolloutWatch watch, Callable<T> call) throws Exception {
        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "helm-progress");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicReference<List<String>> notReady = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        ticker.scheduleWithFixedDelay(() -> notReady.set(watch.sample()), 500, 1000, TimeUnit.MILLISECONDS);
        ticker.scheduleAtFixedRate(() -> {
            try {
                Duration running = Duration.ofNanos(System.nanoTime() - start);
                List<String> waiting = notReady.get();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("runningSeconds", running.toSeconds());
                details.put("timeoutSeconds", timeout.toSeconds());
                details.put("notReady", waiting);
                ctx.progress(what + " running for " + AwaitImages.human(running) + " (timeout " + AwaitImages.human(timeout)
                        + ")" + (waiting.isEmpty() ? "" : ": waiting for " + String.join(", ", waiting)), details);
            } catch (RuntimeException e) {
                LOG.debugf(e, "progress not published");
            }
        }, progressInterval.toMillis(), progressInterval.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return call.call();
        } finally {
            ticker.shutdownNow();
        }
    }

    /** Helm's timeout says only "context deadline exceeded": add what was not ready. */
    private static String withNotReady(String reason, RolloutWatch watch) {
        String m = reason.toLowerCase(Locale.ROOT);
        if ((m.contains("deadline exceeded") || m.contains("timed out")) && !watch.lastNotReady().isEmpty()) {
            return reason + " (not ready when Helm gave up: " + String.join(", ", watch.lastNotReady()) + ")";
        }
        return reason;
    }

    private List<HelmReleases.Stored> history(HelmReleases releases) {
        try {
            return releases.history();
        } catch (KubernetesClientException e) {
            throw kubernetesFailure("reading the history of release " + releaseName + " in namespace " + namespace, e);
        }
    }

    private static StepFailure kubernetesFailure(String what, KubernetesClientException e) {
        int code = e.getCode();
        if (code <= 0) { // no HTTP answer (fabric8 reports -1 or 0): connection refused, DNS, TLS, timeout
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new StepFailure(what + " failed: cluster unreachable: " + Redaction.text(root == e
                    ? e.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage()), true, e);
        }
        boolean retryable = code == 408 || code == 429 || code >= 500;
        return new StepFailure(what + " failed: HTTP " + code + ": " + Redaction.text(e.getMessage()), retryable, e);
    }

    /**
     * A revision left pending: wait while it may still belong to a running operation, then recover it (a
     * pending install is uninstalled, a pending upgrade or rollback marked failed). Returns the history after.
     */
    private List<HelmReleases.Stored> recoverInterrupted(StepContext ctx, HelmReleases releases,
                                                         HelmReleases.Stored pending, long deadline) throws InterruptedException {
        Duration grace = pendingGrace.orElse(timeout);
        long lastProgress = 0;
        while (true) {
            Duration age = Duration.between(lastDeployed(pending), Instant.now());
            if (age.compareTo(grace) >= 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new StepFailure("release " + releaseName + " in namespace " + namespace + ": revision "
                        + pending.version() + " is " + pending.status() + " (another operation may still run); it is "
                        + "recovered once older than " + AwaitImages.human(grace), true);
            }
            if (lastProgress == 0 || System.nanoTime() - lastProgress >= progressInterval.toNanos()) {
                lastProgress = System.nanoTime();
                ctx.progress("revision " + pending.version() + " of " + releaseName + " is " + pending.status() + " since "
                        + AwaitImages.human(age) + ": waiting up to " + AwaitImages.human(grace) + " before recovering it",
                        Map.of("revision", pending.version(), "status", pending.status()));
            }
            Thread.sleep(Math.min(1000, Math.max(50, grace.minus(age).toMillis())));
            List<HelmReleases.Stored> history = history(releases);
            HelmReleases.Stored last = history.isEmpty() ? null : history.get(history.size() - 1);
            if (last == null || !last.status().startsWith("pending-")) {
                return history; // the other operation ended
            }
            pending = last;
        }
        List<HelmReleases.Stored> history = history(releases);
        String note;
        if ("pending-install".equals(pending.status()) || history.stream().noneMatch(UpgradePlayground::succeeded)) {
            note = uninstall("the interrupted first install (revision " + pending.version() + " " + pending.status() + ")");
        } else {
            try {
                releases.markFailed(pending, "Interrupted: " + pending.status() + " left by a stopped attempt; marked "
                        + "failed by Release Train, the next upgrade starts from the last deployed revision");
            } catch (KubernetesClientException e) {
                throw kubernetesFailure("marking interrupted revision " + pending.version() + " of " + releaseName + " as failed", e);
            }
            note = "revision " + pending.version() + " (" + pending.status() + ", interrupted) marked failed";
        }
        LOG.warnf("release %s: %s", releaseName, note);
        ctx.progress("recovered release " + releaseName + ": " + note, Map.of("revision", pending.version()));
        return history(releases);
    }

    private static Instant lastDeployed(HelmReleases.Stored r) {
        String t = r.release().path("info").path("last_deployed").asText("");
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH; // unreadable: treat as old
        }
    }

    /** As {@link #uninstall}, after a failure already being reported: an uninstall that fails too is told, not thrown. */
    private String uninstallAfterFailure(String what) {
        try {
            return uninstall(what);
        } catch (StepFailure f) {
            return f.getMessage() + " too";
        }
    }

    /** Uninstalls the release (ignoring one already gone); says what happened, for the step's reason. */
    private String uninstall(String what) {
        try {
            var uninstall = Helm.uninstall(releaseName).withNamespace(namespace).ignoreNotFound();
            kubeconfig.path().ifPresent(uninstall::withKubeConfig);
            uninstall.call();
            return what + " was uninstalled";
        } catch (IllegalStateException e) {
            String reason = Redaction.text(String.valueOf(e.getMessage()).strip());
            throw new StepFailure("uninstalling " + what + " of release " + releaseName + " failed: " + reason,
                    transientHelmError(reason), e);
        }
    }

    /**
     * What {@code --wait-for-jobs} does, plus what {@code --atomic} would do on failure: the Jobs of the
     * revision's manifest complete within the deadline; if one fails (or is still running at the deadline), the
     * release goes back to its previous successful revision (or is uninstalled when there is none) and the step
     * fails, not retryable.
     */
    private void finishJobs(StepContext ctx, HelmReleases releases, HelmReleases.Stored current, long deadline)
            throws Exception {
        List<String> jobs = HelmReleases.jobNames(current.manifest());
        if (jobs.isEmpty()) {
            return;
        }
        String failure = awaitJobs(ctx, jobs, deadline);
        if (failure == null) {
            return;
        }
        throw new StepFailure(failure + "; " + undo(ctx, releases, current, failure), false);
    }

    /** Null when every Job completed, else why not. */
    private String awaitJobs(StepContext ctx, List<String> names, long deadline) throws InterruptedException {
        long lastProgress = 0;
        while (true) {
            List<String> pending = new ArrayList<>();
            for (String name : names) {
                Job job;
                try {
                    job = kubernetes.batch().v1().jobs().inNamespace(namespace).withName(name).get();
                } catch (KubernetesClientException e) {
                    throw kubernetesFailure("reading job " + namespace + "/" + name + " of release " + releaseName, e);
                }
                if (job == null) {
                    continue; // completed and cleaned up (ttlSecondsAfterFinished)
                }
                int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
                int backoff = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
                var status = job.getStatus();
                int succeeded = status == null || status.getSucceeded() == null ? 0 : status.getSucceeded();
                int failed = status == null || status.getFailed() == null ? 0 : status.getFailed();
                boolean failedCondition = status != null && status.getConditions() != null && status.getConditions().stream()
                        .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
                if (failedCondition || failed > backoff) {
                    String why = status == null || status.getConditions() == null ? "" : status.getConditions().stream()
                            .filter(c -> "Failed".equals(c.getType())).map(c -> ": " + c.getReason()
                                    + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")")).findFirst().orElse("");
                    return "job " + namespace + "/" + name + " of release " + releaseName + " failed (" + failed
                            + " failed pods)" + why;
                }
                if (succeeded < completions) {
                    pending.add(name);
                }
            }
            if (pending.isEmpty()) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                return "jobs " + pending + " of release " + releaseName + " did not complete within " + AwaitImages.human(timeout);
            }
            if (lastProgress == 0 || System.nanoTime() - lastProgress >= progressInterval.toNanos()) {
                lastProgress = System.nanoTime();
                ctx.progress("waiting for jobs " + pending + " of release " + releaseName, Map.of("jobs", pending));
            }
            Thread.sleep(500);
        }
    }

    /** Rolls the release back from a revision whose Jobs failed; says what happened. */
    private String undo(StepContext ctx, HelmReleases releases, HelmReleases.Stored failed, String failure) throws Exception {
        HelmReleases.Stored target = null;
        for (HelmReleases.Stored r : history(releases)) {
            if (r.version() < failed.version() && succeeded(r)) {
                target = r;
            }
        }
        if (target == null) {
            return uninstallAfterFailure("the failed first install (revision " + failed.version() + ")");
        }
        Path dir = kubeconfig.newDirectory("rollback-chart");
        Path values = kubeconfig.newPrivateFile("rollback-values", ".yaml");
        try {
            HelmReleases.rollbackChart(target, dir);
            Files.writeString(values, HelmReleases.configYaml(target));
            UpgradeCommand rollback = new Helm(dir).upgrade().withName(releaseName).withNamespace(namespace)
                    .waitReady().withTimeout((int) Math.max(1, timeout.toSeconds()))
                    .withValuesFile(values).withDescription("Rollback to " + target.version());
            RolloutWatch watch = new RolloutWatch(kubernetes, namespace, releaseName);
            Release r;
            try {
                r = withProgress(ctx, "rollback of " + releaseName + " to revision " + target.version(), watch,
                        configured(rollback)::call);
            } catch (IllegalStateException e) {
                return "rolling back to revision " + target.version() + " failed too: "
                        + withNotReady(Redaction.text(String.valueOf(e.getMessage()).strip()), watch);
            }
            releases.revision(failed.version()).ifPresent(f -> releases.markFailed(f,
                    "Upgrade \"" + releaseName + "\" failed: " + failure));
            return "rolled back to revision " + target.version() + " (now revision " + r.getRevision().strip() + ")";
        } catch (IllegalStateException e) {
            return "rolling back to revision " + target.version() + " failed too: "
                    + Redaction.text(String.valueOf(e.getMessage()).strip());
        } finally {
            Files.deleteIfExists(values);
            HelmKubeconfig.deleteRecursively(dir);
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

    /** Helm's message decides: an unreachable cluster is worth retrying; a failed, rolled-back upgrade is not. */
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
