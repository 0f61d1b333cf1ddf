package dev.releasetrain.coordinator.log;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.EventTypes;
import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The release log in PostgreSQL: append-only streams, one per release. Appends are all-or-nothing
 * and guarded twice: by the stream position (another writer got there first: {@link StreamConflict})
 * and by the event id (the event is already in the log: {@link DuplicateEvent}). It is the only way
 * into the log: after each commit it tells the writer (its own bookkeeping first) and then every
 * {@link AppendListener}.
 */
@ApplicationScoped
public class ReleaseLog {
    private static final Logger LOG = Logger.getLogger(ReleaseLog.class);
    /** A writer with no bookkeeping of its own. */
    private static final AppendListener NOTHING = (releaseId, events) -> {
    };
    private static final String READ = "select seq, event_id, type, source, payload::text, occurred_at, trace_parent"
            + " from release_events where release_id = ? and seq > ? order by seq";

    @Inject
    AgroalDataSource dataSource;
    /** Sorted by priority, highest first. */
    @Inject
    @All
    List<AppendListener> listeners;

    /**
     * A log on {@code dataSource} outside the application, with no listeners: for a tool that fills or reads
     * the log with the coordinator's own types while the coordinator runs elsewhere (the bench).
     */
    public static ReleaseLog on(AgroalDataSource dataSource) {
        ReleaseLog log = new ReleaseLog();
        log.dataSource = dataSource;
        log.listeners = List.of();
        return log;
    }

    /**
     * The event as the log stores it at {@code seq}: its time to the microsecond, as PostgreSQL keeps
     * it, so what an append returns (and is published right after the commit) is exactly what the
     * relay later reads back.
     */
    public static Envelope stored(Envelope given, long seq) {
        return new Envelope(given.id(), given.source(), given.releaseId(), given.time().truncatedTo(ChronoUnit.MICROS),
                seq, given.data(), given.traceParent());
    }

    /** Appends {@code events} right after {@code expectedLastSeq}; returns them with their seq. */
    public List<Envelope> append(String releaseId, long expectedLastSeq, List<Envelope> events) {
        return append(releaseId, expectedLastSeq, events, NOTHING);
    }

    /**
     * Appends {@code events} right after {@code expectedLastSeq}; returns them with their seq. After the
     * commit, {@code committed} is told before the listeners (what it throws reaches the caller).
     */
    public List<Envelope> append(String releaseId, long expectedLastSeq, List<Envelope> events, AppendListener committed) {
        List<Envelope> appended = new ArrayList<>(events.size());
        long seq = expectedLastSeq;
        for (Envelope given : events) {
            appended.add(stored(given, ++seq));
        }
        appendAll(List.of(new Append(releaseId, expectedLastSeq, appended)), committed);
        return appended;
    }

    /**
     * Events to append to one stream: {@code events} carry their seqs, {@code expectedLastSeq} + 1
     * onwards (see {@link #stored}).
     */
    public record Append(String releaseId, long expectedLastSeq, List<Envelope> events) {
    }

    /** Rows per INSERT statement: a batch up to this size goes in as one statement (one round trip). */
    static final int ROWS_PER_STATEMENT = 1_000;
    private static final String COLUMNS = "insert into release_events"
            + " (release_id, seq, event_id, type, source, payload, occurred_at, trace_parent) values ";
    private static final String ROW = "(?, ?, ?, ?, ?, ?::jsonb, ?, ?)";

    /** One row of an append, as its INSERT binds it. */
    private record Row(String releaseId, long seq, UUID eventId, String type, String source, String payload,
                       Timestamp occurredAt, String traceParent) {
    }

    /**
     * Appends to several streams in ONE transaction (a batch of results): all or nothing. A stream
     * that moved throws {@link StreamConflict}, an event already recorded {@link DuplicateEvent}.
     *
     * <p>Up to {@link #ROWS_PER_STATEMENT} rows go in as one multi-row INSERT in auto-commit mode: a
     * single statement is atomic, and the insert and its commit take one round trip to PostgreSQL instead
     * of two (the step hop's commit, docs/benchmarks.md). Bigger batches (a poll of hundreds of results)
     * use an explicit transaction of several such statements.
     */
    public void appendAll(List<Append> appends) {
        appendAll(appends, NOTHING);
    }

    /**
     * {@link #appendAll(List)}, then, stream by stream in the order given, tells {@code committed} and
     * the listeners (what {@code committed} throws reaches the caller).
     */
    public void appendAll(List<Append> appends, AppendListener committed) {
        write(appends);
        for (Append a : appends) {
            if (a.events().isEmpty()) {
                continue;
            }
            committed.appended(a.releaseId(), a.events());
            for (AppendListener listener : listeners) {
                try {
                    listener.appended(a.releaseId(), a.events());
                } catch (RuntimeException e) {
                    LOG.warnf("release %s: a listener of the release log failed after the commit (%s)", a.releaseId(), e);
                }
            }
        }
    }

