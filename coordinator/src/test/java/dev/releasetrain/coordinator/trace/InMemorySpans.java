package dev.releasetrain.coordinator.trace;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The tests' span exporter: Quarkus hands every finished span to each {@code SpanExporter} bean (and, with one
 * present, sends none over OTLP). Spans exist only where a test switches tracing on ({@link ReleaseTraceTest}).
 */
@Singleton
public class InMemorySpans {
    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
