package dev.releasetrain.coordinator.relay;

import dev.releasetrain.coordinator.metrics.BusMetrics;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.releasetrain.protocol.Topics;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
            sends.add(sendOne(r));
        }
        return sends;
    }

    /** A send refused at once (a record that cannot be serialized, a closed producer) is a failed send. */
    private Future<RecordMetadata> sendOne(ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record);
        } catch (RuntimeException error) {
            return CompletableFuture.failedFuture(error);
        }
    }

    /**
     * Returns once Kafka acknowledged {@code records}, whose first sends are {@code sends}. A record Kafka
     * refuses itself ({@link RelayRecords#refusesTheRecord}: too large, not serializable) is replaced by
     * its dead letter, which is sent in its place: one record never holds the others up. If a send failed
     * otherwise (Kafka unreachable), the records are sent again, all of them in order, at once and then
     * every second.
     *
     * @throws InterruptedException when the relay closes first: the batch is not marked processed
     *                              and is published again by the next relay
     */
    void untilAcknowledged(List<ProducerRecord<String, byte[]>> given, List<Future<RecordMetadata>> firstSends)
            throws InterruptedException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(given);
        List<Future<RecordMetadata>> sends = new ArrayList<>(firstSends);
        int failures = 0;
        while (true) {
            Throwable outage = null;
            Map<Integer, Throwable> refused = new LinkedHashMap<>();
            for (int i = 0; i < sends.size(); i++) {
                try {
                    await(sends.get(i), "relay closing before Kafka acknowledged; the batch will be published again");
                } catch (ExecutionException | RuntimeException e) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    if (closing.isClosing() || cause instanceof InterruptException) {
                        // the engine stops this batch: it is not marked processed and will be published again
                        throw new InterruptedException("relay stopping before Kafka acknowledged the batch");
                    }
                    if (RelayRecords.refusesTheRecord(cause)) {
                        refused.put(i, cause);
                    } else {
                        outage = cause;
                    }
                }
            }
            for (Map.Entry<Integer, Throwable> r : refused.entrySet()) {
                ProducerRecord<String, byte[]> record = records.get(r.getKey());
                if (Topics.DEAD_LETTER.equals(record.topic()) && record.value() == null) {
                    // a dead letter reduced to its reason was refused too: nothing smaller is left to send
                    LOG.errorf("relay on slot %s: Kafka refused even the bare dead letter of a record (key %s): %s; dropped",
                            slotName, record.key(), r.getValue());
                    sends.set(r.getKey(), CompletableFuture.completedFuture(null));
                    continue;
                }
                LOG.warnf("relay on slot %s: Kafka refused a record for %s (key %s): %s; sent to %s",
                        slotName, record.topic(), record.key(), r.getValue(), Topics.DEAD_LETTER);
                ProducerRecord<String, byte[]> dead = RelayRecords.deadLetter(record, r.getValue());
                records.set(r.getKey(), dead);
                sends.set(r.getKey(), sendOne(dead));
            }
            if (outage == null) {
                if (refused.isEmpty()) {
                    records.stream().filter(r -> Topics.DEAD_LETTER.equals(r.topic()))
                            .forEach(r -> BusMetrics.deadLettered(deadLetterSource(r)));
                    return;
                }
                continue; // wait for the dead letters
            }
            if (failures++ == 0) {
                LOG.warnf("relay on slot %s: publishing %d records failed (%s); publishing the batch again",
                        slotName, records.size(), outage);
            } else {
                LOG.warnf("relay on slot %s: publishing %d records failed (%s); retrying in %d ms",
                        slotName, records.size(), outage, Relay.RETRY_MS);
                if (closing.await(Relay.RETRY_MS)) {
                    throw new InterruptedException("relay closing; the batch will be published again on restart");
                }
            }
            sends = sendAll(records);
        }
    }

    /** The topic a dead letter was bound for, or the release log when its row could not be read. */
    private static String deadLetterSource(ProducerRecord<String, byte[]> deadLetter) {
        var header = deadLetter.headers().lastHeader(RelayRecords.DEAD_LETTER_TOPIC);
        return header == null ? "release_events" : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
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
