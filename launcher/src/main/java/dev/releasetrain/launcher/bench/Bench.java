package dev.releasetrain.launcher;

import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.local.EmbeddedKafka;
import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseCompleted;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseFailed;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.worker.CommandLog;
import dev.releasetrain.worker.ResultPublisher;
import dev.releasetrain.worker.SecretRedactor;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StartReports;
import dev.releasetrain.worker.StepDispatcher;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepHandlers;
import dev.releasetrain.worker.StepOutcome;
import dev.releasetrain.worker.WorkerIdentity;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.sandbox.Sandbox;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code release-train bench}: the hop, throughput, timeline, idle and memory figures, measured side by side in one run on the
 * embedded stack (Kafka and PostgreSQL in this JVM, the coordinator with its relay as a child
 * process; no-op step handlers on the real worker runtime in this JVM answer the commands; the four services are only weighed).
 * See docs/benchmarks.md for the method. The last line printed is the machine-readable summary.
 */
final class Bench {
    static final String RUNBOOK = "bench-20";
    static final int RUNBOOK_STEPS = 20;
    static final String HISTORY_RUNBOOK = "bench-history";
    /** The keys of the summary line, in order. */
    static final List<String> SUMMARY_KEYS = List.of("hop_p50_ms", "hop_p99_ms", "kafka_rtt_p50_ms", "hop_to_rtt_p50",
            "transitions_per_s", "timeline_p99_ms", "rebuild_events_per_s", "idle_cpu_pct", "stack_rss_mb", "run20_p50_ms",
            "startup_ms");

    private static final String T_COMPLETED = EventTypes.typeOf(ReleaseCompleted.class);
    private static final String T_FAILED = EventTypes.typeOf(ReleaseFailed.class);
    private static final long CLK_TCK = 100; // USER_HZ on Linux; /proc/<pid>/stat counts in these ticks

    /** How much each phase measures. */
    record Sizes(int rttWarmup, int rttMessages, int hopWarmupReleases, int hops, int loadWarmupSeconds, int loadSeconds,
                 int concurrency, int idleSeconds, int historyEvents, int historyReleases, int timelineGets) {
        static Sizes full(int concurrency) {
            return new Sizes(1_000, 5_000, 200, 2_000, 5, 30, concurrency, 30, 1_000_000, 10_000, 500);
        }

        static Sizes quick(int concurrency) {
            return new Sizes(200, 1_000, 11, 300, 3, 10, concurrency, 10, 100_000, 1_000, 200);
        }
    }

    private final PrintWriter out;
    private final boolean quick;
    private final Sizes sizes;
    private final Map<String, String> results = new LinkedHashMap<>(); // the table: label -> value
    private final Map<String, Double> summary = new LinkedHashMap<>();

    private Path runDir;
    private LocalInfra infra;
    private ServiceProcess coordinator;
    private ReleaseClient api;
    private NoOpWorkers workers;
    private EventsWatcher watcher;
    private int nextMinor = 1;

    Bench(PrintWriter out, boolean quick, int concurrency) {
        this.out = out;
        this.quick = quick;
        this.sizes = quick ? Sizes.quick(concurrency) : Sizes.full(concurrency);
    }

    int run() throws Exception {
        Thread hook = new Thread(this::stop, "release-train-bench-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            say("release-train bench%s: %d cores, %s memory, Java %s, %s", quick ? " --quick" : "",
                    Runtime.getRuntime().availableProcessors(), memTotal(), System.getProperty("java.version"),
                    ZonedDateTime.now().withNano(0));
            startStack();
            kafkaRoundTrip();
            workers = new NoOpWorkers(infra.kafkaBootstrapServers());
            watcher = new EventsWatcher(infra.kafkaBootstrapServers());
            stepHops();
            throughput();
            workers.close();
            watcher.close();
            idleCost();
            timeline();
        } finally {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        printReport();
        return 0;
    }

    // ------------------------------------------------------------------------------------------
    // start-up

    private void startStack() throws Exception {
        runDir = Files.createTempDirectory("release-train-bench-");
        Path runbook = runDir.resolve(RUNBOOK + ".yaml");
        Files.writeString(runbook, sequentialRunbook(RUNBOOK, RUNBOOK_STEPS,
                "20 sequential no-op steps: the benchmark's workers answer each command at once."));
        say("[start] embedded Kafka + PostgreSQL side by side; the coordinator (relay inside, from coordinator/target/quarkus-app)"
                + " as soon as PostgreSQL is up, while the broker is still starting");
        long t0 = System.nanoTime();
        LocalInfra.Starting starting = LocalInfra.begin(runDir.resolve("infra"));
        try {
            startStack(starting, t0);
        } catch (Exception | Error e) {
            if (infra == null) {
                starting.stop();
            }
            throw e;
        }
    }

