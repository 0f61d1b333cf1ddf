package dev.releasetrain.coordinator.bus;

import dev.releasetrain.coordinator.metrics.BusMetrics;
import dev.releasetrain.protocol.KafkaHeaders;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a step result is, and the dead-letter topic for records that are not one or cannot be recorded. The results
 * themselves are consumed by {@link ResultsConsumer}; the relay's feed wakes live streams through
 * {@link LiveFeed}.
 */
@ApplicationScoped
public class BusConsumers {
    private static final Logger LOG = Logger.getLogger(BusConsumers.class);

    @Inject
    @Channel("results-dead-letters")
    Emitter<byte[]> deadLetters;

    static Envelope stepResult(ConsumerRecord<String, byte[]> record) {
        Envelope e = CloudEventCodec.decode(KafkaHeaders.toMap(record.headers()), record.value());
        ReleaseEvent d = e.data();
        if (!(d instanceof ReleaseEvent.StepStarted || d instanceof ReleaseEvent.StepProgress
                || d instanceof ReleaseEvent.StepSucceeded || d instanceof ReleaseEvent.StepFailed)) {
            throw new CloudEventCodec.UndecodableMessage(e.type() + " is not a step result");
        }
        return e;
    }

    /** Parks one record (not a result, or one that cannot be recorded) on the dead-letter topic with its headers and the reason; waits for Kafka's ack. */
    void deadLetter(ConsumerRecord<String, byte[]> record, String reason) throws InterruptedException {
        LOG.warnf("a record on %s (partition %d, offset %d) is parked on %s: %s",
                record.topic(), record.partition(), record.offset(), Topics.DEAD_LETTER, reason);
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(Topics.DEAD_LETTER_REASON, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DEAD_LETTER_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DEAD_LETTER_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DEAD_LETTER_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
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
            BusMetrics.deadLettered(record.topic());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot park a bad record on " + Topics.DEAD_LETTER + ": " + e, e);
        }
    }
}
