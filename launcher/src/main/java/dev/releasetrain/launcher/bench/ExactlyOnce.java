package dev.releasetrain.launcher.bench;

import dev.releasetrain.local.LocalInfra;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The check after a scaled throughput phase ({@code bench --scale N}), read from the release log: every release of
 * the phase completed once, each of its steps succeeded once, and its stream has no gap.
 */
final class ExactlyOnce {
    private static final String COMPLETED = "dev.releasetrain.ReleaseCompleted.v1";
    private static final String SUCCEEDED = "dev.releasetrain.StepSucceeded.v1";
    /** Per release of the throughput phase (versions 0.k.p): completions, successes, distinct steps succeeded, events, last seq. */
    private static final String PER_RELEASE = "select release_id,"
            + " count(*) filter (where type = '" + COMPLETED + "'),"
            + " count(*) filter (where type = '" + SUCCEEDED + "'),"
            + " count(distinct payload->>'step') filter (where type = '" + SUCCEEDED + "'),"
            + " count(*), max(seq)"
            + " from release_events where release_id like '0.%' group by release_id";

    private ExactlyOnce() {
    }

    /** The releases checked, or the problems found (none: an empty list). */
    record Result(int releases, List<String> problems) {
        void report(Report r) {
            r.row("  exactly once: releases checked; problems", releases + "; " + (problems.isEmpty() ? "none" : problems.size()));
        }
    }

    static Result check(LocalInfra infra, int steps) throws SQLException {
        List<String> problems = new ArrayList<>();
        int releases = 0;
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
             PreparedStatement q = c.prepareStatement(PER_RELEASE);
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                releases++;
                String v = rs.getString(1);
                if (rs.getLong(2) != 1) {
                    problems.add(v + ": completed " + rs.getLong(2) + " times");
                }
                if (rs.getLong(3) != steps || rs.getLong(4) != steps) {
                    problems.add(v + ": " + rs.getLong(3) + " successes of " + rs.getLong(4) + " distinct steps, expected " + steps);
                }
                if (rs.getLong(5) != rs.getLong(6)) {
                    problems.add(v + ": " + rs.getLong(5) + " events up to seq " + rs.getLong(6) + " (a gap)");
                }
            }
        }
        return new Result(releases, problems);
    }
}
