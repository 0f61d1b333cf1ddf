package dev.releasetrain.protocol;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaHeadersTest {

    @Test
    void headersBecomeStringsInRecordOrderWithoutValuelessOnesAndTheLastOfARepeat() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", "a".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_type", null);
        headers.add("ce_subject", "1.29.0 – ü".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_id", "b".getBytes(StandardCharsets.UTF_8));
        Map<String, String> map = KafkaHeaders.toMap(headers);
        assertEquals(Map.of("ce_id", "b", "ce_subject", "1.29.0 – ü"), map);
        assertEquals(List.of("ce_id", "ce_subject"), List.copyOf(map.keySet()));
        assertEquals(Map.of(), KafkaHeaders.toMap(null));
    }

    @Test
    void anEncodedEventSurvivesTheRoundTripThroughRecordHeaders() {
        Envelope sent = new Envelope("id-1", "/coordinator", "1.29.0", Instant.parse("2026-01-05T09:00:00Z"), 7L,
                new ReleaseEvent.ReleaseCompleted(List.of("git.tag-release")));
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(sent);
        RecordHeaders headers = KafkaHeaders.of(encoded.headers());
        assertEquals(encoded.headers(), KafkaHeaders.toMap(headers));
        assertEquals(sent, CloudEventCodec.decode(KafkaHeaders.toMap(headers), encoded.body()));
    }

    @Test
    void theTraceContextTravelsAsCeTraceparentAndAnInvalidOneIsDropped() {
        String traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Envelope sent = new Envelope("id-2", "/coordinator", "1.29.0", Instant.parse("2026-01-05T09:00:00Z"), 8L,
                new ReleaseEvent.ReleaseCompleted(List.of("git.tag-release")), traceParent);
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(sent);
        assertEquals(traceParent, encoded.headers().get("ce_traceparent"));
        assertEquals(sent, CloudEventCodec.decode(KafkaHeaders.toMap(KafkaHeaders.of(encoded.headers())), encoded.body()));

        assertFalse(CloudEventCodec.encode(sent.withTraceParent(null)).headers().containsKey("ce_traceparent"),
                "an event without trace context has no header");
        for (String invalid : List.of("", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x")) {
            Map<String, String> headers = new java.util.LinkedHashMap<>(encoded.headers());
            headers.put("ce_traceparent", invalid);
            assertNull(CloudEventCodec.decode(headers, encoded.body()).traceParent(), invalid);
            assertFalse(CloudEventCodec.isTraceParent(invalid), invalid);
        }
        assertTrue(CloudEventCodec.isTraceParent(traceParent));
    }
}
