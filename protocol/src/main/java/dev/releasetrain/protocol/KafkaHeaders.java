package dev.releasetrain.protocol;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CloudEvents attributes of {@link CloudEventCodec} on a Kafka record: binary-mode headers are UTF-8 strings.
 * Needs {@code kafka-clients} on the class path (an optional dependency of this module).
 */
public final class KafkaHeaders {
    private KafkaHeaders() {
    }

    /**
     * The headers as strings, in record order. A header without a value is left out (the codec treats it as
     * missing); a repeated header keeps its last value. {@code null} gives an empty map.
     */
    public static Map<String, String> toMap(Headers headers) {
        Map<String, String> map = new LinkedHashMap<>();
        if (headers != null) {
            for (Header h : headers) {
                if (h.value() != null) {
                    map.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return map;
    }

    /** Kafka record headers carrying {@code headers} (e.g. {@link CloudEventCodec.Encoded#headers()}) as UTF-8. */
    public static RecordHeaders of(Map<String, String> headers) {
        RecordHeaders out = new RecordHeaders();
        headers.forEach((k, v) -> out.add(k, v.getBytes(StandardCharsets.UTF_8)));
        return out;
    }
}
