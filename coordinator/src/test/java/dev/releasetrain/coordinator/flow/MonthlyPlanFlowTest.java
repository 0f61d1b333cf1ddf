package dev.releasetrain.coordinator.flow;

import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.Awaitility;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import dev.releasetrain.coordinator.security.TestTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole monthly plan on real Kafka and PostgreSQL (relay included), with no-op workers that
 * answer every command at once, except the first attempt of deploy.await-unstable-image, which
 * stays silent until its (shortened) deadline passes and the retry policy tries again. The cherry-pick after
 * break-the-release moves the release branch, which voids that approval until it is given again.
 */
@QuarkusTest
@TestProfile(MonthlyPlanFlowTest.ShortDeadline.class)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class MonthlyPlanFlowTest {
    static final String SILENT_STEP = "deploy.await-unstable-image";

    /** The built-in monthly plan, with the silent step's deadline cut from 45 minutes to 3 seconds. */
    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try (InputStream in = MonthlyPlanFlowTest.class.getResourceAsStream("/runbooks/monthly-minor.yaml")) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                String shortened = text.replace("  - id: deploy.await-unstable-image\n    phase: pre-release\n    needs: [git.push-release-branch]\n    timeout: 45m\n    retry: { maxAttempts: 2, backoff: 30s }",
                        "  - id: deploy.await-unstable-image\n    phase: pre-release\n    needs: [git.push-release-branch]\n    timeout: 3s\n    retry: { maxAttempts: 2, backoff: 1s }");
                if (shortened.equals(text)) {
                    throw new IllegalStateException("the monthly plan changed: update the test's deadline override");
                }
                Path file = Files.createTempFile("monthly-minor-", ".yaml");
                Files.writeString(file, shortened);
                return Map.of("release-train.runbooks.files", "src/test/resources/runbooks/gated.yaml," + file);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Each command's step -> the topic it came on and the handler it named (the step's own when none). */
    private final Map<String, String> delivered = new ConcurrentHashMap<>();
    private Thread worker;

    /** Answers every command like a service whose steps do nothing, publishing to release.results. */
    private void startNoOpWorkers(String release) {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "noop-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Set<String> answered = ConcurrentHashMap.newKeySet();
        worker = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                consumer.subscribe(Pattern.compile("release\\.commands\\..*"));
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        Map<String, String> headers = new HashMap<>();
                        for (Header h : r.headers()) {
                            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                        }
                        Envelope e = CloudEventCodec.decode(headers, r.value());
                        if (!release.equals(e.releaseId()) || !(e.data() instanceof StepRequested cmd) || !answered.add(cmd.commandId())) {
                            continue; // another test's release, or a redelivery
                        }
                        delivered.put(cmd.step(), r.topic() + " " + cmd.handler());
                        send(producer, release, new ReleaseEvent.StepStarted(cmd.step(), cmd.attempt(), cmd.commandId(), "noop"));
                        if (cmd.step().equals(SILENT_STEP) && cmd.attempt() == 1) {
                            continue; // silent: the deadline must catch it
                        }
                        // the first cherry-pick picks a fix: the release branch moves on from the pushed commit, and
                        // the late cherry-pick and the tag find it there
                        Map<String, Object> outputs = switch (cmd.step()) {
                            case "git.cherry-pick-fixes" -> Map.of("head", "c0ffee-picked", "picked", List.of(Map.of("pullRequest", 5996)));
                            case "git.cherry-pick-late-fixes" -> Map.of("head", "c0ffee-picked", "picked", List.of(Map.of("pullRequest", 5996)));
                            case "git.tag-release" -> Map.of("tag", release, "commit", "c0ffee-picked");
                            default -> Map.of("commit", "c0ffee" + cmd.attempt(), "digest", "sha256:abc");
                        };
                        send(producer, release, new ReleaseEvent.StepSucceeded(cmd.step(), cmd.attempt(), cmd.commandId(), outputs));
                    }
                }
            }
        }, "noop-workers");
        worker.start();
    }

    private static void send(KafkaProducer<String, byte[]> producer, String release, ReleaseEvent event) {
        var encoded = CloudEventCodec.encode(Envelope.of("/test/noop-worker", release, event));
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RESULTS, release, encoded.body());
        encoded.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(record);
    }

    @AfterEach
    void stopWorkers() throws InterruptedException {
        running.set(false);
        if (worker != null) {
            worker.join(10_000);
        }
    }

    @Test
    void theMonthlyPlanRunsInOrderWithParallelStepsBothGatesAndATimedOutStepRetried() {
        String v = as(TestTokens.ALICE).contentType(ContentType.JSON).body("{}")
                .post("/releases").then().statusCode(202).extract().path("version");
        startNoOpWorkers(v);

        awaitStep(v, "break-the-release", "awaiting-approval");
        as(TestTokens.ALICE).contentType(ContentType.JSON).post("/releases/" + v + "/gates/break-the-release/approve")
                .then().statusCode(403);
        as(TestTokens.BOB).contentType(ContentType.JSON).body("{\"note\":\"QA session: no blockers\"}")
                .post("/releases/" + v + "/gates/break-the-release/approve").then().statusCode(202);
        // the cherry-pick moved the branch the session tested: the approval is void and the gate waits again
        awaitStep(v, "break-the-release", "awaiting-approval");
        assertEquals("the approval by bob no longer holds: releaseBranchCommit changed from c0ffee1 to c0ffee-picked"
                        + " (git.cherry-pick-fixes.head)",
                as(TestTokens.VERA).get("/releases/" + v).then().extract().path("steps.find { it.step == 'break-the-release' }.reason"));
        assertEquals("pending", as(TestTokens.VERA).get("/releases/" + v).then().extract()
                .path("steps.find { it.step == 'release-day' }.status"), "nothing after the voided gate runs");
        as(TestTokens.BOB).contentType(ContentType.JSON).body("{\"note\":\"QA session again, on the picked fix\"}")
                .post("/releases/" + v + "/gates/break-the-release/approve").then().statusCode(202);
        awaitStep(v, "release-day", "awaiting-approval");
        String owner = as(TestTokens.VERA).get("/releases/" + v).then().extract().path("variables.owner");
        as(TestTokens.of(owner)).contentType(ContentType.JSON).body("{\"note\":\"launching early\"}")
                .post("/releases/" + v + "/gates/release-day/approve").then().statusCode(202);
        await(() -> "completed".equals(as(TestTokens.VERA).get("/releases/" + v).then().extract().path("status")) ? true : null,
                () -> "release never completed: " + as(TestTokens.VERA).get("/releases/" + v).asString());

        JsonPath t = as(TestTokens.VERA).get("/releases/" + v + "/timeline").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> steps = t.getList("steps");
        assertEquals(24, steps.size(), "every step of the monthly plan");
        Map<String, Instant> requested = new HashMap<>();
        Map<String, Instant> ended = new HashMap<>();
        for (Map<String, Object> s : steps) {
            String id = (String) s.get("step");
            @SuppressWarnings("unchecked") Map<String, Object> gate = (Map<String, Object>) s.get("gate");
            if (gate != null) {
                requested.put(id, Instant.parse((String) gate.get("openedAt")));
                ended.put(id, Instant.parse((String) gate.get("approvedAt")));
            } else {
                @SuppressWarnings("unchecked") List<Map<String, Object>> attempts = (List<Map<String, Object>>) s.get("attempts");
                requested.put(id, Instant.parse((String) attempts.get(0).get("requestedAt")));
                ended.put(id, Instant.parse((String) attempts.get(attempts.size() - 1).get("endedAt")));
            }
        }
        // Order: nothing was asked for before everything it depends on had finished.
        assertFalse(requested.get("git.cut-release-branch").isBefore(ended.get("notify.announce-code-freeze")));
        assertFalse(requested.get("git.bump-chart").isBefore(ended.get("deploy.await-release-image")));
        assertFalse(requested.get("git.sync-version").isBefore(ended.get("notify.publish-release-post")));
        assertFalse(requested.get("git.tag-release").isBefore(ended.get("release-day")));
        // the cherry-pick followed the first approval, which it then voided; release-day followed the second
        Instant firstApproval = Instant.parse(t.getString("steps.find { it.step == 'break-the-release' }.gate.voided[0].approvedAt"));
        assertFalse(requested.get("git.cherry-pick-fixes").isBefore(firstApproval));
        assertFalse(requested.get("release-day").isBefore(ended.get("break-the-release")));
        // Fixes labelled late are picked again on release day, right before the tag.
        assertFalse(requested.get("git.cherry-pick-late-fixes").isBefore(ended.get("release-day")));
        assertFalse(requested.get("git.tag-release").isBefore(ended.get("git.cherry-pick-late-fixes")));
        assertEquals("git.cherry-pick-fixes", t.getString("steps.find { it.step == 'git.cherry-pick-late-fixes' }.action"),
                "its own row in the timeline, run by the cherry-pick handler");
        assertEquals("git", t.getString("steps.find { it.step == 'git.cherry-pick-late-fixes' }.service"));
        assertEquals("release.commands.git git.cherry-pick-fixes", delivered.get("git.cherry-pick-late-fixes"),
                "the git service was asked to run the cherry-pick handler for the late node");
        assertEquals("release.commands.git git.cherry-pick-fixes", delivered.get("git.cherry-pick-fixes"));
        assertEquals("git.cherry-pick-fixes", as(TestTokens.VERA).get("/releases/" + v).then().extract()
                .path("steps.find { it.step == 'git.cherry-pick-late-fixes' }.action"), "the status names the node and its handler");
        // The CDN is invalidated only once the sync PR is merged.
        assertFalse(requested.get("git.await-sync-merge").isBefore(ended.get("git.sync-version")));
        assertFalse(requested.get("cdn.invalidate").isBefore(ended.get("git.await-sync-merge")));
        // Parallel: the changelog and the version bump were requested in the same decision.
        assertEquals(requested.get("git.collect-changelog"), requested.get("git.bump-version"));
        // Both gates, with who approved and why.
        assertEquals("bob", t.getString("steps.find { it.step == 'break-the-release' }.gate.approver"));
        assertEquals("QA session again, on the picked fix", t.getString("steps.find { it.step == 'break-the-release' }.gate.note"));
        assertEquals("c0ffee-picked", t.getString("steps.find { it.step == 'break-the-release' }.gate.bound.releaseBranchCommit"));
        assertEquals("bob", t.getString("steps.find { it.step == 'break-the-release' }.gate.voided[0].approver"));
        assertTrue(t.getString("steps.find { it.step == 'break-the-release' }.gate.voided[0].reason")
                .contains("releaseBranchCommit changed from c0ffee1 to c0ffee-picked"));
        assertEquals(owner, t.getString("steps.find { it.step == 'release-day' }.gate.approver"));
        assertTrue(t.getLong("waits.humanWaitMs") > 0);
        // The silent step timed out and the retry policy tried again.
        assertEquals(List.of("timed-out", "succeeded"), t.getList("steps.find { it.step == '" + SILENT_STEP + "' }.attempts.status"));
        assertEquals("retry-policy", t.getString("steps.find { it.step == '" + SILENT_STEP + "' }.attempts[1].retryRequestedBy"));
        assertEquals("notify.newsletter", t.getList("criticalPath").get(t.getList("criticalPath").size() - 1));
    }

    static io.restassured.specification.RequestSpecification as(String token) {
        return given().header("Authorization", TestTokens.bearer(token));
    }

    private static void awaitStep(String v, String step, String status) {
        await(() -> status.equals(as(TestTokens.VERA).get("/releases/" + v).then().extract()
                        .path("steps.find { it.step == '" + step + "' }.status")) ? true : null,
                () -> step + " never reached " + status + ": " + as(TestTokens.VERA).get("/releases/" + v).asString());
    }

    private static <T> T await(Supplier<T> probe, Supplier<String> failure) {
        try {
            return Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(probe::get, java.util.Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            fail(failure.get());
            return null;
        }
    }
}
