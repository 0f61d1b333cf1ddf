/**
 * What an operator scrapes from {@code /q/metrics}: step attempts, waits, retries and time-outs counted from the
 * events this coordinator appends ({@link dev.releasetrain.coordinator.metrics.StepMetrics}), and gauges read
 * when scraped ({@link dev.releasetrain.coordinator.metrics.ReleaseGauges}). Names are listed in docs/observability.md.
 */
package dev.releasetrain.coordinator.metrics;
