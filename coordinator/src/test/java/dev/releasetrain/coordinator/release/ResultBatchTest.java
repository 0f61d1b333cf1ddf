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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Results recorded a poll at a time: one transaction for the batch, duplicates dropped by event id,
 * a batch that races another writer recorded one by one, a record that is not a result parked on
 * the dead-letter topic while the rest of its batch goes on.
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
            ConsumerRecord<String, byte[]> parked = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parked == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : dead.poll(Duration.ofMillis(200))) {
                    if (badKey.equals(r.key())) {
                        parked = r;
                    }
                }
            }
            assertNotNull(parked, "the bad record on " + Topics.DEAD_LETTER);
            assertEquals("not a cloud event", new String(parked.value(), StandardCharsets.UTF_8));
            Header reason = parked.headers().lastHeader(Topics.DEAD_LETTER_REASON);
            assertNotNull(reason);
            assertFalse(new String(reason.value(), StandardCharsets.UTF_8).isBlank());
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
