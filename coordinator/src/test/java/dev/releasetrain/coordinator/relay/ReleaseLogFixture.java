package dev.releasetrain.coordinator.relay;

import org.awaitility.Awaitility;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.local.LocalPostgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import dev.releasetrain.protocol.EventTypes;

/** A database of its own holding the release log (created by the Flyway migrations' SQL), and appends to it. */
final class ReleaseLogFixture implements AutoCloseable {
    static final String SOURCE = "/release-train/coordinator";

    private final LocalPostgres postgres;
    private final String database;
    private final Connection connection;

    ReleaseLogFixture(LocalPostgres postgres, String database) throws SQLException, IOException {
        this.postgres = postgres;
        this.database = database;
        try (Connection admin = postgres.dataSource().getConnection(); Statement s = admin.createStatement()) {
            s.execute("create database " + database);
        }
        connection = DriverManager.getConnection(jdbcUrl(), postgres.username(), postgres.password());
        try (Statement s = connection.createStatement()) {
            s.execute(migration("V1__release_log.sql"));
            s.execute(migration("V8__release_events_trace_context.sql")); // the trace context the relay publishes
        }
    }

    private static String migration(String file) throws IOException {
        try (InputStream in = ReleaseLogFixture.class.getResourceAsStream("/db/migration/" + file)) {
            if (in == null) {
                throw new IllegalStateException("db/migration/" + file + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/" + database;
    }

    RelayConfig relayConfig(String kafka, String slot) {
        return RelayConfig.of(postgres.host(), postgres.port(), database, postgres.username(), postgres.password(), kafka)
                .withSlotName(slot)
                .withPublicationName(slot);
    }

    /** Appends one event in its own transaction, as the coordinator would. */
    synchronized Envelope append(String releaseId, long seq, ReleaseEvent data) throws SQLException {
        return append(releaseId, seq, data, null);
    }

    /** Appends one event with its trace context (a W3C traceparent, or null). */
    synchronized Envelope append(String releaseId, long seq, ReleaseEvent data, String traceParent) throws SQLException {
        Envelope e = new Envelope(UUID.randomUUID().toString(), SOURCE, releaseId,
                Instant.now().truncatedTo(ChronoUnit.MICROS), seq, data, traceParent);
        insert(releaseId, seq, e.id(), e.type(), CloudEventCodec.dataJson(data), e.time(), traceParent);
        return e;
    }

    synchronized void insert(String releaseId, long seq, String eventId, String type, String payloadJson, Instant time)
            throws SQLException {
        insert(releaseId, seq, eventId, type, payloadJson, time, null);
    }

    synchronized void insert(String releaseId, long seq, String eventId, String type, String payloadJson, Instant time,
                             String traceParent) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("insert into release_events (release_id, seq, event_id,"
                + " type, source, payload, occurred_at, trace_parent) values (?, ?, ?, ?, ?, ?::jsonb, ?, ?)")) {
            insert.setString(1, releaseId);
            insert.setLong(2, seq);
            insert.setObject(3, UUID.fromString(eventId));
            insert.setString(4, type);
            insert.setString(5, SOURCE);
            insert.setString(6, payloadJson);
            insert.setTimestamp(7, Timestamp.from(time));
            insert.setString(8, traceParent);
            insert.executeUpdate();
        }
    }

    /**
     * Inserts a row and deletes it in the same transaction: the WAL carries the insert, the table has
     * no row (what the relay meets if a row vanished before it read it).
     */
    synchronized void insertAndDelete(String releaseId, long seq, ReleaseEvent data) throws SQLException {
        String id = UUID.randomUUID().toString();
        connection.setAutoCommit(false);
        try {
            insert(releaseId, seq, id, EventTypes.typeOf(data.getClass()), CloudEventCodec.dataJson(data), Instant.now());
            try (PreparedStatement delete = connection.prepareStatement("delete from release_events where event_id = ?")) {
                delete.setObject(1, UUID.fromString(id));
                delete.executeUpdate();
            }
            connection.commit();
        } finally {
            connection.setAutoCommit(true);
        }
    }

    void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    String text(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    long count(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Drops the relay's slot once its walsender has let go of it (inactive slots keep WAL forever). */
    void dropSlot(String slot) throws SQLException, InterruptedException {
        Awaitility.await("slot " + slot + " dropped").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreException(SQLException.class)
                .until(() -> {
                    try (Statement s = connection.createStatement()) {
                        s.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '" + slot + "'");
                        return true;
                    }
                });
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
