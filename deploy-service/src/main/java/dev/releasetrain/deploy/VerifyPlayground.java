package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.worker.Polling;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code deploy.verify-playground}: waits (up to {@code release-train.deploy.verify-timeout}, reporting how many
 * pods are ready) until every pod of the namespace is Running and Ready (pods of completed Jobs excepted) and
 * every container of the app image runs {@code imageTag} (and, with param {@code digest}, that digest); then asks
 * the playground's {@code /api/instance_status} for {@code posthog_version} and requires it to be the release
 * version. It holds the {@link PlaygroundLease} while it checks and gives it back when the check passes.
 * <p>
 * Reads only, unless the playground changed hands since this release's upgrade: when the check has to take the lease
 * anew (it expired and another release took it, or nobody held it), another release's upgrade may have run since,
 * so with param {@code valuesYaml} (the upgrade's values) it first brings the playground back to them, as
 * {@code deploy.upgrade-playground} does (nothing new when they are still deployed). Without {@code valuesYaml}, or
 * when that still leaves pods on another image, a playground whose pods are all Ready on another image, with Helm
 * not mid-operation, fails at once naming the revision that put it there: waiting cannot change it.
 * Safe to repeat. Outputs {@code podsReady}, {@code podsTotal}, {@code reportedVersion}, {@code image}, and
 * {@code redeployedRevision} when it had to deploy the values again.
 */
@ApplicationScoped
public class VerifyPlayground implements StepHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Looks in a row that must see every pod Ready on another image before the check stops waiting. */
    private static final int SETTLED_LOOKS = 3;
    /** Progress while pods come up: when the number ready changes, and at least this often. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

    @Inject
    KubernetesClient kubernetes;

    @Inject
    RegistryClient registry;

    @Inject
    PlaygroundLease lease;

    @Inject
    UpgradePlayground upgrade;

    @ConfigProperty(name = "release-train.deploy.release-name", defaultValue = "posthog")
    String releaseName;

    @ConfigProperty(name = "release-train.deploy.namespace", defaultValue = "posthog")
    String namespace;

    @ConfigProperty(name = "release-train.deploy.verify-timeout", defaultValue = "PT10M")
    Duration timeout;

    @ConfigProperty(name = "release-train.deploy.verify-poll-interval", defaultValue = "PT2S")
    Duration pollInterval;

    @ConfigProperty(name = "release-train.playground.url", defaultValue = "https://playground.posthog.net")
    String playgroundUrl;

    /** A personal API key (env RELEASE_TRAIN_PLAYGROUND_API_KEY): a secret, redacted from every reason. */
    @ConfigProperty(name = "release-train.playground.api-key")
    Optional<String> apiKey;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public String stepId() {
        return "deploy.verify-playground";
    }

    /** One look at the namespace. */
    private record PodsState(int total, int ready, List<String> notReady, List<String> wrongImage, int appPods) {
        boolean done() {
            return total > 0 && ready == total && wrongImage.isEmpty() && appPods > 0;
        }

        /** Every pod Ready, some on another image: only another upgrade can change that. */
        boolean settledElsewhere() {
            return total > 0 && ready == total && !wrongImage.isEmpty();
        }
    }

    @Override
    public StepOutcome run(StepContext ctx) throws Exception {
        String version = ctx.param("version");
        String imageTag = ctx.param("imageTag");
        String digest = Optional.ofNullable(ctx.params().get("digest")).map(String::strip).filter(d -> !d.isEmpty()).orElse(null);
        String image = registry.image();

        // the playground stays this release's until the check is done (the upgrade handed the lease over; a rerun
        // or a retry after the lease expired takes it again, waiting while another release has it)
        boolean tookAnew = lease.acquire(ctx);
        String valuesYaml = Optional.ofNullable(ctx.params().get("valuesYaml")).filter(v -> !v.isBlank()).orElse(null);
        Integer redeployed = null;
        if (tookAnew && valuesYaml != null) {
            ctx.progress("the playground was not held for release " + ctx.releaseId() + " since its upgrade; "
                    + "deploying its values again if another release changed them", Map.of("lease", namespace + "/" + lease.name()));
            AtomicHelmUpgrade.Result result = upgrade.deploy(ctx, valuesYaml);
            if (result.changed()) {
                redeployed = result.revision();
            }
        }
        // what the last look saw, for the reason when the wait ends without all pods ready
        AtomicReference<PodsState> last = new AtomicReference<>();
        int[] settledLooks = {0};
        PodsState state;
        try {
            state = ctx.await(Polling.Schedule.of(timeout, pollInterval, PROGRESS_EVERY), waited -> {
                lease.renewIfDue(ctx.releaseId());
                PodsState now = look(image, imageTag, digest);
                last.set(now);
                if (now.done()) {
                    return Polling.Look.done(now);
                }
                settledLooks[0] = now.settledElsewhere() ? settledLooks[0] + 1 : 0;
                if (settledLooks[0] >= SETTLED_LOOKS) {
                    failIfDeployedElsewhere(now, image, imageTag, digest);
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("podsReady", now.ready());
                details.put("podsTotal", now.total());
                details.put("notReady", now.notReady());
                details.put("otherImage", now.wrongImage());
                details.put("waitedSeconds", waited.toSeconds());
                return Polling.Look.waiting(String.valueOf(now.ready()), now.ready() + "/" + now.total() + " pods ready in "
                        + namespace + " after " + AwaitImages.human(waited) + (now.wrongImage().isEmpty() ? "" : ", "
                        + now.wrongImage().size() + " on another image"), details);
            });
        } catch (Polling.TimedOut t) {
            PodsState seen = last.get();
            StringBuilder reason = new StringBuilder("playground pods not all Running/Ready on " + image + ":" + imageTag
                    + (digest == null ? "" : "@" + digest) + " after " + AwaitImages.human(t.waited()) + ": "
                    + seen.ready() + "/" + seen.total() + " pods ready");
            if (!seen.notReady().isEmpty()) {
                reason.append("; not ready: ").append(String.join(", ", seen.notReady()));
            }
            if (!seen.wrongImage().isEmpty()) {
                reason.append("; other image: ").append(String.join(", ", seen.wrongImage()));
            }
            if (seen.appPods() == 0) {
                reason.append("; no pod runs ").append(image);
            }
            return StepOutcome.failed(reason.toString(), false);
        }

        String reported = reportedVersion();
        if (!version.equals(reported)) {
            return StepOutcome.failed("playground " + playgroundUrl + " reports posthog_version " + reported
                    + ", expected " + version + " (pods run " + image + ":" + imageTag + ")", false);
        }
        // checked: the next release may upgrade the playground (a failed check keeps it until the lease expires,
        // so a person can look at what failed)
        lease.release(ctx.releaseId());
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("podsReady", state.ready());
        outputs.put("podsTotal", state.total());
        outputs.put("reportedVersion", reported);
        outputs.put("image", image + ":" + imageTag);
        if (digest != null) {
            outputs.put("digest", digest);
        }
        if (redeployed != null) {
            outputs.put("redeployedRevision", redeployed);
        }
        return StepOutcome.succeeded(outputs);
    }

    /**
     * Pods all Ready on another image for several looks: if Helm is not mid-operation on the release, nothing will
     * change them, so the check fails now, naming the deployed revision (its description says which release made it).
     */
    private void failIfDeployedElsewhere(PodsState now, String image, String imageTag, String digest) {
        List<HelmReleases.Stored> history;
        try {
            history = new HelmReleases(kubernetes, namespace, releaseName).history();
        } catch (KubernetesClientException e) {
            return; // the wait goes on; the next look tries again
        }
        if (history.isEmpty()) {
            return;
        }
        HelmReleases.Stored deployed = history.get(history.size() - 1);
        if (deployed.pending()) {
            return; // an upgrade or rollback is under way: the pods may still change
        }
        String by = deployed.release().path("info").path("description").asText("");
        throw new StepFailure("playground pods all Ready but not on " + image + ":" + imageTag
                + (digest == null ? "" : "@" + digest) + ": " + String.join(", ", now.wrongImage()) + "; Helm release "
                + releaseName + " is at revision " + deployed.version() + " (" + deployed.status()
                + (by.isBlank() ? "" : ", \"" + Redaction.text(by) + "\"") + ")"
                + " and will not change by waiting", false);
    }

    private PodsState look(String image, String imageTag, String digest) {
        List<Pod> pods;
        try {
            pods = kubernetes.pods().inNamespace(namespace).list().getItems();
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            boolean needsAPerson = code == 401 || code == 403 || code == 404;
            throw new StepFailure("listing pods in namespace " + namespace + " failed: HTTP " + code + ": "
                    + e.getMessage(), !needsAPerson, e);
        }
        int total = 0;
        int ready = 0;
        int appPods = 0;
        List<String> notReady = new ArrayList<>();
        List<String> wrongImage = new ArrayList<>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if ("Succeeded".equals(phase)) {
                continue; // a completed Job's pod (the migration)
            }
            total++;
            boolean isReady = "Running".equals(phase) && pod.getStatus().getConditions() != null
                    && pod.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            if (isReady) {
                ready++;
            } else {
                notReady.add(name + " (" + phase + ")");
            }
            boolean app = false;
            for (Container c : pod.getSpec().getContainers()) {
                if (!image.equals(repositoryOf(c.getImage()))) {
                    continue;
                }
                app = true;
                String expected = image + ":" + imageTag;
                String actual = c.getImage().startsWith("docker.io/") ? c.getImage().substring("docker.io/".length()) : c.getImage();
                if (!actual.equals(expected)) {
                    wrongImage.add(name + " runs " + c.getImage());
                    continue;
                }
                if (digest != null) {
                    String imageId = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? null
                            : pod.getStatus().getContainerStatuses().stream().filter(s -> c.getName().equals(s.getName()))
                            .map(ContainerStatus::getImageID).findFirst().orElse(null);
                    if (imageId == null || !imageId.endsWith("@" + digest)) {
                        wrongImage.add(name + " runs digest " + (imageId == null ? "unknown" : imageId.substring(imageId.indexOf('@') + 1)));
                    }
                }
            }
            if (app) {
                appPods++;
            }
        }
        return new PodsState(total, ready, notReady, wrongImage, appPods);
    }

    /** {@code docker.io/posthog/posthog:tag} or {@code posthog/posthog@sha256:..} -> {@code posthog/posthog}. */
    static String repositoryOf(String imageRef) {
        String ref = imageRef.startsWith("docker.io/") ? imageRef.substring("docker.io/".length()) : imageRef;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int colon = ref.lastIndexOf(':');
        if (colon > ref.lastIndexOf('/')) {
            ref = ref.substring(0, colon);
        }
        return ref;
    }

    private String reportedVersion() throws InterruptedException {
        String key = apiKey.filter(k -> !k.isBlank()).orElseThrow(() -> new StepFailure(
                "no playground API key configured (RELEASE_TRAIN_PLAYGROUND_API_KEY)", false));
        String base = playgroundUrl.endsWith("/") ? playgroundUrl.substring(0, playgroundUrl.length() - 1) : playgroundUrl;
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/instance_status"))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new StepFailure("playground " + base + " unreachable: " + e, true, e);
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new StepFailure("playground " + base + " refused the API key: HTTP " + status, false);
        }
        if (status != 200) {
            throw new StepFailure("playground " + base + "/api/instance_status answered HTTP " + status,
                    status == 429 || status >= 500);
        }
        try {
            JsonNode overview = JSON.readTree(response.body()).path("results").path("overview");
            for (JsonNode metric : overview) {
                if ("posthog_version".equals(metric.path("key").asText())) {
                    return metric.path("value").asText();
                }
            }
        } catch (IOException e) {
            throw new StepFailure("playground " + base + "/api/instance_status sent unreadable JSON: " + e.getMessage(), true);
        }
        throw new StepFailure("playground " + base + "/api/instance_status has no posthog_version in results.overview", false);
    }
}
