package dev.releasetrain.coordinator.relay;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.CloudEventCodec.UndecodableMessage;
import dev.releasetrain.protocol.Envelope;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of {@code release_events} as the relay publishes it, read from the table by its position:
 * the change stream carries only the row's {@link Key} (docs/relay.md, "What the WAL carries").
 */
record ReleaseLogRow(long position, String releaseId, Long seq, String eventId, String type, String source,
                     String payload, Instant occurredAt, String traceParent) {

    /** The columns the relay reads, in {@link #from(ResultSet)}'s order. */
    static final String COLUMNS = "position, release_id, seq, event_id::text, type, source, payload::text, occurred_at, trace_parent";

    /**
     * What a change of {@code release_events} carries: the columns the relay's publication lists.
     * Debezium's PostgreSQL connector delivers uuid as a string and bigint as Long; a field may be null
     * when the row has an unexpected shape.
     */
    record Key(Long position, String releaseId, Long seq, String eventId) {
        /** The columns of the publication (and of Debezium's column filter). */
        static final String[] COLUMNS = {"position", "release_id", "seq", "event_id"};

        static Key from(Struct after) {
            return new Key((Long) value(after, "position"), (String) value(after, "release_id"),
                    (Long) value(after, "seq"), (String) value(after, "event_id"));
        }

        boolean complete() {
            return position != null && releaseId != null && seq != null && eventId != null;
        }

        private static Object value(Struct struct, String name) {
            Field field = struct.schema().field(name);
            return field == null ? null : struct.get(field);
        }

        /** The key as JSON, for the dead-letter topic when its row cannot be read. */
        byte[] toJson() {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("position", position);
            key.put("release_id", releaseId);
            key.put("seq", seq);
            key.put("event_id", eventId);
            return json(key, position);
        }

        @Override
        public String toString() {
            return "release_events row " + position + " (release " + releaseId + ", seq " + seq + ", event " + eventId + ")";
        }
    }

    /** A row of {@code select COLUMNS from release_events}. */
    static ReleaseLogRow from(ResultSet rs) throws SQLException {
        long seq = rs.getLong(3);
        Long boxedSeq = rs.wasNull() ? null : seq;
        Timestamp occurred = rs.getTimestamp(8);
        return new ReleaseLogRow(rs.getLong(1), rs.getString(2), boxedSeq, rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), occurred == null ? null : occurred.toInstant(), rs.getString(9));
    }

    /**
     * The event as the bus carries it; throws {@link UndecodableMessage} naming what is wrong. A trace context that
     * is not a W3C {@code traceparent} is left off (the event still goes out, without {@code ce_traceparent}).
     */
    Envelope toEnvelope() {
        if (releaseId == null || eventId == null || source == null || seq == null) {
            throw new UndecodableMessage("row at position " + position + " lacks release_id, event_id, source or seq");
        }
        return new Envelope(eventId, source, releaseId, required(occurredAt, "occurred_at"), seq,
                CloudEventCodec.decodeData(required(type, "type"),
                        required(payload, "payload").getBytes(StandardCharsets.UTF_8)),
                CloudEventCodec.isTraceParent(traceParent) ? traceParent : null);
    }

    private static <T> T required(T value, String column) {
        if (value == null) {
            throw new UndecodableMessage("column " + column + " is null");
        }
        return value;
    }

    /** The row as JSON, for the dead-letter topic. */
    byte[] toJson() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("position", position);
        row.put("release_id", releaseId);
        row.put("seq", seq);
        row.put("event_id", eventId);
        row.put("type", type);
        row.put("source", source);
        row.put("payload", payload);
        row.put("occurred_at", occurredAt == null ? null : occurredAt.toString());
        row.put("trace_parent", traceParent);
        return json(row, position);
    }

    private static byte[] json(Map<String, Object> fields, Long position) {
        try {
            return CloudEventCodec.json().writeValueAsBytes(fields);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write row " + position + " as JSON", e);
        }
    }

    @Override
    public String toString() {
        return "release_events row " + position + " (release " + releaseId + ", seq " + seq + ", event " + eventId
                + ", type " + type + ")";
    }
}
