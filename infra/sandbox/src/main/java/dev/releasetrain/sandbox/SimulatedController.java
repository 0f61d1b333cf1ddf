package dev.releasetrain.sandbox;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Plays the controllers of a cluster for one namespace, every 150 ms: a Deployment gets a ReplicaSet for its
 * current pod template (an existing one whose template matches, ignoring {@code pod-template-hash}, else a new
 * one) and that ReplicaSet gets the desired number of pods, Running and Ready with the template's image
 * ({@code imageID} carries the registry's digest); once they are ready, the older ReplicaSets are scaled to
 * zero and their pods deleted (a rolling update). Pods of an image marked never-ready stay Running but not
 * Ready (CrashLoopBackOff), so the old pods stay and the rollout never completes. Statuses follow
 * ({@code observedGeneration}, ready replicas), Jobs complete (or fail, when annotated
 * {@code sandbox.release-train.dev/outcome: fail}), Services get a cluster IP, and objects whose
 * controlling owner is gone are garbage-collected.
 */
final class SimulatedController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SimulatedController.class.getName());
    private static final String HASH_LABEL = "pod-template-hash";
    /** A Job annotated {@code fail} fails (its pods exceed the backoff limit): a migration that breaks. */
    static final String FAIL_ANNOTATION = "sandbox.release-train.dev/outcome";

    private final KubernetesClient client;
    private final String namespace;
    private final Predicate<String> neverReady;
    private final Function<String, String> digestOf;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Http.daemonThreads("sandbox-k8s-controller"));

    SimulatedController(KubernetesClient client, String namespace, Predicate<String> neverReady,
                        Function<String, String> digestOf) {
        this.client = client;
        this.namespace = namespace;
        this.neverReady = neverReady;
        this.digestOf = digestOf;
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::reconcileQuietly, 0, 150, TimeUnit.MILLISECONDS);
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (KubernetesClientException e) {
            // a conflict with a concurrent writer (Helm): the next round sees the new state
            LOG.log(Level.FINE, "controller round failed", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "controller round failed", e);
        }
    }

    void reconcile() {
        List<Deployment> deployments = client.apps().deployments().inNamespace(namespace).list().getItems();
        List<ReplicaSet> replicaSets = client.apps().replicaSets().inNamespace(namespace).list().getItems();
        List<Pod> pods = client.pods().inNamespace(namespace).list().getItems();
        Set<String> uids = new HashSet<>();
        deployments.forEach(d -> uids.add(d.getMetadata().getUid()));
        replicaSets.forEach(r -> uids.add(r.getMetadata().getUid()));

        // Garbage collection first: ReplicaSets and pods whose controlling owner is gone. A Deployment deleted
        // and created again (uninstall, install) gets a ReplicaSet of the same name, which must not collide.
        List<String> collected = new ArrayList<>();
        for (ReplicaSet rs : replicaSets) {
            OwnerReference owner = controllerOf(rs);
            if (owner != null && !uids.contains(owner.getUid())) {
                client.apps().replicaSets().inNamespace(namespace).withName(rs.getMetadata().getName()).delete();
                collected.add(rs.getMetadata().getUid());
            }
        }
        for (Pod pod : pods) {
            OwnerReference owner = controllerOf(pod);
            if (owner != null && owner.getKind().equals("ReplicaSet") && (!uids.contains(owner.getUid())
                    || collected.contains(owner.getUid()))) {
                client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).delete();
            }
        }
        List<ReplicaSet> live = replicaSets.stream().filter(rs -> !collected.contains(rs.getMetadata().getUid())).toList();
        for (Deployment d : deployments) {
            try {
                reconcileDeployment(d, live, pods);
            } catch (KubernetesClientException e) {
                // one Deployment in conflict with a concurrent writer must not hold up the others
                LOG.log(Level.FINE, "reconciling " + d.getMetadata().getName() + " failed", e);
            }
        }
        for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
            completeJob(job);
        }
        for (Service service : client.services().inNamespace(namespace).list().getItems()) {
            if (service.getSpec() != null && !"ExternalName".equals(service.getSpec().getType())
                    && (service.getSpec().getClusterIP() == null || service.getSpec().getClusterIP().isEmpty())) {
                int n = Math.abs(service.getMetadata().getName().hashCode() % 250) + 2;
                client.services().inNamespace(namespace).withName(service.getMetadata().getName())
                        .edit(s -> {
                            s.getSpec().setClusterIP("10.100.0." + n);
                            s.getSpec().setClusterIPs(List.of("10.100.0." + n));
                            return s;
                        });
            }
        }
    }

    private void reconcileDeployment(Deployment d, List<ReplicaSet> allReplicaSets, List<Pod> allPods) {
        String uid = d.getMetadata().getUid();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        PodTemplateSpec template = d.getSpec().getTemplate();
        List<ReplicaSet> owned = allReplicaSets.stream().filter(rs -> isControlledBy(rs, uid)).toList();
        ReplicaSet current = owned.stream().filter(rs -> sameTemplate(rs.getSpec().getTemplate(), template))
                .findFirst().orElse(null);
        if (current == null) {
            String hash = hash(template);
            PodTemplateSpec labelled = Serialization.clone(template);
            if (labelled.getMetadata().getLabels() == null) {
                labelled.getMetadata().setLabels(new LinkedHashMap<>());
            }
            labelled.getMetadata().getLabels().put(HASH_LABEL, hash);
            Map<String, String> selector = new LinkedHashMap<>(d.getSpec().getSelector().getMatchLabels());
            selector.put(HASH_LABEL, hash);
            current = client.apps().replicaSets().inNamespace(namespace).resource(new ReplicaSetBuilder()
                    .withNewMetadata().withName(d.getMetadata().getName() + "-" + hash).withNamespace(namespace)
                    .withLabels(labelled.getMetadata().getLabels())
                    .withOwnerReferences(owner("apps/v1", "Deployment", d))
                    .endMetadata()
                    .withNewSpec().withReplicas(desired).withNewSelector().withMatchLabels(selector).endSelector()
                    .withTemplate(labelled).endSpec()
                    .build()).create();
        } else if (!Objects.equals(current.getSpec().getReplicas(), desired)) {
            current.getSpec().setReplicas(desired);
            current = client.apps().replicaSets().inNamespace(namespace).resource(current).update();
        }
        String currentUid = current.getMetadata().getUid();
        List<Pod> currentPods = new ArrayList<>(allPods.stream().filter(p -> isControlledBy(p, currentUid)).toList());
        while (currentPods.size() < desired) {
            currentPods.add(createPod(current));
        }
        while (currentPods.size() > desired) {
            Pod extra = currentPods.remove(currentPods.size() - 1);
            client.pods().inNamespace(namespace).withName(extra.getMetadata().getName()).delete();
        }
        int ready = (int) currentPods.stream().filter(SimulatedController::isReady).count();
        boolean rolledOut = ready >= desired;
        int oldReplicas = 0;
        for (ReplicaSet old : owned) {
            if (old.getMetadata().getUid().equals(currentUid)) {
                continue;
            }
            List<Pod> oldPods = allPods.stream().filter(p -> isControlledBy(p, old.getMetadata().getUid())).toList();
            if (rolledOut) {
                for (Pod p : oldPods) {
                    client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).delete();
                }
                if (old.getSpec().getReplicas() == null || old.getSpec().getReplicas() != 0) {
                    old.getSpec().setReplicas(0);
                    client.apps().replicaSets().inNamespace(namespace).resource(old).update();
                }
                setReplicaSetStatus(old, 0, 0);
            } else {
                oldReplicas += oldPods.size();
            }
        }
        setReplicaSetStatus(current, currentPods.size(), ready);

        Long generation = d.getMetadata().getGeneration();
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(generation)
                .withReplicas(currentPods.size() + oldReplicas)
                .withUpdatedReplicas(currentPods.size())
                .withReadyReplicas(ready + oldReplicas)
                .withAvailableReplicas(ready + oldReplicas)
                .withUnavailableReplicas(Math.max(0, desired - ready) == 0 ? null : desired - ready)
                .withConditions(
                        new DeploymentConditionBuilder().withType("Available").withStatus(ready + oldReplicas >= desired ? "True" : "False")
                                .withReason(ready + oldReplicas >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable").build(),
                        new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                                .withReason(rolledOut ? "NewReplicaSetAvailable" : "ReplicaSetUpdated")
                                .withMessage("ReplicaSet \"" + current.getMetadata().getName() + "\" "
                                        + (rolledOut ? "has successfully progressed." : "is progressing."))
                                .build())
                .build();
        if (!sameStatus(d.getStatus(), status)) {
            Deployment fresh = client.apps().deployments().inNamespace(namespace).withName(d.getMetadata().getName()).get();
            if (fresh != null && Objects.equals(fresh.getMetadata().getGeneration(), generation)) {
                fresh.setStatus(status);
                client.apps().deployments().inNamespace(namespace).resource(fresh).updateStatus();
            }
        }
    }

    private static boolean sameStatus(DeploymentStatus a, DeploymentStatus b) {
        if (a == null) {
            return false;
        }
        return Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
                && Objects.equals(a.getReplicas(), b.getReplicas())
                && Objects.equals(a.getUpdatedReplicas(), b.getUpdatedReplicas())
                && Objects.equals(a.getReadyReplicas(), b.getReadyReplicas())
                && Objects.equals(a.getAvailableReplicas(), b.getAvailableReplicas())
                && Objects.equals(a.getConditions(), b.getConditions());
    }

    private void setReplicaSetStatus(ReplicaSet rs, int replicas, int ready) {
        ReplicaSetStatus status = new ReplicaSetStatusBuilder()
                .withReplicas(replicas).withFullyLabeledReplicas(replicas)
                .withReadyReplicas(ready).withAvailableReplicas(ready)
                .withObservedGeneration(rs.getMetadata().getGeneration())
                .build();
        ReplicaSetStatus s = rs.getStatus();
        if (s != null && Objects.equals(s.getReplicas(), status.getReplicas())
                && Objects.equals(s.getReadyReplicas(), status.getReadyReplicas())
                && Objects.equals(s.getObservedGeneration(), status.getObservedGeneration())) {
            return;
        }
        ReplicaSet fresh = client.apps().replicaSets().inNamespace(namespace).withName(rs.getMetadata().getName()).get();
        if (fresh != null) {
            fresh.setStatus(status);
            client.apps().replicaSets().inNamespace(namespace).resource(fresh).updateStatus();
        }
    }

    private Pod createPod(ReplicaSet rs) {
        PodTemplateSpec template = rs.getSpec().getTemplate();
        String name = rs.getMetadata().getName() + "-" + suffix();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<ContainerStatus> statuses = new ArrayList<>();
        boolean ready = true;
        for (var c : template.getSpec().getContainers()) {
            boolean containerReady = !neverReady.test(c.getImage());
            ready &= containerReady;
            String image = c.getImage();
            String repository = image.contains("@") ? image.substring(0, image.indexOf('@'))
                    : image.lastIndexOf(':') > 0 ? image.substring(0, image.lastIndexOf(':')) : image;
            String digest = image.contains("@") ? image.substring(image.indexOf('@') + 1) : digestOf.apply(image);
            ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(c.getName()).withImage(image)
                    .withImageID("docker.io/" + repository + "@" + digest)
                    .withReady(containerReady).withStarted(containerReady).withRestartCount(containerReady ? 0 : 3);
            if (containerReady) {
                cs.withNewState().withNewRunning().withStartedAt(now).endRunning().endState();
            } else {
                cs.withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off 40s restarting failed container=" + c.getName()).endWaiting().endState();
            }
            statuses.add(cs.build());
        }
        String readyStatus = ready ? "True" : "False";
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(template.getMetadata().getLabels())
                .withOwnerReferences(owner("apps/v1", "ReplicaSet", rs))
                .endMetadata()
                .withSpec(Serialization.clone(template.getSpec()))
                .build();
        pod.getSpec().setNodeName("ip-10-0-1-23.ec2.internal");
        Pod created = client.pods().inNamespace(namespace).resource(pod).create();
        created.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                .withPhase("Running")
                .withConditions(
                        new PodConditionBuilder().withType("Initialized").withStatus("True").withLastTransitionTime(now).build(),
                        new PodConditionBuilder().withType("Ready").withStatus(readyStatus).withLastTransitionTime(now).build(),
                        new PodConditionBuilder().withType("ContainersReady").withStatus(readyStatus).withLastTransitionTime(now).build(),
                        new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(now).build())
                .withContainerStatuses(statuses)
                .withHostIP("10.0.1.23")
                .withPodIP("10.0.2." + ThreadLocalRandom.current().nextInt(2, 250))
                .withStartTime(now)
                .withQosClass("BestEffort")
                .build());
        return client.pods().inNamespace(namespace).resource(created).updateStatus();
    }

    private void completeJob(Job job) {
        if (job.getStatus() != null && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() >= 1) {
            return;
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, String> annotations = job.getMetadata().getAnnotations();
        if (annotations != null && "fail".equals(annotations.get(FAIL_ANNOTATION))) {
            if (job.getStatus() != null && job.getStatus().getFailed() != null) {
                return;
            }
            int backoff = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
            job.setStatus(new JobStatusBuilder().withStartTime(now).withFailed(backoff + 1).withActive(0).withReady(0)
                    .withConditions(new JobConditionBuilder().withType("Failed").withStatus("True")
                            .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit")
                            .withLastProbeTime(now).withLastTransitionTime(now).build())
                    .build());
            client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
            return;
        }
        job.setStatus(new JobStatusBuilder().withStartTime(now).withCompletionTime(now).withSucceeded(1)
                .withActive(0).withReady(0)
                .withConditions(new JobConditionBuilder().withType("Complete").withStatus("True")
                        .withLastProbeTime(now).withLastTransitionTime(now).build())
                .build());
        client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
    }

    private static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static OwnerReference owner(String apiVersion, String kind, HasMetadata o) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(o.getMetadata().getName())
                .withUid(o.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
    }

    private static OwnerReference controllerOf(HasMetadata o) {
        if (o.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        return o.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
                .findFirst().orElse(null);
    }

    private static boolean isControlledBy(HasMetadata o, String uid) {
        OwnerReference owner = controllerOf(o);
        return owner != null && uid != null && uid.equals(owner.getUid());
    }

    private static boolean sameTemplate(PodTemplateSpec rsTemplate, PodTemplateSpec depTemplate) {
        PodTemplateSpec a = Serialization.clone(rsTemplate);
        if (a.getMetadata() != null && a.getMetadata().getLabels() != null) {
            a.getMetadata().getLabels().remove(HASH_LABEL);
        }
        return Serialization.jsonMapper().valueToTree(a).equals(Serialization.jsonMapper().valueToTree(depTemplate));
    }

    private static String hash(PodTemplateSpec template) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
            String hex = HexFormat.of().formatHex(h);
            StringBuilder sb = new StringBuilder();
            String alphabet = "bcdfghjklmnpqrstvwxz2456789";
            for (int i = 0; i < 10; i++) {
                sb.append(alphabet.charAt(Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16) % alphabet.length()));
            }
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String suffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
