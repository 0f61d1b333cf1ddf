package dev.releasetrain.coordinator.api;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Starts the next minor release of {@code runbook} as {@code user}; returns its version. */
    static String startNext(String runbook, String user) {
        return as(TestTokens.ALICE).contentType(ContentType.JSON)
                .body("{\"runbook\":\"" + runbook + "\"}")
                .when().post("/releases")
                .then().statusCode(202).extract().path("version");
    }

    static io.restassured.specification.RequestSpecification as(String token) {
        return given().header("Authorization", TestTokens.bearer(token));
    }

    @Test
    void startingAReleaseAnswers202WithItsLocationAndRequestsTheFirstStep() {
        String version = as(TestTokens.ALICE).contentType(ContentType.JSON)
                .body("{\"runbook\":\"proving\"}")
                .when().post("/releases")
                .then().statusCode(202)
                .body("status", equalTo("running"))
                .body("kind", equalTo("proving"))
                .body("steps[0].step", equalTo("git.resolve-head"))
                .body("steps[0].status", equalTo("requested"))
                .extract().path("version");
        as(TestTokens.ALICE).when().get("/releases/" + version).then().statusCode(200)
                .body("variables.releaseBranch", equalTo("release-" + version))
                .body("variables.owner", org.hamcrest.Matchers.oneOf("alice", "bob", "carol")); // the calendar's rotation
        as(TestTokens.ALICE).when().get("/releases/" + version + "/timeline").then().statusCode(200)
                .body("startedBy", equalTo("alice"))
                .body("steps[0].attempts[0].commandId", equalTo(version + "/git.resolve-head/1"))
                .body("steps[0].attempts[0].params.version", equalTo(version));
        as(TestTokens.ALICE).when().get("/releases").then().statusCode(200).body("version", org.hamcrest.Matchers.hasItem(version));
    }

    @Test
    void withoutAVersionTheNextMinorStartsOnTheMonthlyPlan() {
        String version = as(TestTokens.ALICE).contentType(ContentType.JSON).body("{}").post("/releases")
                .then().statusCode(202).header("Location", containsString("/releases/1."))
                .body("runbook", equalTo("monthly-minor"))
                .body("steps[0].step", equalTo("notify.announce-code-freeze"))
                .extract().path("version");
        assertTrue(version.matches("1\\.(29|[3-9]\\d)\\.0"), version);
    }

    @Test
    void aPlanAppendsNothingResolvesEveryStepAndSaysWhatItCouldNotPlan() {
        long before = log.count();
        io.restassured.response.ValidatableResponse plan = as(TestTokens.ALICE).contentType(ContentType.JSON)
                .body("{\"version\":\"7.1.0\"}").post("/releases/plan").then().statusCode(200)
                .body("version", equalTo("7.1.0"))
                .body("runbook", equalTo("monthly-minor"))
                .body("dates.breakTheRelease", org.hamcrest.Matchers.notNullValue())
                .body("variables.releaseBranch", equalTo("release-7.1.0"))
                .body("steps[0].step", equalTo("notify.announce-code-freeze"))
                .body("steps[0].params.releaseBranch", equalTo("release-7.1.0"))
                .body("steps.find { it.step == 'break-the-release' }.binds.releaseBranchCommit",
                        org.hamcrest.Matchers.hasItem("git.cherry-pick-fixes.head"))
                // no git service is configured here: its steps are listed, not planned, and say why
                .body("steps.find { it.step == 'git.bump-version' }.planned", equalTo(false))
                .body("steps.find { it.step == 'git.bump-version' }.note", containsString("release-train.plan.services.git"))
                .body("steps.find { it.step == 'git.bump-version' }.params.base", equalTo("<git.cut-release-branch.commit>"))
                .body("notPlanned", org.hamcrest.Matchers.hasItem("deploy.upgrade-playground"));
        assertEquals(before, log.count(), "a plan appends nothing");
        as(TestTokens.ALICE).get("/releases/7.1.0").then().statusCode(404);
        as(TestTokens.VERA).contentType(ContentType.JSON).body("{}").post("/releases/plan").then().statusCode(403);
        String started = startNext("proving", "alice");
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"" + started + "\"}").post("/releases/plan")
                .then().statusCode(409).body("message", containsString(started));
        plan.body("steps.size()", equalTo(24));
    }

    @Test
    void aSecondReleaseOfTheSameVersionIsRefusedWith409() {
        String version = startNext("proving", "alice");
        long before = log.count();
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"" + version + "\"}")
                .when().post("/releases")
                .then().statusCode(409).body("message", equalTo("release " + version + " already exists"));
        assertEquals(before, log.count());
    }

    @Test
    void twoConcurrentStartsOfOneVersionGiveExactlyOneRelease() throws Exception {
        // The next minor nobody has started yet: one above the newest release so far.
        String newest = startNext("proving", "alice");
        String[] p = newest.split("\\.");
        String next = p[0] + "." + (Integer.parseInt(p[1]) + 1) + ".0";
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return as(TestTokens.ALICE).contentType(ContentType.JSON)
                            .body("{\"version\":\"" + next + "\",\"runbook\":\"proving\"}")
                            .post("/releases").statusCode();
                }));
            }
            go.countDown();
            java.util.List<Integer> codes = new java.util.ArrayList<>();
            for (var a : answers) {
                codes.add(a.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, codes.stream().filter(c -> c == 202).count(), codes.toString());
            assertEquals(3, codes.stream().filter(c -> c == 409).count(), codes.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, log.read(next).stream().filter(e -> e.data() instanceof dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted).count());
    }

    @Test
    void versionsThatDoNotFollowTheReleasedOnesAreRefusedWithTheReason() {
        long before = log.count();
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"1.28.0\"}").post("/releases")
                .then().statusCode(400).body("message", containsString("is not greater than"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"9.0.1\"}").post("/releases")
                .then().statusCode(400).body("message", containsString("a minor release ends in .0"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"1.40.1\",\"kind\":\"patch\"}").post("/releases")
                .then().statusCode(400).body("message", equalTo("field 'version': no release of 1.40 exists to patch"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"kind\":\"major\"}").post("/releases")
                .then().statusCode(400).body("message", containsString("field 'kind'"));
        assertEquals(before, log.count());
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"1.28.4\",\"kind\":\"patch\"}").post("/releases")
                .then().statusCode(202).body("runbook", equalTo("patch")).body("variables.releaseBranch", equalTo("release-1.28.4"))
                .body("variables.fromRef", equalTo("refs/tags/1.28.3"));
    }

    @Test
    void theRunbookFollowsFromTheKindOfRelease() {
        long before = log.count();
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"1.90.0\",\"runbook\":\"patch\"}").post("/releases")
                .then().statusCode(400).body("message", equalTo("field 'runbook': 'patch' is a plan for patch releases;"
                        + " a minor release runs 'monthly-minor'"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"1.28.90\",\"kind\":\"patch\",\"runbook\":\"monthly-minor\"}")
                .post("/releases").then().statusCode(400).body("message", containsString("field 'runbook'"));
        assertEquals(before, log.count());
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"1.90.0\",\"runbook\":\"gated\"}").post("/releases")
                .then().statusCode(202).body("kind", equalTo("minor"));
    }

    @Test
    void aProvingRunIsMarkedAndNeverCountsAsARelease() {
        String proving = "1.950.0";
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"" + proving + "\",\"runbook\":\"proving\"}")
                .post("/releases").then().statusCode(202).body("kind", equalTo("proving")).body("variables.kind", equalTo("proving"));
        String next = as(TestTokens.ALICE).contentType(ContentType.JSON).body("{}").post("/releases")
                .then().statusCode(202).body("kind", equalTo("minor")).extract().path("version");
        assertTrue(dev.releasetrain.coordinator.release.Versions.ORDER.compare(next, proving) < 0,
                "the next minor counts from the releases, not from the proving run: " + next);
        String previous = as(TestTokens.ALICE).get("/releases/" + next).then().extract().path("variables.previousVersion");
        assertTrue(!proving.equals(previous), previous);
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"" + proving + "\"}").post("/releases")
                .then().statusCode(409).body("message", equalTo("release " + proving + " already exists"));
    }

    @Test
    void gatesAreApprovedByTheRightPeopleAndTheTimelineSaysWhoWhenAndWhy() {
        String v = startNext("gated", "alice");
        String owner = as(TestTokens.ALICE).get("/releases/" + v).then().extract().path("variables.owner");
        String notOwner = owner.equals("bob") ? TestTokens.CAROL : TestTokens.BOB;
        as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases/" + v + "/gates/qa/approve")
                .then().statusCode(403).body("message", containsString("alice started release " + v));
        as(TestTokens.VERA).contentType(ContentType.JSON).post("/releases/" + v + "/gates/qa/approve")
                .then().statusCode(403);
        as(TestTokens.BOB).contentType(ContentType.JSON).post("/releases/" + v + "/gates/launch/approve")
                .then().statusCode(409).body("message", containsString("has not opened yet"));
        as(TestTokens.BOB).contentType(ContentType.JSON).post("/releases/" + v + "/gates/nope/approve")
                .then().statusCode(404);
        as(TestTokens.BOB).contentType(ContentType.JSON)
                .body("{\"note\":\"no blockers\",\"evidence\":\"https://qa.example/1\"}")
                .post("/releases/" + v + "/gates/qa/approve").then().statusCode(202);
        as(notOwner).contentType(ContentType.JSON).post("/releases/" + v + "/gates/launch/approve")
                .then().statusCode(403).body("message", containsString("only the release owner (" + owner + ")"));
        as(TestTokens.of(owner)).contentType(ContentType.JSON).post("/releases/" + v + "/gates/launch/approve")
                .then().statusCode(202).body("steps.find { it.step == 'notify.done' }.status", equalTo("requested"));
        as(TestTokens.VERA).get("/releases/" + v + "/timeline").then().statusCode(200)
                .body("steps[0].gate.approver", equalTo("bob"))
                .body("steps[0].gate.note", equalTo("no blockers"))
                .body("steps[0].gate.evidence", equalTo("https://qa.example/1"))
                .body("steps[1].gate.approver", equalTo(owner));
    }

    @Test
    void aCancelledReleaseSaysWhoCancelledItAndCannotBeCancelledTwice() {
        String v = startNext("gated", "alice");
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"reason\":\"postponed\"}")
                .post("/releases/" + v + "/cancel").then().statusCode(202)
                .body("status", equalTo("cancelled")).body("reason", equalTo("cancelled by alice: postponed"));
        long before = log.count();
        as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases/" + v + "/cancel").then().statusCode(409);
        as(TestTokens.BOB).contentType(ContentType.JSON).post("/releases/" + v + "/gates/qa/approve")
                .then().statusCode(409);
        as(TestTokens.BOB).contentType(ContentType.JSON).post("/releases/" + v + "/cancel")
                .then().statusCode(403);
        assertEquals(before, log.count());
    }

    @Test
    void badBodiesAreRefusedWith400NamingTheFieldAndAppendNothing() {
        long before = log.count();
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\"1.29\"}").post("/releases")
                .then().statusCode(400).body("message", containsString("field 'version' must be a version MAJOR.MINOR.PATCH"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":\" \"}").post("/releases")
                .then().statusCode(400).body("message", equalTo("field 'version' is required, e.g. \"1.29.0\""));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":").post("/releases")
                .then().statusCode(400).body("message", containsString("not valid JSON"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"version\":[1]}").post("/releases")
                .then().statusCode(400).body("message", equalTo("field 'version' has the wrong type"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"runbook\":\"nope\"}").post("/releases")
                .then().statusCode(400).body("message", containsString("field 'runbook'"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases")
                .then().statusCode(400).body("message", containsString("the body must be JSON"));
        assertEquals(before, log.count());
    }

    @Test
    void unknownReleasesAndStepsAre404AndRetryingAStepThatDidNotFailIs409() {
        long before = log.count();
        as(TestTokens.ALICE).get("/releases/9.9.9").then().statusCode(404).body("message", equalTo("no release 9.9.9"));
        as(TestTokens.ALICE).get("/releases/9.9.9/timeline").then().statusCode(404);
        as(TestTokens.ALICE).get("/releases/not-a-version").then().statusCode(400).body("message", containsString("field 'version'"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases/9.9.9/steps/git.resolve-head/retry").then().statusCode(404);
        assertEquals(before, log.count());

        String v = startNext("proving", "alice");
        long afterStart = log.count();
        as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases/" + v + "/steps/git.nope/retry")
                .then().statusCode(404).body("message", equalTo("release " + v + " has no step 'git.nope'"));
        as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases/" + v + "/steps/deploy.list-pods/retry")
                .then().statusCode(409).body("message", containsString("only a failed or timed-out step can be retried"));
        as(TestTokens.ALICE).header("Last-Event-ID", "abc").get("/releases/" + v + "/events")
                .then().statusCode(400).body("message", containsString("Last-Event-ID"));
        assertEquals(afterStart, log.count());
    }
}
