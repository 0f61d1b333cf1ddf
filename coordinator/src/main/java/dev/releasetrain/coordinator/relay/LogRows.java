package dev.releasetrain.coordinator.relay;

import org.jboss.logging.Logger;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The relay's side of {@code release_events} outside the change stream: the publication it streams
 * (with a column list: only each row's {@link ReleaseLogRow.Key}) and the rows it publishes itself,
 * read by position. The fast path publishes nearly every event; the relay only needs to know which
 * rows were committed, so the WAL stream carries four small columns instead of the whole row (the
 * payload as JSON text and two timestamps, which Debezium parsed and the relay then dropped).
 */
final class LogRows implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LogRows.class);
    static final String TABLE = "public.release_events";
    /** One row per slot, updated at every heartbeat. */
    static final String HEARTBEAT = "public.release_relay_heartbeat";
    /** Updates for the heartbeat's upsert; release_events is only ever inserted into. */
    private static final String PUBLISH = "insert, update";
    private static final String READ = "select " + ReleaseLogRow.COLUMNS + " from " + TABLE + " where position = any(?)";

    private final RelayConfig config;
    private Connection connection;

    LogRows(RelayConfig config) {
        this.config = config;
    }

    /**
     * Makes the relay's publication list only the key columns of {@code release_events}, and the relay's
     * heartbeat table, creating it or setting its tables when they differ. Needs PostgreSQL 15 or later
     * (column lists); on an older server only the heartbeat table is made, and Debezium creates the
     * publication for whole rows.
     *
     * @return true when the publication is in place (Debezium must not create it), false on PostgreSQL 14 or older
     */
    static boolean ensurePublication(Connection c, String publication) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("create table if not exists " + HEARTBEAT + " (slot text primary key, beat_at timestamptz not null)");
        }
        if (c.getMetaData().getDatabaseMajorVersion() < 15) {
            return false;
        }
        String tables = TABLE + " (" + String.join(", ", ReleaseLogRow.Key.COLUMNS) + "), " + HEARTBEAT;
        String name = quoted(publication);
        boolean exists;
        boolean allTables = false;
        boolean operations = false;
        try (PreparedStatement q = c.prepareStatement("select puballtables, pubinsert and pubupdate and not pubdelete"
                + " and not pubtruncate from pg_publication where pubname = ?")) {
            q.setString(1, publication);
            try (ResultSet rs = q.executeQuery()) {
                exists = rs.next();
                if (exists) {
                    allTables = rs.getBoolean(1);
                    operations = rs.getBoolean(2);
                }
            }
        }
        try (Statement s = c.createStatement()) {
            if (!exists) {
                s.execute("create publication " + name + " for table " + tables + " with (publish = '" + PUBLISH + "')");
                LOG.infof("relay: created publication %s for %s", publication, tables);
                return true;
            }
            if (allTables) {
                throw new SQLException("publication " + publication + " publishes all tables; the relay needs one of its own"
                        + " (release-train.relay.publication) listing " + tables);
            }
            if (!listsTheKeyAndTheHeartbeat(c, publication)) {
                s.execute("alter publication " + name + " set table " + tables);
                LOG.infof("relay: publication %s now lists %s", publication, tables);
            }
            if (!operations) {
                s.execute("alter publication " + name + " set (publish = '" + PUBLISH + "')");
            }
        }
        return true;
    }

    private static boolean listsTheKeyAndTheHeartbeat(Connection c, String publication) throws SQLException {
        Map<String, String> listed = new HashMap<>();
        try (PreparedStatement q = c.prepareStatement(
                "select schemaname || '.' || tablename, attnames from pg_publication_tables where pubname = ?")) {
            q.setString(1, publication);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    Array names = rs.getArray(2);
                    String[] columns = names == null ? new String[0] : (String[]) names.getArray();
                    Arrays.sort(columns);
                    listed.put(rs.getString(1), String.join(",", columns));
                }
            }
        }
        String[] key = ReleaseLogRow.Key.COLUMNS.clone();
        Arrays.sort(key);
        return listed.size() == 2 && String.join(",", key).equals(listed.get(TABLE)) && listed.containsKey(HEARTBEAT);
    }

    /**
     * The statement Debezium runs at each heartbeat: a change in the publication, so the slot confirms the
     * WAL written meanwhile by other tables (PostgreSQL 15+ sends no empty transactions; without it, a quiet
     * release log would make PostgreSQL keep all WAL since its last append).
     */
    static String heartbeatQuery(String slot) {
        return "insert into " + HEARTBEAT + " (slot, beat_at) values ('" + slot.replace("'", "''")
                + "', now()) on conflict (slot) do update set beat_at = excluded.beat_at";
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * The rows at these positions (those still in the table). On a failure the connection is dropped and
     * the next call opens a new one.
     */
    Map<Long, ReleaseLogRow> read(Collection<Long> positions) throws SQLException {
        Map<Long, ReleaseLogRow> rows = new HashMap<>(positions.size() * 2);
        if (positions.isEmpty()) {
            return rows;
        }
        try {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword());
            }
            try (PreparedStatement q = connection.prepareStatement(READ)) {
                q.setArray(1, connection.createArrayOf("bigint", positions.toArray()));
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        ReleaseLogRow row = ReleaseLogRow.from(rs);
                        rows.put(row.position(), row);
                    }
                }
            }
            return rows;
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debugf("relay: closing the row reader's connection: %s", e);
            }
            connection = null;
        }
    }
}
