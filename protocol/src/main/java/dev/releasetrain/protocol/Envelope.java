package dev.releasetrain.protocol;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link ReleaseEvent} with its CloudEvents attributes: {@code id} (unique, the dedupe key),
 * {@code source} (who produced it), {@code subject} (the release id), {@code time},
 * {@code seq}, the event's position in its release stream once appended (null before), and
 * {@code traceParent}, the W3C trace context the event belongs to (the CloudEvents distributed-tracing
 * extension; null when it has none).
 */
public record Envelope(String id, String source, String releaseId, Instant time, Long seq, ReleaseEvent data,
                       String traceParent) {

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(releaseId, "releaseId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
    }

    /** An event without trace context. */
    public Envelope(String id, String source, String releaseId, Instant time, Long seq, ReleaseEvent data) {
        this(id, source, releaseId, time, seq, data, null);
    }

    public static Envelope of(String source, String releaseId, ReleaseEvent data) {
        return new Envelope(UUID.randomUUID().toString(), source, releaseId, Instant.now(), null, data);
    }

    public String type() {
        return EventTypes.typeOf(data);
    }

    public Envelope withSeq(long seq) {
        return new Envelope(id, source, releaseId, time, seq, data, traceParent);
    }

    /** The same event in the trace context {@code traceParent} (a W3C {@code traceparent}, or null for none). */
    public Envelope withTraceParent(String traceParent) {
        return new Envelope(id, source, releaseId, time, seq, data, traceParent);
    }
}
