package dev.releasetrain.launcher.bench;

import dev.releasetrain.cli.ReleaseClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Phase 2, the step hop: sequential releases of the 20-step plan, one at a time, answered by the no-op workers.
 * A hop is the time from just before a StepSucceeded is sent to the arrival of the release's next command;
 * a run is from the POST to ReleaseCompleted on {@code release.events}. Each hop and run is then split at the
 * release log ({@link HopBreakdown}).
 */
final class HopPhase {

    /** The hops, runs and POSTs measured after the warm-up, and their split at the log. */
    record Hops(Samples hops, Samples runs, Samples posts, HopBreakdown.Split split) {
        double p50() {
            return hops.p(50);
        }

        /** {@code rttP50}: the Kafka round trip the hop is compared with. */
        void report(Report r, double rttP50) {
            r.row("step hop p50 / p99 (" + hops.size() + " hops, one release at a time)", hops.p50p99() + " ms");
            r.row("20-step run p50 / p99 (" + runs.size() + " runs, POST -> ReleaseCompleted on release.events)", runs.p50p99() + " ms");
            r.row("  of which POST /releases answered (202) p50 / p99", posts.p50p99() + " ms");
            r.summary("hop_p50_ms", hops.p(50));
            r.summary("hop_p99_ms", hops.p(99));
            r.summary("run20_p50_ms", runs.p(50));
            r.summary("hop_to_rtt_p50", hops.p(50) / rttP50);
            r.row("hop p50 / Kafka round trip p50", Report.fmt(hops.p(50) / rttP50) + " x");
            r.row("20-step run p50 / Kafka round trip p50", Report.fmt(runs.p(50) / rttP50) + " x");
            r.summary("run20_to_rtt_p50", runs.p(50) / rttP50);
            split.report(r);
        }
    }

    private final BenchStack stack;
    private final NoOpWorkers workers;
    private final EventsWatcher watcher;
    private int nextMinor = 1;

    private HopPhase(BenchStack stack, NoOpWorkers workers, EventsWatcher watcher) {
        this.stack = stack;
        this.workers = workers;
        this.watcher = watcher;
    }

    static Hops run(BenchStack stack, NoOpWorkers workers, EventsWatcher watcher, Sizes sizes, Report report) throws Exception {
        return new HopPhase(stack, workers, watcher).measure(sizes, report);
    }

    private Hops measure(Sizes sizes, Report report) throws Exception {
        int hopsPerRelease = Runbooks.RUNBOOK_STEPS - 1;
        int releases = (sizes.hops() + hopsPerRelease - 1) / hopsPerRelease;
        report.say("[2/5] step hop: %d sequential releases of %s (%d warm-up), no-op step handlers on the real worker runtime (StepDispatcher) in this JVM",
                releases + sizes.hopWarmupReleases(), Runbooks.RUNBOOK, sizes.hopWarmupReleases());
        workers.awaitAssigned();
        watcher.awaitAssigned();
        for (int i = 0; i < sizes.hopWarmupReleases(); i++) {
            startRelease(null, null).get(60, TimeUnit.SECONDS);
        }
        Samples hops = new Samples();
        Samples runs = new Samples();
        Samples posts = new Samples();
        Map<String, Instant> arrivals = new ConcurrentHashMap<>();
        Map<String, Instant> posted = new ConcurrentHashMap<>();
        Map<String, Instant> completed = new ConcurrentHashMap<>();
        List<String> measured = new ArrayList<>();
        workers.record(hops, arrivals);
        watcher.recordCompletions(completed);
        try {
            for (int i = 0; i < releases; i++) {
                String version = "1." + nextMinor + ".0";
                measured.add(version);
                posted.put(version, Instant.now());
                if (!startRelease(runs, posts).get(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a " + Runbooks.RUNBOOK + " release failed; see " + stack.coordinator().log);
                }
            }
        } finally {
            workers.stopRecording();
            watcher.recordCompletions(null);
        }
        report.say("  hop p50 %s ms, p99 %s ms; run p50 %s ms", Report.fmt(hops.p(50)), Report.fmt(hops.p(99)), Report.fmt(runs.p(50)));
        HopBreakdown.Split split = HopBreakdown.measure(stack.infra(), measured, arrivals, posted, completed);
        report.say("  breakdown: to the log p50 %s ms, log to worker p50 %s ms (%d hops)", Report.fmt(split.toLog().p(50)),
                Report.fmt(split.fromLog().p(50)), split.toLog().size());
        return new Hops(hops, runs, posts, split);
    }

    /** POSTs the next release; the future completes true on ReleaseCompleted, false on ReleaseFailed. */
    private CompletableFuture<Boolean> startRelease(Samples runs, Samples posts) {
        String version = "1." + (nextMinor++) + ".0";
        CompletableFuture<Boolean> done = watcher.expect(version, runs);
        long t0 = System.nanoTime();
        ReleaseClient.Answer a = stack.api().post("/releases", "{\"version\":\"" + version + "\",\"runbook\":\"" + Runbooks.RUNBOOK + "\"}");
        if (posts != null) {
            posts.add(System.nanoTime() - t0);
        }
        if (a.status() != 202) {
            throw new IllegalStateException("POST /releases " + version + " answered " + a.status() + ": " + a.message());
        }
        return done;
    }
}
