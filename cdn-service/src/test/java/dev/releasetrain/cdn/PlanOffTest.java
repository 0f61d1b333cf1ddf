package dev.releasetrain.cdn;

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

/** As in production: no {@code release-train.plan.token}, so {@code POST /plan} is off, whatever the request carries. */
@QuarkusTest
@TestProfile(PlanOffTest.AsInProduction.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CdnSandboxResource.class)
class PlanOffTest {

    public static class AsInProduction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.plan.open-without-token", "false");
        }
    }

    @TestHTTPResource("/plan")
    URI plan;

    @Test
    void withoutATokenConfiguredThePlanIsOff() throws Exception {
        HttpResponse<String> answer = post(plan, body(TestBus.freshReleaseId(), "/*"), "Bearer anything");

        assertEquals(404, answer.statusCode(), answer.body());
        assertEquals("POST /plan is off on this service: release-train.plan.token (env RELEASE_TRAIN_PLAN_TOKEN) is not set",
                new ObjectMapper().readTree(answer.body()).path("message").asText());
    }
}
