package dev.releasetrain.deploy;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class ListPodsTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "sandbox.test.pods")
    List<String> seededPods;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    @ConfigProperty(name = "sandbox.kubernetes-url")
    String kubernetesUrl;

    TestBus bus;

    @BeforeEach
    void connect() {
        bus = new TestBus(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        bus.close();
    }

    @Test
    void listsThePodsOfTheReleaseNamespace() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.list-pods", Map.of("version", release));

        bus.send(release, command);
        List<Envelope> events = bus.awaitOutcome(release, command.commandId());

        StepSucceeded succeeded = assertInstanceOf(StepSucceeded.class, TestBus.result(events).data());
        assertEquals("posthog", succeeded.outputs().get("namespace"));
        // Other tests of this run may have upgraded the playground: compare with the pods there now.
        List<String> pods = Sandboxes.podNames(kubernetesUrl);
        assertEquals(pods, succeeded.outputs().get("pods"));
        assertEquals(pods.size(), succeeded.outputs().get("count"));
        assertTrue(pods.containsAll(seededPods.stream().filter(p -> p.startsWith("chi-")).toList()), pods.toString());
        assertEquals("/release-train/deploy-service", TestBus.result(events).source());
    }

    @Test
    void aTransientApiServerErrorIsRetriedByTheClient() throws Exception {
        failNextKubernetesCalls(1, 503);
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.list-pods", Map.of("version", release));

        bus.send(release, command);

        StepSucceeded succeeded = assertInstanceOf(StepSucceeded.class, TestBus.result(bus.awaitOutcome(release, command.commandId())).data());
        assertEquals(Sandboxes.podNames(kubernetesUrl).size(), succeeded.outputs().get("count"));
    }

    @Test
    void aForbiddenAnswerFailsTheStepNotRetryable() throws Exception {
        failNextKubernetesCalls(1, 403);
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("deploy", "deploy.list-pods", Map.of("version", release));

        bus.send(release, command);

        StepFailed failed = assertInstanceOf(StepFailed.class, TestBus.result(bus.awaitOutcome(release, command.commandId())).data());
        assertFalse(failed.retryable());
        assertTrue(failed.reason().startsWith("listing pods in namespace posthog failed: HTTP 403"), failed.reason());
    }

    private void failNextKubernetesCalls(int count, int status) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(adminUrl + "/admin/faults/kubernetes?count=" + count + "&status=" + status))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
    }
}
