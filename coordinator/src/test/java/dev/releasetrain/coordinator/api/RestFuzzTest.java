package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.coordinator.TestResults;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.releasetrain.coordinator.api.ReleaseApiTest.as;
import static dev.releasetrain.coordinator.api.ReleaseApiTest.startNext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A REST fuzzer: {@value #REQUESTS} requests from a seeded property-based generator of our own ({@link FuzzInputs};
 * seed {@code -Dfuzz.seed}, printed) over every
 * endpoint, as every role (viewer, release manager and approver, approver), without credentials and with a bad
 * token: malformed JSON, wrong types, huge values, unicode, control characters and lone surrogates, unknown
 * fields, bad versions, steps, gates, parameters and {@code Last-Event-ID} values, wrong content types. Each is
 * sent over HTTP to the running app (one pooled client, one request at a time) and must answer below 500;
 * every 4xx is JSON with its status and a message (a 400's names the field, header or body); a refused request
 * appends nothing: no release started, nothing on the stream it names. The counts per endpoint and status are
 * printed.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class RestFuzzTest {
    static final int REQUESTS = 10_000;
    /** Requests sent at once; the log is checked after each batch. */
    static final int SENDERS = 4;
    static final int BATCH = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;
    @Inject
    AgroalDataSource db;
    @Inject
    ReleaseLog log;
    @Inject
    Releases releases;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** One generated request: {@code endpoint} is the route it aims at, for the counts. */
    record Req(String endpoint, String method, String path, String token, String version, String contentType,
               String accept, String lastEventId, byte[] body) {
        @Override
        public String toString() {
            String b = body == null ? "" : new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
            return method + " " + path + " token=" + token + " ct=" + contentType + " accept=" + accept
                    + " Last-Event-ID=" + lastEventId + " body(" + (body == null ? 0 : body.length) + ")=" + b;
        }
    }

    @Test
    void generatedRequestsGetNo5xxEveryRefusalIsJsonNamingTheProblemAndAppendsNothing() throws Exception {
        Fixtures f = fixtures();
        String seed = System.getProperty("fuzz.seed", "20261204");
        int wanted = Integer.getInteger("fuzz.requests", REQUESTS);
        Map<String, Map<Integer, Integer>> counts = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        List<List<Req>> batches = new ArrayList<>();
        List<Req> all = FuzzInputs.generate(f, seed, wanted);
        for (int i = 0; i < all.size(); i += BATCH) {
            batches.add(all.subList(i, Math.min(all.size(), i + BATCH)));
        }
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        long started = System.nanoTime();
        int sent = 0;
        try {
            long position = lastPosition();
            for (List<Req> batch : batches) {
                List<Future<Answer>> answers = new ArrayList<>();
                for (Req r : batch) {
                    answers.add(senders.submit(() -> send(r)));
                }
                List<Answer> done = new ArrayList<>();
                for (Future<Answer> a : answers) {
                    done.add(a.get(60, TimeUnit.SECONDS));
                }
                sent += done.size();
                for (Answer a : done) {
                    counts.computeIfAbsent(a.request().endpoint(), k -> new TreeMap<>()).merge(a.status(), 1, Integer::sum);
                    if (a.failure() != null) {
                        failures.add(a.failure());
                    }
                }
                position = checkLog(done, position, failures);
                if (failures.size() >= 20) {
                    break;
                }
            }
        } finally {
            senders.shutdownNow();
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        StringBuilder report = new StringBuilder("REST fuzz: " + sent + " requests in " + millis + " ms (" + SENDERS
                + " at a time), seed " + seed + "\n");
        Map<Integer, Integer> byStatus = new TreeMap<>();
        counts.forEach((endpoint, statuses) -> {
            report.append(String.format("  %-44s %6d  %s%n", endpoint, statuses.values().stream().mapToInt(Integer::intValue).sum(), statuses));
            statuses.forEach((st, n) -> byStatus.merge(st, n, Integer::sum));
        });
        report.append("  by status: ").append(byStatus);
        System.out.println(report);
        assertEquals(List.of(), failures, "requests answered wrongly (seed " + seed + ")");
        assertTrue(sent >= wanted, "sent " + sent);
    }

    /** A request's answer: its status, and what was wrong with it (null if nothing). */
    record Answer(Req request, int status, String failure, String startedVersion) {
    }

    /**
     * After a batch: the releases started since {@code position} are those the batch's accepted starts
     * started, and no stream a refused request named got an event, unless an accepted request of the batch
     * named it too. Returns the log's last position.
     */
    private long checkLog(List<Answer> batch, long position, List<String> failures) {
        int acceptedStarts = 0;
        java.util.Set<String> touched = new java.util.HashSet<>();
        java.util.Set<String> refused = new java.util.HashSet<>();
        for (Answer a : batch) {
            String v = a.request().version();
            if (a.status() >= 200 && a.status() < 300 && !a.request().method().equals("GET")) {
                touched.add(v == null ? "" : v);
                if (a.startedVersion() != null) {
                    acceptedStarts++;
                    touched.add(a.startedVersion());
                }
            } else if (a.status() >= 400 && v != null && ReleaseResource.VERSION.matcher(v).matches()) {
                refused.add(v);
            }
        }
        refused.removeAll(touched);
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(
                "select coalesce(max(position), ?), count(*) filter (where type like '%.ReleaseStarted.%'),"
                        + " count(*) filter (where release_id = any(?)), string_agg(distinct release_id, ',') filter (where release_id = any(?))"
                        + " from release_events where position > ?")) {
            java.sql.Array names = c.createArrayOf("text", refused.toArray());
            q.setLong(1, position);
            q.setArray(2, names);
            q.setArray(3, names);
            q.setLong(4, position);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                if (rs.getLong(2) > acceptedStarts) {
                    failures.add(rs.getLong(2) + " releases started by a batch with " + acceptedStarts + " accepted starts: " + batch);
                }
                if (rs.getLong(3) > 0) {
                    failures.add(rs.getLong(3) + " events appended to " + rs.getString(4) + " by refused requests: " + batch.stream()
                            .filter(a -> a.status() >= 400 && refused.contains(a.request().version())).toList());
                }
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends one request and judges its answer (not yet the log: {@link #checkLog} does, per batch). */
    private Answer send(Req r) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + r.path()))
                    .timeout(Duration.ofSeconds(30))
                    .method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(r.body()));
            if (r.token() != null) {
                b.header("Authorization", TestTokens.bearer(r.token()));
            }
            if (r.contentType() != null) {
                b.header("Content-Type", r.contentType());
            }
            if (r.accept() != null) {
                b.header("Accept", r.accept());
            }
            if (r.lastEventId() != null) {
                b.header("Last-Event-ID", r.lastEventId());
            }
        } catch (IllegalArgumentException unsendable) {
            return new Answer(r, 0, "the generator made a request the client cannot send: " + unsendable.getMessage() + ": " + r, null);
        }
        int status;
        String contentType;
        byte[] answer;
        try {
            HttpResponse<InputStream> response = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            contentType = response.headers().firstValue("Content-Type").orElse("");
            try (InputStream in = response.body()) {
                // an open event stream is left at its head: its client goes away
                answer = contentType.startsWith("text/event-stream") ? new byte[0] : in.readAllBytes();
            }
        } catch (Exception e) {
            return new Answer(r, -1, "no answer (" + e + "): " + r, null);
        }
        String text = new String(answer, StandardCharsets.UTF_8);
        if (status >= 500) {
            return new Answer(r, status, status + " " + text + " for " + r, null);
        }
        if (status < 400) {
            String started = null;
            if (status == 202 && r.path().equals("/releases")) {
                try {
                    started = JSON.readTree(answer).path("version").asText();
                } catch (Exception e) {
                    return new Answer(r, status, "202 without the started release: " + text, null);
                }
            }
            return new Answer(r, status, null, started);
        }
        if (!contentType.startsWith("application/json")) {
            return new Answer(r, status, status + " not JSON (" + contentType + "): " + text + " for " + r, null);
        }
        try {
            JsonNode error = JSON.readTree(answer);
            String message = error.path("message").asText("");
            if (error.path("status").asInt() != status || message.isBlank()) {
                return new Answer(r, status, status + " without its status and a message: " + error + " for " + r, null);
            }
            if (status == 400 && !(message.contains("'") || message.contains("body"))) {
                return new Answer(r, status, "400 naming nothing: " + message + " for " + r, null);
            }
        } catch (Exception e) {
            return new Answer(r, status, status + " with a body that is not JSON: " + text + " for " + r, null);
        }
        return new Answer(r, status, null, null);
    }

    private long lastPosition() {
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement("select coalesce(max(position), 0) from release_events");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------- fixtures

    /** Releases in every state the endpoints care about. */
    record Fixtures(String running, String gated, String failed, String cancelled) {
        List<String> versions() {
            return List.of(running, gated, failed, cancelled);
        }
    }

    private Fixtures fixtures() {
        String running = startNext("proving", "alice");
        String gated = startNext("gated", "alice");
        String failed = startNext("editable-retry", "alice");
        StepRequested first = TestResults.lastRequest(log, failed);
        releases.record(new Envelope(UUID.randomUUID().toString(), "/test/git", failed, Instant.now(), null,
                new StepFailed(first.step(), first.attempt(), first.commandId(), "no such ref", false)));
        String cancelled = startNext("proving", "alice");
        as(TestTokens.ALICE).contentType(ContentType.JSON).body("{\"reason\":\"fuzz fixture\"}")
                .post("/releases/" + cancelled + "/cancel").then().statusCode(202);
        return new Fixtures(running, gated, failed, cancelled);
    }
}
