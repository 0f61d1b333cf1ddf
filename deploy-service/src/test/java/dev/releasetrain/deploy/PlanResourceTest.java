package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /plan} of the deploy steps over HTTP against the sandbox: the images the waits look for and whether
 * the registry has them, the chart, image and revision the upgrade would deploy and who holds the playground, all
 * by reading (the Kubernetes stand-in's write counter does not move); the upgrade then deploys that revision.
 */
@QuarkusTest
@TestProfile(PlanResourceTest.OwnSandbox.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class PlanResourceTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A sandbox of its own: the upgrade here leaves the playground's lease with this test's release. */
    public static final class OwnSandbox implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.deploy.lease-handover", "PT1M");
        }
    }

    @TestHTTPResource("/plan")
    URI plan;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "sandbox.admin-url")
    String adminUrl;

    static Map<String, Object> step(String id, Map<String, String> params) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("step", id);
        s.put("handler", id);
        s.put("params", params);
        return s;
    }

    JsonNode plan(List<Object> steps) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(plan).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("steps", steps)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("steps");
    }

    @Test
    void theUpgradeDeploysTheRevisionThePlanShowedAndThePlanWroteNothing() throws Exception {
        String release = TestBus.freshReleaseId();
        String tag = "release-" + release + "-unstable";
        String digest = "sha256:" + "ab".repeat(32);
        Sandboxes.admin(adminUrl, "POST", "/admin/images/posthog/posthog/" + tag + "?digest=" + digest);
        String values = PlaygroundTest.values(tag, 1);
        List<Object> steps = List.of(
                step("deploy.await-unstable-image", Map.of("version", release, "tags", tag + ",not-built-" + release)),
                step("deploy.upgrade-playground", Map.of("version", release, "valuesYaml", values, "valuesCommit", "abc1234")),
                step("deploy.verify-playground", Map.of("version", release, "imageTag", tag,
                        "digest", "<deploy.await-unstable-image.digest>")));
        long writes = writes();

        JsonNode planned = plan(steps);

        assertEquals(writes, writes(), "no Helm install or upgrade, no lease taken: nothing written to Kubernetes");
        JsonNode await = planned.get(0);
        assertTrue(await.path("planned").asBoolean(), await.toString());
        assertTrue(await.at("/images/0/exists").asBoolean(), await.toString());
        assertEquals(digest, await.at("/images/0/digest").asText());
        assertFalse(await.at("/images/1/exists").asBoolean(), await.toString());
        assertTrue(await.path("note").asText().contains("(1 of 2 there now)"), await.toString());

        JsonNode upgrade = planned.get(1);
        assertTrue(upgrade.path("planned").asBoolean(), upgrade.toString());
        assertEquals("posthog/posthog:" + tag, upgrade.at("/deploy/image").asText());
        assertEquals("posthog", upgrade.at("/deploy/release").asText());
        assertTrue(upgrade.at("/deploy/changed").asBoolean(), upgrade.toString());
        assertTrue(upgrade.at("/images/0/exists").asBoolean(), upgrade.toString());
        assertTrue(upgrade.at("/playgroundHeldBy").isMissingNode(), "nobody holds the playground: " + upgrade);
        assertTrue(planned.get(2).path("planned").asBoolean(), planned.get(2).toString());

        StepRequested command = TestBus.command("deploy", "deploy.upgrade-playground",
                Map.of("version", release, "valuesYaml", values, "valuesCommit", "abc1234"));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);
            StepSucceeded upgraded = assertInstanceOf(StepSucceeded.class, Sandboxes.outcome(bus.awaitOutcome(release, command.commandId())));
            assertEquals(upgrade.at("/outputs/revision").asInt(), ((Number) upgraded.outputs().get("revision")).intValue());
            assertEquals(upgrade.at("/outputs/chart").asText(), upgraded.outputs().get("chart"));
            assertEquals(upgrade.at("/deploy/chart").asText(), upgraded.outputs().get("chart"));
        }
        assertTrue(writes() > writes, "the counter counts the upgrade's writes");

        // planned again: nothing would change, and this release holds the playground
        JsonNode again = plan(List.of(steps.get(1))).get(0);
        assertFalse(again.at("/deploy/changed").asBoolean(), again.toString());
        assertEquals(upgrade.at("/outputs/revision").asInt(), again.at("/deploy/deployedRevision").asInt());
        assertEquals(release, again.at("/playgroundHeldBy/release").asText(), again.toString());
        assertTrue(again.path("note").asText().contains("is held by release " + release), again.toString());
    }

    @Test
    void valuesThatAreNotPlannedLeaveTheUpgradeNotPlanned() throws Exception {
        JsonNode p = plan(List.of(step("deploy.upgrade-playground", Map.of("version", "1.29.0",
                "valuesYaml", "<git.update-playground-values.valuesYaml>")))).get(0);

        assertFalse(p.path("planned").asBoolean(), p.toString());
        assertEquals("not planned: its values (<git.update-playground-values.valuesYaml>) have no plan", p.path("note").asText());
    }

    private long writes() throws Exception {
        return JSON.readTree(Sandboxes.admin(adminUrl, "GET", "/admin/calls/kubernetes")).path("writes").asLong();
    }
}
