package dev.releasetrain.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code deploy.upgrade-playground}: the playground release at the values file of param {@code valuesYaml}, by an
 * {@link AtomicHelmUpgrade} ({@code helm upgrade --install --atomic --wait --wait-for-jobs}) of the configured
 * chart within {@code release-train.deploy.helm-timeout} (20m), with progress events while Helm and the Jobs run.
 * First it takes the {@link PlaygroundLease} for its release, waiting while another release has the playground;
 * once upgraded it hands the lease over to the release's {@code deploy.verify-playground}.
 * Param {@code valuesCommit} (optional) goes into the revision's description. Outputs {@code revision},
 * {@code status}, {@code chart}, {@code changed}.
 * <p>
 * Idempotent: a repeat finds the revision deployed with the same chart and values and reports it,
 * {@code changed: false}. With a pinned {@code chart-version} of a repository chart, the chart's {@code name-version}
 * is known without the repository, so a repeat succeeds while the repository is down. An unreachable cluster or
 * chart repository is retryable; invalid values, a missing chart and a failed rollout or Job are not.
 */
@ApplicationScoped
public class UpgradePlayground implements StepHandler {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Inject
    HelmKubeconfig kubeconfig;

    @Inject
    KubernetesClient kubernetes;

    @Inject
    PlaygroundLease lease;

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
        // one release's upgrade and check at a time on the one playground: held until its verify-playground
        lease.acquire(ctx);
        AtomicHelmUpgrade.Result result = deploy(ctx, ctx.param("valuesYaml"));
        // the gap until this release's check: the coordinator records this result and sends the check
        lease.handOver(ctx.releaseId());
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("revision", result.revision());
        outputs.put("status", result.status());
        outputs.put("chart", result.chart());
        outputs.put("changed", result.changed());
        return StepOutcome.succeeded(outputs);
    }

    /**
     * Brings the playground to {@code valuesYaml} (nothing new when the deployed revision has the same chart and
     * values), renewing the lease {@code ctx}'s release must already hold while Helm and the Jobs run.
     */
    AtomicHelmUpgrade.Result deploy(StepContext ctx, String valuesYaml) throws Exception {
        JsonNode values = parse(valuesYaml);
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> pinned = chartVersion.filter(v -> !v.isBlank());
        // A pinned chart from a repository is known without its index: a repeat needs no repository.
        ChartSource known = pinned.isPresent() && !ChartSource.isLocal(chart) ? null
                : ChartSource.resolve(chart, chartRepositoryUrl, pinned, http);
        String chartName = known != null ? known.chart() : ChartSource.name(chart) + "-" + pinned.orElseThrow();
        AtomicHelmUpgrade.Upgrade wanted = new AtomicHelmUpgrade.Upgrade(chartName,
                known != null ? () -> known : () -> ChartSource.resolve(chart, chartRepositoryUrl, pinned, http),
                valuesYaml, values, describe(ctx));
        AtomicHelmUpgrade helm = new AtomicHelmUpgrade(kubernetes, kubeconfig, namespace, releaseName,
                new AtomicHelmUpgrade.Settings(timeout, pendingGrace.orElse(timeout), openApiValidation, progressInterval));
        return helm.upgrade(wanted, deadline, (message, details) -> {
            lease.renewIfDue(ctx.releaseId());
            ctx.progress(message, details);
        });
    }

    /**
     * What {@link #deploy} would do with {@code valuesYaml}, worked out by reading only: the chart it resolves (the
     * repository's index is read), the image the values name, and the release's newest revision it compares with
     * ({@link AtomicHelmUpgrade#alreadyDeployed}). {@code revision}: the one deployed then (the next one when
     * something changes). {@code changedValues}: the top-level keys whose values differ from that revision's.
     */
    public record Planned(String namespace, String release, String chart, String chartReference, String image,
                          Integer deployedRevision, String deployedChart, String deployedStatus, boolean changed,
                          int revision, java.util.List<String> changedValues) {
    }

    public Planned plan(String valuesYaml, String defaultImage) throws InterruptedException {
        JsonNode values = parse(valuesYaml);
        Optional<String> pinned = chartVersion.filter(v -> !v.isBlank());
        ChartSource known = pinned.isPresent() && !ChartSource.isLocal(chart) ? null
                : ChartSource.resolve(chart, chartRepositoryUrl, pinned, http);
        String chartName = known != null ? known.chart() : ChartSource.name(chart) + "-" + pinned.orElseThrow();
        java.util.List<HelmReleases.Stored> history = new HelmReleases(kubernetes, namespace, releaseName).history();
        HelmReleases.Stored last = AtomicHelmUpgrade.last(history);
        boolean changed = !AtomicHelmUpgrade.alreadyDeployed(last, chartName, values);
        java.util.List<String> keys = new java.util.ArrayList<>();
        JsonNode before = last == null ? null : last.config();
        java.util.Set<String> names = new java.util.TreeSet<>();
        values.fieldNames().forEachRemaining(names::add);
        if (before != null && before.isObject()) {
            before.fieldNames().forEachRemaining(names::add);
        }
        for (String k : names) {
            if (before == null || !HelmReleases.sameValues(before.get(k), values.get(k))) {
                keys.add(k);
            }
        }
        JsonNode image = values.path("image");
        String repository = image.path("repository").asText("");
        String tag = image.path("tag").asText("");
        String imageRef = (repository.isBlank() ? defaultImage : repository) + (tag.isBlank() ? "" : ":" + tag);
        return new Planned(namespace, releaseName, chartName, known != null ? Redaction.url(known.reference()) : chart,
                imageRef, last == null ? null : last.version(), last == null ? null : last.chartName(),
                last == null ? null : last.status(), changed, changed ? (last == null ? 1 : last.version() + 1) : last.version(), keys);
    }

    /** The values as data; an invalid document is told by the parser's words and position, not its content. */
    private static JsonNode parse(String valuesYaml) {
        try {
            return YAML.readTree(valuesYaml);
        } catch (JsonProcessingException e) {
            // values may carry credentials: never quote the document
            throw new StepFailure("param valuesYaml is not valid YAML: " + Redaction.text(e.getOriginalMessage())
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), false);
        }
    }

    private static String describe(StepContext ctx) {
        String commit = ctx.params().get("valuesCommit");
        return "Release Train " + ctx.releaseId() + (commit == null || commit.isBlank() ? "" : " values " + commit);
    }
}
