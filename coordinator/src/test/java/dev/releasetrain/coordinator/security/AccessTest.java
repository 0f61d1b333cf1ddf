package dev.releasetrain.coordinator.security;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every API call is authenticated by a bearer token and authorized by role; refusals are JSON in the
 * API's error shape; health stays open; tokens never reach the logs.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class AccessTest {
    static final String WRONG = "test-token-nobody-000000000000";

    final LogCapture capture = new LogCapture();

    @BeforeEach
    void captureLogs() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void anonymousCallsAre401WithAJsonMessageAndABearerChallenge() {
        for (String path : List.of("/releases", "/releases/1.0.0", "/releases/1.0.0/timeline", "/calendar/2026", "/calendar.ics")) {
            given().when().get(path).then().statusCode(401)
                    .contentType(ContentType.JSON)
                    .header("WWW-Authenticate", startsWith("Bearer"))
                    .body("status", equalTo(401))
                    .body("error", equalTo("Unauthorized"))
                    .body("message", equalTo("authentication required: send Authorization: Bearer <token>"));
        }
        given().contentType(ContentType.JSON).body("{\"version\":\"5.0.0\"}").when().post("/releases")
                .then().statusCode(401).body("message", containsString("authentication required"));
        given().contentType(ContentType.JSON).when().post("/releases/5.0.0/steps/git.resolve-head/retry")
                .then().statusCode(401);
    }

    @Test
    void aWrongTokenOrAnotherSchemeIs401() {
        given().header("Authorization", TestTokens.bearer(WRONG)).when().get("/releases").then().statusCode(401)
                .contentType(ContentType.JSON)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("message", equalTo("the credentials were not accepted: send Authorization: Bearer <a valid token>"));
        given().header("Authorization", "Basic YWxpY2U6c2VjcmV0").when().get("/releases").then().statusCode(401);
        given().header("Authorization", TestTokens.bearer(TestTokens.ALICE + "x")).when().get("/calendar/2026").then().statusCode(401);
    }

    @Test
    void aViewerReadsButMayNotStartOrRetryAReleaseAnd403IsJson() {
        given().spec(TestTokens.as(TestTokens.VERA)).when().get("/releases").then().statusCode(200);
        given().spec(TestTokens.as(TestTokens.VERA)).when().get("/calendar/2026").then().statusCode(200);
        given().spec(TestTokens.as(TestTokens.VERA)).contentType(ContentType.JSON).body("{\"version\":\"5.1.0\"}")
                .when().post("/releases")
                .then().statusCode(403)
                .contentType(ContentType.JSON)
                .body("status", equalTo(403))
                .body("error", equalTo("Forbidden"))
                .body("message", equalTo("vera (viewer) may not make this call: it needs the role release-manager"));
        given().spec(TestTokens.as(TestTokens.VERA)).contentType(ContentType.JSON)
                .when().post("/releases/5.1.0/steps/git.resolve-head/retry").then().statusCode(403);
        given().spec(TestTokens.as(TestTokens.ALICE)).when().get("/releases/5.1.0").then().statusCode(404);
    }

    @Test
    void anApproverIsAViewerButNotAReleaseManager() {
        given().spec(TestTokens.as(TestTokens.BOB)).when().get("/releases").then().statusCode(200);
        given().spec(TestTokens.as(TestTokens.BOB)).contentType(ContentType.JSON).body("{\"version\":\"5.2.0\"}")
                .when().post("/releases").then().statusCode(403)
                .body("message", equalTo("bob (approver, viewer) may not make this call: it needs the role release-manager"));
    }

    @Test
    void theCallerIsNamedByTheirTokenWithTheirRoles() {
        given().spec(TestTokens.as(TestTokens.ALICE)).when().get("/test/whoami").then().statusCode(200)
                .body("name", equalTo("alice"))
                .body("releaseManager", equalTo(true))
                .body("approver", equalTo(true))
                .body("viewer", equalTo(true));
        given().spec(TestTokens.as(TestTokens.VERA)).when().get("/test/whoami").then().statusCode(200)
                .body("name", equalTo("vera"))
                .body("releaseManager", equalTo(false));
    }

    @Test
    void anApiEndpointSomeoneForgotToAnnotateStillNeedsAnAuthenticatedCaller() {
        given().when().get("/calendar/probe").then().statusCode(401)
                .contentType(ContentType.JSON)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("message", containsString("authentication required"));
        given().spec(TestTokens.as(TestTokens.VERA)).when().get("/calendar/probe").then().statusCode(200).body(equalTo("reached"));
    }

    @Test
    void healthStaysOpen() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
        given().header("Authorization", TestTokens.bearer(WRONG)).when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void noTokenEverAppearsInTheLogs() {
        given().spec(TestTokens.as(TestTokens.ALICE)).contentType(ContentType.JSON).body("{\"version\":\"5.3.0\"}")
                .when().post("/releases").then().statusCode(202);
        given().spec(TestTokens.as(TestTokens.ALICE)).when().get("/releases/5.3.0/timeline").then().statusCode(200);
        given().spec(TestTokens.as(TestTokens.VERA)).contentType(ContentType.JSON).body("{\"version\":\"5.3.1\"}")
                .when().post("/releases").then().statusCode(403);
        given().spec(TestTokens.as(TestTokens.BOB)).contentType(ContentType.JSON).body("{\"version\":").when().post("/releases")
                .then().statusCode(403);
        given().spec(TestTokens.as(TestTokens.ALICE)).contentType(ContentType.JSON).body("{\"version\":").when().post("/releases")
                .then().statusCode(400);
        given().header("Authorization", TestTokens.bearer(WRONG)).when().get("/releases").then().statusCode(401);

        List<String> lines = List.copyOf(capture.lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("bearer token of alice accepted")),
                "the capture sees the security log (DEBUG in the test profile): " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("matching no configured token")), lines.toString());
        for (String token : List.of(TestTokens.ALICE, TestTokens.VERA, TestTokens.BOB, WRONG)) {
            for (String line : lines) {
                assertFalse(line.contains(token), "a token in the log: " + line);
            }
        }
    }
}
