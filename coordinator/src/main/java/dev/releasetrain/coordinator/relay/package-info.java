/**
 * The relay from the release log to Kafka: a Debezium embedded engine on the WAL of
 * {@code release_events} publishing each appended event as a CloudEvent, one active relay at a time
 * (PostgreSQL advisory lock). Plain Java; the coordinator's CDI wiring starts and closes it.
 */
package dev.releasetrain.coordinator.relay;
