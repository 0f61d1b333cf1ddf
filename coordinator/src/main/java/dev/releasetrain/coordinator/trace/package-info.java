/**
 * OpenTelemetry traces of releases: one trace per release, a span per step attempt. The trace context is kept with
 * the release's events in the release log, so every instance, and an instance after a restart, continues a release's
 * trace (docs/observability.md).
 */
package dev.releasetrain.coordinator.trace;
