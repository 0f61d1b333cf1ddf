package dev.releasetrain.coordinator.relay;

import dev.releasetrain.coordinator.relay.RelayConfig.OffsetStorage;

import java.util.Arrays;
import java.util.Properties;

/** The Debezium embedded engine's properties for a relay: the PostgreSQL connector on the release log's key columns. */
final class DebeziumProperties {
    private DebeziumProperties() {
    }

    /**
     * @param ownPublication whether the relay made its publication (PostgreSQL 15+, a column list) or
     *                       leaves it to Debezium
     */
    static Properties of(RelayConfig config, boolean ownPublication) {
        Properties p = new Properties();
        p.setProperty("name", "release-train-relay-" + config.slotName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("database.hostname", config.dbHost());
        p.setProperty("database.port", Integer.toString(config.dbPort()));
        p.setProperty("database.user", config.dbUser());
        p.setProperty("database.password", config.dbPassword());
        p.setProperty("database.dbname", config.database());
        // the datasource URL's parameters (sslmode, ...) reach the driver of every connection Debezium makes
        config.jdbcParameters().forEach((name, value) -> p.setProperty("driver." + name, value));
        // The logical server name also names the engine's JMX beans: one per slot, so relays of different
        // slots can share a JVM (tests, the bench) without waiting on each other's metrics registration.
        p.setProperty("topic.prefix", "release_train_" + config.slotName().replaceAll("[^A-Za-z0-9_]", "_"));
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.publicationName());
        // The stream carries each row's key only (LogRows): a publication with a column list, made by
        // the relay on PostgreSQL 15+; on older servers Debezium creates one for the whole row, and its
        // column filter keeps the change records as small.
        p.setProperty("publication.autocreate.mode", ownPublication ? "disabled" : "filtered");
        p.setProperty("table.include.list", LogRows.TABLE + "," + LogRows.HEARTBEAT);
        p.setProperty("column.include.list", String.join(",",
                Arrays.stream(ReleaseLogRow.Key.COLUMNS).map(c -> LogRows.TABLE + "." + c).toList())
                + "," + LogRows.HEARTBEAT + ".slot");
        // First start (no stored position): read the rows already in the table, in log order, then
        // stream; later starts resume from the stored position. no_data would miss rows appended
        // before the slot existed.
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("snapshot.select.statement.overrides", "public.release_events");
        p.setProperty("snapshot.select.statement.overrides.public.release_events",
                "SELECT " + String.join(", ", ReleaseLogRow.Key.COLUMNS) + " FROM public.release_events ORDER BY position");
        p.setProperty("poll.interval.ms", Long.toString(config.pollIntervalMs()));
        p.setProperty("offset.flush.interval.ms", Long.toString(config.offsetFlushIntervalMs()));
        // Lets the slot's confirmed position move on while release_events is quiet but other
        // writes (e.g. the offsets table) produce WAL.
        p.setProperty("heartbeat.interval.ms", Long.toString(config.heartbeatIntervalMs()));
        p.setProperty("heartbeat.action.query", LogRows.heartbeatQuery(config.slotName()));
        // A slot still held by the relay that just stepped down is released within a moment.
        p.setProperty("slot.retry.delay.ms", "500");
        p.setProperty("slot.max.retries", "120");
        if (config.offsetStorage() instanceof OffsetStorage.InDatabase db) {
            p.setProperty("offset.storage", "io.debezium.storage.jdbc.offset.JdbcOffsetBackingStore");
            p.setProperty("offset.storage.jdbc.connection.url", config.jdbcUrl());
            p.setProperty("offset.storage.jdbc.connection.user", config.dbUser());
            p.setProperty("offset.storage.jdbc.connection.password", config.dbPassword());
            p.setProperty("offset.storage.jdbc.table.name", db.table());
        } else if (config.offsetStorage() instanceof OffsetStorage.InFile file) {
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            p.setProperty("offset.storage.file.filename", file.file().toAbsolutePath().toString());
        }
        return p;
    }
}
