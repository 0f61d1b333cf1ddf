package dev.releasetrain.coordinator.trace;

import io.opentelemetry.sdk.trace.IdGenerator;
import jakarta.inject.Singleton;

/**
 * The SDK's random ids, except for a span started inside {@link #starting}: it gets the span id given there. A step
 * attempt's span id is decided when the attempt is requested (its command carries it, and the service's span is its
 * child), while the span itself is recorded once the attempt ends, possibly by another instance or after a restart
 * ({@link ReleaseTraces}). Quarkus's OpenTelemetry SDK takes an {@link IdGenerator} bean as its id generator.
 */
@Singleton
public class PresetSpanIds implements IdGenerator {
    private static final IdGenerator RANDOM = IdGenerator.random();
    private static final ThreadLocal<String> PRESET = new ThreadLocal<>();

    @Override
    public String generateSpanId() {
        String preset = PRESET.get();
        if (preset != null) {
            PRESET.remove();
            return preset;
        }
        return RANDOM.generateSpanId();
    }

    @Override
    public String generateTraceId() {
        return RANDOM.generateTraceId();
    }

    /** Runs {@code start}, whose first span started on this thread gets {@code spanId}. */
    static <T> T starting(String spanId, java.util.function.Supplier<T> start) {
        PRESET.set(spanId);
        try {
            return start.get();
        } finally {
            PRESET.remove();
        }
    }
}
