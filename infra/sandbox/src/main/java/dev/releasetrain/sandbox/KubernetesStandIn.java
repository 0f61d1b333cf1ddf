package dev.releasetrain.sandbox;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Function;

/**
 * Kubernetes API stand-in: fabric8's {@link KubernetesMockServer} in CRUD mode on a free loopback port,
 * extended so that real Helm (client-go) works against it ({@link ApiServerDispatcher}: discovery, protobuf
 * Secrets, typed lists, strategic merge patches), with a {@link SimulatedController} that plays the
 * Deployment, ReplicaSet and Job controllers (pods become Running/Ready with the deployment's image, unless a
 * test asks for a rollout that never gets ready).
 *
 * <p>Seeded state: namespace {@code posthog} with the Deployments of the PostHog chart ({@code posthog-web},
 * {@code -worker}, {@code -plugins}, {@code -events}, carrying Helm's ownership metadata so that a first
 * {@code helm upgrade --install} of release {@code posthog} adopts them), their ReplicaSets and Running/Ready
 * pods, and a ClickHouse pod outside the chart. Injected faults apply to outside callers only, not to the
 * controller or the playground stand-in reading the cluster.
 */
public final class KubernetesStandIn implements StandIn {

    public static final String NAMESPACE = "posthog";
    /** Requests carrying this header come from the sandbox itself: not counted, never faulted. */
    static final String INTERNAL_HEADER = "X-Sandbox-Internal";

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
    /** Requests from outside the sandbox other than GET, HEAD and OPTIONS (a watch is a GET). */
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    private final KubernetesMockServer server;
    private final String appImage;
    private final Function<String, String> digestOf;
    private final Set<String> neverReady = new CopyOnWriteArraySet<>();
    private NamespacedKubernetesClient internal;
    private SimulatedController controller;

    KubernetesStandIn(String appImage) {
        this(appImage, KubernetesStandIn::defaultDigest);
    }

