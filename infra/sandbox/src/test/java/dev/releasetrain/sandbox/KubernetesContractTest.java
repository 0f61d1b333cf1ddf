package dev.releasetrain.sandbox;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kubernetes stand-in as seen by the fabric8 kubernetes-client deploy-service uses. */
class KubernetesContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(sandbox.kubernetes().url())
                .withNamespace(KubernetesStandIn.NAMESPACE)
                .withRequestRetryBackoffLimit(0)
                .build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void podsOfThePosthogNamespaceAreRunningAndReady() {
        assertNotNull(client.namespaces().withName("posthog").get());
        List<Pod> pods = client.pods().inNamespace("posthog").list().getItems();
        List<String> names = pods.stream().map(p -> p.getMetadata().getName()).sorted().toList();
        assertEquals(6, pods.size(), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("posthog-web-")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("posthog-worker-")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("posthog-plugins-")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.contains("clickhouse") || n.startsWith("chi-")), names.toString());
        for (Pod pod : pods) {
            assertEquals("Running", pod.getStatus().getPhase(), pod.getMetadata().getName());
            assertTrue(pod.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")), pod.getMetadata().getName());
            assertTrue(pod.getStatus().getContainerStatuses().get(0).getReady());
        }
        List<Pod> app = client.pods().inNamespace("posthog").withLabel("app", "posthog").list().getItems();
        assertEquals(5, app.size());
        for (Pod pod : app) {
            String image = pod.getSpec().getContainers().get(0).getImage();
            assertEquals("posthog/posthog:release-1.28.3-unstable", image);
            assertEquals("docker.io/posthog/posthog@" + Images.digest("posthog/posthog", "release-1.28.3-unstable"),
                    pod.getStatus().getContainerStatuses().get(0).getImageID());
        }
    }

    @Test
    void injectedFaultAnswersAKubernetesStatus() {
        long before = sandbox.standIns().calls("kubernetes");
        sandbox.standIns().failNext("kubernetes", 1, 403);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> client.pods().inNamespace("posthog").list());
        assertEquals(403, e.getCode());
        assertEquals(6, client.pods().inNamespace("posthog").list().getItems().size());
        assertEquals(before + 2, sandbox.standIns().calls("kubernetes"));
    }

    @Test
    void anExactPathFaultHitsThePlainPodListNotALabelledOne() {
        // what the demo's --fail-once deploy.verify-playground aims at: the step's own pod listing
        sandbox.standIns().inject("kubernetes", FaultSpec.failNext(1, 403).withMethod("GET").withPathPrefix("/api/v1/namespaces/posthog/pods$"));
        assertEquals(5, client.pods().inNamespace("posthog").withLabel("app", "posthog").list().getItems().size());
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> client.pods().inNamespace("posthog").list());
        assertEquals(403, e.getCode());
        assertEquals(0, sandbox.kubernetes().pendingFaults());
    }
}
