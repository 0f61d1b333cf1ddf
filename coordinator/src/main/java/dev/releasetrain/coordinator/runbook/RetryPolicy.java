package dev.releasetrain.coordinator.runbook;

import java.time.Duration;

/**
 * How a step is tried again: at most {@code maxAttempts} attempts in all, waiting {@code backoff},
 * doubled after each attempt up to {@code maxBackoff}. Failures the service marked retryable are
 * retried, and so are timeouts when {@code onTimeout}; anything else waits for a person.
 */
public record RetryPolicy(int maxAttempts, Duration backoff, Duration maxBackoff, boolean onTimeout) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofMinutes(2), true);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (backoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative");
        }
    }

    /** The wait before attempt {@code nextAttempt} (2, 3, ...). */
    public Duration backoffBefore(int nextAttempt) {
        Duration d = backoff;
        for (int i = 2; i < nextAttempt && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
