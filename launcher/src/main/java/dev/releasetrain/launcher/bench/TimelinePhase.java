package dev.releasetrain.launcher.bench;

import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseCompleted;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Phase 5, the timeline over a big log: a synthetic history of completed releases appended to the release log
 * with the coordinator's own {@link ReleaseLog} (the relay running: it publishes the backlog), then
 * {@code GET /releases/{v}/timeline} on releases the coordinator has not read yet (its state cache is cold).
 */
final class TimelinePhase {
    /** Releases per {@link ReleaseLog#appendAll} call: one transaction each. */
    private static final int RELEASES_PER_APPEND = 200;

    /** The history written and what reading it back cost. */
    record History(long events, int perRelease, double appendSeconds, double relaySeconds, Samples gets) {
        void report(Report r) {
            r.row("synthetic history appended (ReleaseLog.appendAll)", String.format(Locale.ROOT, "%,d events in %s s (%s events/s)",
                    events, Report.fmt(appendSeconds), Report.fmt(events / appendSeconds)));
            if (relaySeconds > 0) {
                r.row("relay caught up with the backlog (from the first insert)",
                        Report.fmt(relaySeconds) + " s (" + Report.fmt(events / relaySeconds) + " events/s)");
            } else {
                r.row("relay caught up with the backlog", "not observed (" + Topics.EVENTS + " did not grow by the backlog in time)");
            }
            r.row("GET /releases/{v}/timeline p50 / p99 (" + gets.size() + " releases of " + perRelease + " events, cold cache)",
                    gets.p50p99() + " ms");
            r.summary("timeline_p99_ms", gets.p(99));
        }
    }

    private TimelinePhase() {
    }

    static History run(BenchStack stack, ReleaseLog log, Sizes sizes, Report report) throws Exception {
        int releases = sizes.historyReleases();
        int perRelease = sizes.historyEvents() / releases;
        int steps = (perRelease - 2) / 3;
        int progress = (perRelease - 2) % 3;
        long total = (long) perRelease * releases;
        report.say("[5/5] timeline: %,d events (%d per release) across %,d releases appended to the release log, with the relay running",
                total, perRelease, releases);
        String definition = Runbooks.sequential(Runbooks.HISTORY_RUNBOOK, steps, "synthetic history for the benchmark");
        String hash = Runbooks.HISTORY_RUNBOOK + "-" + steps;
        long before = log.count();
        long publishedBefore = eventsOnTheBus(stack.bootstrap());
        long tInsert = System.nanoTime();
        Instant base = Instant.now().minus(Duration.ofDays(30));
        List<ReleaseLog.Append> batch = new ArrayList<>();
        for (int r = 1; r <= releases; r++) {
            String v = historyVersion(r);
            batch.add(new ReleaseLog.Append(v, 0, history(v, steps, progress, definition, hash, base.plusSeconds(r * 10L))));
            if (r % RELEASES_PER_APPEND == 0 || r == releases) {
                log.appendAll(batch);
                batch.clear();
            }
        }
        double appendS = (System.nanoTime() - tInsert) / 1e9;
        long after = log.count();
        if (after - before != total) {
            throw new IllegalStateException("expected " + total + " new events, the log has " + (after - before));
        }
        report.say("  appended in %s s; waiting for the relay to publish the backlog", Report.fmt(appendS));
        double drainS = awaitRelay(stack.bootstrap(), publishedBefore + total, tInsert, sizes.relayWaitMinutes());
        Samples gets = timelines(stack.api(), releases, perRelease, sizes.timelineGets());
        report.say("  timeline p50 %s ms, p99 %s ms", Report.fmt(gets.p(50)), Report.fmt(gets.p(99)));
        return new History(total, perRelease, appendS, drainS, gets);
    }

    static String historyVersion(int r) {
        return "2." + r + ".0";
    }

    /** GET /releases/{v}/timeline of releases in a fixed random order, after a few to warm up. */
    private static Samples timelines(ReleaseClient api, int releases, int perRelease, int count) {
        Samples gets = new Samples();
        int warm = Math.min(20, releases / 10);
        List<Integer> order = new ArrayList<>();
        for (int r = 1; r <= releases; r++) {
            order.add(r);
        }
        Collections.shuffle(order, new Random(8));
        int n = Math.min(count + warm, releases);
        for (int i = 0; i < n; i++) {
            String v = historyVersion(order.get(i));
            long t0 = System.nanoTime();
            ReleaseClient.Answer a = api.get("/releases/" + v + "/timeline");
            long t = System.nanoTime() - t0;
            if (a.status() != 200 || a.body().path("events").asLong() != perRelease) {
                throw new IllegalStateException("GET /releases/" + v + "/timeline answered " + a.status() + ": "
                        + (a.body() == null ? "" : a.body().toString().substring(0, Math.min(300, a.body().toString().length()))));
            }
            if (i >= warm) {
                gets.add(t);
            }
        }
        return gets;
    }

    /** One completed release of {@code steps} sequential steps, the last with {@code progress} progress reports. */
    private static List<Envelope> history(String v, int steps, int progress, String definition, String hash, Instant at) {
        List<ReleaseEvent> events = new ArrayList<>(steps * 3 + 2 + progress);
        events.add(new ReleaseStarted(v, "minor", "1.0.0", Runbooks.HISTORY_RUNBOOK, hash, "bench", Map.of("version", v), definition));
        List<String> ids = new ArrayList<>(steps);
        for (int i = 1; i <= steps; i++) {
            String step = Runbooks.stepId(i);
            ids.add(step);
            String commandId = v + "/" + step + "/1";
            events.add(new StepRequested(step, step.substring(0, step.indexOf('.')), 1, commandId, Map.of()));
            events.add(new StepStarted(step, 1, commandId, "bench-history"));
            if (i == steps) {
                for (int p = 0; p < progress; p++) {
                    events.add(new StepProgress(step, 1, commandId, "still going", Map.of("done", p)));
                }
            }
            events.add(new StepSucceeded(step, 1, commandId, Map.of("n", i)));
        }
        events.add(new ReleaseCompleted(ids));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Envelope> stream = new ArrayList<>(events.size());
        long seq = 0;
        for (ReleaseEvent e : events) {
            seq++;
            stream.add(new Envelope(new UUID(random.nextLong(), random.nextLong()).toString(), "/bench/history", v,
                    at.plusMillis(seq * 250), seq, e));
        }
        return stream;
    }

    /** Records on release.events now (the sum of its partitions' end offsets). */
    private static long eventsOnTheBus(String bootstrap) {
        try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(bootstrap, null)) {
            return eventsOnTheBus(c);
        }
    }

    private static long eventsOnTheBus(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = c.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        return c.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Seconds from {@code since} until release.events holds {@code target} records: the relay published
     * the backlog (one record per event; a duplicate after a relay restart only makes it sooner); -1 if never.
     */
    private static double awaitRelay(String bootstrap, long target, long since, int minutes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(bootstrap, null)) {
            while (System.nanoTime() < deadline) {
                if (eventsOnTheBus(c) >= target) {
                    return (System.nanoTime() - since) / 1e9;
                }
                Thread.sleep(200); // how often the end offsets are read
            }
        }
        return -1;
    }
}
