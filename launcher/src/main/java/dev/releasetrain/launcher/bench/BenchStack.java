package dev.releasetrain.launcher.bench;

import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.launcher.ServiceProcess;
import dev.releasetrain.launcher.Stack;
import dev.releasetrain.local.EmbeddedKafka;
import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.protocol.Topics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The start-up phase and what it leaves running for the others: the embedded Kafka broker and PostgreSQL, and the
 * coordinator (its relay inside) as a child process started as soon as PostgreSQL is up, while the broker is still
 * starting. Closing it (or the JVM's shutdown) stops all of it and deletes the run directory.
 */
final class BenchStack implements AutoCloseable {

    /** How long each part took to come up. */
    record StartUp(double startupMs, double dbMs, double kafkaMs, double coordinatorMs) {
        void report(Report r) {
            r.row("start-up to healthy (Kafka + PostgreSQL + coordinator ready)", Report.fmt(startupMs) + " ms");
            r.row("  PostgreSQL up after", Report.fmt(dbMs) + " ms");
            r.row("  Kafka up (+ topics) after, the coordinator starting meanwhile", Report.fmt(kafkaMs) + " ms");
            r.row("  coordinator JVM to /q/health/ready", Report.fmt(coordinatorMs) + " ms");
            r.summary("startup_ms", startupMs);
        }
    }

    private final Path runDir;
    private final Thread shutdownHook = new Thread(this::stop, "release-train-bench-stop");
    private LocalInfra.Starting starting;
    private LocalInfra infra;
    private ServiceProcess coordinator;
    /** The coordinators after the first (bench --scale). */
    private final List<ServiceProcess> others = new ArrayList<>();
    private final List<ReleaseClient> apis = new ArrayList<>();
    private int instances = 1;
    private ReleaseClient api;
    private StartUp startUp;

    private BenchStack(Path runDir) {
        this.runDir = runDir;
    }

    /** Starts everything; what started is stopped again if the start fails. */
    static BenchStack start(Sizes sizes, Report report) throws Exception {
        return start(sizes, report, 1);
    }

    /** With {@code instances} coordinators on the one database and broker (the relay publishes from one). */
    static BenchStack start(Sizes sizes, Report report, int instances) throws Exception {
        BenchStack stack = new BenchStack(Files.createTempDirectory("release-train-bench-"));
        stack.instances = instances;
        Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
        try {
            stack.boot(sizes, report);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void boot(Sizes sizes, Report report) throws Exception {
        Path runbook = runDir.resolve(Runbooks.RUNBOOK + ".yaml");
        Files.writeString(runbook, Runbooks.sequential(Runbooks.RUNBOOK, Runbooks.RUNBOOK_STEPS,
                "20 sequential no-op steps: the benchmark's workers answer each command at once."));
        report.say("[start] embedded Kafka + PostgreSQL side by side; the coordinator (relay inside, from coordinator/target/quarkus-app)"
                + " as soon as PostgreSQL is up, while the broker is still starting");
        long t0 = System.nanoTime();
        starting = LocalInfra.begin(runDir.resolve("infra"));
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
        config.put("release-train.calendar.rotation", "bench:U0BENCH"); // required outside dev and tests
        Path logs = Files.createDirectories(runDir.resolve("logs"));
        coordinator = new ServiceProcess("coordinator", Stack.home(), freePort(), config,
                Map.of("RELEASE_TRAIN_AUTH_TOKENS", "bench:viewer+release-manager:" + token), logs);
        long tCoord = System.nanoTime();
        coordinator.start();
        for (int i = 2; i <= instances; i++) {
            ServiceProcess more = new ServiceProcess("coordinator-" + i, "coordinator", Stack.home(), freePort(), config,
                    Map.of("RELEASE_TRAIN_AUTH_TOKENS", "bench:viewer+release-manager:" + token), logs);
            more.start();
            others.add(more);
        }
        infra = starting.await();
        EmbeddedKafka.createTopics(infra.kafkaBootstrapServers(), Topics.all(), 3);
        long tKafka = System.nanoTime();
        coordinator.awaitReady(Duration.ofSeconds(180));
        long tReady = System.nanoTime();
        api = new ReleaseClient(coordinator.url(), "bench", token);
        apis.add(api);
        for (ServiceProcess more : others) {
            more.awaitReady(Duration.ofSeconds(180));
            apis.add(new ReleaseClient(more.url(), "bench", token));
        }

        startUp = new StartUp(Report.ms(tReady - t0), Report.ms(tDb - t0), Report.ms(tKafka - t0), Report.ms(tReady - tCoord));
        report.say("  stack up in %s ms (PostgreSQL %s ms, Kafka %s ms, coordinator %s ms from its launch)",
                Report.fmt(startUp.startupMs()), Report.fmt(startUp.dbMs()), Report.fmt(startUp.kafkaMs()),
                Report.fmt(startUp.coordinatorMs()));
    }

    StartUp startUp() {
        return startUp;
    }

    LocalInfra infra() {
        return infra;
    }

    String bootstrap() {
        return infra.kafkaBootstrapServers();
    }

    ServiceProcess coordinator() {
        return coordinator;
    }

    ReleaseClient api() {
        return api;
    }

    /** The API of each coordinator, the first first. */
    List<ReleaseClient> apis() {
        return apis;
    }

    /** The process id of each coordinator. */
    List<Long> coordinatorPids() {
        List<Long> pids = new ArrayList<>();
        pids.add(coordinator.pid());
        others.forEach(o -> pids.add(o.pid()));
        return pids;
    }

    int instances() {
        return instances;
    }

    Path runDir() {
        return runDir;
    }

    /** PostgreSQL's data directory (its {@code postmaster.pid} names the server's process). */
    Path postgresDataDir() {
        return runDir.resolve("infra/postgres");
    }

    private synchronized void stop() {
        others.forEach(ServiceProcess::close);
        others.clear();
        if (coordinator != null) {
            coordinator.close();
            coordinator = null;
        }
        if (infra != null) {
            infra.close();
            infra = null;
        } else if (starting != null) {
            starting.stop(); // the start failed before the broker and the database were both up
        }
        starting = null;
        deleteTree(runDir);
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a temporary directory
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
