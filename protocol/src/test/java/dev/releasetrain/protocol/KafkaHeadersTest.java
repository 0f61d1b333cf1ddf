package dev.releasetrain.protocol;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
