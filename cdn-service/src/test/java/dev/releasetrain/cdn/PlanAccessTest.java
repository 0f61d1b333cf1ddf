package dev.releasetrain.cdn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;

import static dev.releasetrain.cdn.PlanResourceTest.body;
import static dev.releasetrain.cdn.PlanResourceTest.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With {@code release-train.plan.token} set, {@code POST /plan} answers only a request with that bearer token. */
@QuarkusTest
@TestProfile(PlanAccessTest.WithToken.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class PlanAccessTest {
    static final String TOKEN = "plan-token-of-this-test-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.plan.token", TOKEN);
        }
    }

    @TestHTTPResource("/plan")
    URI plan;

    @Test
    void withoutTheTokenOrWithAnotherOneThePlanIsRefusedWith401NamingTheProblem() throws Exception {
        String body = body(TestBus.freshReleaseId(), "/*");

        HttpResponse<String> none = post(plan, body, null);
        HttpResponse<String> wrong = post(plan, body, "Bearer not-the-token");
        HttpResponse<String> basic = post(plan, body, "Basic dXNlcjpwYXNz");
        HttpResponse<String> right = post(plan, body, "Bearer " + TOKEN);

        assertEquals(401, none.statusCode(), none.body());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals("application/json", none.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        JsonNode error = JSON.readTree(none.body());
        assertEquals(401, error.path("status").asInt());
        assertEquals("POST /plan needs the header 'Authorization: Bearer <release-train.plan.token>'; "
                + "the request has no Authorization header", error.path("message").asText());
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals("the bearer token of POST /plan is not this service's release-train.plan.token",
                JSON.readTree(wrong.body()).path("message").asText());
        assertEquals(401, basic.statusCode(), basic.body());
        assertTrue(JSON.readTree(basic.body()).path("message").asText().contains("must be 'Bearer"), basic.body());
        for (HttpResponse<String> refused : new HttpResponse[]{none, wrong, basic}) {
            assertFalse(refused.body().contains(TOKEN), "the token is never in an answer");
        }
        assertEquals(200, right.statusCode(), right.body());
        assertTrue(JSON.readTree(right.body()).at("/steps/0/planned").asBoolean(), right.body());
    }
}
