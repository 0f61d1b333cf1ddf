package dev.releasetrain.coordinator.metrics;

import dev.releasetrain.coordinator.TestResults;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.KafkaHeaders;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scrapes {@code /q/metrics} after a real release on Kafka and PostgreSQL (the proving plan, relay included), whose
 * first step fails once and is retried by a person, and after a record on release.results that is no result.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class MetricsEndpointTest {
    private static final String FAILING_STEP = "git.resolve-head";

    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread worker;

    @Test
    void aReleaseShowsInTheStepReleaseRelayAndHttpSeries() throws InterruptedException {
        String v = given().spec(TestTokens.as(TestTokens.ALICE)).contentType(ContentType.JSON).body("{\"runbook\":\"proving\"}")
                .post("/releases").then().statusCode(202).extract().path("version");
        answerCommands(v);

        TestResults.await(() -> "failed".equals(status(v)), "the first attempt of " + FAILING_STEP + " failed the release");
        given().spec(TestTokens.as(TestTokens.ALICE)).contentType(ContentType.JSON).body("{\"reason\":\"flaky remote\"}")
                .post("/releases/" + v + "/steps/" + FAILING_STEP + "/retry").then().statusCode(202);
        TestResults.await(() -> "completed".equals(status(v)), "the release completed after the retry");
        try (KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap(), 0)) {
            producer.send(new ProducerRecord<>(Topics.RESULTS, v, "not a cloud event".getBytes(StandardCharsets.UTF_8)));
        }
        TestResults.await(() -> value(scrape(), "release_train_dead_letters_total", "topic=\"release.results\"") >= 1,
                "the record that is no result was parked and counted");

        String metrics = scrape();
        assertTrue(value(metrics, "release_train_step_attempts_total", "outcome=\"failed\"", "step=\"" + FAILING_STEP + "\"") >= 1, metrics);
        assertTrue(value(metrics, "release_train_step_attempts_total", "outcome=\"succeeded\"", "step=\"notify.post-message\"") >= 1);
        assertTrue(value(metrics, "release_train_step_running_seconds_count", "outcome=\"succeeded\"", "step=\"cdn.read-distribution\"") >= 1);
        assertTrue(metrics.contains("release_train_step_running_seconds_bucket{"), "durations are histograms");
        assertTrue(value(metrics, "release_train_step_queue_wait_seconds_count", "step=\"deploy.list-pods\"") >= 1);
        assertTrue(value(metrics, "release_train_step_retries_total", "by=\"person\"", "step=\"" + FAILING_STEP + "\"") >= 1);
        assertTrue(value(metrics, "release_train_releases_finished_total", "status=\"failed\"") >= 1);
        assertTrue(value(metrics, "release_train_releases_finished_total", "status=\"completed\"") >= 1);
        TestResults.await(() -> value(scrape(), "release_train_releases", "status=\"completed\"") >= 1,
                "releases by status count the completed release");
        double published = value(metrics, "release_train_relay_events_published_total", "path=\"fast\"")
                + value(metrics, "release_train_relay_events_published_total", "path=\"cdc\"");
        assertTrue(published >= 10, "every event of the release went to Kafka by one path or the other: " + published);
        assertTrue(metrics.contains("release_train_relay_publish_lag_seconds_bucket{"), metrics);
        assertTrue(Pattern.compile("(?m)^release_train_relay_wal_behind_bytes(\\{[^}]*})? [0-9.E]+$").matcher(metrics).find(),
                "the WAL behind the relay's slot is a number once the slot exists");
        assertTrue(value(metrics, "release_train_results_consumer_lag_records") >= 0);
        assertTrue(value(metrics, "release_train_sse_streams_open") >= 0);
        assertTrue(value(metrics, "http_server_requests_seconds_count", "method=\"POST\"", "uri=\"/releases\"") >= 1,
                "HTTP requests by templated path");
        assertTrue(value(metrics, "http_server_requests_seconds_count", "uri=\"/releases/{version}/steps/{step}/retry\"") >= 1,
                () -> metrics.lines().filter(l -> l.startsWith("http_server_requests_seconds_count")).toList().toString());
    }

    private static String status(String v) {
        return given().spec(TestTokens.as(TestTokens.VERA)).get("/releases/" + v).then().extract().path("status");
    }

    private static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /**
     * The sum of the series {@code name} whose labels include every one of {@code labels}; -1 when there is none.
     */
    static double value(String metrics, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{.*})? (\\S+)$").matcher(metrics);
        double sum = -1;
        while (m.find()) {
            String got = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String l : labels) {
                all &= got.contains(l);
            }
            if (all) {
                sum = (sum < 0 ? 0 : sum) + Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    /** Answers the release's commands like the services: the first attempt of {@link #FAILING_STEP} fails. */
    private void answerCommands(String release) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "metrics-test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> answered = ConcurrentHashMap.newKeySet();
        worker = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap(), 0)) {
                consumer.subscribe(Pattern.compile("release\\.commands\\..*"));
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        Envelope e = CloudEventCodec.decode(KafkaHeaders.toMap(r.headers()), r.value());
                        if (!release.equals(e.releaseId()) || !(e.data() instanceof StepRequested cmd) || !answered.add(cmd.commandId())) {
                            continue;
                        }
                        producer.send(TestResults.encoded(Envelope.of("/test/worker", release,
                                new ReleaseEvent.StepStarted(cmd.step(), cmd.attempt(), cmd.commandId(), "test"))));
                        ReleaseEvent result = cmd.step().equals(FAILING_STEP) && cmd.attempt() == 1
                                ? new ReleaseEvent.StepFailed(cmd.step(), cmd.attempt(), cmd.commandId(), "remote refused", false)
                                : new ReleaseEvent.StepSucceeded(cmd.step(), cmd.attempt(), cmd.commandId(), Map.of("ok", true));
                        producer.send(TestResults.encoded(Envelope.of("/test/worker", release, result)));
                    }
                }
            }
        }, "metrics-test-worker");
        worker.start();
    }

    @AfterEach
    void stopWorker() throws InterruptedException {
        running.set(false);
        if (worker != null) {
            worker.join(10_000);
        }
    }
}
