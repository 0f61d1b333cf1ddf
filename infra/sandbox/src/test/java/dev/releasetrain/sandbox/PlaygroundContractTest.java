package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The playground reports the version of the code it runs: {@code posthog/version.py} at the commit the deployed
 * image was built from (image digest of the web pods -> the registry's build record -> the app remote), never
 * the version in the image's tag. Ordered: each test deploys over what the previous one left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlaygroundContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static KubernetesClient client;
    static Path app;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir, Sandbox.Options.defaults().withCiBuildTime(Duration.ofMillis(300)));
        client = sandbox.kubernetes().createClient();
        app = sandbox.git().path(GitFixtures.POSTHOG);
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
    @Order(1)
    void theSeededDeploymentReportsTheVersionOfItsTaggedCommit() throws Exception {
        assertEquals(Optional.of(AppSource.resolve(app, "refs/tags/1.28.3")), sandbox.playground().deployedCommit());
        assertEquals("1.28.3", instanceVersion());
    }

    @Test
    @Order(2)
    void aReleaseBranchWithItsVersionBumpReportsTheNewVersion() throws Exception {
        String bump = AppSource.commitVersion(app, "release-1.29.0", "master", "1.29.0");
        RegistryStandIn.Tag image = awaitBuild("release-1.29.0-unstable", bump);
        deploy("posthog/posthog:release-1.29.0-unstable", image.digest());
        assertEquals(Optional.of(bump), sandbox.playground().deployedCommit());
        assertEquals("1.29.0", instanceVersion());
    }

    @Test
    @Order(3)
    void aReleaseBranchWithoutTheBumpReportsTheVersionItsCodeSaysNotItsTag() throws Exception {
        String fix = AppSource.commit(app, "release-1.29.1", "master",
                Map.of("posthog/settings/patch.py", "PATCHED = True\n"), "fix: A fix without a version bump");
        RegistryStandIn.Tag image = awaitBuild("release-1.29.1-unstable", fix);
        deploy("posthog/posthog:release-1.29.1-unstable", image.digest());
        assertEquals(Optional.of(fix), sandbox.playground().deployedCommit());
        assertEquals("1.28.3", instanceVersion()); // master's version.py: nobody bumped it
    }

    @Test
    @Order(4)
    void anImageOfUnknownSourceReportsUnknown() throws Exception {
        RegistryStandIn.Tag image = sandbox.registry().push(Images.POSTHOG, "release-9.9.9-unstable",
                Images.digest(Images.POSTHOG, "release-9.9.9-unstable"));
        deploy("posthog/posthog:release-9.9.9-unstable", image.digest());
        assertEquals(PlaygroundStandIn.UNKNOWN, instanceVersion());
    }

    @Test
    @Order(5)
    void anImagePublishedThroughTheAdminEndpointWithACommitReportsThatCommitsVersion() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl()
                        + "/admin/images/posthog/posthog/hotfix?commit=release-1.29.0")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode published = new ObjectMapper().readTree(r.body());
        assertEquals(AppSource.resolve(app, "release-1.29.0"), published.get("commit").asText());
        deploy("posthog/posthog:hotfix", published.get("digest").asText());
        assertEquals("1.29.0", instanceVersion());

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl()
                        + "/admin/images/posthog/posthog/hotfix?commit=no-such-branch")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode(), bad.body());
    }

    /** Waits until the simulated CI published {@code tag} built from {@code commit}. */
    private static RegistryStandIn.Tag awaitBuild(String tag, String commit) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.registry().tag(Images.POSTHOG, tag),
                t -> t.isPresent() && commit.equals(t.get().commit())).orElseThrow();
    }

    /** Points posthog-web at {@code image} and waits until its Ready pods serve {@code digest}. */
    private static void deploy(String image, String digest) {
        // the controller writes the Deployment's status meanwhile: an edit may meet 409 Conflict, and is tried again
        await().atMost(Duration.ofSeconds(10)).until(() -> editImage(image));
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox.kubernetes().servingImage("posthog-web"),
                served -> served.equals(Optional.of(Images.POSTHOG + "@" + digest)));
    }

    /** Sets posthog-web's image: true when done, false on a 409 Conflict. */
    private static boolean editImage(String image) {
        try {
            client.apps().deployments().inNamespace("posthog").withName("posthog-web").edit(d -> new DeploymentBuilder(d)
                    .editSpec().editTemplate().editSpec().editFirstContainer().withImage(image).endContainer().endSpec()
                    .endTemplate().endSpec().build());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return false;
        }
    }

    private static String instanceVersion() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sandbox.playground().url() + "/api/instance_status"))
                .header("Authorization", "Bearer " + sandbox.playground().apiKey()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        for (JsonNode m : new ObjectMapper().readTree(r.body()).path("results").path("overview")) {
            if ("posthog_version".equals(m.path("key").asText())) {
                return m.path("value").asText();
            }
        }
        throw new AssertionError(r.body());
    }
}
