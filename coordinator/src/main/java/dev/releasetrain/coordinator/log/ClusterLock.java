package dev.releasetrain.coordinator.log;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Work that one coordinator instance at a time may do, guarded by a PostgreSQL advisory lock held in a
 * transaction of its own: released when the work ends, and by PostgreSQL when the holder's connection or
 * process dies. For work whose effect the release log's stream position cannot guard alone (choosing a
 * version to start, which depends on the other streams).
 */
@ApplicationScoped
public class ClusterLock {
    @Inject
    AgroalDataSource dataSource;

    /** Runs {@code work} holding the lock {@code name}; false, without running it, if another holds it. */
    public boolean ifFree(String name, Runnable work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement q = c.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
                    q.setLong(1, key(name));
                    try (ResultSet rs = q.executeQuery()) {
                        if (!rs.next() || !rs.getBoolean(1)) {
                            return false;
                        }
                    }
                }
                work.run();
                return true;
            } finally {
                c.rollback(); // ends the transaction, and with it the lock
                c.setAutoCommit(true);
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot take the lock '" + name + "': " + ex.getMessage(), ex);
        }
    }

    /** The advisory lock's key for a name (one 64-bit key space for every lock of the database). */
    public static long key(String name) {
        long h = 1125899906842597L;
        for (char c : name.toCharArray()) {
            h = 31 * h + c;
        }
        return h;
    }
}
