package dev.releasetrain.coordinator.relay;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one Debezium change record of {@code release_events} into the Kafka records that publish it:
 * the event on {@link Topics#EVENTS}, a {@code StepRequested} also on its service's command topic, and
 * a row that cannot be read on {@link Topics#DEAD_LETTER} instead. All keyed by release id.
 */
final class RelayRecords {
    static final String LOG_POSITION = "rt_release_log_position";
    /** On a dead letter of a record Kafka refused: the topic it was meant for. */
    static final String DEAD_LETTER_TOPIC = Topics.DEAD_LETTER_TOPIC;
    /** On a dead letter whose value was left out: the value's size in bytes. */
    static final String DEAD_LETTER_SIZE = "dead-letter-size";
    /** A refused record's value travels with its dead letter up to this size. */
    static final int MAX_DEAD_LETTER_VALUE = 256 * 1024;
    private static final Logger LOG = Logger.getLogger(RelayRecords.class);

    private RelayRecords() {
    }

    /**
     * The key of the row a change inserted (snapshot reads count as inserts), or null for a change to
     * ignore: a heartbeat, an update or a delete (the log is append-only). A key whose fields cannot be
     * read has nulls (see {@link ReleaseLogRow.Key#complete()}). Changes of the relay's heartbeat table are
     * ignored too.
     */
    static ReleaseLogRow.Key insertedKey(SourceRecord change) {
        if (!(change.value() instanceof Struct value) || value.schema().field("op") == null) {
            return null;
        }
        if (!"release_events".equals(sourceTable(value))) {
            return null; // the relay's heartbeat row
        }
        String op = value.getString("op");
        if (!"c".equals(op) && !"r".equals(op)) {
            LOG.debugf("ignoring change '%s' on release_events: the log is append-only", op);
            return null;
        }
        try {
            return ReleaseLogRow.Key.from(value.getStruct("after"));
        } catch (RuntimeException e) {
            LOG.warnf("relay: a release_events change has an unexpected shape (%s)", e);
            return new ReleaseLogRow.Key(null, null, null, null);
        }
    }

    private static String sourceTable(Struct value) {
        try {
            Struct source = value.schema().field("source") == null ? null : value.getStruct("source");
            return source == null ? "release_events" : source.getString("table");
        } catch (RuntimeException e) {
            return "release_events"; // an unexpected shape: judged by its row below
        }
    }

    /**
     * The records that publish the row inserted at {@code key}, read from the table ({@code row}, null
     * when it is not there); a row that cannot be read goes to the dead-letter topic instead.
     */
    static List<ProducerRecord<String, byte[]>> of(ReleaseLogRow.Key key, ReleaseLogRow row) {
        if (!key.complete() || row == null) {
            String reason = !key.complete() ? "unexpected change shape: " + key
                    : "row at position " + key.position() + " is not in release_events";
            LOG.warnf("relay: cannot publish %s: %s; sent to %s", key, reason, Topics.DEAD_LETTER);
            return List.of(deadLetter(key.releaseId(), key.toJson(), reason, key.position()));
        }
        try {
            return publish(row.toEnvelope());
        } catch (RuntimeException e) { // undecodable, or a value the codec cannot encode
            LOG.warnf("relay: cannot publish %s: %s; sent to %s", row, e.getMessage(), Topics.DEAD_LETTER);
            return List.of(deadLetter(row.releaseId(), row.toJson(), e.getMessage(), row.position()));
        }
    }

    /** The records that publish one event of the log (the fast path uses it for events it just committed). */
    static List<ProducerRecord<String, byte[]>> publish(Envelope envelope) {
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(envelope);
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(2);
        out.add(record(Topics.EVENTS, envelope.releaseId(), encoded));
        if (envelope.data() instanceof StepRequested request) {
            if (request.service() == null || request.service().isBlank()) {
                LOG.warnf("relay: StepRequested %s of release %s (step %s, attempt %d) names no service; command sent to %s",
                        envelope.id(), envelope.releaseId(), request.step(), request.attempt(), Topics.DEAD_LETTER);
                ProducerRecord<String, byte[]> dead = record(Topics.DEAD_LETTER, envelope.releaseId(), encoded);
                dead.headers().add(Topics.DEAD_LETTER_REASON, bytes("StepRequested names no service"));
                out.add(dead);
            } else {
                out.add(record(Topics.commands(request.service()), envelope.releaseId(), encoded));
            }
        }
        return out;
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key, CloudEventCodec.Encoded encoded) {
        RecordHeaders headers = new RecordHeaders();
        for (Map.Entry<String, String> h : encoded.headers().entrySet()) {
            headers.add(h.getKey(), bytes(h.getValue()));
        }
        return new ProducerRecord<>(topic, null, key, encoded.body(), headers);
    }

    private static ProducerRecord<String, byte[]> deadLetter(String key, byte[] value, String reason, Long position) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.DEAD_LETTER_REASON, bytes(reason == null ? "unknown" : reason));
        if (position != null) {
            headers.add(LOG_POSITION, bytes(position.toString()));
        }
        return new ProducerRecord<>(Topics.DEAD_LETTER, null, key, value, headers);
    }

    /**
     * Whether Kafka refused the record itself (too large, not serializable, a topic name it cannot have):
     * sending it again cannot help, so it goes to the dead-letter topic and the records after it flow.
     */
    static boolean refusesTheRecord(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidRecordException || error instanceof SerializationException
                || error instanceof InvalidTopicException;
    }

    /**
     * The dead letter of a record Kafka refused: its key and headers, the reason, the topic it was meant
     * for, and its value if that is small enough to travel (else only its size). A dead letter refused
     * in turn becomes one without headers of the original and without value.
     */
    static ProducerRecord<String, byte[]> deadLetter(ProducerRecord<String, byte[]> refused, Throwable error) {
        String reason = "Kafka refused the record for " + refused.topic() + ": " + error;
        RecordHeaders headers = new RecordHeaders();
        boolean again = Topics.DEAD_LETTER.equals(refused.topic());
        if (!again) {
            refused.headers().forEach(h -> {
                if (!h.key().equals(Topics.DEAD_LETTER_REASON)) {
                    headers.add(h);
                }
            });
        } else if (refused.headers().lastHeader(CloudEventCodec.H_ID) != null) {
            headers.add(refused.headers().lastHeader(CloudEventCodec.H_ID));
        }
        headers.add(Topics.DEAD_LETTER_REASON, bytes(reason));
        headers.add(DEAD_LETTER_TOPIC, bytes(again ? Topics.DEAD_LETTER : refused.topic()));
        byte[] value = refused.value();
        boolean keep = !again && value != null && value.length <= MAX_DEAD_LETTER_VALUE;
        if (value != null && !keep) {
            headers.add(DEAD_LETTER_SIZE, bytes(Integer.toString(value.length)));
        }
        return new ProducerRecord<>(Topics.DEAD_LETTER, null, refused.key(), keep ? value : null, headers);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
