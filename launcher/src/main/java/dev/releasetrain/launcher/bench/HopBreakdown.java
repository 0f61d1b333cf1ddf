package dev.releasetrain.launcher.bench;

import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Splits each hop at the release log, from the log's own times: {@code occurred_at} of StepSucceeded is
 * when the worker made the result, {@code recorded_at} when the coordinator inserted it (and, in the same
 * transaction, the next StepRequested); the worker noted when each command arrived. And splits each
 * 20-step run into its start ({@code POST} sent -> the first command at a worker), the workers' side of
 * its 20 steps (command arrived -> result made: hand-off to a dispatcher thread, decoding, dedupe, the
 * no-op handler), its 19 hops, and its end (the last result made -> ReleaseCompleted seen on
 * {@code release.events}), which add up to the run. One clock (one machine). It reads the log's
 * {@code recorded_at} column, which the coordinator keeps for operators and exposes through no type of its own.
 */
final class HopBreakdown {
    private static final String READ = "select type, payload->>'commandId', occurred_at, recorded_at, seq from release_events"
            + " where release_id = ? and type in (?, ?) order by seq";

    /** Each hop's two halves, and each run's four parts. */
    record Split(Samples toLog, Samples fromLog, Samples runStart, Samples runWorkers, Samples runHops, Samples runEnd) {
        void report(Report r) {
            r.row("  hop, worker -> result inserted in the log (Kafka, coordinator consumer, reads) p50 / p99", toLog.p50p99() + " ms");
            r.row("  hop, next command inserted -> at the worker (commit, fast send, Kafka, poll) p50 / p99", fromLog.p50p99() + " ms");
            if (runStart.size() > 0) {
                r.row("  20-step run, split p50: POST sent -> first command at a worker; 20 steps at the workers; 19 hops; last result -> ReleaseCompleted seen ("
                                + runStart.size() + " runs)",
                        Report.fmt(runStart.p(50)) + "; " + Report.fmt(runWorkers.p(50)) + "; " + Report.fmt(runHops.p(50)) + "; "
                                + Report.fmt(runEnd.p(50)) + " ms");
            }
        }
    }

    private HopBreakdown() {
    }

    static Split measure(LocalInfra infra, List<String> releases, Map<String, Instant> arrivals, Map<String, Instant> posted,
                         Map<String, Instant> completed) throws SQLException {
        Split split = new Split(new Samples(), new Samples(), new Samples(), new Samples(), new Samples(), new Samples());
        String succeeded = EventTypes.typeOf(StepSucceeded.class);
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
             PreparedStatement q = c.prepareStatement(READ)) {
            for (String release : releases) {
                q.setString(1, release);
                q.setString(2, succeeded);
                q.setString(3, EventTypes.typeOf(StepRequested.class));
                try (ResultSet rs = q.executeQuery()) {
                    splitRun(rs, succeeded, arrivals, posted.get(release), completed.get(release), split);
                }
            }
        }
        return split;
    }

    private static void splitRun(ResultSet rs, String succeeded, Map<String, Instant> arrivals, Instant post, Instant end,
                                 Split split) throws SQLException {
        Instant succeededOccurred = null;
        Instant succeededRecorded = null;
        Instant lastSucceeded = null;
        Instant lastArrival = null;
        Instant firstArrival = null;
        long workers = 0;
        long hops = 0;
        boolean whole = true;
        while (rs.next()) {
            Instant occurred = rs.getTimestamp(3).toInstant();
            Instant recorded = rs.getTimestamp(4).toInstant();
            if (rs.getString(1).equals(succeeded)) {
                succeededOccurred = occurred;
                succeededRecorded = recorded;
                lastSucceeded = occurred;
                if (lastArrival == null) {
                    whole = false;
                } else {
                    workers += Duration.between(lastArrival, occurred).toNanos();
                }
                continue;
            }
            Instant arrived = arrivals.get(rs.getString(2));
            if (arrived == null) {
                whole = false;
            } else if (firstArrival == null) {
                firstArrival = arrived;
            }
            if (succeededOccurred != null && arrived != null) {
                split.toLog().add(Duration.between(succeededOccurred, succeededRecorded).toNanos());
                split.fromLog().add(Duration.between(recorded, arrived).toNanos());
                hops += Duration.between(succeededOccurred, arrived).toNanos();
            }
            lastArrival = arrived;
            succeededOccurred = null;
        }
        if (whole && post != null && end != null && firstArrival != null && lastSucceeded != null) {
            split.runStart().add(Duration.between(post, firstArrival).toNanos());
            split.runWorkers().add(workers);
            split.runHops().add(hops);
            split.runEnd().add(Duration.between(lastSucceeded, end).toNanos());
        }
    }
}
