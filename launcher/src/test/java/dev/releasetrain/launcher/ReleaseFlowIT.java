package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.awaitility.core.ConditionTimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End to end, on real parts: the embedded Kafka broker and PostgreSQL, the sandbox stand-ins, and
 * the coordinator and the four services each running as its own packaged process; on the stack it shares with
 * {@link CliIT} ({@link SharedStack}), whose minor releases run the monthly runbook: these run the proving plan.
 */
@ExtendWith(SharedStack.class)
@Order(2) // after CliIT on the shared stack
class ReleaseFlowIT {
    static final List<String> PROVING = List.of("git.resolve-head", "deploy.list-pods", "cdn.read-distribution", "notify.post-message");
    static Stack stack;
    static ReleaseClient api;

    /** The next minor release, on the proving plan. */
    static final String START_PROVING = "{\"runbook\":\"proving\"}";

    @BeforeAll
    static void startStack(Stack shared) {
        stack = shared;
        api = new ReleaseClient(stack.coordinatorUrl(), "alice", stack.apiToken("alice"));
    }

    @Test
    void aReleaseFlowsThroughEveryServiceInDependencyOrder() {
        ReleaseClient.Answer started = api.post("/releases", START_PROVING);
        assertEquals(202, started.status(), started.message());
        String v = started.body().path("version").asText();
        assertTrue(started.location().endsWith("/releases/" + v), started.location());

        JsonNode release = awaitStatus(v, "completed");
        JsonNode timeline = api.get("/releases/" + v + "/timeline").body();
        assertEquals("completed", timeline.path("status").asText());
        List<String> order = new ArrayList<>();
        Instant previousEnd = null;
        for (JsonNode step : timeline.path("steps")) {
            order.add(step.path("step").asText());
            assertEquals(1, step.path("attempts").size(), "each step ran once: " + step);
            JsonNode a = step.path("attempts").get(0);
            assertEquals("succeeded", a.path("status").asText());
            Instant requested = Instant.parse(a.path("requestedAt").asText());
            Instant start = Instant.parse(a.path("startedAt").asText());
            Instant end = Instant.parse(a.path("endedAt").asText());
            assertFalse(start.isAfter(end), "started before it ended: " + step);
            if (previousEnd != null) {
                assertFalse(requested.isBefore(previousEnd), step.path("step").asText() + " requested before its dependency ended");
            }
            previousEnd = end;
        }
        assertEquals(PROVING, order);
        assertEquals(SandboxFacts.headCommit(stack.sandbox(), "posthog", "master"),
                release.path("steps").get(0).path("outputs").path("commit").asText());
        assertEquals(1, stack.sandbox().slackMessages("#releases").stream().filter(m -> m.text().contains(v)).count());
    }

    private static String startNext() {
        ReleaseClient.Answer started = api.post("/releases", START_PROVING);
        assertEquals(202, started.status(), started.message());
        return started.body().path("version").asText();
    }

    @Test
    void aFailedStepRetriedOverRestCompletesTheReleaseAndTheTimelineKeepsBothAttempts() {
        stack.sandbox().failNext("slack", 1, 503);
        String v = startNext();

        JsonNode failed = awaitStatus(v, "failed");
        assertEquals("notify.post-message", failed.path("failedStep").asText());

        ReleaseClient.Answer retry = api.post("/releases/" + v + "/steps/notify.post-message/retry", "{\"reason\":\"slack is back\"}");
        assertEquals(202, retry.status(), retry.message());
        awaitStatus(v, "completed");

        JsonNode notify = stepOf(api.get("/releases/" + v + "/timeline").body(), "notify.post-message");
        assertEquals(2, notify.path("attempts").size());
        assertEquals("failed", notify.path("attempts").get(0).path("status").asText());
        assertFalse(notify.path("attempts").get(0).path("reason").asText().isBlank());
        assertEquals("succeeded", notify.path("attempts").get(1).path("status").asText());
        assertEquals("alice", notify.path("attempts").get(1).path("retryRequestedBy").asText());
        assertEquals(1, stack.sandbox().slackMessages("#releases").stream().filter(m -> m.text().contains(v)).count());
    }

    @Test
    void anEventStreamResumedWithLastEventIdMissesNothingAndRepeatsNothing() {
        String v = startNext();
        List<Long> seen = new ArrayList<>();
        // First connection: take three events, then hang up.
        api.follow(v, null, e -> {
            seen.add(e.id());
            return seen.size() < 3;
        });
        // Resume after the last one we saw and read to the end of the release.
        api.follow(v, seen.get(seen.size() - 1), e -> {
            seen.add(e.id());
            return !"ReleaseCompleted".equals(e.type());
        });
        long total = api.get("/releases/" + v + "/timeline").body().path("events").asLong();
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= total; i++) {
            expected.add(i);
        }
        assertEquals(expected, seen, "every event once, in order, across the reconnect");
    }

    @Test
    void theRelayPublishesEveryEventOnceInOrderAlsoAcrossACoordinatorCrash() throws Exception {
        String before = startNext();
        awaitStatus(before, "completed");
        stack.crashAndRestart("coordinator"); // the relay dies with it and resumes from its stored offsets
        String after = startNext();
        awaitStatus(after, "completed");

        Map<String, List<Long>> published = readReleaseEvents(Set.of(before, after));
        for (String v : List.of(before, after)) {
            long total = api.get("/releases/" + v + "/timeline").body().path("events").asLong();
            List<Long> expected = new ArrayList<>();
            for (long i = 1; i <= total; i++) {
                expected.add(i);
            }
            assertEquals(expected, published.get(v), "release.events of " + v + " after dropping redelivered ids");
        }
    }

    /** Reads release.events from the start, drops duplicates by CloudEvents id as every consumer does. */
    private Map<String, List<Long>> readReleaseEvents(Set<String> releases) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.infra().kafkaBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, List<Long>> out = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.EVENTS));
            Instant deadline = Instant.now().plusSeconds(60);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    Map<String, String> h = new LinkedHashMap<>();
                    for (Header header : r.headers()) {
                        h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                    }
                    Envelope e = CloudEventCodec.decode(h, r.value());
                    if (releases.contains(e.releaseId()) && ids.add(e.id())) {
                        out.computeIfAbsent(e.releaseId(), k -> new ArrayList<>()).add(e.seq());
                    }
                }
                boolean done = releases.stream().allMatch(v -> out.containsKey(v)
                        && out.get(v).size() >= api.get("/releases/" + v + "/timeline").body().path("events").asLong());
                if (done) {
                    break;
                }
            }
        }
        return out;
    }

    private static JsonNode stepOf(JsonNode timeline, String step) {
        for (JsonNode s : timeline.path("steps")) {
            if (step.equals(s.path("step").asText())) {
                return s;
            }
        }
        fail("no step " + step + " in " + timeline);
        return null;
    }

    /** Polls GET /releases/{v} until it has {@code status}; fails with the release and the logs otherwise. */
    private static JsonNode awaitStatus(String version, String status) {
        try {
            return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> api.get("/releases/" + version).body(), r -> r != null && status.equals(r.path("status").asText()));
        } catch (ConditionTimeoutException e) {
            fail("release " + version + " never reached " + status + ": " + api.get("/releases/" + version).body()
                    + "\ncoordinator log:\n" + stack.logTail("coordinator", 30));
            return null;
        }
    }
}
