package dev.releasetrain.coordinator.api;

import dev.releasetrain.coordinator.TestResults;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static dev.releasetrain.coordinator.api.ReleaseApiTest.as;
import static dev.releasetrain.coordinator.api.ReleaseApiTest.startNext;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The limits of the API: a body over the limit is 413, a field too long, holding a control character or a
 * lone surrogate is 400 naming it, a retry's parameters are checked (names, no nulls, sizes, editable by
 * the step); every refusal is JSON and leaves the release's stream as it was.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ApiLimitsTest {

    @Inject
    ReleaseLog log;
    @Inject
    Releases releases;

    private static ValidatableResponse post(String path, String json) {
        return as(TestTokens.ALICE).contentType(ContentType.JSON).body(json).post(path).then().contentType(ContentType.JSON);
    }

    @Test
    void aThreeMegabyteCancelReasonIs413AndTheReleaseRunsOn() {
        String v = startNext("proving", "alice");
        int before = log.read(v).size();
        post("/releases/" + v + "/cancel", "{\"reason\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}")
                .statusCode(413).body("status", equalTo(413)).body("message", containsString("larger than 65536 bytes"));
        post("/releases/" + v + "/cancel", "{\"reason\":\"" + "x".repeat(InputRules.MAX_TEXT + 1) + "\"}")
                .statusCode(400).body("message", allOf(containsString("field 'reason'"), containsString("too long")));
        assertEquals(before, log.read(v).size(), "nothing appended");
        as(TestTokens.ALICE).get("/releases/" + v).then().statusCode(200).body("status", equalTo("running"));
    }

    @Test
    void controlCharactersAndLoneSurrogatesAreRefusedNamingTheField() {
        String v = startNext("proving", "alice");
        int before = log.read(v).size();
        post("/releases/" + v + "/cancel", "{\"reason\":\"stop\\u0000now\"}")
                .statusCode(400).body("message", allOf(containsString("field 'reason'"), containsString("U+0000")));
        post("/releases/" + v + "/cancel", "{\"reason\":\"bad \\ud800 half\"}")
                .statusCode(400).body("message", allOf(containsString("field 'reason'"), containsString("not valid Unicode")));
        post("/releases/" + v + "/gates/qa/approve", "{\"note\":\"ring \\u0007\"}")
                .statusCode(400).body("message", containsString("field 'note'"));
        post("/releases/" + v + "/gates/qa/approve", "{\"evidence\":\"https://ci.example.com/1\\nsecond line\"}")
                .statusCode(400).body("message", allOf(containsString("field 'evidence'"), containsString("one line")));
        post("/releases", "{\"runbook\":\"prov\\u001bing\"}")
                .statusCode(400).body("message", containsString("field 'runbook'"));
        post("/releases/" + v + "/cancel", "{\"reason\":\"x\",\"force\":true}")
                .statusCode(400).body("message", allOf(containsString("field 'force' is not known"), containsString("reason")));
        post("/releases/" + v + "/cancel", "[1,2]")
                .statusCode(400).body("message", containsString("the body must be a JSON object"));
        as(TestTokens.ALICE).header("Last-Event-ID", "-3").get("/releases/" + v + "/events")
                .then().statusCode(400).contentType(ContentType.JSON).body("message", containsString("header 'Last-Event-ID'"));
        assertEquals(before, log.read(v).size(), "nothing appended");
        // a reason for people may span lines
        post("/releases/" + v + "/cancel", "{\"reason\":\"wrong plan:\\n\\tstarted by mistake\"}").statusCode(202);
    }

    @Test
    void aRetryEditsOnlyWhatItsStepDeclaresEditableWithStringsWithinLimits() {
        String v = startNext("editable-retry", "alice");
        StepRequested first = TestResults.lastRequest(log, v);
        assertEquals("git.resolve-head", first.step());
        releases.record(new Envelope(UUID.randomUUID().toString(), "/test/git", v, Instant.now(), null,
                new StepFailed(first.step(), first.attempt(), first.commandId(), "no such ref", false)));
        as(TestTokens.ALICE).get("/releases/" + v).then().statusCode(200).body("status", equalTo("failed"));
        int before = log.read(v).size();
        String retry = "/releases/" + v + "/steps/git.resolve-head/retry";

        post(retry, "{\"params\":{\"k\":null}}").statusCode(400).body("message", containsString("field 'params.k' is null"));
        post(retry, "{\"params\":{\"ref\":null}}").statusCode(400).body("message", containsString("field 'params.ref' is null"));
        post(retry, "{\"params\":{\"branch\":\"x\"}}").statusCode(400)
                .body("message", allOf(containsString("field 'params.branch'"), containsString("editable: ref")));
        post(retry, "{\"params\":{\"ref\":\"x\\u0000\"}}").statusCode(400).body("message", containsString("field 'params.ref'"));
        post(retry, "{\"params\":{\"ref\":\"" + "r".repeat(InputRules.MAX_PARAM_VALUE + 1) + "\"}}").statusCode(400)
                .body("message", allOf(containsString("field 'params.ref'"), containsString("too long")));
        post(retry, "{\"params\":{\"1 bad\":\"x\"}}").statusCode(400).body("message", containsString("is not a parameter name"));
        post(retry, "{\"params\":{\"ref\":{\"nested\":1}}}").statusCode(400).body("message", containsString("field 'params.ref'"));
        post(retry, "{\"params\":\"ref=x\"}").statusCode(400).body("message", containsString("field 'params'"));
        assertEquals(before, log.read(v).size(), "nothing appended");

        post(retry, "{\"reason\":\"the fix is on a branch\",\"params\":{\"ref\":\"fix-1\"}}").statusCode(202);
        StepRequested again = TestResults.lastRequest(log, v);
        assertEquals(2, again.attempt());
        assertEquals("fix-1", again.params().get("ref"));
    }
}
