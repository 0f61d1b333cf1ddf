package dev.releasetrain.coordinator.live;

import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.Topics;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The coordinator's two subscriptions: the services' results (appended to the log with what
 * follows from them), and the relay's event feed (wakes the live streams).
 *
 * <p>Results come in batches (one poll): the whole batch is recorded in one transaction, which is
 * what lets the coordinator keep up with many releases at once. A record that is not a step result
 * is parked on {@code release.deadletter} with the reason, and the rest of the batch goes on. While
 * the release log cannot be reached, the batch is tried again with backoff (nothing is acknowledged,
 * nothing is lost); any other failure nacks the batch, which the dead-letter strategy parks.
 */
@ApplicationScoped
public class BusConsumers {
    private static final Logger LOG = Logger.getLogger(BusConsumers.class);
    static final String DEAD_LETTER_REASON = "dead-letter-reason";

    @Inject
    Releases releases;
    @Inject
    EventStreams streams;
    @Inject
    @Channel("results-dead-letters")
    Emitter<byte[]> deadLetters;

    @Incoming("results")
    @Blocking
    public void results(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        List<Envelope> results = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                results.add(stepResult(record));
            } catch (RuntimeException e) {
                deadLetter(record, e.getMessage());
            }
        }
        if (results.isEmpty()) {
            return;
        }
        List<Releases.Outcome> outcomes = recordWhileTheLogIsDown(results);
        for (int i = 0; i < outcomes.size(); i++) {
            Releases.Outcome outcome = outcomes.get(i);
            if (!outcome.accepted()) {
                Envelope e = results.get(i);
                LOG.warnf("release %s: result %s for step %s dropped: %s", e.releaseId(), e.id(), e.data().step(),
                        outcome.rejection().message());
            }
        }
    }

    static Envelope stepResult(ConsumerRecord<String, byte[]> record) {
        Envelope e = CloudEventCodec.decode(KafkaHeaders.toMap(record.headers()), record.value());
        ReleaseEvent d = e.data();
        if (!(d instanceof ReleaseEvent.StepStarted || d instanceof ReleaseEvent.StepProgress
                || d instanceof ReleaseEvent.StepSucceeded || d instanceof ReleaseEvent.StepFailed)) {
            throw new CloudEventCodec.UndecodableMessage(e.type() + " is not a step result");
        }
        return e;
    }

    private List<Releases.Outcome> recordWhileTheLogIsDown(List<Envelope> results) throws InterruptedException {
        long backoffMs = 100;
        while (true) {
            try {
                return releases.recordAll(results);
            } catch (RuntimeException e) {
                if (!causedBy(e, SQLException.class)) {
                    throw e;
                }
                LOG.warnf("the release log cannot be reached (%s); %d results wait, trying again in %d ms",
                        e.getMessage(), results.size(), backoffMs);
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Parks one record on the dead-letter topic with its headers and the reason; waits for Kafka's ack. */
    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) throws InterruptedException {
        LOG.warnf("a record on %s (partition %d, offset %d) is not a step result: %s; sent to %s",
                record.topic(), record.partition(), record.offset(), reason, Topics.DEAD_LETTER);
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(DEAD_LETTER_REASON, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<byte[]> message = Message.of(record.value() == null ? new byte[0] : record.value())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(record.key()).withHeaders(headers).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(error -> {
                    acked.completeExceptionally(error);
                    return CompletableFuture.completedFuture(null);
                });
        deadLetters.send(message);
        try {
            acked.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot park a bad record on " + Topics.DEAD_LETTER + ": " + e, e);
        }
    }

    /** One poll of the relay's feed at a time: each release with news wakes its live streams once. */
    @Incoming("release-events")
    public void published(ConsumerRecords<String, byte[]> records) {
        java.util.Set<String> releases = new java.util.LinkedHashSet<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.key() != null) {
                releases.add(record.key());
            }
        }
        releases.forEach(streams::appended);
    }
}
