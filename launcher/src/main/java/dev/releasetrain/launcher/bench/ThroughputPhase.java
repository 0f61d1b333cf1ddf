package dev.releasetrain.launcher.bench;

import dev.releasetrain.cli.ReleaseClient;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Phase 3, throughput: many releases of the 20-step plan in flight at once, for a warm-up and then a measured
 * window; step transitions per second, the hop under that load, and the CPU of each process in the window.
 * One lane per release in flight: lane k runs patch releases 0.k.1, 0.k.2, ... of its own series, one after
 * the other. Versions only have to increase within a series, so the lanes start their releases
 * independently, from a few threads, as many people releasing different series would.
 */
final class ThroughputPhase {
    private static final int STARTER_THREADS = 8;

    /** What the measured window saw. */
    record Throughput(int concurrency, double seconds, double rate, Samples hops, Samples posts, long startedInWindow,
                      int releases, long failed, String cpu, double cpuMsPerTransition) {
        void report(Report r) {
            r.row("step transitions/s (" + concurrency + " releases in flight, " + Report.fmt(seconds) + " s)", Report.fmt(rate));
            r.row("step hop p50 / p99 under that load (" + hops.size() + " hops)", hops.p50p99() + " ms");
            r.row("  releases started per s in the window; POST /releases p50 / p99",
                    Report.fmt(startedInWindow / seconds) + "; " + posts.p50p99() + " ms");
            r.row("  releases run in the phase; failed", releases + "; " + failed);
            r.summary("transitions_per_s", rate);
            r.summary("load_hop_p99_ms", hops.p(99));
            r.row("  CPU in the window: coordinator(s) / PostgreSQL / bench JVM (Kafka broker + no-op workers)", cpu);
            r.row("  CPU per transition, all of them", Report.fmt(cpuMsPerTransition) + " ms");
            r.summary("cpu_ms_per_transition", cpuMsPerTransition);
        }
    }

    private final BenchStack stack;
    private final EventsWatcher watcher;
    private final ExecutorService starters;
    private final List<CompletableFuture<Boolean>> all = Collections.synchronizedList(new ArrayList<>());
    private final Samples posts = new Samples();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean measuring = new AtomicBoolean();
    private final AtomicLong startedInWindow = new AtomicLong();

    private ThroughputPhase(BenchStack stack, EventsWatcher watcher, ExecutorService starters) {
        this.stack = stack;
        this.watcher = watcher;
        this.starters = starters;
    }

    static Throughput run(BenchStack stack, List<NoOpWorkers> workers, EventsWatcher watcher, Sizes sizes, Report report) throws Exception {
        report.say("[3/5] throughput: %d releases of %s in flight, %d s warm-up + %d s measured", sizes.concurrency(), Runbooks.RUNBOOK,
                sizes.loadWarmupSeconds(), sizes.loadSeconds());
        ExecutorService starters = Executors.newFixedThreadPool(STARTER_THREADS, r -> {
            Thread t = new Thread(r, "bench-starter");
            t.setDaemon(true);
            return t;
        });
        try {
            Throughput t = new ThroughputPhase(stack, watcher, starters).measure(workers, sizes);
            report.say("  %s transitions/s; hop under load p50 %s ms, p99 %s ms; %d releases, %d failed", Report.fmt(t.rate()),
                    Report.fmt(t.hops().p(50)), Report.fmt(t.hops().p(99)), t.releases(), t.failed());
            return t;
        } finally {
            starters.shutdownNow();
        }
    }

    private Throughput measure(List<NoOpWorkers> workers, Sizes sizes) throws Exception {
        Samples hops = new Samples();
        for (int lane = 1; lane <= sizes.concurrency(); lane++) {
            startLane(lane, 1);
        }
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(sizes.loadWarmupSeconds());
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(sizes.loadSeconds());
        sleepUntil(measureFrom);
        List<Long> coordinatorPids = stack.coordinatorPids();
        long self = ProcessHandle.current().pid();
        long coordCpu0 = ProcStats.cpuTicks(coordinatorPids);
        long pgCpu0 = ProcStats.postgresCpuTicks(stack.postgresDataDir());
        long selfCpu0 = ProcStats.cpuTicks(List.of(self));
        workers.forEach(w -> w.record(hops, null));
        long c0 = commands(workers);
        long t0 = System.nanoTime();
        measuring.set(true);
        sleepUntil(measureTo);
        long c1 = commands(workers);
        long t1 = System.nanoTime();
        double wall = (t1 - t0) / 1e9;
        long coordTicks = ProcStats.cpuTicks(coordinatorPids) - coordCpu0;
        long pgTicks = ProcStats.postgresCpuTicks(stack.postgresDataDir()) - pgCpu0;
        long selfTicks = ProcStats.cpuTicks(List.of(self)) - selfCpu0;
        String cpu = Report.fmt(ProcStats.pct(coordTicks, wall)) + " / " + Report.fmt(ProcStats.pct(pgTicks, wall)) + " / "
                + Report.fmt(ProcStats.pct(selfTicks, wall)) + " % of a core";
        double cpuMsPerTransition = ProcStats.ms(coordTicks + pgTicks + selfTicks) / Math.max(1, c1 - c0);
        measuring.set(false);
        workers.forEach(NoOpWorkers::stopRecording);
        stopping.set(true);
        long failed = 0;
        List<CompletableFuture<Boolean>> started;
        synchronized (all) {
            started = new ArrayList<>(all);
        }
        for (CompletableFuture<Boolean> f : started) {
            if (!f.get(180, TimeUnit.SECONDS)) {
                failed++;
            }
        }
        return new Throughput(sizes.concurrency(), wall, (c1 - c0) / wall, hops, posts, startedInWindow.get(), started.size(),
                failed, cpu, cpuMsPerTransition);
    }

    private static long commands(List<NoOpWorkers> workers) {
        return workers.stream().mapToLong(NoOpWorkers::commands).sum();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Starts patch {@code patch} of lane {@code lane}'s series; when it ends, the lane's next one (until stopping). */
    private void startLane(int lane, int patch) {
        if (stopping.get()) {
            return;
        }
        starters.execute(() -> {
            String version = "0." + lane + "." + patch;
            CompletableFuture<Boolean> done = watcher.expect(version, null);
            long p0 = System.nanoTime();
            // with several coordinators, each lane starts its releases on one of them
            ReleaseClient.Answer a = stack.apis().get(lane % stack.apis().size()).post("/releases", "{\"version\":\"" + version + "\",\"kind\":\"patch\",\"runbook\":\""
                    + Runbooks.RUNBOOK + "\"}");
            posts.add(System.nanoTime() - p0);
            if (a.status() != 202) {
                done.completeExceptionally(new IllegalStateException("POST /releases " + version + " answered " + a.status()
                        + ": " + a.message()));
            } else if (measuring.get()) {
                startedInWindow.incrementAndGet();
            }
            all.add(done.handle((ok, e) -> e == null && ok));
            done.whenComplete((ok, e) -> startLane(lane, patch + 1));
        });
    }
}
