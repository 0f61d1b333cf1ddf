package dev.releasetrain.deploy;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What Helm's {@code --wait} is waiting for, seen from outside: the release's Deployments whose rollout is not
 * complete (the test of {@code kubectl rollout status}: generation observed, every replica updated and available,
 * no old replica left), each with the waiting reason of one of its pods. Helm's own reason for a timeout is only
 * {@code context deadline exceeded}; this names what did not get ready, and reports it as progress while Helm runs.
 */
final class RolloutWatch {

    private static final Logger LOG = Logger.getLogger(RolloutWatch.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String release;
    /** The last non-empty sample: what was not ready before Helm gave up (an atomic rollback then restores it). */
    private volatile List<String> lastNotReady = List.of();

    RolloutWatch(KubernetesClient client, String namespace, String release) {
        this.client = client;
        this.namespace = namespace;
        this.release = release;
    }

    /** Looks once: what is not ready now (empty on an error: Helm will say what went wrong itself). */
    List<String> sample() {
        try {
            List<Pod> pods = null;
            List<String> notReady = new ArrayList<>();
            for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
                if (d.getMetadata().getAnnotations() == null
                        || !release.equals(d.getMetadata().getAnnotations().get("meta.helm.sh/release-name"))) {
                    continue;
                }
                int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                var s = d.getStatus();
                int updated = s == null || s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
                int total = s == null || s.getReplicas() == null ? 0 : s.getReplicas();
                int available = s == null || s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas();
                boolean observed = s != null && s.getObservedGeneration() != null
                        && s.getObservedGeneration() >= Objects.requireNonNullElse(d.getMetadata().getGeneration(), 0L);
                if (observed && updated >= desired && total <= updated && available >= updated) {
                    continue;
                }
                if (pods == null) {
                    pods = client.pods().inNamespace(namespace).list().getItems();
                }
                String name = d.getMetadata().getName();
                String why = pods.stream().filter(p -> p.getMetadata().getName().startsWith(name + "-"))
                        .map(RolloutWatch::waitingReason).filter(Objects::nonNull).findFirst().orElse(null);
                notReady.add("deployment " + name + " (" + updated + " of " + desired + " updated, " + available
                        + " available" + (total > updated ? ", " + (total - updated) + " old" : "")
                        + (why == null ? "" : "; " + why) + ")");
            }
            if (!notReady.isEmpty()) {
                lastNotReady = List.copyOf(notReady);
            }
            return List.copyOf(notReady);
        } catch (KubernetesClientException e) {
            return List.of();
        }
    }

    /**
     * Runs a Helm call, looking at the rollout every second and reporting progress every progress-interval (how
     * long, and which Deployments are not ready yet) while it runs.
     */
    <T> T during(String what, Callable<T> call, AtomicHelmUpgrade.Settings settings, AtomicHelmUpgrade.Progress progress)
            throws Exception {
        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "helm-progress");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        Duration timeout = settings.timeout();
        long interval = settings.progressInterval().toMillis();
        AtomicReference<List<String>> notReady = new AtomicReference<>(List.of());
        ticker.scheduleWithFixedDelay(() -> notReady.set(sample()), 500, 1000, TimeUnit.MILLISECONDS);
        ticker.scheduleAtFixedRate(() -> {
            try {
                Duration running = Duration.ofNanos(System.nanoTime() - start);
                List<String> waiting = notReady.get();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("runningSeconds", running.toSeconds());
                details.put("timeoutSeconds", timeout.toSeconds());
                details.put("notReady", waiting);
                progress.report(what + " running for " + AwaitImages.human(running) + " (timeout "
                        + AwaitImages.human(timeout) + ")" + (waiting.isEmpty() ? "" : ": waiting for "
                        + String.join(", ", waiting)), details);
            } catch (RuntimeException e) {
                LOG.debugf(e, "progress not published");
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
        try {
            return call.call();
        } finally {
            ticker.shutdownNow();
        }
    }

    /** Helm's timeout says only "context deadline exceeded": adds what was not ready. */
    String explain(String reason) {
        String m = reason.toLowerCase(Locale.ROOT);
        if ((m.contains("deadline exceeded") || m.contains("timed out")) && !lastNotReady.isEmpty()) {
            return reason + " (not ready when Helm gave up: " + String.join(", ", lastNotReady) + ")";
        }
        return reason;
    }

    private static String waitingReason(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
            if (c.getState() != null && c.getState().getWaiting() != null && c.getState().getWaiting().getReason() != null) {
                return "pod " + p.getMetadata().getName() + ": " + c.getState().getWaiting().getReason();
            }
        }
        return null;
    }
}
