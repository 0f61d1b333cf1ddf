package dev.releasetrain.protocol;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link ReleaseEvent} with its CloudEvents attributes: {@code id} (unique, the dedupe key),
 * {@code source} (who produced it), {@code subject} (the release id), {@code time}, and
 * {@code seq}, the event's position in its release stream once appended (null before).
 */
public record Envelope(String id, String source, String releaseId, Instant time, Long seq, ReleaseEvent data) {

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(releaseId, "releaseId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
    }

    public static Envelope of(String source, String releaseId, ReleaseEvent data) {
        return new Envelope(UUID.randomUUID().toString(), source, releaseId, Instant.now(), null, data);
    }

    public String type() {
        return EventTypes.typeOf(data);
    }

    public Envelope withSeq(long seq) {
        return new Envelope(id, source, releaseId, time, seq, data);
    }
}
