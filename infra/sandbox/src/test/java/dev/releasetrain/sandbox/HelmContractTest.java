package dev.releasetrain.sandbox;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.ReleaseHistory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real Helm (helm-java, in-process) against the Kubernetes stand-in and its simulated controller. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
        client = sandbox.kubernetes().createClient();
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

    private static Release upgrade(String tag) throws Exception {
        Path values = workDir.resolve("values-" + tag + ".yaml");
        Files.writeString(values, GitFixtures.playgroundValues(tag));
        return new Helm(sandbox.chartPath()).upgrade()
                .withName("posthog").withNamespace("posthog").install().atomic().waitReady().withTimeout(8)
                .disableOpenApiValidation()
                .withKubeConfig(sandbox.kubeconfigPath())
                .withValuesFile(values)
                .call();
    }

    @Test
    @Order(1)
    void installAdoptsTheSeededDeploymentsAndRollsOutTheNewImage() throws Exception {
        // the image CI builds from the release branch's version bump (the playground reports that commit's version)
        sandbox.buildImage("release-1.29.0-unstable", AppSource.commitVersion(sandbox.git().path(GitFixtures.POSTHOG),
                "release-1.29.0", "master", "1.29.0"));
        Release release = upgrade("release-1.29.0-unstable");
        assertEquals("deployed", release.getStatus(), release.getOutput());
        assertEquals("1", release.getRevision());
        List<Pod> app = client.pods().inNamespace("posthog").withLabel("app", "posthog").list().getItems();
        assertTrue(app.stream().allMatch(p -> p.getSpec().getContainers().get(0).getImage()
                .equals("posthog/posthog:release-1.29.0-unstable")), app.toString());
        assertEquals(5, app.size(), app.stream().map(p -> p.getMetadata().getName()).toList().toString());
        assertEquals("1.29.0", instanceVersion());
    }

    @Test
    @Order(2)
    void anUpgradeMakesRevisionTwoAndSupersedesOne() throws Exception {
        sandbox.buildImage("release-1.29.1-unstable", AppSource.commitVersion(sandbox.git().path(GitFixtures.POSTHOG),
                "release-1.29.1", "release-1.29.0", "1.29.1"));
        Release release = upgrade("release-1.29.1-unstable");
        assertEquals("2", release.getRevision());
        List<ReleaseHistory> history = Helm.history("posthog").withNamespace("posthog")
                .withKubeConfig(sandbox.kubeconfigPath()).call();
        assertEquals(List.of("superseded", "deployed"), history.stream().map(ReleaseHistory::getStatus).toList());
        String values = Helm.get("posthog").values().withNamespace("posthog").withKubeConfig(sandbox.kubeconfigPath()).call();
        assertTrue(values.contains("release-1.29.1-unstable"), values);
    }

    @Test
    @Order(3)
    void aRolloutThatNeverGetsReadyIsRolledBack() throws Exception {
        sandbox.kubernetes().neverReady("release-1.29.2-unstable");
        try {
            Exception e = assertThrows(Exception.class, () -> upgrade("release-1.29.2-unstable"));
            assertTrue(e.getMessage().contains("rolled back"), e.getMessage());
        } finally {
            sandbox.kubernetes().clearNeverReady();
        }
        List<ReleaseHistory> history = Helm.history("posthog").withNamespace("posthog")
                .withKubeConfig(sandbox.kubeconfigPath()).call();
        assertEquals("deployed", history.get(history.size() - 1).getStatus());
        assertEquals("1.29.1", instanceVersion());
    }

    private static String instanceVersion() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sandbox.playground().url() + "/api/instance_status"))
                .header("Authorization", "Bearer " + sandbox.playground().apiKey()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        for (var m : node.get("results").get("overview")) {
            if (m.get("key").asText().equals("posthog_version")) {
                return m.get("value").asText();
            }
        }
        throw new AssertionError(r.body());
    }
}