    private void write(List<Append> appends) {
        String first = appends.isEmpty() ? "-" : appends.get(0).releaseId();
        List<Row> rows = new ArrayList<>();
        for (Append a : appends) {
            long seq = a.expectedLastSeq();
            for (Envelope e : a.events()) {
                if (e.seq() == null || e.seq() != ++seq) {
                    throw new IllegalArgumentException("release " + a.releaseId() + ": event " + e.id()
                            + " carries seq " + e.seq() + ", expected " + seq);
                }
                rows.add(new Row(a.releaseId(), seq, UUID.fromString(e.id()), e.type(), e.source(),
                        CloudEventCodec.dataJson(e.data()), Timestamp.from(e.time()), e.traceParent()));
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        Append blamed = appends.get(0); // with several streams, the one named in a conflict's message
        try (Connection c = dataSource.getConnection()) {
            if (rows.size() <= ROWS_PER_STATEMENT) {
                if (!c.getAutoCommit()) {
                    c.setAutoCommit(true);
                }
                try {
                    insert(c, rows);
                } catch (SQLException ex) {
                    throw translate(blamed.releaseId(), blamed.expectedLastSeq(), ex);
                }
                return;
            }
            c.setAutoCommit(false);
            try {
                for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
                    insert(c, rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT)));
                }
                c.commit();
            } catch (SQLException ex) {
                c.rollback();
                throw translate(blamed.releaseId(), blamed.expectedLastSeq(), ex);
            } catch (RuntimeException ex) {
                c.rollback();
                throw ex;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("release " + first + ": cannot append to the release log: " + ex.getMessage(), ex);
        }
    }

