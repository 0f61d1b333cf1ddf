package dev.releasetrain.coordinator.api;

import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.releasetrain.coordinator.api.ReleaseApiTest.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * With its database out of reach (the datasource points at a port nobody listens on) the coordinator
 * answers every call that needs the database 503 with {@code Retry-After}, in the API's JSON shape: the
 * request was not done and may be made again; 500 stays for faults of the server.
 */
@QuarkusTest
@TestProfile(DatabaseOutageTest.NoDatabase.class)
class DatabaseOutageTest {

    /** Only Kafka; the database at a closed port, nothing that needs it at start-up. */
    public static class NoDatabase implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/releasetrain",
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres",
                    "quarkus.datasource.jdbc.acquisition-timeout", "0.3S",
                    "quarkus.flyway.migrate-at-start", "false",
                    "release-train.relay.enabled", "false",
                    "release-train.results.enabled", "false",
                    "release-train.live-feed.enabled", "false");
        }
    }

    private static void unavailable(io.restassured.response.Response r) {
        r.then().statusCode(503).contentType(ContentType.JSON)
                .header("Retry-After", equalTo(String.valueOf(DatabaseOutage.RETRY_AFTER_SECONDS)))
                .body("status", equalTo(503))
                .body("message", containsString("database is out of reach"));
    }

    @Test
    void everyCallThatNeedsTheDatabaseIs503WithRetryAfter() {
        unavailable(as(TestTokens.VERA).get("/releases"));
        unavailable(as(TestTokens.VERA).get("/releases/1.29.0"));
        unavailable(as(TestTokens.VERA).get("/releases/1.29.0/timeline"));
        unavailable(as(TestTokens.VERA).get("/releases/1.29.0/events"));
        unavailable(as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"runbook\":\"proving\"}").post("/releases"));
        unavailable(as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"reason\":\"x\"}").post("/releases/1.29.0/cancel"));
        unavailable(as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases/1.29.0/steps/git.resolve-head/retry"));
        unavailable(as(TestTokens.BOB).contentType(ContentType.JSON).post("/releases/1.29.0/gates/qa/approve"));
        unavailable(as(TestTokens.VERA).post("/calendar/feed-url"));
        unavailable(as(TestTokens.VERA).delete("/calendar/feed-url"));
        unavailable(given().get("/calendar/feeds/" + "A".repeat(43) + ".ics"));
        // what needs no database still answers, and bad input is still 400, not 503
        as(TestTokens.VERA).get("/releases/not-a-version").then().statusCode(400);
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"reason\":\"a\\u0000b\"}").post("/releases/1.29.0/cancel")
                .then().statusCode(400);
    }
}
