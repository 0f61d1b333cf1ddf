package dev.releasetrain.launcher.bench;

import dev.releasetrain.coordinator.timeline.Timeline;
import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * After the timeline phase: every release folded again from the whole log, read once in position order (a
 * cursor, rows in batches), decoded with the {@link CloudEventCodec} and folded with the coordinator's
 * {@link Timeline#of}: what rebuilding a projection from scratch costs. Reading and folding are pipelined, as a
 * projection rebuild would be: one thread reads the rows (the driver's parsing) while another decodes and folds
 * the rows read before, so the database, the reader and the decoder work at once instead of in turn.
 */
final class RebuildPhase {
    static final String HOW = "SQL read + CloudEventCodec decode + coordinator Timeline.of fold, read and fold pipelined";
    private static final String READ_ALL = "select release_id, seq, event_id, type, source, payload::text, occurred_at"
            + " from release_events order by position";
    private static final int BATCH = 1_000;
    /** Ends the stream of batches. */
    private static final List<Row> END = List.of();

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

    /** One row as read, not decoded yet (the payload as its UTF-8 bytes, as the driver received them). */
    private record Row(String release, long seq, String eventId, String type, String source, byte[] payload, Instant occurredAt) {
    }

    private RebuildPhase() {
    }

    static Rebuild run(LocalInfra infra, Report report) throws Exception {
        report.say("  rebuilding every release from the log: %s", HOW);
        BlockingQueue<List<Row>> read = new ArrayBlockingQueue<>(8);
        long t0 = System.nanoTime();
        ExecutorService folder = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-rebuild-fold"));
        try {
            Future<Integer> folded = folder.submit(() -> fold(read));
            long rows = 0;
            // binary transfer from the first execution: timestamps and numbers arrive as binary, not text to parse
            Properties props = new Properties();
            props.setProperty("user", infra.dbUsername());
            props.setProperty("password", infra.dbPassword());
            props.setProperty("prepareThreshold", "-1");
            try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), props)) {
                c.setAutoCommit(false); // a cursor: rows stream in batches instead of all at once
                try (PreparedStatement q = c.prepareStatement(READ_ALL)) {
                    q.setFetchSize(5_000);
                    try (ResultSet rs = q.executeQuery()) {
                        List<Row> batch = new ArrayList<>(BATCH);
                        while (rs.next()) {
                            rows++;
                            batch.add(new Row(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                    rs.getBytes(6), rs.getTimestamp(7).toInstant()));
                            if (batch.size() == BATCH) {
                                put(read, batch, folded);
                                batch = new ArrayList<>(BATCH);
                            }
                        }
                        if (!batch.isEmpty()) {
                            put(read, batch, folded);
                        }
                    }
                }
                c.commit();
            } finally {
                put(read, END, folded);
            }
            int releases = folded.get();
            Rebuild rebuild = new Rebuild(rows, releases, (System.nanoTime() - t0) / 1e9);
            report.say("  %s events/s", Report.fmt(rebuild.rate()));
            return rebuild;
        } finally {
            folder.shutdownNow();
        }
    }

    /** Hands a batch to the folder; gives up if the folder failed (its error is the phase's). */
    private static void put(BlockingQueue<List<Row>> read, List<Row> batch, Future<Integer> folded) throws Exception {
        while (!read.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            if (folded.isDone()) {
                folded.get();
                throw new IllegalStateException("the rebuild's folder stopped before the end of the log");
            }
        }
    }

    /** Decodes each row and folds each release when it ends (and those still open at the end); the releases folded. */
    private static int fold(BlockingQueue<List<Row>> read) throws Exception {
        Map<String, List<Envelope>> open = new HashMap<>();
        int folded = 0;
        for (List<Row> batch = read.take(); batch != END; batch = read.take()) {
            for (Row row : batch) {
                ReleaseEvent data = CloudEventCodec.decodeData(row.type(), row.payload());
                List<Envelope> stream = open.computeIfAbsent(row.release(), k -> new ArrayList<>());
                stream.add(new Envelope(row.eventId(), row.source(), row.release(), row.occurredAt(), row.seq(), data));
                if (data instanceof ReleaseEvent.ReleaseCompleted || data instanceof ReleaseEvent.ReleaseCancelled) {
                    Timeline.of(row.release(), stream);
                    open.remove(row.release());
                    folded++;
                }
            }
        }
        for (Map.Entry<String, List<Envelope>> e : open.entrySet()) {
            Timeline.of(e.getKey(), e.getValue());
            folded++;
        }
        return folded;
    }
}