    private static void insert(Connection c, List<Row> rows) throws SQLException {
        StringBuilder sql = new StringBuilder(COLUMNS.length() + rows.size() * (ROW.length() + 2)).append(COLUMNS);
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(ROW);
        }
        try (PreparedStatement insert = c.prepareStatement(sql.toString())) {
            int p = 0;
            for (Row row : rows) {
                insert.setString(++p, row.releaseId());
                insert.setLong(++p, row.seq());
                insert.setObject(++p, row.eventId());
                insert.setString(++p, row.type());
                insert.setString(++p, row.source());
                insert.setString(++p, row.payload());
                insert.setTimestamp(++p, row.occurredAt());
                insert.setString(++p, row.traceParent());
            }
            insert.executeUpdate();
        }
    }

    private static RuntimeException translate(String releaseId, long expectedLastSeq, SQLException ex) {
        SQLException cause = ex;
        while (cause.getNextException() != null && !"23505".equals(cause.getSQLState())) {
            cause = cause.getNextException();
        }
        if ("23505".equals(cause.getSQLState())) {
            String m = String.valueOf(cause.getMessage());
            if (m.contains("release_events_event_id")) {
                return new DuplicateEvent(releaseId);
            }
            if (m.contains("release_events_stream")) {
                return new StreamConflict(releaseId, expectedLastSeq);
            }
        }
        return new IllegalStateException("release " + releaseId + ": cannot append to the release log: " + cause.getMessage(), ex);
    }

    public List<Envelope> read(String releaseId) {
        return read(releaseId, 0);
    }

    /** The events of one release after {@code afterSeq}, in stream order. */
    public List<Envelope> read(String releaseId, long afterSeq) {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(READ)) {
            q.setString(1, releaseId);
            q.setLong(2, afterSeq);
            List<Envelope> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Envelope(rs.getString(2), rs.getString(4), releaseId,
                            rs.getTimestamp(6).toInstant(), rs.getLong(1),
                            CloudEventCodec.decodeData(rs.getString(3), rs.getString(5).getBytes(StandardCharsets.UTF_8)),
                            rs.getString(7)));
                }
            }
            return out;
        } catch (SQLException ex) {
            throw new IllegalStateException("release " + releaseId + ": cannot read the release log: " + ex.getMessage(), ex);
        }
    }

    public boolean contains(String eventId) {
        UUID id;
        try {
            id = UUID.fromString(eventId);
        } catch (IllegalArgumentException ex) {
            return false;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("select 1 from release_events where event_id = ?")) {
            q.setObject(1, id);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the release log: " + ex.getMessage(), ex);
        }
    }

    /** Release ids, newest first; served by the partial index {@code release_events_starts} (V2). */
    static final String RELEASE_IDS = "select release_id from release_events where seq = 1 and type = ? order by position desc";

    /** Release ids, newest first. */
    public List<String> releaseIds() {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(RELEASE_IDS)) {
            q.setString(1, EventTypes.typeOf(dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted.class));
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the release log: " + ex.getMessage(), ex);
        }
    }

    /**
     * What the version rules need of the log since a read: the releases started (with their kind) and the
     * releases completed (the time of a release's tag is read when it is needed: {@link #taggedAt}); every start
     * or completion written by a transaction below {@code nextFrom} (a
     * PostgreSQL {@code xid8}) is in this answer or an earlier one.
     */
    public record Milestones(List<Start> starts, List<Completion> completions, long nextFrom) {
    }

    /** A release's first event: its id (the version) and kind ({@code minor}, {@code patch}, {@code proving}). */
    public record Start(String releaseId, String kind) {
    }

    /** A release completed at {@code completedAt}. */
    public record Completion(String releaseId, Instant completedAt) {
    }

    static final String COMPLETED_TYPE = EventTypes.typeOf(dev.releasetrain.protocol.ReleaseEvent.ReleaseCompleted.class);
    static final String SUCCEEDED_TYPE = EventTypes.typeOf(dev.releasetrain.protocol.ReleaseEvent.StepSucceeded.class);
    /** The step whose success dates a release: a patch's fixes are those merged after the tag of the release before. */
    public static final String TAG_STEP = "git.tag-release";

    /**
     * Completions: the type is written as a literal (a constant, never input) so the planner can use the
     * partial index of completions (V5).
     */
    private static final String COMPLETIONS = "select release_id, null, occurred_at, null"
            + " from release_events where type = '" + COMPLETED_TYPE + "'";
    /** The oldest transaction still running (the statement's snapshot), every start and every completion. */
    static final String MILESTONES_ALL = "select null, null, null::timestamptz, pg_snapshot_xmin(pg_current_snapshot())::text"
            + " union all select release_id, payload->>'kind', null, null from release_events where seq = 1 and type = ?"
            + " union all " + COMPLETIONS;
    /**
     * The oldest transaction still running and the starts and completions a transaction at or after {@code from}
     * wrote; served by the partial indexes {@code release_events_starts_tx} (V4) and
     * {@code release_events_completions_tx} (V5).
     */
    static final String MILESTONES_SINCE = "select null, null, null::timestamptz, pg_snapshot_xmin(pg_current_snapshot())::text"
            + " union all select release_id, payload->>'kind', null, null from release_events where seq = 1 and tx_id >= ?::xid8 and type = ?"
            + " union all " + COMPLETIONS + " and tx_id >= ?::xid8";

    /**
     * The releases started and completed since the read that returned {@code from} ({@code 0}: every one), and
     * where the next read starts.
     *
     * <p>A row's {@code position} is taken when it is inserted, not when it commits, so reading on from the
     * last position seen could miss a row committed late below it. Rows carry the id of the transaction
     * that wrote them ({@code tx_id}, V4) instead: every transaction below the statement's snapshot
     * {@code xmin} has ended, and one that has not ended, or not begun, gets an id at or above it. So the
     * next read starts at that {@code xmin} and reads again only the rows of transactions that were
     * running alongside this one (none when nothing was), where a read from a position would have to read
     * again every row of a safety margin (rows written before V4 have none and are read by the first read).
     */
    public Milestones milestonesSince(long from) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement(from == 0 ? MILESTONES_ALL : MILESTONES_SINCE)) {
            String started = EventTypes.typeOf(dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted.class);
            if (from == 0) {
                q.setString(1, started);
            } else {
                String tx = Long.toUnsignedString(from);
                q.setString(1, tx);
                q.setString(2, started);
                q.setString(3, tx);
            }
            List<Start> starts = new ArrayList<>();
            List<Completion> completions = new ArrayList<>();
            long next = from;
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (id == null) {
                        next = Math.max(from, Long.parseUnsignedLong(rs.getString(4)));
                    } else if (rs.getTimestamp(3) == null) {
                        starts.add(new Start(id, rs.getString(2)));
                    } else {
                        completions.add(new Completion(id, rs.getTimestamp(3).toInstant()));
                    }
                }
            }
            return new Milestones(starts, completions, next);
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the release log: " + ex.getMessage(), ex);
        }
    }

    /** When the release's {@value #TAG_STEP} step last succeeded; read from its own stream. */
    static final String TAGGED_AT = "select occurred_at from release_events where release_id = ? and type = '" + SUCCEEDED_TYPE
            + "' and payload->>'step' = '" + TAG_STEP + "' order by seq desc limit 1";

    /** When the release's tag was made (its {@value #TAG_STEP} step last succeeded), if its plan has that step. */
    public Optional<Instant> taggedAt(String releaseId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(TAGGED_AT)) {
            q.setString(1, releaseId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("release " + releaseId + ": cannot read the release log: " + ex.getMessage(), ex);
        }
    }

    /**
     * How many releases end their stream, so far, with each of {@code types} as the latest of them: given the
     * events that open, halt, reopen and end a release, the count of releases in each status.
     */
    public Map<String, Long> latestOfTypes(List<String> types) {
        String marks = String.join(",", java.util.Collections.nCopies(types.size(), "?"));
        String sql = "select type, count(*) from (select distinct on (release_id) release_id, type from release_events"
                + " where type in (" + marks + ") order by release_id, seq desc) latest group by type";
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < types.size(); i++) {
                q.setString(i + 1, types.get(i));
            }
            Map<String, Long> counts = new java.util.HashMap<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
            return counts;
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the release log: " + ex.getMessage(), ex);
        }
    }

    /** Every event in the log, for tests and projections rebuilt from scratch. */
    public long count() {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement("select count(*) from release_events");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot read the release log: " + ex.getMessage(), ex);
        }
    }
}
