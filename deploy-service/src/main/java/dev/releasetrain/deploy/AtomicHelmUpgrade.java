package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.UpgradeCommand;
import dev.releasetrain.worker.Polling;
import dev.releasetrain.worker.StepFailure;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code helm upgrade --install --atomic --wait --wait-for-jobs} of one release through helm-java (Helm
 * in-process), made idempotent. helm-java 0.0.21 (the newest on Maven Central) has no rollback, no
 * {@code --wait-for-jobs} and drops {@code --atomic} on a first install, so this class completes those semantics
 * (see docs/deploy.md):
 * <ul>
 *   <li>a rollout that never gets ready is rolled back by Helm's own atomic upgrade;</li>
 *   <li>the release's Jobs (named in the new revision's manifest) are awaited after Helm returns; a failed Job
 *       or one still running at the deadline rolls the release back to the previous successful revision (an
 *       upgrade that re-applies that revision's stored manifest, chart and values), or uninstalls a first
 *       install;</li>
 *   <li>a failed first install is uninstalled;</li>
 *   <li>a revision left {@code pending-*} by an attempt that stopped half-way (a crash) is recovered on the next
 *       attempt, once it is older than the pending grace (until then another operation may still be running,
 *       and the upgrade waits): a pending install is uninstalled, a pending upgrade or rollback is marked failed;
 *       then the upgrade runs from the last deployed revision.</li>
 * </ul>
 * When the last revision is deployed with the same chart and values, nothing is upgraded (its Jobs are still
 * checked) and that revision is the result. Failures are {@link StepFailure}s naming what failed with Helm's
 * reason, secrets redacted; an unreachable cluster is retryable, a failed rollout or Job is not. One instance
 * serves one upgrade of one release.
 */
final class AtomicHelmUpgrade {

    private static final Logger LOG = Logger.getLogger(AtomicHelmUpgrade.class);
    private static final Duration JOB_POLL_INTERVAL = Duration.ofMillis(500);

    /**
     * What to deploy.
     *
     * @param chartName   the chart's {@code name-version}, compared with the deployed revision's
     * @param chart       the chart itself, asked for only when an upgrade runs
     * @param valuesYaml  the values file as given
     * @param values      the same values parsed, compared with the deployed revision's
     * @param description the new revision's description
     */
    record Upgrade(String chartName, ChartLookup chart, String valuesYaml, JsonNode values, String description) {
    }

    /** Finds the chart to install (a repository's index may have to be read). */
    @FunctionalInterface
    interface ChartLookup {
        ChartSource get() throws InterruptedException;
    }

    /** The deployed revision: {@code changed} is false when it was already there. */
    record Result(int revision, String status, String chart, boolean changed) {
    }

    /** Where progress of a long wait goes (a step's progress events). */
    @FunctionalInterface
    interface Progress {
        void report(String message, Map<String, Object> details);
    }

    /**
     * @param timeout           Helm's timeout, and the time Jobs and a rollback get
     * @param pendingGrace      how old a pending revision must be before it counts as left by a stopped attempt
     * @param openApiValidation false only for API servers without OpenAPI documents (the sandbox)
     * @param progressInterval  how often progress is reported while waiting
     */
    record Settings(Duration timeout, Duration pendingGrace, boolean openApiValidation, Duration progressInterval) {
    }

    private final KubernetesClient kubernetes;
    private final HelmKubeconfig kubeconfig;
    private final String namespace;
    private final String releaseName;
    private final Settings settings;
    private final HelmReleases releases;

    AtomicHelmUpgrade(KubernetesClient kubernetes, HelmKubeconfig kubeconfig, String namespace, String releaseName,
                      Settings settings) {
        this.kubernetes = kubernetes;
        this.kubeconfig = kubeconfig;
        this.namespace = namespace;
        this.releaseName = releaseName;
        this.settings = settings;
        this.releases = new HelmReleases(kubernetes, namespace, releaseName);
    }

    /** {@code last} (the newest revision) is deployed with this chart and these values: nothing to upgrade. */
    static boolean alreadyDeployed(HelmReleases.Stored last, String chartName, JsonNode values) {
        return last != null && "deployed".equals(last.status()) && chartName.equals(last.chartName())
                && HelmReleases.sameValues(last.config(), values);
    }

    /**
     * Brings the release to {@code wanted} by {@code deadline} ({@link System#nanoTime()}), or leaves it at its
     * last successful revision (uninstalled when there is none) and fails.
     */
    Result upgrade(Upgrade wanted, long deadline, Progress progress) throws Exception {
        List<HelmReleases.Stored> history = history();
        HelmReleases.Stored last = last(history);
        if (last != null && last.pending()) {
            history = recoverInterrupted(progress, last, deadline);
            last = last(history);
        }
        if (alreadyDeployed(last, wanted.chartName(), wanted.values())) {
            LOG.infof("release %s revision %d already deployed with chart %s and these values: no upgrade",
                    releaseName, last.version(), last.chartName());
            finishJobs(progress, last, deadline);
            return new Result(last.version(), "deployed", last.chartName(), false);
        }
        if (!history.isEmpty() && history.stream().noneMatch(HelmReleases.Stored::succeeded)) {
            // A first install that failed earlier (helm-java installs without --atomic): start again from nothing.
            uninstall("an earlier first install that failed");
            history = List.of();
        }
        boolean firstInstall = history.stream().noneMatch(HelmReleases.Stored::succeeded);
        ChartSource source = wanted.chart().get();
        Release release = install(wanted, source, firstInstall, deadline, progress);
        int revision = Integer.parseInt(release.getRevision().strip());
        if (!"deployed".equals(release.getStatus())) {
            String what = "helm upgrade of " + releaseName + " ended as " + release.getStatus() + " (revision " + revision + ")";
            throw new StepFailure(firstInstall ? what + "; " + uninstallAfterFailure("the failed first install") : what, false);
        }
        HelmReleases.Stored current = releases.revision(revision).orElseThrow(() -> new StepFailure(
                "revision " + revision + " of release " + releaseName + " is not stored after helm upgrade", true));
        finishJobs(progress, current, deadline);
        return new Result(revision, release.getStatus(), release.getChart(), true);
    }

    /** {@code helm upgrade --install --atomic --wait}; a failed first install is uninstalled. */
    private Release install(Upgrade wanted, ChartSource source, boolean firstInstall, long deadline, Progress progress)
            throws Exception {
        Path valuesFile = kubeconfig.newPrivateFile("values", ".yaml");
        RolloutWatch watch = new RolloutWatch(kubernetes, namespace, releaseName);
        try {
            Files.writeString(valuesFile, wanted.valuesYaml());
            UpgradeCommand upgrade = (source.local() ? new Helm(Path.of(source.reference())).upgrade()
                    : Helm.upgrade(source.reference()))
                    .withName(releaseName).withNamespace(namespace)
                    .install().atomic().waitReady()
                    .withTimeout(secondsLeft(deadline))
                    .withValuesFile(valuesFile)
                    .withDescription(wanted.description());
            return watch.during("helm upgrade --install of " + releaseName + " (" + source.chart() + ")",
                    configured(upgrade)::call, settings, progress);
        } catch (IllegalStateException e) {
            String reason = watch.explain(HelmFailures.reason(e));
            String what = "helm upgrade --install of release " + releaseName + " (chart " + source.chart()
                    + ") in namespace " + namespace + " failed: " + reason;
            if (HelmFailures.transientHelmError(reason)) {
                throw new StepFailure(what, true);
            }
            throw new StepFailure(firstInstall ? what + "; " + uninstallAfterFailure("the failed first install") : what,
                    false);
        } finally {
            Files.deleteIfExists(valuesFile);
        }
    }

    static HelmReleases.Stored last(List<HelmReleases.Stored> history) {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }

    private UpgradeCommand configured(UpgradeCommand upgrade) {
        kubeconfig.path().ifPresent(upgrade::withKubeConfig);
        if (!settings.openApiValidation()) {
            upgrade.disableOpenApiValidation();
        }
        return upgrade;
    }

    private static int secondsLeft(long deadline) {
        return (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
    }

    private List<HelmReleases.Stored> history() {
        try {
            return releases.history();
        } catch (KubernetesClientException e) {
            throw HelmFailures.kubernetes("reading the history of release " + releaseName + " in namespace " + namespace, e);
        }
    }

    /**
     * A revision left pending: wait while it may still belong to a running operation, then recover it (a
     * pending install is uninstalled, a pending upgrade or rollback marked failed). Returns the history after.
     */
    private List<HelmReleases.Stored> recoverInterrupted(Progress progress, HelmReleases.Stored pending, long deadline)
            throws InterruptedException {
        Duration grace = settings.pendingGrace();
        long lastProgress = 0;
        while (true) {
            Duration age = Duration.between(pending.lastDeployed(), Instant.now());
            if (age.compareTo(grace) >= 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new StepFailure("release " + releaseName + " in namespace " + namespace + ": revision "
                        + pending.version() + " is " + pending.status() + " (another operation may still run); it is "
                        + "recovered once older than " + AwaitImages.human(grace), true);
            }
            if (lastProgress == 0 || System.nanoTime() - lastProgress >= settings.progressInterval().toNanos()) {
                lastProgress = System.nanoTime();
                progress.report("revision " + pending.version() + " of " + releaseName + " is " + pending.status()
                                + " since " + AwaitImages.human(age) + ": waiting up to " + AwaitImages.human(grace)
                                + " before recovering it",
                        Map.of("revision", pending.version(), "status", pending.status()));
            }
            Thread.sleep(Math.min(1000, Math.max(50, grace.minus(age).toMillis())));
            List<HelmReleases.Stored> history = history();
            HelmReleases.Stored last = last(history);
            if (last == null || !last.pending()) {
                return history; // the other operation ended
            }
            pending = last;
        }
        String note;
        if ("pending-install".equals(pending.status()) || history().stream().noneMatch(HelmReleases.Stored::succeeded)) {
            note = uninstall("the interrupted first install (revision " + pending.version() + " " + pending.status() + ")");
        } else {
            try {
                releases.markFailed(pending, "Interrupted: " + pending.status() + " left by a stopped attempt; marked "
                        + "failed by Release Train, the next upgrade starts from the last deployed revision");
            } catch (KubernetesClientException e) {
                throw HelmFailures.kubernetes("marking interrupted revision " + pending.version() + " of " + releaseName
                        + " as failed", e);
            }
            note = "revision " + pending.version() + " (" + pending.status() + ", interrupted) marked failed";
        }
        LOG.warnf("release %s: %s", releaseName, note);
        progress.report("recovered release " + releaseName + ": " + note, Map.of("revision", pending.version()));
        return history();
    }

    /** As {@link #uninstall}, after a failure already being reported: an uninstall that fails too is told, not thrown. */
    private String uninstallAfterFailure(String what) {
        try {
            return uninstall(what);
        } catch (StepFailure f) {
            return f.getMessage() + " too";
        }
    }

    /** Uninstalls the release (ignoring one already gone); says what happened, for the failure's reason. */
    private String uninstall(String what) {
        try {
            var uninstall = Helm.uninstall(releaseName).withNamespace(namespace).ignoreNotFound();
            kubeconfig.path().ifPresent(uninstall::withKubeConfig);
            uninstall.call();
            return what + " was uninstalled";
        } catch (IllegalStateException e) {
            String reason = HelmFailures.reason(e);
            throw new StepFailure("uninstalling " + what + " of release " + releaseName + " failed: " + reason,
                    HelmFailures.transientHelmError(reason), e);
        }
    }

    /**
     * What {@code --wait-for-jobs} does, plus what {@code --atomic} would do on failure: the Jobs of the
     * revision's manifest complete within the deadline; if one fails (or is still running at the deadline), the
     * release goes back to its previous successful revision (or is uninstalled when there is none) and the
     * upgrade fails, not retryable.
     */
    private void finishJobs(Progress progress, HelmReleases.Stored current, long deadline) throws Exception {
        List<String> jobs = HelmReleases.jobNames(current.manifest());
        if (jobs.isEmpty()) {
            return;
        }
        String failure = awaitJobs(progress, jobs, deadline);
        if (failure != null) {
            throw new StepFailure(failure + "; " + rollBack(progress, current, failure), false);
        }
    }

    /** Null when every Job completed, else why not. */
    private String awaitJobs(Progress progress, List<String> names, long deadline) throws InterruptedException {
        JobWatch watch = new JobWatch(kubernetes, namespace, releaseName);
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        try {
            return Polling.SYSTEM.await(Polling.Schedule.of(left, JOB_POLL_INTERVAL, settings.progressInterval()), waited -> {
                JobWatch.Look look = watch.look(names);
                if (look.failure() != null || look.pending().isEmpty()) {
                    return Polling.Look.done(look.failure());
                }
                return Polling.Look.waiting(look.pending().toString(), "waiting for jobs " + look.pending() + " of release "
                        + releaseName, Map.of("jobs", look.pending()));
            }, progress::report);
        } catch (Polling.TimedOut t) {
            return "jobs " + t.state() + " of release " + releaseName + " did not complete within "
                    + AwaitImages.human(settings.timeout());
        }
    }

    /**
     * Rolls the release back from a revision whose Jobs failed, as {@code helm rollback} would (which helm-java
     * lacks): an upgrade to a chart that renders the target revision's stored manifest; says what happened.
     */
    private String rollBack(Progress progress, HelmReleases.Stored failed, String failure) throws Exception {
        HelmReleases.Stored target = null;
        for (HelmReleases.Stored r : history()) {
            if (r.version() < failed.version() && r.succeeded()) {
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
                    .waitReady().withTimeout((int) Math.max(1, settings.timeout().toSeconds()))
                    .withValuesFile(values).withDescription("Rollback to " + target.version());
            RolloutWatch watch = new RolloutWatch(kubernetes, namespace, releaseName);
            Release r;
            try {
                r = watch.during("rollback of " + releaseName + " to revision " + target.version(),
                        configured(rollback)::call, settings, progress);
            } catch (IllegalStateException e) {
                return "rolling back to revision " + target.version() + " failed too: "
                        + watch.explain(HelmFailures.reason(e));
            }
            releases.revision(failed.version()).ifPresent(f -> releases.markFailed(f,
                    "Upgrade \"" + releaseName + "\" failed: " + failure));
            return "rolled back to revision " + target.version() + " (now revision " + r.getRevision().strip() + ")";
        } catch (IllegalStateException e) {
            return "rolling back to revision " + target.version() + " failed too: " + HelmFailures.reason(e);
        } finally {
            Files.deleteIfExists(values);
            HelmKubeconfig.deleteRecursively(dir);
        }
    }
}
