package dev.releasetrain.worker;

import dev.releasetrain.protocol.KafkaHeaders;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The Kafka side of {@link StepDispatcher}: consumes the service's command topic (channel {@code commands}),
 * acknowledges a command once its result is on release.results, and nacks what it cannot run so the
 * channel's dead-letter-queue failure strategy moves it to release.deadletter with the reason in header
 * {@code dead-letter-reason}. Commands run concurrently on the {@code release-train-steps} worker pool so a
 * long step does not hold up others; offsets are still committed in order by the connector. A partition that
 * leaves this instance in a rebalance waits for its commands running here ({@link InFlightCommands}).
 */
@ApplicationScoped
public class CommandConsumer {

    @Inject
    StepDispatcher dispatcher;
    @Inject
    @Identifier(InFlightCommands.NAME)
    InFlightCommands inFlight;

    @Incoming("commands")
    @Blocking(value = "release-train-steps", ordered = false)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        Optional<IncomingKafkaRecordMetadata> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class);
        Map<String, String> headers = kafka.map(m -> KafkaHeaders.toMap(m.getHeaders())).orElse(Map.of());
        String origin = kafka.map(m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset()).orElse("channel commands");

        Optional<TopicPartition> partition = kafka.map(m -> new TopicPartition(m.getTopic(), m.getPartition()));
        partition.ifPresent(inFlight::began);
        StepDispatcher.Disposition disposition;
        try {
            disposition = dispatcher.dispatch(headers, message.getPayload(), origin);
        } catch (RuntimeException e) {
            disposition = new StepDispatcher.Disposition.Rejected("unexpected " + StepDispatcher.describe(e)
                    + " while dispatching " + origin);
        } finally {
            partition.ifPresent(inFlight::ended);
        }
        if (disposition instanceof StepDispatcher.Disposition.Rejected rejected) {
            WorkerMetrics.deadLettered(kafka.map(IncomingKafkaRecordMetadata::getTopic).orElse(null));
            return message.nack(new RejectedCommand(rejected.reason()));
        }
        return message.ack();
    }

    /** The nack cause; its message becomes the {@code dead-letter-reason} header. */
    public static final class RejectedCommand extends RuntimeException {
        public RejectedCommand(String reason) {
            super(reason, null, false, false);
        }
    }
}
