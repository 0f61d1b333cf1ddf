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
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // the test table is small, where a scan is cheapest: ask which index the query can use
                s.execute("set local enable_seqscan = off");
            }
            try (PreparedStatement q = c.prepareStatement("explain " + ReleaseLog.STARTED_AFTER)) {
                q.setLong(1, 0);
                q.setString(2, EventTypes.typeOf(ReleaseEvent.ReleaseStarted.class));
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            } finally {
                c.rollback();
            }
        }
        assertTrue(plan.toString().contains("release_events_starts"), "the partial index of first events:\n" + plan);
    }
}
