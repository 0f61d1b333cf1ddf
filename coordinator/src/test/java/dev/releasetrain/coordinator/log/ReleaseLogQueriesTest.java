package dev.releasetrain.coordinator.log;

import org.awaitility.Awaitility;
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
import java.time.Duration;

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
    void startsAndCompletionsSinceAReadUseThePartialIndexesOfFirstEventsAndOfCompletionsByTransaction() throws Exception {
        String plan = plan(ReleaseLog.MILESTONES_SINCE, "1", EventTypes.typeOf(ReleaseEvent.ReleaseStarted.class), "1");
        assertTrue(plan.contains("release_events_starts_tx"), "the partial index of first events by transaction:\n" + plan);
        assertTrue(plan.contains("release_events_completions_tx"), "the partial index of completions by transaction:\n" + plan);
        String tag = plan(ReleaseLog.TAGGED_AT, "1.29.0");
        assertTrue(tag.contains("release_events_stream"), "a release's tag is looked up in its own stream:\n" + tag);
    }

    @Test
    void completionsAreReadWithTheirTimeTheTagFromTheReleasesStreamAndAProvingRunIsMarked() throws Exception {
        long from = log.milestonesSince(0).nextFrom();
        java.time.Instant tagged = java.time.Instant.parse("2026-11-30T14:05:00Z");
        try (Connection c = db.getConnection()) {
            insertStart(c, "0.903.0");
            insert(c, "0.903.0", 2, new ReleaseEvent.StepSucceeded(ReleaseLog.TAG_STEP, 1, "c-1", Map.of()), tagged);
            insert(c, "0.903.0", 3, new ReleaseEvent.ReleaseCompleted(List.of(ReleaseLog.TAG_STEP)), tagged.plusSeconds(60));
            insert(c, "0.904.0", 1, new ReleaseEvent.ReleaseStarted("0.904.0", "proving", "", "proving", "hash", "test", Map.of(), null), tagged);
            insert(c, "0.904.0", 2, new ReleaseEvent.ReleaseCompleted(List.of()), tagged.plusSeconds(120));
        }
        ReleaseLog.Milestones read = log.milestonesSince(from);
        assertTrue(read.starts().contains(new ReleaseLog.Start("0.904.0", "proving")), read.toString());
        assertTrue(read.starts().contains(new ReleaseLog.Start("0.903.0", "minor")), read.toString());
        assertTrue(read.completions().contains(new ReleaseLog.Completion("0.903.0", tagged.plusSeconds(60))), read.toString());
        assertTrue(read.completions().contains(new ReleaseLog.Completion("0.904.0", tagged.plusSeconds(120))), read.toString());
        assertEquals(java.util.Optional.of(tagged), log.taggedAt("0.903.0"));
        assertEquals(java.util.Optional.empty(), log.taggedAt("0.904.0"));
    }

    private static void insert(Connection c, String release, long seq, ReleaseEvent event, java.time.Instant at) throws Exception {
        try (PreparedStatement s = c.prepareStatement("insert into release_events (release_id, seq, event_id, type, source, payload, occurred_at)"
                + " values (?, ?, gen_random_uuid(), ?, '/test', ?::jsonb, ?)")) {
            s.setString(1, release);
            s.setLong(2, seq);
            s.setString(3, EventTypes.typeOf(event));
            s.setString(4, CloudEventCodec.dataJson(event));
            s.setTimestamp(5, java.sql.Timestamp.from(at));
            s.executeUpdate();
        }
    }

    @Test
    void aStartCommittedAfterALaterOneIsFoundByTheNextReadAndSettledStartsAreNotReadAgain() throws Exception {
        long from = log.milestonesSince(0).nextFrom();
        try (Connection slow = db.getConnection()) {
            slow.setAutoCommit(false);
            insertStart(slow, "0.901.0"); // its transaction holds an earlier position and stays open
            try (Connection fast = db.getConnection()) {
                insertStart(fast, "0.902.0"); // a later position, committed first
            }
            ReleaseLog.Milestones first = log.milestonesSince(from);
            assertEquals(List.of(new ReleaseLog.Start("0.902.0", "minor")), first.starts(), "the uncommitted start is not visible yet");
            slow.commit();
            ReleaseLog.Milestones second = log.milestonesSince(first.nextFrom());
            assertTrue(second.starts().contains(new ReleaseLog.Start("0.901.0", "minor")),
                    "the start committed after the read, below a position it saw, comes with the next read: " + second);
            // starts whose transactions have ended are not read again (a transaction of the running
            // coordinator may hold the next read back for the moment it runs; a read by position went back
            // over every start of the last ten seconds)
            ReleaseLog.Milestones[] next = {second};
            Awaitility.await("the starts read not to be read again").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ZERO)
                    .untilAsserted(() -> {
                        long before = next[0].nextFrom();
                        next[0] = log.milestonesSince(before);
                        assertTrue(next[0].nextFrom() >= before, "a read never goes back");
                        assertEquals(List.of(), next[0].starts(), "the starts read are not read again");
                    });
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
        String plan = plan(ReleaseLog.RELEASE_IDS, EventTypes.typeOf(ReleaseEvent.ReleaseStarted.class));
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
        // and completions (V5)
        assertEquals(List.of("release_events_completions_tx", "release_events_event_id", "release_events_pkey", "release_events_starts",
                        "release_events_starts_tx", "release_events_stream"),
                indexes);
    }

    /** The plan of {@code sql} with {@code params}, with table scans ruled out. */
    private String plan(String sql, Object... params) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // other tests of the suite fill the shared table: fresh statistics, so the planner sees how
                // few rows the partial indexes hold
                s.execute("analyze release_events");
                // the test table is small, where a scan is cheapest: ask which index the query can use
                s.execute("set local enable_seqscan = off");
                s.execute("set local enable_bitmapscan = off");
            }
            try (PreparedStatement q = c.prepareStatement("explain " + sql)) {
                int i = 1;
                for (Object p : params) {
                    q.setObject(i++, p);
                }
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
