package dev.releasetrain.coordinator.bus;

import org.awaitility.Awaitility;
import dev.releasetrain.coordinator.live.EventStreams;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Live streams: this instance's appends wake them at once; appends of another instance reach them
 * through {@code release.events}, read by {@link LiveFeed} only while a stream is open. The sweep is
 * turned off here (once an hour), so an event can only arrive through the path under test.
 */
@QuarkusTest
@TestProfile(LiveFeedTest.NoSweep.class)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class LiveFeedTest {

    public static class NoSweep implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.live.sweep-every", "1h", "release-train.live-feed.linger-ms", "300");
        }
    }

    @Inject
    ReleaseLog log;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    LiveFeed feed;
    @Inject
    EventStreams streams;
    @TestHTTPResource("/")
    URL base;

    @Test
    void aStreamGetsAnotherInstancesAppendsThroughTheFeedWhichRunsOnlyWhileSomebodyWatches() throws Exception {
        await("no live stream open before the test, so no feed", () -> !feed.running());
        String version = given().header("Authorization", TestTokens.bearer(TestTokens.ALICE)).contentType(ContentType.JSON)
                .body("{\"runbook\":\"proving\"}").post("/releases")
                .then().statusCode(202).extract().path("version");

        BlockingQueue<String> ids = new LinkedBlockingQueue<>();
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "releases/" + version + "/events"))
                .header("Authorization", TestTokens.bearer(TestTokens.ALICE))
                .header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data:")) {
                        ids.add(line);
                    }
                }
            } catch (Exception closed) {
                // the test closed the stream
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            // the release's first events: ReleaseStarted and the first StepRequested
            long first = log.read(version).size();
            for (int i = 0; i < first; i++) {
                assertNotNull(ids.poll(30, TimeUnit.SECONDS), "event " + (i + 1) + " of " + first + " already in the log");
            }
            await("a stream opened: the feed reads release.events", feed::positioned);

            // another instance appends: its release log tells its own listeners, nothing here is told, only the
            // relay's record on release.events reaches this instance
            long lastSeq = log.read(version).get(log.read(version).size() - 1).seq();
            String eventId = UUID.randomUUID().toString();
            appendAsAnotherInstance(version, lastSeq + 1, eventId,
                    new ReleaseEvent.StepStarted("git.resolve-head", 1, version + "/git.resolve-head/1", "other"));
            String line = ids.poll(60, TimeUnit.SECONDS);
            assertNotNull(line, "the event appended by another instance reached the stream through release.events");
            assertTrue(line.contains(eventId), line);
        } finally {
            reader.interrupt();
            response.body().close();
        }
        await("the client went away: the stream is forgotten and the feed stops", () -> !feed.running());
        assertEquals(0, streams.openStreams());
        assertFalse(feed.positioned());
    }

    /** The row another coordinator's release log writes; this instance's append listeners know nothing of it. */
    private void appendAsAnotherInstance(String releaseId, long seq, String eventId, ReleaseEvent event) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement("insert into release_events"
                + " (release_id, seq, event_id, type, source, payload, occurred_at) values (?, ?, ?, ?, ?, ?::jsonb, ?)")) {
            insert.setString(1, releaseId);
            insert.setLong(2, seq);
            insert.setObject(3, UUID.fromString(eventId));
            insert.setString(4, EventTypes.typeOf(event));
            insert.setString(5, "/release-train/other-instance");
            insert.setString(6, CloudEventCodec.dataJson(event));
            insert.setTimestamp(7, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }
}
