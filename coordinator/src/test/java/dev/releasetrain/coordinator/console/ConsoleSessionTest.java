package dev.releasetrain.coordinator.console;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.security.LogCapture;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web console's sign-in: a bearer token exchanged for an HttpOnly, SameSite=Strict session cookie that then
 * works on every endpoint with the same roles as the token (the live stream included), changes made with it need
 * the session's CSRF token, and signing out ends it. The console's files are served at / without a token.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ConsoleSessionTest {
    @Inject
    ReleaseLog log;

    record Session(String cookie, String csrf) {
        RequestSpecification change() {
            return given().cookie(SessionCookieMechanism.COOKIE, cookie).header(CsrfCheck.HEADER, csrf).contentType(ContentType.JSON);
        }

        RequestSpecification read() {
            return given().cookie(SessionCookieMechanism.COOKIE, cookie);
        }
    }

    static Session signIn(String token) {
        ExtractableResponse<Response> r = given().header("Authorization", TestTokens.bearer(token)).post("/session")
                .then().statusCode(200).extract();
        assertFalse(r.body().asString().contains(token), "the answer never repeats the token");
        return new Session(r.cookie(SessionCookieMechanism.COOKIE), r.path("csrfToken"));
    }

    @Test
    void theConsoleIsServedWithoutATokenAndOnlyLoadsItsOwnFiles() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("/console/list.js"))
                .header("Content-Security-Policy", containsString("default-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"));
        given().get("/release.html").then().statusCode(200).body(containsString("/console/release.js"));
        given().get("/console/gantt.js").then().statusCode(200).body(containsString("export function gantt"));
        given().get("/new.html").then().statusCode(200).body(containsString("/console/new.js"));
        given().get("/console/new.js").then().statusCode(200).body(containsString("/releases/plan"));
    }

    @Test
    void withoutTheConsolesOidcTenantTheSignInPageOffersOnlyTheTokenForm() {
        given().get("/session/oidc/provider").then().statusCode(404)
                .body("message", containsString("quarkus.oidc.console.tenant-enabled"));
    }

    @Test
    void signingInSetsAnHttpOnlyStrictCookieThatActsAsItsHolderWithTheirRoles() {
        String setCookie = given().header("Authorization", TestTokens.bearer(TestTokens.VERA)).post("/session")
                .then().statusCode(200)
                .body("name", equalTo("vera")).body("roles", hasItems("viewer"))
                .extract().header("Set-Cookie");
        assertTrue(setCookie.contains("HttpOnly"), setCookie);
        assertTrue(setCookie.matches("(?i).*SameSite=Strict.*"), setCookie);
        assertTrue(setCookie.contains("Path=/"), setCookie);
        assertFalse(setCookie.contains("Secure"), "no Secure flag over plain http (the browser would drop it): " + setCookie);
        assertFalse(setCookie.contains(TestTokens.VERA), "the cookie is a session id, not the token");

        Session vera = signIn(TestTokens.VERA);
        vera.read().get("/session").then().statusCode(200).body("name", equalTo("vera")).body("csrfToken", equalTo(vera.csrf()));
        vera.read().get("/releases").then().statusCode(200);
        long before = log.count();
        vera.change().body("{\"runbook\":\"gated\"}").post("/releases").then().statusCode(403)
                .body("message", containsString("it needs the role release-manager"));
        assertEquals(before, log.count(), "a refused change appends nothing");

        given().post("/session").then().statusCode(401);
        given().header("Authorization", "Bearer test-token-nobody-000000000000").post("/session").then().statusCode(401);
        given().cookie(SessionCookieMechanism.COOKIE, "A".repeat(43)).get("/releases").then().statusCode(401);
    }

    @Test
    void aChangeWithTheCookieNeedsTheSessionsCsrfTokenAndGatesApplyTheirRules() {
        Session alice = signIn(TestTokens.ALICE);
        long before = log.count();
        given().cookie(SessionCookieMechanism.COOKIE, alice.cookie()).contentType(ContentType.JSON).body("{\"runbook\":\"gated\"}")
                .post("/releases").then().statusCode(403).body("message", containsString("X-CSRF-Token"));
        given().cookie(SessionCookieMechanism.COOKIE, alice.cookie()).header(CsrfCheck.HEADER, signIn(TestTokens.ALICE).csrf())
                .contentType(ContentType.JSON).body("{\"runbook\":\"gated\"}")
                .post("/releases").then().statusCode(403).body("message", containsString("X-CSRF-Token"));
        assertEquals(before, log.count(), "nothing was started without the session's own CSRF token");

        String v = alice.change().body("{\"runbook\":\"gated\"}").post("/releases").then().statusCode(202)
                .extract().path("version");
        alice.read().get("/releases/" + v + "/timeline").then().body("startedBy", equalTo("alice"));
        alice.change().post("/releases/" + v + "/gates/qa/approve").then().statusCode(403)
                .body("message", containsString("alice started release " + v));
        Session bob = signIn(TestTokens.BOB);
        bob.change().body("{\"note\":\"no blockers\"}").post("/releases/" + v + "/gates/qa/approve").then().statusCode(202);
        bob.read().get("/releases/" + v + "/timeline").then().statusCode(200)
                .body("steps[0].gate.approver", equalTo("bob")).body("steps[0].gate.note", equalTo("no blockers"));

        // the live stream (EventSource sends no headers): the cookie is enough; a cancelled release's stream ends
        alice.change().body("{\"reason\":\"console test\"}").post("/releases/" + v + "/cancel").then().statusCode(202);
        bob.read().accept("text/event-stream").get("/releases/" + v + "/events").then().statusCode(200)
                .body(containsString("event:GateApproved")).body(containsString("event:ReleaseCancelled"));
    }

    @Test
    void neitherTheTokenNorTheSessionIdNorTheCsrfTokenReachesTheLogs() {
        LogCapture capture = new LogCapture();
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
        try {
            Session carol = signIn(TestTokens.CAROL);
            carol.read().get("/releases").then().statusCode(200);
            given().cookie(SessionCookieMechanism.COOKIE, carol.cookie()).contentType(ContentType.JSON).body("{}")
                    .post("/releases").then().statusCode(403);
            carol.change().delete("/session").then().statusCode(204);
            carol.read().get("/session").then().statusCode(401);
            String logged = String.join("\n", capture.lines);
            assertTrue(logged.contains("carol"), "the capture sees the security log (DEBUG in the test profile): " + logged);
            for (String secret : new String[]{TestTokens.CAROL, carol.cookie(), carol.csrf()}) {
                assertFalse(logged.contains(secret), "a secret in the logs: " + logged);
            }
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
    }

    @Test
    void signingOutEndsTheSessionAndABearerTokenNeverNeedsTheCsrfToken() {
        Session alice = signIn(TestTokens.ALICE);
        alice.read().get("/releases").then().statusCode(200);
        given().cookie(SessionCookieMechanism.COOKIE, alice.cookie()).delete("/session").then().statusCode(403);
        alice.read().get("/releases").then().statusCode(200);
        String cleared = alice.change().delete("/session").then().statusCode(204).extract().header("Set-Cookie");
        assertTrue(cleared.contains("Max-Age=0"), cleared);
        alice.read().get("/releases").then().statusCode(401);
        alice.read().get("/session").then().statusCode(401);

        given().header("Authorization", TestTokens.bearer(TestTokens.ALICE)).cookie(SessionCookieMechanism.COOKIE, alice.cookie())
                .contentType(ContentType.JSON).body("{\"runbook\":\"gated\"}").post("/releases").then().statusCode(202);
    }
}
