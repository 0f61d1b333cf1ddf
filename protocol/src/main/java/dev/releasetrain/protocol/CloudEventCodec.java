package dev.releasetrain.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CloudEvents 1.0 binary content mode, as the Kafka protocol binding defines it: the attributes
 * travel as {@code ce_*} headers, the data (the event record as JSON) is the record value, and
 * {@code content-type} says so. The release stream position travels as the extension
 * {@code releaseseq}. An event's trace context travels as the distributed-tracing extension's
 * {@code traceparent} attribute ({@code ce_traceparent}, a W3C {@code traceparent} value); a value that is not
 * one is dropped on decoding, as W3C Trace Context has a receiver ignore it. Headers are strings here; the Kafka
 * adapters turn them into UTF-8 bytes.
 */
public final class CloudEventCodec {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";
    public static final String H_SPEC = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_TIME = "ce_time";
    public static final String H_SEQ = "ce_releaseseq";
    /** The CloudEvents distributed-tracing extension's {@code traceparent} in Kafka binary mode. */
    public static final String H_TRACEPARENT = "ce_traceparent";
    public static final String H_CONTENT_TYPE = "content-type";

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private CloudEventCodec() {
    }

    /** The shared mapper for event data: ISO-8601 times, unknown fields ignored (forward compatible). */
    public static ObjectMapper json() {
        return JSON;
    }

    public record Encoded(Map<String, String> headers, byte[] body) {
    }

    public static Encoded encode(Envelope e) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(H_SPEC, SPEC_VERSION);
        h.put(H_ID, e.id());
        h.put(H_SOURCE, e.source());
        h.put(H_TYPE, e.type());
        h.put(H_SUBJECT, e.releaseId());
        h.put(H_TIME, e.time().toString());
        if (e.seq() != null) {
            h.put(H_SEQ, Long.toString(e.seq()));
        }
        if (e.traceParent() != null) {
            h.put(H_TRACEPARENT, e.traceParent());
        }
        h.put(H_CONTENT_TYPE, CONTENT_TYPE);
        return new Encoded(h, dataBytes(e.data()));
    }

    public static byte[] dataBytes(ReleaseEvent data) {
        try {
            return JSON.writeValueAsBytes(data);
        } catch (IOException ex) {
            throw new IllegalStateException("cannot encode " + data.getClass().getSimpleName(), ex);
        }
    }

    public static String dataJson(ReleaseEvent data) {
        return new String(dataBytes(data), StandardCharsets.UTF_8);
    }

    /** Reads the data of a known type; throws {@link UndecodableMessage} naming what is wrong. */
    public static ReleaseEvent decodeData(String type, byte[] body) {
        Class<? extends ReleaseEvent> cls = EventTypes.classOf(type)
                .orElseThrow(() -> new UndecodableMessage("unknown event type '" + type + "'"));
        if (body == null) {
            throw new UndecodableMessage("no data for " + type);
        }
        try {
            return JSON.readValue(body, cls);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new UndecodableMessage("data of " + type + " is not valid: " + ex.getOriginalMessage());
        } catch (IOException ex) {
            throw new UndecodableMessage("data of " + type + " is not readable: " + ex.getMessage());
        }
    }

    public static Envelope decode(Map<String, String> headers, byte[] body) {
        String spec = required(headers, H_SPEC);
        if (!SPEC_VERSION.equals(spec)) {
            throw new UndecodableMessage("unsupported CloudEvents specversion '" + spec + "'");
        }
        String type = required(headers, H_TYPE);
        Instant time;
        try {
            time = Instant.parse(required(headers, H_TIME));
        } catch (DateTimeParseException ex) {
            throw new UndecodableMessage("header " + H_TIME + " is not an RFC 3339 time");
        }
        Long seq = null;
        if (headers.get(H_SEQ) != null) {
            try {
                seq = Long.parseLong(headers.get(H_SEQ));
            } catch (NumberFormatException ex) {
                throw new UndecodableMessage("header " + H_SEQ + " is not a number");
            }
        }
        String traceParent = headers.get(H_TRACEPARENT);
        return new Envelope(required(headers, H_ID), required(headers, H_SOURCE), required(headers, H_SUBJECT),
                time, seq, decodeData(type, body), isTraceParent(traceParent) ? traceParent : null);
    }

    /**
     * Whether {@code value} is a W3C {@code traceparent} of version {@code 00}: {@code 00-<32 hex trace id>-<16 hex
     * span id>-<2 hex flags>}, lower case, ids not all zero. Anything else (no value, another version, an invalid id)
     * is no trace context.
     */
    public static boolean isTraceParent(String value) {
        if (value == null || value.length() != 55 || !value.startsWith("00-") || value.charAt(35) != '-'
                || value.charAt(52) != '-') {
            return false;
        }
        boolean traceSet = false;
        boolean spanSet = false;
        for (int i = 3; i < 55; i++) {
            if (i == 35 || i == 52) {
                continue;
            }
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
            if (c != '0') {
                traceSet |= i < 35;
                spanSet |= i > 35 && i < 52;
            }
        }
        return traceSet && spanSet;
    }

    private static String required(Map<String, String> headers, String name) {
        String v = headers.get(name);
        if (v == null || v.isBlank()) {
            throw new UndecodableMessage("missing header " + name);
        }
        return v;
    }

    /** A message that is not a Release Train CloudEvent; the reason names the header or field. */
    public static final class UndecodableMessage extends RuntimeException {
        public UndecodableMessage(String reason) {
            super(reason);
        }
    }
}