    private void startStack(LocalInfra.Starting starting, long t0) throws Exception {
        Path runbook = runDir.resolve(RUNBOOK + ".yaml");
        Map<String, String> infraConfig = starting.awaitDatabase();
        long tDb = System.nanoTime();

        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Map<String, String> config = new LinkedHashMap<>(infraConfig);
        config.put("quarkus.log.console.format", Stack.LOG_FORMAT);
        // 1.0.0 for the sequential releases (1.1.0, 1.2.0, ...); 0.k.0 for lane k of the throughput phase (patches 0.k.1, ...)
        StringBuilder released = new StringBuilder("1.0.0");
        for (int lane = 1; lane <= sizes.concurrency(); lane++) {
            released.append(",0.").append(lane).append(".0");
        }
        config.put("release-train.versions.released", released.toString());
        config.put("release-train.runbooks.files", runbook.toString());
        Path logs = Files.createDirectories(runDir.resolve("logs"));
        coordinator = new ServiceProcess("coordinator", Stack.home(), freePort(), config,
                Map.of("RELEASE_TRAIN_AUTH_TOKENS", "bench:viewer+release-manager:" + token), logs);
        long tCoord = System.nanoTime();
        coordinator.start();
        infra = starting.await();
        EmbeddedKafka.createTopics(infra.kafkaBootstrapServers(), Topics.all(), 3);
        long tKafka = System.nanoTime();
        coordinator.awaitReady(Duration.ofSeconds(180));
        long tReady = System.nanoTime();
        api = new ReleaseClient(coordinator.url(), "bench", token);

        double dbMs = ms(tDb - t0);
        double kafkaMs = ms(tKafka - t0);
        double coordMs = ms(tReady - tCoord);
        double startupMs = ms(tReady - t0);
        result("start-up to healthy (Kafka + PostgreSQL + coordinator ready)", fmt(startupMs) + " ms");
        result("  PostgreSQL up after", fmt(dbMs) + " ms");
        result("  Kafka up (+ topics) after, the coordinator starting meanwhile", fmt(kafkaMs) + " ms");
        result("  coordinator JVM to /q/health/ready", fmt(coordMs) + " ms");
        summary.put("startup_ms", startupMs);
        say("  stack up in %s ms (PostgreSQL %s ms, Kafka %s ms, coordinator %s ms from its launch)",
                fmt(startupMs), fmt(dbMs), fmt(kafkaMs), fmt(coordMs));
    }

    /**
     * A runbook of {@code steps} sequential steps, cycling through the four services. Its kind is proving: its
     * runs measure the stack and are no releases, so minor and patch runs may both use it.
     */
    static String sequentialRunbook(String name, int steps, String description) {
        StringBuilder y = new StringBuilder();
        y.append("name: ").append(name).append("\nkind: proving\ndescription: '").append(description.replace("'", "''"))
                .append("'\ndefaults:\n  timeout: 2m\n  retry: { maxAttempts: 1 }\nsteps:\n");
        for (int i = 1; i <= steps; i++) {
            y.append("  - id: ").append(stepId(i)).append('\n');
            if (i > 1) {
                y.append("    needs: [").append(stepId(i - 1)).append("]\n");
            }
        }
        return y.toString();
    }

    static String stepId(int i) {
        return Topics.SERVICES.get((i - 1) % Topics.SERVICES.size()) + String.format(Locale.ROOT, ".noop-%02d", i);
    }

    // ------------------------------------------------------------------------------------------
    // 1. raw Kafka round trip

