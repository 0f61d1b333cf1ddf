package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.TestResults;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Results recorded a poll at a time: one transaction for the batch, duplicates dropped by event id,
 * a batch that races another writer recorded one by one, a record that is not a result, or a result
 * the coordinator cannot record, parked alone on the dead-letter topic while the rest of its batch goes on.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ResultBatchTest {
    private static final String WORKER = "/test/worker";

    @Inject
    Releases releases;
    @Inject
    ReleaseLog log;
    @Inject
    io.agroal.api.AgroalDataSource db;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aBatchIsRecordedOnceWithWhatFollowsAndDuplicatesAndStrangersAreTold() {
        String v = start();
        StepRequested first = TestResults.lastRequest(log, v);
        Envelope started = result(v, new ReleaseEvent.StepStarted(first.step(), 1, first.commandId(), "w1"));
        Envelope succeeded = result(v, new ReleaseEvent.StepSucceeded(first.step(), 1, first.commandId(), Map.of("commit", "abc")));
        Envelope stranger = result("0.0.1", new ReleaseEvent.StepStarted("git.resolve-head", 1, "c", "w1"));
        long before = log.read(v).size();

        List<Releases.Outcome> outcomes = releases.recordAll(List.of(started, succeeded, succeeded, stranger));

        assertTrue(outcomes.get(0).accepted() && !outcomes.get(0).duplicate());
        assertTrue(outcomes.get(1).accepted() && !outcomes.get(1).duplicate());
        assertTrue(outcomes.get(1).appended().stream().anyMatch(e -> e.data() instanceof StepRequested r
                && r.step().equals("deploy.list-pods")), "the next step is requested with the result");
        assertTrue(outcomes.get(2).duplicate(), "the same event twice in one batch counts once");
        assertFalse(outcomes.get(3).accepted(), "a result for a release nobody started is refused");
        List<Envelope> stream = log.read(v);
        assertEquals(before + 3, stream.size(), "started, succeeded, the next request: " + stream);
        assertEquals(List.of(started.id(), succeeded.id()), stream.subList((int) before, (int) before + 2).stream().map(Envelope::id).toList());
        for (int i = 0; i < stream.size(); i++) {
            assertEquals(i + 1, stream.get(i).seq(), "seqs without gaps");
        }

        List<Releases.Outcome> again = releases.recordAll(List.of(started, succeeded));
        assertTrue(again.stream().allMatch(Releases.Outcome::duplicate), "a redelivered batch changes nothing");
        assertEquals(before + 3, log.read(v).size());
    }

    @Test
    void aRedeliveredResultTheStateWouldAcceptAgainIsStillADuplicate() {
        String v = start();
        StepRequested first = TestResults.lastRequest(log, v);
        Envelope progress = result(v, new ReleaseEvent.StepProgress(first.step(), 1, first.commandId(), "halfway", Map.of()));
        assertTrue(releases.recordAll(List.of(progress)).get(0).accepted());
        long before = log.read(v).size();
        Envelope succeeded = result(v, new ReleaseEvent.StepSucceeded(first.step(), 1, first.commandId(), Map.of("commit", "abc")));

        // progress is accepted in any state of a running attempt, so only the log's unique event id tells
        List<Releases.Outcome> outcomes = releases.recordAll(List.of(progress, succeeded));

        assertTrue(outcomes.get(0).duplicate(), "the redelivered progress: " + outcomes.get(0));
        assertTrue(outcomes.get(1).accepted() && !outcomes.get(1).duplicate(), outcomes.get(1).toString());
        List<Envelope> stream = log.read(v);
        assertEquals(before + 2, stream.size(), "succeeded and the next request, the progress not twice: " + stream);
        assertEquals(1, stream.stream().filter(e -> e.id().equals(progress.id())).count());
    }

    @Test
    void aBatchThatRacesAnotherWriterIsRecordedOneByOne() {
        String v = start();
        StepRequested first = TestResults.lastRequest(log, v);
        // another instance appends behind this one's cached state
        long tail = log.read(v).size();
        log.append(v, tail, List.of(new Envelope(UUID.randomUUID().toString(), WORKER, v, Instant.now(), null,
                new ReleaseEvent.StepProgress(first.step(), 1, first.commandId(), "elsewhere", Map.of()))));
        Envelope started = result(v, new ReleaseEvent.StepStarted(first.step(), 1, first.commandId(), "w1"));
        Envelope succeeded = result(v, new ReleaseEvent.StepSucceeded(first.step(), 1, first.commandId(), Map.of("commit", "abc")));

        List<Releases.Outcome> outcomes = releases.recordAll(List.of(started, succeeded));

        assertTrue(outcomes.stream().allMatch(o -> o.accepted() && !o.duplicate()), outcomes.toString());
        List<Envelope> stream = log.read(v);
        assertEquals(tail + 4, stream.size(), "progress, started, succeeded, next request");
        assertTrue(stream.get(stream.size() - 1).data() instanceof StepRequested r && r.step().equals("deploy.list-pods"));
    }

    @Test
    void aRecordThatIsNotAResultIsParkedAndTheRestOfItsBatchIsRecorded() throws Exception {
        String v = start();
        StepRequested first = TestResults.lastRequest(log, v);
        Envelope started = result(v, new ReleaseEvent.StepStarted(first.step(), 1, first.commandId(), "w1"));
        Envelope succeeded = result(v, new ReleaseEvent.StepSucceeded(first.step(), 1, first.commandId(), Map.of("commit", "abc")));
        String badKey = "bad-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap, 50); KafkaConsumer<String, byte[]> dead = consumer(Topics.DEAD_LETTER)) {
            producer.send(TestResults.encoded(started));
            producer.send(new ProducerRecord<>(Topics.RESULTS, badKey, "not a cloud event".getBytes(StandardCharsets.UTF_8)));
            producer.send(TestResults.encoded(succeeded));
            producer.flush();

            TestResults.await(() -> log.contains(succeeded.id()), "the good results recorded");
            assertTrue(log.contains(started.id()));
            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            ConsumerRecord<String, byte[]> parked = await("the bad record on " + Topics.DEAD_LETTER).atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        dead.poll(Duration.ofMillis(200)).forEach(seen::add);
                        return seen.stream().filter(r -> badKey.equals(r.key())).findFirst().orElse(null);
                    }, java.util.Objects::nonNull);
            assertEquals("not a cloud event", new String(parked.value(), StandardCharsets.UTF_8));
            Header reason = parked.headers().lastHeader(Topics.DEAD_LETTER_REASON);
            assertNotNull(reason);
            assertFalse(new String(reason.value(), StandardCharsets.UTF_8).isBlank());
        }
    }

    @Test
    void resultsTheCoordinatorCannotRecordAreParkedAloneWithTheirReasonAndTheRestOfThePollIsRecorded() throws Exception {
        String v = start();
        StepRequested first = TestResults.lastRequest(log, v);
        String step = first.step();
        Envelope started = result(v, new ReleaseEvent.StepStarted(step, 1, first.commandId(), "w1"));
        Envelope succeeded = result(v, new ReleaseEvent.StepSucceeded(step, 1, first.commandId(), Map.of("commit", "abc")));
        Map<Envelope, String> poison = new java.util.LinkedHashMap<>();
        poison.put(new Envelope("not-a-uuid-" + UUID.randomUUID(), WORKER, v, Instant.now(), null,
                new ReleaseEvent.StepProgress(step, 1, first.commandId(), "x", Map.of())), "is not a UUID");
        poison.put(result(v, new ReleaseEvent.StepProgress(step, 1, first.commandId(), "a\u0000b", Map.of())), "data.message contains a NUL");
        poison.put(new Envelope(UUID.randomUUID().toString(), WORKER, v, Instant.parse("+20000-01-01T00:00:00Z"), null,
                new ReleaseEvent.StepProgress(step, 1, first.commandId(), "x", Map.of())), "ce_time +20000-01-01T00:00:00Z is out of range");
        poison.put(result(v, new ReleaseEvent.StepSucceeded("git.nope", 1, v + "/git.nope/1", Map.of())), "has no step 'git.nope'");
        poison.put(result("0.0.1-nobody", new ReleaseEvent.StepSucceeded(step, 1, first.commandId(), Map.of())), "no release 0.0.1-nobody");
        poison.put(result(v, new ReleaseEvent.StepSucceeded(step, 1, "forged-command", Map.of("commit", "evil"))),
                "does not answer step " + step + "'s current command " + first.commandId());
        poison.put(result(v, new ReleaseEvent.StepProgress(step, 1, first.commandId(), "refused-by-a-constraint", Map.of())),
                "the release log refused it");
        // a refusal of the database itself (a constraint), not an outage: the row is parked, nothing waits for it
        execute("alter table release_events add constraint test_refuses_a_row"
                + " check (payload->>'message' is distinct from 'refused-by-a-constraint') not valid");
        try (KafkaProducer<String, byte[]> producer = TestResults.producer(bootstrap, 50); KafkaConsumer<String, byte[]> dead = consumer(Topics.DEAD_LETTER)) {
            producer.send(TestResults.encoded(started));
            poison.keySet().forEach(p -> producer.send(TestResults.encoded(p)));
            producer.send(TestResults.encoded(succeeded));
            producer.flush();

            TestResults.await(() -> log.contains(succeeded.id()), "the good results recorded");
            assertTrue(log.contains(started.id()));
            assertTrue(TestResults.lastRequest(log, v).step().equals("deploy.list-pods"), "the real success completed the step");
            Map<String, String> reasons = new java.util.HashMap<>();
            await("every poison result on " + Topics.DEAD_LETTER).atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(200))) {
                    Header id = r.headers().lastHeader(CloudEventCodec.H_ID);
                    Header reason = r.headers().lastHeader(Topics.DEAD_LETTER_REASON);
                    if (id != null && reason != null) {
                        reasons.put(new String(id.value(), StandardCharsets.UTF_8), new String(reason.value(), StandardCharsets.UTF_8));
                    }
                }
                return poison.keySet().stream().allMatch(p -> reasons.containsKey(p.id()));
            });
            poison.forEach((p, expected) -> {
                assertTrue(reasons.get(p.id()).contains(expected), "parked because " + expected + ": " + reasons.get(p.id()));
                assertFalse(log.contains(p.id()), "not recorded: " + p.id());
            });
            assertFalse(reasons.containsKey(succeeded.id()) || reasons.containsKey(started.id()), "the good results are not parked");
        } finally {
            execute("alter table release_events drop constraint test_refuses_a_row");
        }
    }

    private void execute(String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = db.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private String start() {
        Releases.Outcome o = releases.start(null, "minor", "proving", "alice");
        assertTrue(o.accepted(), () -> String.valueOf(o.rejection()));
        return o.appended().get(0).releaseId();
    }

    private static Envelope result(String release, ReleaseEvent event) {
        return Envelope.of(WORKER, release, event);
    }

    private KafkaConsumer<String, byte[]> consumer(String topic) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

}
