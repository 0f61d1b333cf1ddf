package dev.releasetrain.coordinator.log;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the streams of several releases end, in one query: how an instance learns which of the states it
 * holds another instance has moved on, without reading the streams themselves. Each tail is one backward
 * step on the stream's unique index {@code (release_id, seq)}, whatever the streams' length.
 */
@ApplicationScoped
public class StreamTails {
    static final String TAILS = "select r.id, (select e.seq from release_events e where e.release_id = r.id"
            + " order by e.seq desc limit 1) from unnest(?::text[]) as r(id)";

    @Inject
    AgroalDataSource dataSource;

    /** The last seq of each of {@code releaseIds} (0 for a stream with no event). */
    public Map<String, Long> of(Collection<String> releaseIds) {
        Map<String, Long> tails = new HashMap<>();
        if (releaseIds.isEmpty()) {
            return tails;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(TAILS)) {
            Array ids = c.createArrayOf("text", releaseIds.toArray());
            q.setArray(1, ids);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    tails.put(rs.getString(1), rs.getLong(2));
                }
            }
            ids.free();
            return tails;
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the release log: " + ex.getMessage(), ex);
        }
    }
}
