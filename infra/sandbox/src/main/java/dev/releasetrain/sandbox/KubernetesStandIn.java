package dev.releasetrain.sandbox;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Queue;

/**
 * Kubernetes API stand-in: fabric8's {@link KubernetesMockServer} in CRUD mode on a free loopback
 * port, seeded with namespace {@code posthog} and Running/Ready pods named like the PostHog chart's.
 * A wrapping dispatcher counts requests and answers injected faults with a Kubernetes {@code Status}.
 */
public final class KubernetesStandIn implements StandIn {

    public static final String NAMESPACE = "posthog";

    /** A seeded pod: name, role label, image. */
    public record SeedPod(String name, String role, String image) {
    }

    /** The mock server logs every request at INFO; keep a strong reference so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        if (!Boolean.getBoolean("sandbox.kubernetes.log-requests")) {
            MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private final Faults faults = new Faults();
    private final KubernetesMockServer server;
    private final String appImage;

    KubernetesStandIn(String appImage) {
        this.appImage = appImage;
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        Dispatcher dispatcher = new FaultingDispatcher(new KubernetesMixedDispatcher(responses), faults);
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
                dispatcher, false);
    }

    void start() {
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
        try (NamespacedKubernetesClient client = server.createClient()) {
            seed(client);
        }
        faults.resetCalls();
    }

    /** The pods seeded at start. */
    public List<SeedPod> seedPods() {
        String chImage = "yandex/clickhouse-server:21.6.5";
        return List.of(
                new SeedPod("posthog-web-7d9f8c6b5d-x2x7k", "web", appImage),
                new SeedPod("posthog-web-7d9f8c6b5d-q8wzn", "web", appImage),
                new SeedPod("posthog-worker-5c6d8f7b9-hk2lm", "worker", appImage),
                new SeedPod("posthog-plugins-6f8b9c7d4-9tqvr", "plugins", appImage),
                new SeedPod("posthog-events-84b7d5c9f6-mz5jd", "events", appImage),
                new SeedPod("chi-posthog-posthog-0-0-0", "clickhouse", chImage));
    }

    private void seed(NamespacedKubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("kubernetes.io/metadata.name", NAMESPACE).endMetadata()
                .withNewStatus().withPhase("Active").endStatus().build()).create();
        for (SeedPod seed : seedPods()) {
            Pod pod = pod(seed);
            client.pods().inNamespace(NAMESPACE).resource(pod).create();
            // CRUD mode may drop the status on create (status subresource): write it explicitly.
            client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
        }
    }

    private static Pod pod(SeedPod seed) {
        boolean clickhouse = seed.role().equals("clickhouse");
        String container = clickhouse ? "clickhouse" : "posthog-" + seed.role();
        String image = seed.image();
        String repository = image.substring(0, image.lastIndexOf(':'));
        String tag = image.substring(image.lastIndexOf(':') + 1);
        String imageId = "docker.io/" + repository + "@" + Images.digest(repository, tag);
        String started = "2021-09-20T10:14:07Z";
        Map<String, String> labels = new LinkedHashMap<>();
        if (clickhouse) {
            labels.put("clickhouse.altinity.com/chi", "posthog");
            labels.put("clickhouse.altinity.com/cluster", "posthog");
            labels.put("clickhouse.altinity.com/app", "chop");
        } else {
            labels.put("app", "posthog");
            labels.put("release", "posthog");
            labels.put("role", seed.role());
        }
        return new PodBuilder()
                .withNewMetadata().withName(seed.name()).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
                .withNewSpec()
                .addNewContainer().withName(container).withImage(image).withImagePullPolicy("IfNotPresent").endContainer()
                .withRestartPolicy("Always")
                .withNodeName("ip-10-0-1-23.ec2.internal")
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withConditions(
                        new PodConditionBuilder().withType("Initialized").withStatus("True").withLastTransitionTime(started).build(),
                        new PodConditionBuilder().withType("Ready").withStatus("True").withLastTransitionTime(started).build(),
                        new PodConditionBuilder().withType("ContainersReady").withStatus("True").withLastTransitionTime(started).build(),
                        new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(started).build())
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName(container).withImage(image).withImageID(imageId)
                        .withReady(true).withStarted(true).withRestartCount(0)
                        .withNewState().withNewRunning().withStartedAt(started).endRunning().endState()
                        .build())
                .withHostIP("10.0.1.23")
                .withPodIP("10.0.1." + (100 + Math.abs(seed.name().hashCode() % 100)))
                .withStartTime(started)
                .withQosClass("Burstable")
                .endStatus()
                .build();
    }

    /** A client bound to this server (callers close it). */
    public NamespacedKubernetesClient createClient() {
        return server.createClient();
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    @Override
    public long calls() {
        return faults.calls();
    }

    @Override
    public void resetCalls() {
        faults.resetCalls();
    }

    @Override
    public void failNext(int count, int status) {
        faults.failNext(count, status);
    }

    @Override
    public void clearFaults() {
        faults.clear();
    }

    @Override
    public int pendingFaults() {
        return faults.pending();
    }

    @Override
    public void close() {
        server.destroy();
    }

    /** Counts requests, answers queued faults, delegates the rest to the CRUD dispatcher. */
    private static final class FaultingDispatcher extends Dispatcher implements Resetable, CustomResourceAware {
        private final KubernetesMixedDispatcher delegate;
        private final Faults faults;

        FaultingDispatcher(KubernetesMixedDispatcher delegate, Faults faults) {
            this.delegate = delegate;
            this.faults = faults;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            OptionalInt fault = faults.onCall();
            if (fault.isPresent()) {
                int code = fault.getAsInt();
                String reason = switch (code) {
                    case 401 -> "Unauthorized";
                    case 403 -> "Forbidden";
                    case 404 -> "NotFound";
                    case 409 -> "Conflict";
                    case 429 -> "TooManyRequests";
                    case 503 -> "ServiceUnavailable";
                    case 504 -> "Timeout";
                    default -> "InternalError";
                };
                String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"injected fault (" + code + ")\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
                return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
            }
            return delegate.dispatch(request);
        }

        @Override
        public void reset() {
            delegate.reset();
        }

        @Override
        public void expectCustomResource(CustomResourceDefinitionContext rdc) {
            delegate.expectCustomResource(rdc);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }
    }
}
