package dev.releasetrain.coordinator.relay;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The relay's one producer ({@code acks=all}, idempotent, {@code linger.ms=0}) shared by both
 * publishers, and the wait for Kafka's acknowledgement: a batch counts as published only once Kafka
 * acknowledged every record of it, and a failed batch is sent again, whole and in order, every second
 * until it goes through or the relay closes (the batch is then published again by the next relay).
 */
final class AcknowledgedSender implements AutoCloseable {
    /** Logged under the relay's category: the relay's parts are one component to an operator. */
    private static final Logger LOG = Logger.getLogger(Relay.class);

    private final KafkaProducer<String, byte[]> producer;
    private final ClosingSignal closing;
    private final String slotName;

    AcknowledgedSender(RelayConfig config, ClosingSignal closing) {
        this.closing = closing;
        this.slotName = config.slotName();
        Map<String, Object> properties = config.producerProperties();
        properties.putAll(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "release-train-relay-" + config.slotName(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "0"));
        this.producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    /** Hands one record to the producer without waiting; a send refused at once reaches the callback too. */
    void send(ProducerRecord<String, byte[]> record, Callback callback) {
        try {
            producer.send(record, callback);
        } catch (RuntimeException error) {
            callback.onCompletion(null, error);
        }
    }

    /** Hands records to the producer in order; their acknowledgements are awaited by {@link #untilAcknowledged}. */
    List<Future<RecordMetadata>> sendAll(List<ProducerRecord<String, byte[]>> records) {
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        for (ProducerRecord<String, byte[]> r : records) {
            sends.add(producer.send(r));
        }
        return sends;
    }

    /**
     * Returns once Kafka acknowledged {@code records}, whose first sends are {@code sends}. If any
     * failed, the records are sent again, all of them in order, at once and then every second.
     *
     * @throws InterruptedException when the relay closes first: the batch is not marked processed
     *                              and is published again by the next relay
     */
    void untilAcknowledged(List<ProducerRecord<String, byte[]>> records, List<Future<RecordMetadata>> sends)
            throws InterruptedException {
        boolean resent = false;
        while (true) {
            try {
                if (resent) {
                    sends = sendAll(records);
                }
                for (Future<RecordMetadata> send : sends) {
                    await(send, "relay closing before Kafka acknowledged; the batch will be published again");
                }
                return;
            } catch (ExecutionException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (closing.isClosing() || cause instanceof InterruptException) {
                    // the engine stops this batch: it is not marked processed and will be published again
                    throw new InterruptedException("relay stopping before Kafka acknowledged the batch");
                }
                if (!resent) {
                    LOG.warnf("relay on slot %s: publishing %d records failed (%s); publishing the batch again",
                            slotName, records.size(), cause);
                    resent = true;
                    continue;
                }
                LOG.warnf("relay on slot %s: publishing %d records failed (%s); retrying in %d ms",
                        slotName, records.size(), cause, Relay.RETRY_MS);
                if (closing.await(Relay.RETRY_MS)) {
                    throw new InterruptedException("relay closing; the batch will be published again on restart");
                }
            }
        }
    }

    /** Whether a send made elsewhere (a fast send) was acknowledged; waits for it as long as the relay runs. */
    boolean acknowledged(Future<?> send) throws InterruptedException {
        try {
            await(send, "relay closing before Kafka acknowledged a fast send");
            return true;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Waits for one send, looking every second whether the relay closes meanwhile. */
    private void await(Future<?> send, String closingMessage) throws InterruptedException, ExecutionException {
        while (true) {
            try {
                send.get(Relay.RETRY_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (closing.isClosing()) {
                    throw new InterruptedException(closingMessage);
                }
            }
        }
    }

    /** Flushes what the producer still holds (up to 30 s) and closes it. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
