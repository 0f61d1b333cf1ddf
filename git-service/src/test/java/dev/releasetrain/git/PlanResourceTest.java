package dev.releasetrain.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.local.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /plan} of the running service, over HTTP as the coordinator asks it, against the sandbox's remotes. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(GitSandboxResource.class)
class PlanResourceTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/plan")
    URI plan;

    HttpResponse<String> post(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(plan).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersTheDiffsOfTheGitStepsInTheirOrder() throws Exception {
        String vars = "\"version\": \"1.40.0\", \"previousVersion\": \"1.28.3\", \"kind\": \"minor\", "
                + "\"releaseBranch\": \"release-1.40.0\", \"releaseDate\": \"2027-01-25\", \"freezeTime\": \"2027-01-20T14:00:00Z\", "
                + "\"releaseTime\": \"2027-01-25T14:00:00Z\"";
        HttpResponse<String> answer = post("{\"steps\": ["
                + "{\"step\": \"git.cut-release-branch\", \"handler\": \"git.cut-release-branch\", \"params\": {" + vars + "}},"
                + "{\"step\": \"git.bump-version\", \"handler\": \"git.bump-version\", \"params\": {" + vars + "}},"
                + "{\"step\": \"git.bump-chart\", \"handler\": \"git.bump-chart\", \"params\": {" + vars + ", \"imageTag\": \"release-1.40.0\"}},"
                + "{\"step\": \"git.await-sync-merge\", \"handler\": \"git.await-sync-merge\", \"params\": {" + vars + "}}]}");

        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode steps = JSON.readTree(answer.body()).path("steps");
        assertEquals(4, steps.size(), answer.body());
        assertEquals("git.bump-version", steps.get(1).path("step").asText());
        assertTrue(steps.get(1).path("changes").get(0).path("diff").asText().contains("+VERSION = \"1.40.0\""), answer.body());
        assertEquals("charts/posthog/Chart.yaml", steps.get(2).path("changes").get(0).path("path").asText(), answer.body());
        assertTrue(steps.get(3).path("planned").asBoolean(), answer.body());
        assertTrue(steps.get(3).path("note").asText().startsWith("waits for a person to merge"), answer.body());
    }

    @Test
    void aBodyWithoutStepsIsRefused() throws Exception {
        assertEquals(400, post("{}").statusCode());
    }
}
