package dev.releasetrain.coordinator.live;

import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The coordinator's two subscriptions: the services' results (appended to the log with what
 * follows from them), and the relay's event feed (wakes the live streams). An undecodable result
 * is refused, and SmallRye's dead-letter strategy parks it on {@code release.deadletter}.
 */
@ApplicationScoped
public class BusConsumers {
    private static final Logger LOG = Logger.getLogger(BusConsumers.class);

    @Inject
    Releases releases;
    @Inject
    EventStreams streams;

    @Incoming("results")
    @Blocking
    public void result(ConsumerRecord<String, byte[]> record) {
        Envelope e = CloudEventCodec.decode(KafkaHeaders.toMap(record.headers()), record.value());
        ReleaseEvent d = e.data();
        if (!(d instanceof ReleaseEvent.StepStarted || d instanceof ReleaseEvent.StepProgress
                || d instanceof ReleaseEvent.StepSucceeded || d instanceof ReleaseEvent.StepFailed)) {
            throw new CloudEventCodec.UndecodableMessage(e.type() + " is not a step result");
        }
        Releases.Outcome outcome = releases.record(e);
        if (!outcome.accepted()) {
            LOG.warnf("release %s: result %s for step %s dropped: %s", e.releaseId(), e.id(), d.step(),
                    outcome.rejection().message());
        }
    }

    @Incoming("release-events")
    public void published(ConsumerRecord<String, byte[]> record) {
        if (record.key() != null) {
            streams.appended(record.key());
        }
    }
}