    /**
     * @param digestOf the registry digest of an image reference ({@code repository:tag}), for the pods' imageID
     */
    KubernetesStandIn(String appImage, Function<String, String> digestOf) {
        this.appImage = appImage;
        this.digestOf = digestOf;
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        Dispatcher dispatcher = new ApiServerDispatcher(new KubernetesMixedDispatcher(responses), faults, writes);
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
                dispatcher, false);
    }

    static String defaultDigest(String image) {
        int colon = image.lastIndexOf(':');
        return colon < 0 ? Images.digest(image, "latest") : Images.digest(image.substring(0, colon), image.substring(colon + 1));
    }

    void start() {
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
        internal = server.createClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor(
                "sandbox-internal", new Interceptor() {
                    @Override
                    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        builder.header(INTERNAL_HEADER, "1");
                    }
                })));
        seed(internal);
        controller = new SimulatedController(internal, NAMESPACE, this::imageNeverReady, digestOf);
        controller.start();
        faults.resetCalls();
        writes.set(0);
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

    /**
     * From now on, pods running an image whose reference contains {@code imageFragment} (e.g. a tag) never
     * become ready: a rollout to it never completes, and an atomic Helm upgrade rolls back.
     */
    public void neverReady(String imageFragment) {
        neverReady.add(imageFragment);
    }

    /** Pods of every image become ready again. */
    public void clearNeverReady() {
        neverReady.clear();
    }

    boolean imageNeverReady(String image) {
        return image != null && neverReady.stream().anyMatch(image::contains);
    }

    /** The image of the first container of a Deployment in the namespace, if the Deployment exists. */
    public Optional<String> deploymentImage(String deployment) {
        Deployment d = internal.apps().deployments().inNamespace(NAMESPACE).withName(deployment).get();
        if (d == null || d.getSpec() == null || d.getSpec().getTemplate().getSpec().getContainers().isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    /**
     * The image a Deployment's pods serve: the {@code imageID} ({@code repository@digest}, without
     * {@code docker.io/}) of the first container of a Ready pod the Deployment selects, preferring pods on the
     * Deployment's current image (mid-rollout both serve); else the Deployment's image reference; empty when
     * the Deployment does not exist.
     */
    public Optional<String> servingImage(String deployment) {
        Deployment d = internal.apps().deployments().inNamespace(NAMESPACE).withName(deployment).get();
        Optional<String> wanted = deploymentImage(deployment);
        if (d == null || wanted.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> selector = d.getSpec().getSelector() == null || d.getSpec().getSelector().getMatchLabels() == null
                ? Map.of() : d.getSpec().getSelector().getMatchLabels();
        Optional<String> other = Optional.empty();
        for (Pod pod : internal.pods().inNamespace(NAMESPACE).list().getItems()) {
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            if (selector.isEmpty() || !labels.entrySet().containsAll(selector.entrySet()) || pod.getStatus() == null
                    || pod.getStatus().getContainerStatuses() == null || pod.getStatus().getContainerStatuses().isEmpty()) {
                continue;
            }
            boolean ready = "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getConditions() != null
                    && pod.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            var status = pod.getStatus().getContainerStatuses().get(0);
            if (!ready || status.getImageID() == null || !status.getImageID().contains("@")) {
                continue;
            }
            String imageId = status.getImageID().startsWith("docker.io/") ? status.getImageID().substring("docker.io/".length())
                    : status.getImageID();
            if (wanted.get().equals(status.getImage())) {
                return Optional.of(imageId);
            }
            if (other.isEmpty()) {
                other = Optional.of(imageId);
            }
        }
        return other.or(() -> wanted);
    }

    private void seed(NamespacedKubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("kubernetes.io/metadata.name", NAMESPACE).endMetadata()
                .withNewStatus().withPhase("Active").endStatus().build()).create();
        Map<String, ReplicaSet> replicaSets = new LinkedHashMap<>();
        Map<String, Integer> replicas = new LinkedHashMap<>();
        for (SeedPod seed : seedPods()) {
            if (!seed.role().equals("clickhouse")) {
                replicas.merge(seed.role(), 1, Integer::sum);
            }
        }
        for (SeedPod seed : seedPods()) {
            if (seed.role().equals("clickhouse") || replicaSets.containsKey(seed.role())) {
                continue;
            }
            String rsName = seed.name().substring(0, seed.name().lastIndexOf('-'));
            String hash = rsName.substring(rsName.lastIndexOf('-') + 1);
            Deployment deployment = client.apps().deployments().inNamespace(NAMESPACE)
                    .resource(deployment(seed.role(), replicas.get(seed.role()), seed.image())).create();
            PodTemplateSpec template = new PodTemplateSpecBuilder(deployment.getSpec().getTemplate())
                    .editMetadata().addToLabels("pod-template-hash", hash).endMetadata().build();
            ReplicaSet rs = new ReplicaSetBuilder()
                    .withNewMetadata().withName(rsName).withNamespace(NAMESPACE)
                    .withLabels(template.getMetadata().getLabels())
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                            .withName(deployment.getMetadata().getName()).withUid(deployment.getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(true).build())
                    .endMetadata()
                    .withNewSpec().withReplicas(replicas.get(seed.role()))
                    .withNewSelector().withMatchLabels(template.getMetadata().getLabels()).endSelector()
                    .withTemplate(template).endSpec()
                    .build();
            replicaSets.put(seed.role(), client.apps().replicaSets().inNamespace(NAMESPACE).resource(rs).create());
        }
        for (SeedPod seed : seedPods()) {
            Pod pod = pod(seed, replicaSets.get(seed.role()));
            client.pods().inNamespace(NAMESPACE).resource(pod).create();
            // CRUD mode may drop the status on create (status subresource): write it explicitly.
            client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
        }
    }

    private static Deployment deployment(String role, int replicas, String image) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", "posthog");
        labels.put("release", "posthog");
        labels.put("role", role);
        return new DeploymentBuilder()
                .withNewMetadata().withName("posthog-" + role).withNamespace(NAMESPACE).withLabels(labels)
                .addToLabels("app.kubernetes.io/managed-by", "Helm")
                .addToAnnotations("meta.helm.sh/release-name", "posthog")
                .addToAnnotations("meta.helm.sh/release-namespace", NAMESPACE)
                .endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("posthog-" + role).withImage(image)
                .withImagePullPolicy("IfNotPresent").endContainer().endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private Pod pod(SeedPod seed, ReplicaSet owner) {
        boolean clickhouse = seed.role().equals("clickhouse");
        String container = clickhouse ? "clickhouse" : "posthog-" + seed.role();
        String image = seed.image();
        String repository = image.substring(0, image.lastIndexOf(':'));
        String imageId = "docker.io/" + repository + "@" + digestOf.apply(image);
        String started = "2021-09-20T10:14:07Z";
        Map<String, String> labels = new LinkedHashMap<>();
        if (clickhouse) {
            labels.put("clickhouse.altinity.com/chi", "posthog");
            labels.put("clickhouse.altinity.com/cluster", "posthog");
            labels.put("clickhouse.altinity.com/app", "chop");
        } else {
            labels.putAll(owner.getSpec().getTemplate().getMetadata().getLabels());
        }
        PodBuilder builder = new PodBuilder()
                .withNewMetadata().withName(seed.name()).withNamespace(NAMESPACE).withLabels(labels).endMetadata();
        if (owner != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                    .withKind("ReplicaSet").withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                    .withController(true).withBlockOwnerDeletion(true).build()).endMetadata();
        }
        return builder
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
    public long writes() {
        return writes.get();
    }

    @Override
    public void resetCalls() {
        faults.resetCalls();
        writes.set(0);
    }

    @Override
    public void inject(FaultSpec fault) {
        faults.add(fault);
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
        if (controller != null) {
            controller.close();
        }
        if (internal != null) {
            internal.close();
        }
        server.destroy();
    }
}
