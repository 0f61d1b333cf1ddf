package dev.releasetrain.coordinator.api;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The REST API's answers to good and bad input, on a real PostgreSQL and Kafka. Every refused
 * request leaves the release log exactly as it was.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ReleaseApiTest {

    @Inject
    ReleaseLog log;

    @BeforeEach
    void authenticateAsAlice() {
        RestAssured.requestSpecification = TestTokens.as(TestTokens.ALICE); // release-manager + approver
    }

    @AfterEach
    void forget() {
        RestAssured.requestSpecification = null;
    }

    @Test
    void startingAReleaseAnswers202WithItsLocationAndRequestsTheFirstStep() {
        given().contentType(ContentType.JSON).header("X-Release-Train-User", "alice").body("{\"version\":\"2.0.0\"}")
                .when().post("/releases")
                .then().statusCode(202)
                .header("Location", endsWith("/releases/2.0.0"))
                .body("version", equalTo("2.0.0"))
                .body("status", equalTo("running"))
                .body("steps[0].step", equalTo("git.resolve-head"))
                .body("steps[0].status", equalTo("requested"));
        given().when().get("/releases/2.0.0/timeline").then().statusCode(200)
                .body("startedBy", equalTo("alice"))
                .body("steps[0].attempts[0].commandId", equalTo("2.0.0/git.resolve-head/1"));
        given().when().get("/releases").then().statusCode(200).body("version", org.hamcrest.Matchers.hasItem("2.0.0"));
    }

    @Test
    void aSecondReleaseOfTheSameVersionIsRefusedWith409() {
        given().contentType(ContentType.JSON).body("{\"version\":\"2.1.0\"}").post("/releases").then().statusCode(202);
        long before = log.count();
        given().contentType(ContentType.JSON).body("{\"version\":\"2.1.0\"}")
                .when().post("/releases")
                .then().statusCode(409).body("message", equalTo("release 2.1.0 already exists"));
        assertEquals(before, log.count());
    }

    @Test
    void badBodiesAreRefusedWith400NamingTheFieldAndAppendNothing() {
        long before = log.count();
        given().contentType(ContentType.JSON).body("{\"version\":\"1.29\"}").post("/releases")
                .then().statusCode(400).body("message", containsString("field 'version' must be a version MAJOR.MINOR.PATCH"));
        given().contentType(ContentType.JSON).body("{}").post("/releases")
                .then().statusCode(400).body("message", equalTo("field 'version' is required, e.g. \"1.29.0\""));
        given().contentType(ContentType.JSON).body("{\"version\":").post("/releases")
                .then().statusCode(400).body("message", containsString("not valid JSON"));
        given().contentType(ContentType.JSON).body("{\"version\":[1]}").post("/releases")
                .then().statusCode(400).body("message", equalTo("field 'version' has the wrong type"));
        given().contentType(ContentType.JSON).body("{\"version\":\"3.0.0\",\"runbook\":\"nope\"}").post("/releases")
                .then().statusCode(400).body("message", containsString("field 'runbook'"));
        given().contentType(ContentType.JSON).post("/releases")
                .then().statusCode(400).body("message", containsString("the body must be JSON"));
        assertEquals(before, log.count());
    }

    @Test
    void unknownReleasesAndStepsAre404AndRetryingAStepThatDidNotFailIs409() {
        long before = log.count();
        given().get("/releases/9.9.9").then().statusCode(404).body("message", equalTo("no release 9.9.9"));
        given().get("/releases/9.9.9/timeline").then().statusCode(404);
        given().get("/releases/not-a-version").then().statusCode(400).body("message", containsString("field 'version'"));
        given().contentType(ContentType.JSON).post("/releases/9.9.9/steps/git.resolve-head/retry").then().statusCode(404);
        assertEquals(before, log.count());

        given().contentType(ContentType.JSON).body("{\"version\":\"2.2.0\"}").post("/releases").then().statusCode(202);
        long afterStart = log.count();
        given().contentType(ContentType.JSON).post("/releases/2.2.0/steps/git.nope/retry")
                .then().statusCode(404).body("message", equalTo("release 2.2.0 has no step 'git.nope'"));
        given().contentType(ContentType.JSON).post("/releases/2.2.0/steps/deploy.list-pods/retry")
                .then().statusCode(409).body("message", containsString("only a failed or timed-out step can be retried"));
        given().header("Last-Event-ID", "abc").get("/releases/2.2.0/events")
                .then().statusCode(400).body("message", containsString("Last-Event-ID"));
        assertEquals(afterStart, log.count());
    }
}