    private void kafkaRoundTrip() throws Exception {
        int total = sizes.rttWarmup() + sizes.rttMessages();
        say("[1/5] Kafka round trip: %d ping-pongs (%d warm-up), acks=all, linger.ms=0, two clients", total, sizes.rttWarmup());
        String bootstrap = infra.kafkaBootstrapServers();
        EmbeddedKafka.createTopics(bootstrap, List.of("bench.ping", "bench.pong"), 1);
        TopicPartition ping = new TopicPartition("bench.ping", 0);
        TopicPartition pong = new TopicPartition("bench.pong", 0);
        Samples rtt = new Samples();
        CountDownLatch echoReady = new CountDownLatch(1);
        AtomicLong echoed = new AtomicLong();
        Thread echo = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = consumer(bootstrap, null);
                 KafkaProducer<String, byte[]> p = producer(bootstrap)) {
                c.assign(List.of(ping));
                c.seekToEnd(List.of(ping));
                c.position(ping);
                echoReady.countDown();
                while (echoed.get() < total) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                        p.send(new ProducerRecord<>("bench.pong", r.key(), r.value()));
                        echoed.incrementAndGet();
                    }
                }
            }
        }, "bench-echo");
        echo.setDaemon(true);
        echo.start();
        try (KafkaConsumer<String, byte[]> c = consumer(bootstrap, null);
             KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            c.assign(List.of(pong));
            c.seekToEnd(List.of(pong));
            c.position(pong);
            if (!echoReady.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the echo client did not get its partition");
            }
            byte[] payload = new byte[256]; // about the size of a step result
            for (int i = 0; i < total; i++) {
                String key = Integer.toString(i);
                long t0 = System.nanoTime();
                p.send(new ProducerRecord<>("bench.ping", key, payload));
                boolean back = false;
                long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
                while (!back) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                        if (key.equals(r.key())) {
                            back = true;
                        }
                    }
                    if (!back && System.nanoTime() > deadline) {
                        throw new IllegalStateException("ping " + i + " did not come back within 30 s");
                    }
                }
                if (i >= sizes.rttWarmup()) {
                    rtt.add(System.nanoTime() - t0);
                }
            }
        }
        echo.join(10_000);
        result("Kafka round trip p50 / p99 (" + rtt.size() + " ping-pongs)", fmt(rtt.p(50)) + " / " + fmt(rtt.p(99)) + " ms");
        summary.put("kafka_rtt_p50_ms", rtt.p(50));
        say("  p50 %s ms, p99 %s ms", fmt(rtt.p(50)), fmt(rtt.p(99)));
    }

    // ------------------------------------------------------------------------------------------
    // 2. step hop, sequential releases

    private void stepHops() throws Exception {
        int hopsPerRelease = RUNBOOK_STEPS - 1;
        int releases = (sizes.hops() + hopsPerRelease - 1) / hopsPerRelease;
        say("[2/5] step hop: %d sequential releases of %s (%d warm-up), no-op step handlers on the real worker runtime (StepDispatcher) in this JVM",
                releases + sizes.hopWarmupReleases(), RUNBOOK, sizes.hopWarmupReleases());
        workers.awaitAssigned();
        watcher.awaitAssigned();
        for (int i = 0; i < sizes.hopWarmupReleases(); i++) {
            startRelease(null).get(60, TimeUnit.SECONDS);
        }
        Samples hops = new Samples();
        Samples runs = new Samples();
        Samples posts = new Samples();
        Map<String, Instant> arrivals = new ConcurrentHashMap<>();
        Map<String, Instant> posted = new ConcurrentHashMap<>();
        Map<String, Instant> completed = new ConcurrentHashMap<>();
        List<String> measured = new ArrayList<>();
        workers.hops = hops;
        workers.arrivals = arrivals;
        watcher.completions = completed;
        for (int i = 0; i < releases; i++) {
            String version = "1." + nextMinor + ".0";
            measured.add(version);
            posted.put(version, Instant.now());
            CompletableFuture<Boolean> done = startRelease(runs, posts);
            if (!done.get(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a " + RUNBOOK + " release failed; see " + coordinator.log);
            }
        }
        workers.hops = null;
        workers.arrivals = null;
        watcher.completions = null;
        result("step hop p50 / p99 (" + hops.size() + " hops, one release at a time)", fmt(hops.p(50)) + " / " + fmt(hops.p(99)) + " ms");
        result("20-step run p50 / p99 (" + runs.size() + " runs, POST -> ReleaseCompleted on release.events)",
                fmt(runs.p(50)) + " / " + fmt(runs.p(99)) + " ms");
        result("  of which POST /releases answered (202) p50 / p99", fmt(posts.p(50)) + " / " + fmt(posts.p(99)) + " ms");
        summary.put("hop_p50_ms", hops.p(50));
        summary.put("hop_p99_ms", hops.p(99));
        summary.put("run20_p50_ms", runs.p(50));
        summary.put("hop_to_rtt_p50", hops.p(50) / summary.get("kafka_rtt_p50_ms"));
        result("hop p50 / Kafka round trip p50", fmt(hops.p(50) / summary.get("kafka_rtt_p50_ms")) + " x");
        say("  hop p50 %s ms, p99 %s ms; run p50 %s ms", fmt(hops.p(50)), fmt(hops.p(99)), fmt(runs.p(50)));
        hopBreakdown(measured, arrivals, posted, completed);
    }

    /**
     * Splits each hop at the release log, from the log's own times: {@code occurred_at} of StepSucceeded is
     * when the worker made the result, {@code recorded_at} when the coordinator inserted it (and, in the same
     * transaction, the next StepRequested); the worker noted when each command arrived. And splits each
     * 20-step run into its start ({@code POST} sent -> the first command at a worker), the workers' side of
     * its 20 steps (command arrived -> result made: hand-off to a dispatcher thread, decoding, dedupe, the
     * no-op handler), its 19 hops, and its end (the last result made -> ReleaseCompleted seen on
     * {@code release.events}), which add up to the run. One clock (one machine).
     */
    private void hopBreakdown(List<String> releases, Map<String, Instant> arrivals, Map<String, Instant> posted,
                              Map<String, Instant> completed) throws SQLException {
        Samples toLog = new Samples();
        Samples fromLog = new Samples();
        Samples runStart = new Samples();
        Samples runWorkers = new Samples();
        Samples runHops = new Samples();
        Samples runEnd = new Samples();
        String succeeded = EventTypes.typeOf(StepSucceeded.class);
        String sql = "select type, payload->>'commandId', occurred_at, recorded_at, seq from release_events"
                + " where release_id = ? and type in (?, ?) order by seq";
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
             PreparedStatement q = c.prepareStatement(sql)) {
            for (String release : releases) {
                q.setString(1, release);
                q.setString(2, succeeded);
                q.setString(3, EventTypes.typeOf(StepRequested.class));
                Instant succeededOccurred = null;
                Instant succeededRecorded = null;
                Instant lastSucceeded = null;
                Instant lastArrival = null;
                Instant firstArrival = null;
                long workers = 0;
                long hops = 0;
                boolean whole = true;
                try (ResultSet rs = q.executeQuery()) {
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
                            toLog.add(Duration.between(succeededOccurred, succeededRecorded).toNanos());
                            fromLog.add(Duration.between(recorded, arrived).toNanos());
                            hops += Duration.between(succeededOccurred, arrived).toNanos();
                        }
                        lastArrival = arrived;
                        succeededOccurred = null;
                    }
                }
                Instant post = posted.get(release);
                Instant end = completed.get(release);
                if (whole && post != null && end != null && firstArrival != null && lastSucceeded != null) {
                    runStart.add(Duration.between(post, firstArrival).toNanos());
                    runWorkers.add(workers);
                    runHops.add(hops);
                    runEnd.add(Duration.between(lastSucceeded, end).toNanos());
                }
            }
        }
        result("  hop, worker -> result inserted in the log (Kafka, coordinator consumer, reads) p50 / p99",
                fmt(toLog.p(50)) + " / " + fmt(toLog.p(99)) + " ms");
        result("  hop, next command inserted -> at the worker (commit, fast send, Kafka, poll) p50 / p99",
                fmt(fromLog.p(50)) + " / " + fmt(fromLog.p(99)) + " ms");
        say("  breakdown: to the log p50 %s ms, log to worker p50 %s ms (%d hops)", fmt(toLog.p(50)), fmt(fromLog.p(50)), toLog.size());
        if (runStart.size() > 0) {
            result("  20-step run, split p50: POST sent -> first command at a worker; 20 steps at the workers; 19 hops; last result -> ReleaseCompleted seen ("
                            + runStart.size() + " runs)",
                    fmt(runStart.p(50)) + "; " + fmt(runWorkers.p(50)) + "; " + fmt(runHops.p(50)) + "; " + fmt(runEnd.p(50)) + " ms");
        }
    }

    /** POSTs the next release; the future completes true on ReleaseCompleted, false on ReleaseFailed. */
    private CompletableFuture<Boolean> startRelease(Samples runs) {
        return startRelease(runs, null);
    }

    private CompletableFuture<Boolean> startRelease(Samples runs, Samples posts) {
        String version = "1." + (nextMinor++) + ".0";
        CompletableFuture<Boolean> done = watcher.expect(version, runs);
        long t0 = System.nanoTime();
        ReleaseClient.Answer a = api.post("/releases", "{\"version\":\"" + version + "\",\"runbook\":\"" + RUNBOOK + "\"}");
        if (posts != null) {
            posts.add(System.nanoTime() - t0);
        }
        if (a.status() != 202) {
            throw new IllegalStateException("POST /releases " + version + " answered " + a.status() + ": " + a.message());
        }
        return done;
    }

    // ------------------------------------------------------------------------------------------
    // 3. throughput

    private void throughput() throws Exception {
        say("[3/5] throughput: %d releases of %s in flight, %d s warm-up + %d s measured", sizes.concurrency(), RUNBOOK,
                sizes.loadWarmupSeconds(), sizes.loadSeconds());
        // One lane per release in flight: lane k runs patch releases 0.k.1, 0.k.2, ... of its own series, one after
        // the other. Versions only have to increase within a series, so the lanes start their releases
        // independently, from a few threads, as many people releasing different series would.
        List<CompletableFuture<Boolean>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        Samples hops = new Samples();
        Samples posts = new Samples();
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicLong startedInWindow = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean();
        ExecutorService starters = Executors.newFixedThreadPool(STARTER_THREADS, r -> {
            Thread t = new Thread(r, "bench-starter");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int lane = 1; lane <= sizes.concurrency(); lane++) {
                startLane(starters, lane, 1, all, posts, stopping, measuring, startedInWindow);
            }
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(sizes.loadWarmupSeconds());
            long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(sizes.loadSeconds());
            sleepUntil(measureFrom);
            long coordCpu0 = cpuTicks(List.of(coordinator.pid()));
            long pgCpu0 = postgresCpuTicks();
            long selfCpu0 = cpuTicks(List.of(ProcessHandle.current().pid()));
            workers.hops = hops;
            long c0 = workers.commands.get();
            long t0 = System.nanoTime();
            measuring.set(true);
            sleepUntil(measureTo);
            long c1 = workers.commands.get();
            long t1 = System.nanoTime();
            double wall = (t1 - t0) / 1e9;
            String cpu = fmt(pct(cpuTicks(List.of(coordinator.pid())) - coordCpu0, wall)) + " / "
                    + fmt(pct(postgresCpuTicks() - pgCpu0, wall)) + " / "
                    + fmt(pct(cpuTicks(List.of(ProcessHandle.current().pid())) - selfCpu0, wall)) + " % of a core";
            measuring.set(false);
            workers.hops = null;
            stopping.set(true);
            double seconds = (t1 - t0) / 1e9;
            double rate = (c1 - c0) / seconds;
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
            reportThroughput(seconds, rate, hops, posts, startedInWindow.get(), started.size(), failed);
            result("  CPU in the window: coordinator / PostgreSQL / bench JVM (Kafka broker + no-op workers)", cpu);
        } finally {
            starters.shutdownNow();
        }
    }

    private static final int STARTER_THREADS = 8;

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Starts patch {@code patch} of lane {@code lane}'s series; when it ends, the lane's next one (until stopping). */
    private void startLane(ExecutorService starters, int lane, int patch, List<CompletableFuture<Boolean>> all, Samples posts,
                           AtomicBoolean stopping, AtomicBoolean measuring, AtomicLong startedInWindow) {
        if (stopping.get()) {
            return;
        }
        starters.execute(() -> {
            String version = "0." + lane + "." + patch;
            CompletableFuture<Boolean> done = watcher.expect(version, null);
            long p0 = System.nanoTime();
            ReleaseClient.Answer a = api.post("/releases", "{\"version\":\"" + version + "\",\"kind\":\"patch\",\"runbook\":\""
                    + RUNBOOK + "\"}");
            posts.add(System.nanoTime() - p0);
            if (a.status() != 202) {
                done.completeExceptionally(new IllegalStateException("POST /releases " + version + " answered " + a.status()
                        + ": " + a.message()));
            } else if (measuring.get()) {
                startedInWindow.incrementAndGet();
            }
            all.add(done.handle((ok, e) -> e == null && ok));
            done.whenComplete((ok, e) -> startLane(starters, lane, patch + 1, all, posts, stopping, measuring, startedInWindow));
        });
    }

    private void reportThroughput(double seconds, double rate, Samples hops, Samples posts, long startedInWindow, int releases,
                                  long failed) {
        result("step transitions/s (" + sizes.concurrency() + " releases in flight, " + fmt(seconds) + " s)", fmt(rate));
        result("step hop p50 / p99 under that load (" + hops.size() + " hops)", fmt(hops.p(50)) + " / " + fmt(hops.p(99)) + " ms");
        result("  releases started per s in the window; POST /releases p50 / p99",
                fmt(startedInWindow / seconds) + "; " + fmt(posts.p(50)) + " / " + fmt(posts.p(99)) + " ms");
        result("  releases run in the phase; failed", releases + "; " + failed);
        summary.put("transitions_per_s", rate);
        summary.put("load_hop_p99_ms", hops.p(99));
        say("  %s transitions/s; hop under load p50 %s ms, p99 %s ms; %d releases, %d failed", fmt(rate), fmt(hops.p(50)),
                fmt(hops.p(99)), releases, failed);
        if (failed > 0) {
            throw new IllegalStateException(failed + " releases failed under load; see " + coordinator.log);
        }
    }

    // ------------------------------------------------------------------------------------------
    // 5. idle cost (run after the load so the coordinator's JIT has settled)

    private void idleCost() throws Exception {
        say("[4/5] idle cost: CPU over %d s with no release running; RSS of every process", sizes.idleSeconds());
        Thread.sleep(2_000); // let the last offsets flush and the consumers go quiet before measuring idle
        // The load left PostgreSQL maintenance due (tens of thousands of inserted rows): autovacuum would run
        // it within its one-minute nap, in the window, and count the load's cost as idle. Done first instead.
        long v0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
             java.sql.Statement st = c.createStatement()) {
            st.execute("vacuum (analyze)");
        }
        double vacuumMs = (System.nanoTime() - v0) / 1e6;
        long coordPid = coordinator.pid();
        List<Long> pgPids = postgresPids();
        long self = ProcessHandle.current().pid();
        long coord0 = cpuTicks(List.of(coordPid));
        long pg0 = postgresCpuTicks();
        long self0 = cpuTicks(List.of(self));
        long w0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(sizes.idleSeconds())); // the measurement window itself
        double wall = (System.nanoTime() - w0) / 1e9;
        double coordPct = pct(cpuTicks(List.of(coordPid)) - coord0, wall);
        double pgPct = pgPids.isEmpty() ? Double.NaN : pct(postgresCpuTicks() - pg0, wall);
        double selfPct = pct(cpuTicks(List.of(self)) - self0, wall);
        double idle = coordPct + (Double.isNaN(pgPct) ? 0 : pgPct);
        result("idle CPU, coordinator (relay included) + PostgreSQL", fmt(idle) + " % of a core");
        result("  coordinator JVM; PostgreSQL (" + pgPids.size() + " processes)", fmt(coordPct) + " %; " + fmt(pgPct) + " %");
        result("  bench JVM (embedded Kafka broker; bench clients stopped), not counted", fmt(selfPct) + " %");
        result("  before the window: the maintenance the load left due (VACUUM ANALYZE, else autovacuum's within a minute)",
                fmt(vacuumMs) + " ms");
        summary.put("idle_cpu_pct", idle);

        double coordRss = rssMb(List.of(coordPid));
        double pgRss = rssMb(pgPids);
        double pgPss = pssMb(pgPids);
        double selfRss = rssMb(List.of(self)); // before the sandbox starts in this JVM
        result("RSS: coordinator; PostgreSQL (sum over " + pgPids.size() + " processes; PSS); bench JVM (Kafka broker + bench clients)",
                fmt(coordRss) + "; " + fmt(pgRss) + " (" + fmt(pgPss) + "); " + fmt(selfRss) + " MB");
        say("  idle CPU %s %% (coordinator %s %%, PostgreSQL %s %%); starting the four services to measure them", fmt(idle), fmt(coordPct), fmt(pgPct));
        Map<String, Double> services = servicesRss();
        double servicesRss = services.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder each = new StringBuilder();
        services.forEach((name, mb) -> each.append(each.length() == 0 ? "" : "; ").append(fmt(mb)));
        result("RSS of the services once ready: " + String.join("; ", services.keySet()), each + " MB");
        double stack = coordRss + pgPss + selfRss + servicesRss;
        result("stack memory (coordinator + PostgreSQL PSS + bench JVM + the 4 services)", fmt(stack) + " MB");
        summary.put("stack_rss_mb", stack);
        say("  RSS %s MB (the services %s MB)", fmt(stack), fmt(servicesRss));
    }

    /**
     * The services are not on the measured path (the no-op workers in this JVM stand in for them): they are
     * started here only to weigh them, as {@code ./release-train up} starts them (against the sandbox's
     * stand-ins, which start in this JVM), their RSS read once each is ready, and stopped before the next
     * phase. They join their topics at the end ({@code auto.offset.reset=latest}): the bench's commands and
     * events are not theirs to handle.
     */
    private Map<String, Double> servicesRss() throws Exception {
        Map<String, String> common = new LinkedHashMap<>();
        common.put("kafka.bootstrap.servers", infra.kafkaBootstrapServers());
        common.put("quarkus.log.console.format", Stack.LOG_FORMAT);
        try (Sandbox sandbox = Sandbox.start(runDir.resolve("sandbox"))) {
            List<ServiceProcess> services = Stack.services(Stack.home(), runDir, sandbox, common, coordinator.url(),
                    runDir.resolve("logs"), true);
            try {
                for (ServiceProcess p : services) {
                    p.start();
                }
                for (ServiceProcess p : services) {
                    p.awaitReady(Duration.ofSeconds(180));
                }
                Map<String, Double> rss = new LinkedHashMap<>();
                for (ServiceProcess p : services) {
                    rss.put(p.name, rssMb(List.of(p.pid())));
                }
                return rss;
            } finally {
                for (ServiceProcess p : services) {
                    p.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // 4. timeline over a big log

    private void timeline() throws Exception {
        int releases = sizes.historyReleases();
        int perRelease = sizes.historyEvents() / releases;
        int steps = (perRelease - 2) / 3;
        int progress = (perRelease - 2) % 3;
        long total = (long) perRelease * releases;
        say("[5/5] timeline: COPY %,d events (%d per release) across %,d releases into release_events, with the relay running",
                total, perRelease, releases);
        String definition = sequentialRunbook(HISTORY_RUNBOOK, steps, "synthetic history for the benchmark");
        String hash = HISTORY_RUNBOOK + "-" + steps;
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword())) {
            long before = count(c);
            long publishedBefore = eventsOnTheBus();
            long tInsert = System.nanoTime();
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            String sql = "copy release_events (release_id, seq, event_id, type, source, payload, occurred_at) from stdin with (format csv)";
            Instant base = Instant.now().minus(Duration.ofDays(30));
            StringBuilder csv = new StringBuilder(8 << 20);
            for (int r = 1; r <= releases; r++) {
                appendHistory(csv, "2." + r + ".0", steps, progress, definition, hash, base.plusSeconds(r * 10L));
                if (r % 200 == 0 || r == releases) {
                    copy.copyIn(sql, new StringReader(csv.toString()));
                    csv.setLength(0);
                }
            }
            double insertS = (System.nanoTime() - tInsert) / 1e9;
            long after = count(c);
            if (after - before != total) {
                throw new IllegalStateException("expected " + total + " new events, the log has " + (after - before));
            }
            result("synthetic history inserted (COPY)", String.format(Locale.ROOT, "%,d events in %s s (%s events/s)",
                    total, fmt(insertS), fmt(total / insertS)));
            say("  inserted in %s s; waiting for the relay to publish the backlog", fmt(insertS));
            double drainS = awaitRelay(publishedBefore + total, tInsert);
            if (drainS > 0) {
                result("relay caught up with the backlog (from the first insert)", fmt(drainS) + " s (" + fmt(total / drainS) + " events/s)");
            } else {
                result("relay caught up with the backlog", "not observed (" + Topics.EVENTS + " did not grow by the backlog in time)");
            }
        }

        // GET /releases/{v}/timeline on releases the coordinator has not seen yet (its state cache is cold).
        Samples gets = new Samples();
        int warm = Math.min(20, releases / 10);
        List<Integer> order = new ArrayList<>();
        for (int r = 1; r <= releases; r++) {
            order.add(r);
        }
        java.util.Collections.shuffle(order, new java.util.Random(8));
        int n = Math.min(sizes.timelineGets() + warm, releases);
        for (int i = 0; i < n; i++) {
            String v = "2." + order.get(i) + ".0";
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
        result("GET /releases/{v}/timeline p50 / p99 (" + gets.size() + " releases of " + perRelease + " events, cold cache)",
                fmt(gets.p(50)) + " / " + fmt(gets.p(99)) + " ms");
        summary.put("timeline_p99_ms", gets.p(99));
        say("  timeline p50 %s ms, p99 %s ms", fmt(gets.p(50)), fmt(gets.p(99)));
        rebuildAll();
    }

    private void appendHistory(StringBuilder csv, String v, int steps, int progress, String definition, String hash, Instant at) {
        List<ReleaseEvent> events = new ArrayList<>(steps * 3 + 2 + progress);
        events.add(new ReleaseStarted(v, "minor", "1.0.0", HISTORY_RUNBOOK, hash, "bench", Map.of("version", v), definition));
        List<String> ids = new ArrayList<>(steps);
        for (int i = 1; i <= steps; i++) {
            String step = stepId(i);
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
        long seq = 0;
        for (ReleaseEvent e : events) {
            seq++;
            csv.append(v).append(',').append(seq).append(',').append(new UUID(random.nextLong(), random.nextLong())).append(',')
                    .append(EventTypes.typeOf(e)).append(",/bench/history,\"")
                    .append(CloudEventCodec.dataJson(e).replace("\"", "\"\"")).append("\",")
                    .append(at.plusMillis(seq * 250)).append('\n');
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from release_events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Records on release.events now (the sum of its partitions' end offsets). */
    private long eventsOnTheBus() {
        try (KafkaConsumer<String, byte[]> c = consumer(infra.kafkaBootstrapServers(), null)) {
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
    private double awaitRelay(long target, long since) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(quick ? 3 : 15);
        try (KafkaConsumer<String, byte[]> c = consumer(infra.kafkaBootstrapServers(), null)) {
            while (System.nanoTime() < deadline) {
                if (eventsOnTheBus(c) >= target) {
                    return (System.nanoTime() - since) / 1e9;
                }
                Thread.sleep(200); // how often the end offsets are read
            }
        }
        return -1;
    }

    /** Folds every release of the log, read in position order, with the coordinator's Timeline when reachable. */
    private void rebuildAll() throws Exception {
        Method fold = timelineFold();
        String how = fold != null ? "SQL read + CloudEventCodec decode + coordinator Timeline.of fold"
                : "SQL read + CloudEventCodec decode only (Timeline class not reachable: a proxy)";
        say("  rebuilding every release from the log: %s", how);
        long rows = 0;
        int folded = 0;
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword())) {
            c.setAutoCommit(false); // a cursor: rows stream in batches instead of all at once
            try (PreparedStatement q = c.prepareStatement(
                    "select release_id, seq, event_id, type, source, payload::text, occurred_at from release_events order by position")) {
                q.setFetchSize(5_000);
                Map<String, List<Envelope>> open = new HashMap<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        String release = rs.getString(1);
                        String type = rs.getString(4);
                        ReleaseEvent data = CloudEventCodec.decodeData(type, rs.getString(6).getBytes(StandardCharsets.UTF_8));
                        Envelope e = new Envelope(rs.getString(3), rs.getString(5), release, rs.getTimestamp(7).toInstant(),
                                rs.getLong(2), data);
                        List<Envelope> stream = open.computeIfAbsent(release, k -> new ArrayList<>());
                        stream.add(e);
                        if (data instanceof ReleaseCompleted || data instanceof ReleaseEvent.ReleaseCancelled) {
                            if (fold != null) {
                                fold.invoke(null, release, stream);
                            }
                            open.remove(release);
                            folded++;
                        }
                    }
                }
                for (Map.Entry<String, List<Envelope>> e : open.entrySet()) {
                    if (fold != null) {
                        fold.invoke(null, e.getKey(), e.getValue());
                    }
                    folded++;
                }
            }
            c.commit();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double rate = rows / s;
        result("rebuild every release from the log (" + how + ")",
                String.format(Locale.ROOT, "%,d events, %,d releases in %s s = %s events/s", rows, folded, fmt(s), fmt(rate)));
        summary.put("rebuild_events_per_s", rate);
        say("  %s events/s", fmt(rate));
    }

    /** {@code Timeline.of(String, List<Envelope>)} from the packaged coordinator (it needs only the protocol), or null. */
    private static Method timelineFold() {
        Path app = Stack.home().resolve("coordinator/target/quarkus-app/app");
        try (Stream<Path> jars = Files.list(app)) {
            Path jar = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElse(null);
            if (jar == null) {
                return null;
            }
            URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, Bench.class.getClassLoader());
            Class<?> timeline = Class.forName("dev.releasetrain.coordinator.timeline.Timeline", true, loader);
            return timeline.getMethod("of", String.class, List.class);
        } catch (IOException | ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------
    // report

    private void printReport() {
        out.println();
        out.println("Release Train benchmark" + (quick ? " (--quick: smaller samples, see docs/benchmarks.md)" : ""));
        int width = results.keySet().stream().mapToInt(String::length).max().orElse(10);
        for (Map.Entry<String, String> r : results.entrySet()) {
            out.println(String.format(Locale.ROOT, "  %-" + width + "s  %s", r.getKey(), r.getValue()));
        }
        out.println("targets (issue 8): hop p50 <= 3 ms, p99 <= 12 ms; run20 p50 <= 60 ms; >= 2000 transitions/s; hop p99 under load"
                + " <= 100 ms; idle <= 1 %; start <= 7 s; RSS <= 2.5 GB; hop p50 <= 5x Kafka RTT");
        StringBuilder line = new StringBuilder();
        for (String key : SUMMARY_KEYS) {
            Double v = summary.get(key);
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(key).append('=').append(v == null ? "NaN" : fmt(v));
        }
        out.println(line);
        out.flush();
    }

    private void result(String label, String value) {
        results.put(label, value);
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    // ------------------------------------------------------------------------------------------
    // shutdown

    private synchronized void stop() {
        if (workers != null) {
            workers.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (coordinator != null) {
            coordinator.close();
            coordinator = null;
        }
        if (infra != null) {
            infra.close();
            infra = null;
        }
        if (runDir != null) {
            deleteTree(runDir);
            runDir = null;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a temporary directory
        }
    }

    // ------------------------------------------------------------------------------------------
    // /proc readings

    private List<Long> postgresPids() {
        if (runDir == null) {
            return List.of();
        }
        Path pidFile = runDir.resolve("infra/postgres/postmaster.pid");
        try {
            long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            List<Long> pids = new ArrayList<>();
            pids.add(postmaster);
            ProcessHandle.of(postmaster).ifPresent(h -> h.children().forEach(child -> pids.add(child.pid())));
            return pids;
        } catch (IOException | RuntimeException e) {
            return List.of(); // an external database
        }
    }

    /** utime + stime of the processes, in clock ticks. */
    static long cpuTicks(Collection<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat(5)
            } catch (IOException | RuntimeException gone) {
                // the process ended
            }
        }
        return sum;
    }

    /**
     * CPU of PostgreSQL in clock ticks: the postmaster's own and its reaped children's (cutime + cstime:
     * a backend that exits moves its time there), plus the children alive now. Summing the children
     * listed once would lose the time of those that exit during a window.
     */
    private long postgresCpuTicks() {
        List<Long> pids = postgresPids();
        if (pids.isEmpty()) {
            return 0;
        }
        long sum = cpuTicks(pids.subList(1, pids.size()));
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pids.get(0)), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            sum += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException gone) {
            // stopped
        }
        return sum;
    }

    /** Proportional set size: shared pages (PostgreSQL's shared buffers) counted once across the processes. */
    static double pssMb(Collection<Long> pids) {
        long kb = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                    if (line.startsWith("Pss:")) {
                        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // the process ended
            }
        }
        return kb / 1024.0;
    }

    static double rssMb(Collection<Long> pids) {
        long kb = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // the process ended
            }
        }
        return kb / 1024.0;
    }

    private static double pct(long ticks, double seconds) {
        return 100.0 * ticks / CLK_TCK / seconds;
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return fmt(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0) + " GiB";
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return "?";
    }

    // ------------------------------------------------------------------------------------------
    // helpers

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    static Map<String, String> headers(ConsumerRecord<?, ?> r) {
        return dev.releasetrain.protocol.KafkaHeaders.toMap(r.headers());
    }

    /** Latency samples in nanoseconds; percentiles in milliseconds (nearest rank). */
    static final class Samples {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        synchronized int size() {
            return size;
        }

        synchronized double p(double percentile) {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(percentile / 100.0 * size);
            return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
        }
    }

    /**
     * The four services as no-op step handlers, run by the real worker runtime in this JVM: its
     * {@link StepDispatcher} (decode, commandId dedupe, the handler, StepSucceeded sent and acknowledged,
     * as with {@code KafkaResultPublisher}; StepStarted only past the services' grace period) on 16
     * threads (the services' {@code max-concurrency}), fed by one plain Kafka consumer on every command
     * topic instead of the SmallRye connector. The hop is measured from just before StepSucceeded is
     * sent to the arrival of the release's next command.
     */
    static final class NoOpWorkers implements AutoCloseable {
        final AtomicLong commands = new AtomicLong();
        volatile Samples hops; // null: not recording
        /** When set: the wall-clock arrival of each command, by command id (for the hop breakdown). */
        volatile Map<String, Instant> arrivals;
        private final Map<String, Long> succeededAt = new ConcurrentHashMap<>();
        private final CountDownLatch assigned = new CountDownLatch(1);
        private volatile boolean running = true;
        private final Thread thread;
        /** As in the services: a step's StepStarted only if it runs longer than the grace period (so never, here). */
        private final StartReports starts = new StartReports(StartReports.DEFAULT_AFTER);
        private final java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "bench-noop-step");
            t.setDaemon(true);
            return t;
        });

        NoOpWorkers(String bootstrap) {
            List<String> topics = Topics.SERVICES.stream().map(Topics::commands).toList();
            KafkaProducer<String, byte[]> producer = producer(bootstrap);
            List<StepHandler> handlers = new ArrayList<>();
            for (int i = 1; i <= RUNBOOK_STEPS; i++) {
                String id = stepId(i);
                handlers.add(new StepHandler() {
                    @Override
                    public String stepId() {
                        return id;
                    }

                    @Override
                    public StepOutcome run(StepContext ctx) {
                        return StepOutcome.succeeded(Map.of());
                    }
                });
            }
            ResultPublisher publisher = new ResultPublisher() {
                @Override
                public void publish(Envelope event) {
                    try {
                        sendRecord(event, null).get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException("result not acknowledged by Kafka: " + e, e);
                    }
                }

                @Override
                public java.util.concurrent.CompletionStage<Void> publishAsync(Envelope event) {
                    CompletableFuture<Void> acked = new CompletableFuture<>();
                    sendRecord(event, (meta, error) -> {
                        if (error != null) {
                            acked.completeExceptionally(error);
                        } else {
                            acked.complete(null);
                        }
                    });
                    return acked;
                }

                private java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> sendRecord(
                        Envelope event, org.apache.kafka.clients.producer.Callback callback) {
                    if (event.data() instanceof StepSucceeded) {
                        succeededAt.put(event.releaseId(), System.nanoTime());
                    }
                    var encoded = CloudEventCodec.encode(event);
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RESULTS, event.releaseId(), encoded.body());
                    encoded.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                    return producer.send(record, callback);
                }
            };
            StepDispatcher dispatcher = new StepDispatcher(new StepHandlers(handlers), new CommandLog(100_000), publisher,
                    new SecretRedactor(List.of()), new WorkerIdentity("bench-noop", "bench"), starts);
            thread = new Thread(() -> {
                try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, "bench-noop-workers")) {
                    consumer.subscribe(topics, new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                            if (!partitions.isEmpty()) {
                                assigned.countDown();
                            }
                        }
                    });
                    while (running) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            long arrived = System.nanoTime();
                            Instant arrivedAt = Instant.now();
                            Header subject = r.headers().lastHeader(CloudEventCodec.H_SUBJECT);
                            Header id = r.headers().lastHeader(CloudEventCodec.H_ID);
                            String release = subject == null ? r.key() : new String(subject.value(), StandardCharsets.UTF_8);
                            Long previous = release == null ? null : succeededAt.remove(release);
                            Samples h = hops;
                            if (previous != null && h != null) {
                                h.add(arrived - previous);
                            }
                            Map<String, String> headers = headers(r);
                            String origin = r.topic() + "/" + r.partition() + "@" + r.offset();
                            pool.execute(() -> {
                                StepDispatcher.Disposition d = dispatcher.dispatch(headers, r.value(), origin);
                                if (d instanceof StepDispatcher.Disposition.Completed c) {
                                    commands.incrementAndGet();
                                    Map<String, Instant> a = arrivals;
                                    if (a != null && c.result().data() instanceof StepSucceeded s) {
                                        a.put(s.commandId(), arrivedAt);
                                    }
                                } else if (d instanceof StepDispatcher.Disposition.Rejected rejected) {
                                    System.err.println("bench worker: " + rejected.reason());
                                }
                            });
                        }
                    }
                } finally {
                    // steps still running publish their results before the producer closes
                    pool.shutdown();
                    try {
                        pool.awaitTermination(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    starts.close();
                    producer.close();
                }
            }, "bench-noop-workers");
            thread.setDaemon(true);
            thread.start();
        }

        void awaitAssigned() throws InterruptedException {
            if (!assigned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the no-op workers got no command partitions");
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pool.shutdownNow();
        }
    }

    /** Watches release.events for the end of each release (headers only: no body is decoded). */
    static final class EventsWatcher implements AutoCloseable {
        private record Expected(long startedAt, Samples runs, CompletableFuture<Boolean> done) {
        }

        private final Map<String, Expected> expected = new ConcurrentHashMap<>();
        /** When set: the wall-clock time each awaited release's ReleaseCompleted was seen (for the run's split). */
        volatile Map<String, Instant> completions;
        private final CountDownLatch assigned = new CountDownLatch(1);
        private volatile boolean running = true;
        private final Thread thread;

        EventsWatcher(String bootstrap) {
            thread = new Thread(() -> {
                try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, "bench-events-" + UUID.randomUUID())) {
                    consumer.subscribe(List.of(Topics.EVENTS), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                            if (!partitions.isEmpty()) {
                                assigned.countDown();
                            }
                        }
                    });
                    while (running) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            Header type = r.headers().lastHeader(CloudEventCodec.H_TYPE);
                            if (type == null) {
                                continue;
                            }
                            String t = new String(type.value(), StandardCharsets.UTF_8);
                            boolean completed = t.equals(T_COMPLETED);
                            if (!completed && !t.equals(T_FAILED)) {
                                continue;
                            }
                            long at = System.nanoTime();
                            Instant seen = Instant.now();
                            Expected x = expected.remove(r.key());
                            if (x != null) {
                                if (completed && x.runs() != null) {
                                    x.runs().add(at - x.startedAt());
                                    Map<String, Instant> c = completions;
                                    if (c != null) {
                                        c.put(r.key(), seen);
                                    }
                                }
                                x.done().complete(completed);
                            }
                        }
                    }
                }
            }, "bench-events");
            thread.setDaemon(true);
            thread.start();
        }

        CompletableFuture<Boolean> expect(String release, Samples runs) {
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            expected.put(release, new Expected(System.nanoTime(), runs, done));
            return done;
        }

        void awaitAssigned() throws InterruptedException {
            if (!assigned.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the events watcher got no partition of " + Topics.EVENTS);
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code release-train bench [--quick]}. */
    @CommandLine.Command(name = "bench", mixinStandardHelpOptions = true,
            description = {"Measure the stack side by side in one run: Kafka round trip, step hop and 20-step run,"
                    + " throughput, timeline over a big log, idle cost, memory and start-up.",
                    "Starts Kafka, PostgreSQL and the coordinator (with its relay); no-op step handlers on the real worker runtime (in this JVM) answer the commands.",
                    "The last line is a machine-readable summary. See docs/benchmarks.md."})
    static final class Command implements Callable<Integer> {
        @CommandLine.Option(names = "--quick", description = "Smaller samples and windows: a run under two minutes.")
        boolean quick;
        @CommandLine.Option(names = "--concurrency", defaultValue = "64",
                description = "Releases in flight in the throughput phase (default ${DEFAULT-VALUE}).")
        int concurrency;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try {
                return new Bench(out, quick, concurrency).run();
            } finally {
                out.flush();
            }
        }
    }
}
