package dev.releasetrain.coordinator.relay;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.CloudEventCodec.UndecodableMessage;
import dev.releasetrain.protocol.Envelope;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One inserted row of {@code release_events} as Debezium's PostgreSQL connector delivers it: uuid,
 * jsonb and timestamptz columns arrive as strings (io.debezium.data.Uuid, io.debezium.data.Json and
 * io.debezium.time.ZonedTimestamp, an ISO-8601 time with offset); bigint as Long.
 */
record ReleaseLogRow(Long position, String releaseId, Long seq, String eventId, String type, String source,
                     String payload, String occurredAt) {

    static ReleaseLogRow from(Struct after) {
        return new ReleaseLogRow(
                (Long) value(after, "position"),
                (String) value(after, "release_id"),
                (Long) value(after, "seq"),
                (String) value(after, "event_id"),
                (String) value(after, "type"),
                (String) value(after, "source"),
                (String) value(after, "payload"),
                (String) value(after, "occurred_at"));
    }

    private static Object value(Struct struct, String name) {
        Field field = struct.schema().field(name);
        return field == null ? null : struct.get(field);
    }

    /** The event as the bus carries it; throws {@link UndecodableMessage} naming what is wrong. */
    Envelope toEnvelope() {
        if (releaseId == null || eventId == null || source == null || seq == null) {
            throw new UndecodableMessage("row at position " + position + " lacks release_id, event_id, source or seq");
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(required(occurredAt, "occurred_at")).toInstant();
        } catch (DateTimeParseException e) {
            throw new UndecodableMessage("occurred_at '" + occurredAt + "' is not an ISO-8601 time");
        }
        return new Envelope(eventId, source, releaseId, time, seq,
                CloudEventCodec.decodeData(required(type, "type"),
                        required(payload, "payload").getBytes(StandardCharsets.UTF_8)));
    }

    private static String required(String value, String column) {
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
        row.put("occurred_at", occurredAt);
        try {
            return CloudEventCodec.json().writeValueAsBytes(row);
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
