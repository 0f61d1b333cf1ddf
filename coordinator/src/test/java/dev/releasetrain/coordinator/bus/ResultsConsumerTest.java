package dev.releasetrain.coordinator.bus;

import dev.releasetrain.coordinator.TestResults;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The results consumer: StepStarted waits a moment for the result that follows, so both share a transaction;
 * after a restart, timers wait until the results waiting on the bus are recorded; a refusal of a row is told
 * from an outage.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ResultsConsumerTest {
    @Inject
    Releases releases;
    @Inject
    ReleaseLog log;
    @Inject
    ResultsConsumer consumer;
    @Inject
    AgroalDataSource db;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aStartAndTheSuccessThatFollowsItAreRecordedInOneTransaction() throws Exception {
        long before = consumer.startedWaitMs();
        consumer.startedWaitMs(5_000); // long enough that the scenario below cannot miss it on a slow machine
        try (KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap, 0)) {
            String v = releases.start(null, "minor", "proving", "alice").appended().get(0).releaseId();
            StepRequested first = TestResults.lastRequest(log, v);
            Envelope started = Envelope.of("/test/worker", v, new ReleaseEvent.StepStarted(first.step(), 1, first.commandId(), "w1"));
            Envelope succeeded = Envelope.of("/test/worker", v, new ReleaseEvent.StepSucceeded(first.step(), 1, first.commandId(), Map.of("commit", "abc")));

            producer.send(TestResults.encoded(started)).get();
            Thread.sleep(300); // the scenario: the worker's next result is sent a moment later, in another poll
            producer.send(TestResults.encoded(succeeded)).get();
            TestResults.await(() -> log.contains(succeeded.id()), "the success recorded");

            assertEquals(xmin(started.id()), xmin(succeeded.id()), "one transaction for the start and the success");
        } finally {
            consumer.startedWaitMs(before);
        }
    }

    @Test
    void recordedResultsHaveTheirOffsetsCommittedOnceTheFlowPauses() throws Exception {
        try (KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap, 0);
             org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                     Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            String v = releases.start(null, "minor", "proving", "alice").appended().get(0).releaseId();
            StepRequested first = TestResults.lastRequest(log, v);
            Envelope succeeded = Envelope.of("/test/worker", v, new ReleaseEvent.StepSucceeded(first.step(), 1, first.commandId(),
                    Map.of("commit", "abc"), "w1", java.time.Instant.now()));

            org.apache.kafka.clients.producer.RecordMetadata sent = producer.send(TestResults.encoded(succeeded)).get();
            TestResults.await(() -> log.contains(succeeded.id()), "the success recorded");

            // nothing else arrives: the next poll comes back empty and commits what was recorded
            org.apache.kafka.common.TopicPartition partition = new org.apache.kafka.common.TopicPartition(sent.topic(), sent.partition());
            TestResults.await(() -> {
                try {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets("coordinator").partitionsToOffsetAndMetadata()
                            .get().get(partition);
                    return committed != null && committed.offset() > sent.offset();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "the result's offset committed");
        }
    }

    @Test
    void afterARestartTheResultsWaitingAreRecordedBeforeAnyDeadlineIsJudged() throws Exception {
        String v = releases.start(null, "minor", "proving", "alice").appended().get(0).releaseId();
        StepRequested first = TestResults.lastRequest(log, v);
        Releases bean = ClientProxy.unwrap(releases);
        Field clock = Releases.class.getDeclaredField("clock");
        clock.setAccessible(true);
        Clock real = (Clock) clock.get(bean);
        consumer.stop(null);
        try (KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap, 0)) {
            // the worker finished while the coordinator was down; its result waits on the bus
            Envelope succeeded = Envelope.of("/test/worker", v, new ReleaseEvent.StepSucceeded(first.step(), 1, first.commandId(),
                    Map.of("commit", "abc"), "w1", Instant.now()));
            producer.send(TestResults.encoded(succeeded)).get();
            // and by the time it is back, the step's deadline (two minutes) has long passed
            clock.set(bean, Clock.offset(real, Duration.ofHours(1)));
            assertFalse(consumer.caughtUp(), "timers wait while results are not consumed");
            given().when().get("/q/health/ready").then().statusCode(503).body(containsString("results-polling"));

            consumer.start(null);
            TestResults.await(() -> log.contains(succeeded.id()), "the waiting result recorded");
            TestResults.await(consumer::caughtUp, "the consumer to catch up");
            List<Envelope> stream = log.read(v);
            assertTrue(stream.stream().noneMatch(e -> e.data() instanceof ReleaseEvent.StepTimedOut),
                    "the finished step did not time out: " + stream);
            assertEquals("deploy.list-pods", TestResults.lastRequest(log, v).step(), "the release goes on from the result");
            given().when().get("/q/health/ready").then().statusCode(200);
        } finally {
            clock.set(bean, real);
            if (!consumer.caughtUp()) {
                consumer.start(null);
            }
        }
    }

    @Test
    void aRefusalOfTheRowIsParkedAndAnOutageIsWaitedOut() {
        assertTrue(ResultChecks.refusedTheRow(new IllegalStateException(new SQLException("check violated", "23514"))));
        assertTrue(ResultChecks.refusedTheRow(new IllegalStateException(new SQLException("unsupported Unicode escape", "22P05"))));
        assertTrue(ResultChecks.refusedTheRow(new IllegalStateException(new SQLException("datetime overflow", "22008"))));
        assertFalse(ResultChecks.refusedTheRow(new IllegalStateException(new SQLException("connection lost", "08006"))));
        assertFalse(ResultChecks.refusedTheRow(new IllegalStateException(new SQLException("shutting down", "57P01"))));
        assertFalse(ResultChecks.refusedTheRow(new IllegalStateException(new SQLException("no connection in the pool"))));
        assertTrue(ResultChecks.fromTheDatabase(new IllegalStateException(new SQLException("connection lost", "08006"))));
        assertFalse(ResultChecks.fromTheDatabase(new NullPointerException()));
    }

    @Test
    void onlyAPollOfStartsWaits() {
        ConsumerRecord<String, byte[]> start = record(ReleaseEvent.StepStarted.class);
        ConsumerRecord<String, byte[]> success = record(ReleaseEvent.StepSucceeded.class);
        assertTrue(ResultsConsumer.onlyStarts(List.of(start, start)));
        assertFalse(ResultsConsumer.onlyStarts(List.of(start, success)));
        assertFalse(ResultsConsumer.onlyStarts(List.of(new ConsumerRecord<>(Topics.RESULTS, 0, 0, "k", new byte[0]))),
                "a record without a type is not a start");
    }

    private static ConsumerRecord<String, byte[]> record(Class<? extends ReleaseEvent> type) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(Topics.RESULTS, 0, 0, 0L, TimestampType.CREATE_TIME, 0, 0, "k", new byte[0],
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
        r.headers().add(CloudEventCodec.H_TYPE, dev.releasetrain.protocol.EventTypes.typeOf(type).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private long xmin(String eventId) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select xmin::text::bigint from release_events where event_id = ?::uuid")) {
            s.setString(1, eventId);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "event " + eventId + " in the log");
                return rs.getLong(1);
            }
        }
    }

}
