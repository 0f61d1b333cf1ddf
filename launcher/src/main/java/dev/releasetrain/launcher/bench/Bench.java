package dev.releasetrain.launcher.bench;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.local.LocalInfra;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code release-train bench}: the hop, throughput, timeline, idle and memory figures, measured side by side in one
 * run on the embedded stack (Kafka and PostgreSQL in this JVM, the coordinator with its relay as a child process;
 * no-op step handlers on the real worker runtime in this JVM answer the commands; the four services are only
 * weighed). One class per phase, each returning its result; the {@link Report} prints them. See
 * docs/benchmarks.md for the method. The last line printed is the machine-readable summary.
 */
public final class Bench {
    /** The keys of the summary line, in order. */
    public static final List<String> SUMMARY_KEYS = List.of("hop_p50_ms", "hop_p99_ms", "kafka_rtt_p50_ms", "hop_to_rtt_p50",
            "transitions_per_s", "cpu_ms_per_transition", "load_hop_p99_ms", "timeline_p99_ms", "rebuild_events_per_s", "idle_cpu_pct", "stack_rss_mb", "run20_p50_ms",
            "run20_to_rtt_p50", "startup_ms");

    private final PrintWriter out;
    private final boolean quick;
    private final Sizes sizes;
    /** Coordinators and no-op worker sets (bench --scale): above 1, the throughput phase only, checked after. */
    private final int instances;

    Bench(PrintWriter out, boolean quick, Sizes sizes) {
        this(out, quick, sizes, 1);
    }

    Bench(PrintWriter out, boolean quick, Sizes sizes, int instances) {
        this.out = out;
        this.quick = quick;
        this.sizes = sizes;
        this.instances = instances;
    }

    int run() throws Exception {
        if (instances > 1) {
            return runScaled();
        }
        Report report = new Report(out);
        report.say("release-train bench%s: %d cores, %s memory, Java %s, %s", quick ? " --quick" : "",
                Runtime.getRuntime().availableProcessors(), ProcStats.memTotal(), System.getProperty("java.version"),
                ZonedDateTime.now().withNano(0));
        try (BenchStack stack = BenchStack.start(sizes, report)) {
            stack.startUp().report(report);
            RoundTripPhase.RoundTrip rtt = RoundTripPhase.run(stack.bootstrap(), sizes, report);
            rtt.report(report);
            try (NoOpWorkers workers = new NoOpWorkers(stack.bootstrap());
                 EventsWatcher watcher = new EventsWatcher(stack.bootstrap())) {
                HopPhase.run(stack, workers, watcher, sizes, report).report(report, rtt.p50());
                ThroughputPhase.Throughput load = ThroughputPhase.run(stack, List.of(workers), watcher, sizes, report);
                load.report(report);
                if (load.failed() > 0) {
                    throw new IllegalStateException(load.failed() + " releases failed under load; see " + stack.coordinator().log);
                }
            }
            IdlePhase.run(stack, sizes, report).report(report);
            try (AgroalDataSource db = dataSource(stack.infra())) {
                TimelinePhase.run(stack, ReleaseLog.on(db), sizes, report).report(report);
            }
            RebuildPhase.run(stack.infra(), report).report(report);
        }
        report.print(quick, SUMMARY_KEYS);
        return 0;
    }

    /**
     * The throughput phase on {@code instances} coordinators (lanes start their releases on each in turn; results
     * reach them through their shared consumer group) and as many sets of no-op workers (one consumer group, the
     * command partitions shared out), then the check that every release completed once. The other phases measure
     * one path and are left out (NaN in the summary).
     */
    private int runScaled() throws Exception {
        Report report = new Report(out);
        report.say("release-train bench%s --scale %d: %d cores, %s memory, Java %s, %s", quick ? " --quick" : "", instances,
                Runtime.getRuntime().availableProcessors(), ProcStats.memTotal(), System.getProperty("java.version"),
                ZonedDateTime.now().withNano(0));
        try (BenchStack stack = BenchStack.start(sizes, report, instances)) {
            stack.startUp().report(report);
            RoundTripPhase.RoundTrip rtt = RoundTripPhase.run(stack.bootstrap(), sizes, report);
            rtt.report(report);
            List<NoOpWorkers> workers = new java.util.ArrayList<>();
            try (EventsWatcher watcher = new EventsWatcher(stack.bootstrap())) {
                for (int i = 0; i < instances; i++) {
                    workers.add(new NoOpWorkers(stack.bootstrap()));
                }
                for (NoOpWorkers w : workers) {
                    w.awaitAssigned();
                }
                watcher.awaitAssigned();
                ThroughputPhase.Throughput load = ThroughputPhase.run(stack, workers, watcher, sizes, report);
                load.report(report);
                ExactlyOnce.Result once = ExactlyOnce.check(stack.infra(), Runbooks.RUNBOOK_STEPS);
                once.report(report);
                report.summary("instances", instances);
                if (load.failed() > 0 || !once.problems().isEmpty() || once.releases() < load.releases()) {
                    report.print(quick, SCALED_KEYS);
                    out.println("not every release completed exactly once: " + load.failed() + " failed; "
                            + once.releases() + " of " + load.releases() + " in the log; " + once.problems());
                    return 1;
                }
            } finally {
                for (NoOpWorkers w : workers) {
                    w.close();
                }
            }
        }
        report.print(quick, SCALED_KEYS);
        return 0;
    }

    /** The summary of a scaled run: the usual keys, then the instances. */
    static final List<String> SCALED_KEYS = java.util.stream.Stream.concat(SUMMARY_KEYS.stream(), java.util.stream.Stream.of("instances")).toList();

    /** A small pool on the stack's database for the coordinator's {@link ReleaseLog}. */
    private static AgroalDataSource dataSource(LocalInfra infra) throws SQLException {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(2)
                        .connectionFactoryConfiguration(factory -> factory.jdbcUrl(infra.jdbcUrl())
                                .principal(new NamePrincipal(infra.dbUsername()))
                                .credential(new SimplePassword(infra.dbPassword())))));
    }

    /** {@code release-train bench [--quick]}. */
    @CommandLine.Command(name = "bench", mixinStandardHelpOptions = true,
            description = {"Measure the stack side by side in one run: Kafka round trip, step hop and 20-step run,"
                    + " throughput, timeline over a big log, idle cost, memory and start-up.",
                    "Starts Kafka, PostgreSQL and the coordinator (with its relay); no-op step handlers on the real worker runtime (in this JVM) answer the commands.",
                    "The last line is a machine-readable summary. See docs/benchmarks.md."})
    public static final class Command implements Callable<Integer> {
        @CommandLine.Option(names = "--quick", description = "Smaller samples and windows: a run under two minutes.")
        boolean quick;
        @CommandLine.Option(names = "--concurrency", defaultValue = "64",
                description = "Releases in flight in the throughput phase (default ${DEFAULT-VALUE}).")
        int concurrency;
        @CommandLine.Option(names = "--scale", defaultValue = "1",
                description = "Coordinators and no-op worker sets (default ${DEFAULT-VALUE}); above 1, the throughput phase only,"
                        + " then a check that every release completed exactly once.")
        int scale;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try {
                if (scale < 1) {
                    spec.commandLine().getErr().println("--scale must be at least 1");
                    return 2;
                }
                return new Bench(out, quick, quick ? Sizes.quick(concurrency) : Sizes.full(concurrency), scale).run();
            } finally {
                out.flush();
            }
        }
    }
}
