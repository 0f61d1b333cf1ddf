package dev.releasetrain.coordinator.log;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.CloudEventCodec;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release log's hot queries use the indexes meant for them (a table scan would grow with the log). */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ReleaseLogQueriesTest {
    @Inject
    AgroalDataSource db;
    @Inject
    ReleaseLog log;

    @Test
    void releasesStartedSinceAReadUseThePartialIndexOfFirstEventsByTransaction() throws Exception {
        String plan = plan(ReleaseLog.STARTED_SINCE, "1");
        assertTrue(plan.contains("release_events_starts_tx"), "the partial index of first events by transaction:\n" + plan);
    }

    @Test
    void aStartCommittedAfterALaterOneIsFoundByTheNextReadAndSettledStartsAreNotReadAgain() throws Exception {
        long from = log.releasesStartedSince(0).nextFrom();
        try (Connection slow = db.getConnection()) {
            slow.setAutoCommit(false);
            insertStart(slow, "0.901.0"); // its transaction holds an earlier position and stays open
            try (Connection fast = db.getConnection()) {
                insertStart(fast, "0.902.0"); // a later position, committed first
            }
            ReleaseLog.Started first = log.releasesStartedSince(from);
            assertEquals(List.of("0.902.0"), first.releaseIds(), "the uncommitted start is not visible yet");
            slow.commit();
            ReleaseLog.Started second = log.releasesStartedSince(first.nextFrom());
            assertTrue(second.releaseIds().contains("0.901.0"),
                    "the start committed after the read, below a position it saw, comes with the next read: " + second);
            // starts whose transactions have ended are not read again (a transaction of the running
            // coordinator may hold the next read back for the moment it runs; a read by position went back
            // over every start of the last ten seconds)
            ReleaseLog.Started next = second;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            do {
                long before = next.nextFrom();
                next = log.releasesStartedSince(before);
                assertTrue(next.nextFrom() >= before, "a read never goes back");
            } while (!next.releaseIds().isEmpty() && System.nanoTime() < deadline);
            assertEquals(List.of(), next.releaseIds(), "the starts read are not read again");
        }
    }

    private static void insertStart(Connection c, String version) throws Exception {
        // a well-formed start (other tests list and replay every release in this database)
        ReleaseEvent.ReleaseStarted started = new ReleaseEvent.ReleaseStarted(version, "minor", "0.900.0", "proving", "hash", "test", Map.of(), null);
        try (PreparedStatement s = c.prepareStatement("insert into release_events (release_id, seq, event_id, type, source, payload, occurred_at)"
                + " values (?, 1, gen_random_uuid(), ?, '/test', ?::jsonb, now())")) {
            s.setString(1, version);
            s.setString(2, EventTypes.typeOf(ReleaseEvent.ReleaseStarted.class));
            s.setString(3, CloudEventCodec.dataJson(started));
            s.executeUpdate();
        }
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
        // the key, a stream's order (and its optimistic check), the event id (dedupe), first events (V2, V4)
        assertEquals(List.of("release_events_event_id", "release_events_pkey", "release_events_starts", "release_events_starts_tx",
                        "release_events_stream"),
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
