package dev.releasetrain.coordinator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;

/**
 * The relay's and the results consumer's meters. The relay is built outside CDI (its tests run it on its own), so
 * these go to Micrometer's global registry, which Quarkus joins to the one it serves on {@code /q/metrics}; outside
 * Quarkus nothing is kept.
 */
public final class BusMetrics {
    /** Which way an event reached Kafka: the fast path right after its commit, or the relay reading the WAL. */
    public static final String FAST = "fast";
    public static final String CDC = "cdc";

    private BusMetrics() {
    }

    /** An event of the release log acknowledged by Kafka, {@code path} {@link #FAST} or {@link #CDC}; {@code at} its time in the log. */
    public static void published(String path, Instant at) {
        Counter.builder("release_train_relay_events_published_total")
                .description("Events of the release log acknowledged by Kafka, by the path that published them")
                .tag("path", path).register(Metrics.globalRegistry).increment();
        if (at != null) {
            Duration lag = Duration.between(at, Instant.now());
            Timer.builder("release_train_relay_publish_lag_seconds")
                    .description("From an event's time in the release log to Kafka acknowledging it, by path")
                    .tag("path", path).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                    .register(Metrics.globalRegistry).record(lag.isNegative() ? Duration.ZERO : lag);
        }
    }

    /** A record parked on release.deadletter; {@code topic} the one it came from or was bound for. */
    public static void deadLettered(String topic) {
        Counter.builder("release_train_dead_letters_total")
                .description("Records parked on release.deadletter, by the topic they came from or were bound for")
                .tag("topic", topic == null ? "unknown" : topic).register(Metrics.globalRegistry).increment();
    }
}
