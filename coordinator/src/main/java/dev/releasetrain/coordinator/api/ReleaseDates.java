package dev.releasetrain.coordinator.api;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When events of releases happened, for the releases list: the time of given events, each by its release and
 * position in that release's stream, in one query on the log's unique {@code (release_id, seq)} index.
 */
@ApplicationScoped
public class ReleaseDates {
    /** An event of a release's stream. */
    public record At(String releaseId, long seq) {
    }

    @Inject
    AgroalDataSource dataSource;

    public Map<At, Instant> of(List<At> events) {
        Map<At, Instant> out = new HashMap<>();
        if (events.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("select e.release_id, e.seq, e.occurred_at from release_events e"
                     + " join unnest(?::text[], ?::bigint[]) as w(release_id, seq) on e.release_id = w.release_id and e.seq = w.seq")) {
            Array ids = c.createArrayOf("text", events.stream().map(At::releaseId).toArray());
            Array seqs = c.createArrayOf("bigint", events.stream().map(At::seq).toArray());
            q.setArray(1, ids);
            q.setArray(2, seqs);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(new At(rs.getString(1), rs.getLong(2)), rs.getTimestamp(3).toInstant());
                }
            }
            return out;
        } catch (SQLException e) {
            IllegalStateException ex = new IllegalStateException("cannot read the release log (SQL state " + e.getSQLState() + ")");
            if (DatabaseOutage.causes(e)) {
                ex.initCause(e);
            }
            throw ex;
        }
    }
}
