package dev.releasetrain.launcher.bench;

import dev.releasetrain.coordinator.timeline.Timeline;
import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * After the timeline phase: every release folded again from the whole log, read once in position order (a
 * cursor, rows in batches), decoded with the {@link CloudEventCodec} and folded with the coordinator's
 * {@link Timeline#of}: what rebuilding a projection from scratch costs.
 */
final class RebuildPhase {
    static final String HOW = "SQL read + CloudEventCodec decode + coordinator Timeline.of fold";
    private static final String READ_ALL = "select release_id, seq, event_id, type, source, payload::text, occurred_at"
            + " from release_events order by position";

    /** Events read and releases folded, and how long it took. */
    record Rebuild(long events, int releases, double seconds) {
        double rate() {
            return events / seconds;
        }

        void report(Report r) {
            r.row("rebuild every release from the log (" + HOW + ")", String.format(Locale.ROOT,
                    "%,d events, %,d releases in %s s = %s events/s", events, releases, Report.fmt(seconds), Report.fmt(rate())));
            r.summary("rebuild_events_per_s", rate());
        }
    }

    private RebuildPhase() {
    }

    static Rebuild run(LocalInfra infra, Report report) throws Exception {
        report.say("  rebuilding every release from the log: %s", HOW);
        long rows = 0;
        int folded = 0;
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword())) {
            c.setAutoCommit(false); // a cursor: rows stream in batches instead of all at once
            try (PreparedStatement q = c.prepareStatement(READ_ALL)) {
                q.setFetchSize(5_000);
                Map<String, List<Envelope>> open = new HashMap<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        String release = rs.getString(1);
                        ReleaseEvent data = CloudEventCodec.decodeData(rs.getString(4), rs.getString(6).getBytes(StandardCharsets.UTF_8));
                        Envelope e = new Envelope(rs.getString(3), rs.getString(5), release, rs.getTimestamp(7).toInstant(),
                                rs.getLong(2), data);
                        List<Envelope> stream = open.computeIfAbsent(release, k -> new ArrayList<>());
                        stream.add(e);
                        if (data instanceof ReleaseEvent.ReleaseCompleted || data instanceof ReleaseEvent.ReleaseCancelled) {
                            Timeline.of(release, stream);
                            open.remove(release);
                            folded++;
                        }
                    }
                }
                for (Map.Entry<String, List<Envelope>> e : open.entrySet()) {
                    Timeline.of(e.getKey(), e.getValue());
                    folded++;
                }
            }
            c.commit();
        }
        Rebuild rebuild = new Rebuild(rows, folded, (System.nanoTime() - t0) / 1e9);
        report.say("  %s events/s", Report.fmt(rebuild.rate()));
        return rebuild;
    }
}
