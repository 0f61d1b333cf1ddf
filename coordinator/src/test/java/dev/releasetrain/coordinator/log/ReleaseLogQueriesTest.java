package dev.releasetrain.coordinator.log;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release log's hot queries use the indexes meant for them (a table scan would grow with the log). */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ReleaseLogQueriesTest {
    @Inject
    AgroalDataSource db;

    @Test
    void releasesStartedAfterAPositionReadOnlyTheFirstEventsOfReleases() throws Exception {
        String plan = plan(ReleaseLog.STARTED_AFTER, 0L);
        assertTrue(plan.contains("release_events_starts"), "the partial index of first events:\n" + plan);
    }

    @Test
    void theListOfReleasesReadsOnlyTheFirstEventsOfReleases() throws Exception {
        String plan = plan(ReleaseLog.RELEASE_IDS);
        assertTrue(plan.contains("release_events_starts"), "the partial index of first events:\n" + plan);
    }

    @Test
    void appendsMaintainOnlyTheIndexesTheQueriesUse() throws Exception {
        List<String> indexes = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select indexname from pg_indexes where tablename = 'release_events' order by 1")) {
            while (rs.next()) {
                indexes.add(rs.getString(1));
            }
        }
        // the key, a stream's order (and its optimistic check), the event id (dedupe), first events (V2)
        assertEquals(List.of("release_events_event_id", "release_events_pkey", "release_events_starts", "release_events_stream"),
                indexes);
    }

    /** The plan of {@code sql} (its last parameter the ReleaseStarted type), with table scans ruled out. */
    private String plan(String sql, Object... before) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // the test table is small, where a scan is cheapest: ask which index the query can use
                s.execute("set local enable_seqscan = off");
            }
            try (PreparedStatement q = c.prepareStatement("explain " + sql)) {
                int i = 1;
                for (Object p : before) {
                    q.setObject(i++, p);
                }
                q.setString(i, EventTypes.typeOf(ReleaseEvent.ReleaseStarted.class));
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            } finally {
                c.rollback();
            }
        }
        return plan.toString();
    }
}
