package dev.releasetrain.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * A service's meters. The dispatcher is built outside CDI in tests, so these go to Micrometer's global registry,
 * which Quarkus joins to the one it serves on {@code /q/metrics}; outside Quarkus nothing is kept. Labels are step
 * ids and outcomes: a bounded set, never a parameter.
 */
final class WorkerMetrics {
    private WorkerMetrics() {
    }

    /** A step attempt this service ran, from its handler's start to its result, by step and outcome. */
    static void ran(String step, String outcome, Duration took) {
        Timer.builder("release_train_worker_step_seconds")
                .description("Step attempts run by this service, handler start to result, by step and outcome")
                .tag("step", step).tag("outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(6))
                .register(Metrics.globalRegistry).record(took);
    }

    /** A delivery skipped as a duplicate of a command this instance ran or is running. */
    static void skipped() {
        Counter.builder("release_train_worker_commands_skipped_total")
                .description("Command deliveries skipped as duplicates of a command this instance ran or is running")
                .register(Metrics.globalRegistry).increment();
    }

    /** A command parked on release.deadletter; {@code topic} the one it came from. */
    static void deadLettered(String topic) {
        Counter.builder("release_train_dead_letters_total")
                .description("Records parked on release.deadletter, by the topic they came from or were bound for")
                .tag("topic", topic == null ? "unknown" : topic).register(Metrics.globalRegistry).increment();
    }
}
