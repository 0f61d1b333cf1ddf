package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.KafkaHeaders;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Publishes to the {@code results} channel (topic release.results): key = release id, value = the event
 * as JSON, CloudEvents attributes as {@code ce_*} headers. Waits for Kafka's acknowledgement (acks=all).
 */
@ApplicationScoped
public class KafkaResultPublisher implements ResultPublisher {

    @Inject
    @Channel("results")
    MutinyEmitter<byte[]> results;

    @ConfigProperty(name = "release-train.worker.publish-timeout", defaultValue = "PT3M")
    Duration publishTimeout;

    @Override
    public void publish(Envelope event) {
        results.sendMessage(message(event)).await().atMost(publishTimeout);
    }

    @Override
    public CompletionStage<Void> publishAsync(Envelope event) {
        return results.sendMessage(message(event)).subscribeAsCompletionStage();
    }

    private static Message<byte[]> message(Envelope event) {
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(event);
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.releaseId())
                .withHeaders(KafkaHeaders.of(encoded.headers()))
                .build();
        return Message.of(encoded.body()).addMetadata(metadata);
    }
}
