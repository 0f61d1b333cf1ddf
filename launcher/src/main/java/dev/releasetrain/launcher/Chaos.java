package dev.releasetrain.launcher;

import dev.releasetrain.sandbox.FaultSpec;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.StandIn;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code release-train chaos}: N sandbox releases of the monthly plan at once, while one process of the stack after
 * another is killed with SIGKILL at a point chosen by the seed and started again ({@link Kind}); then the checks of
 * {@link ChaosChecks}, and one summary line. The broker runs in a JVM of its own here ({@link ChaosBroker}) so that it
 * can be killed; the coordinator and the services get the fault hooks' directory
 * ({@code release-train.chaos.halt-dir}), where a file arms a halt point.
 */
final class Chaos {
    /** Where a kill lands. */
    enum Kind {
        /** A service while a stand-in holds the answer to its external call (the call reached the system). */
        SERVICE_MID_CALL,
        /** A service after its step's calls returned, before the result is published (worker hook). */
        SERVICE_AFTER_CALL,
        /** The coordinator after an append committed, before it is published (coordinator hook). */
        COORDINATOR_APPEND,
        /** The coordinator after a batch of results committed, before its offsets are (coordinator hook). */
        COORDINATOR_RESULT_BATCH,
        /** The Kafka broker, restarted on the same data directory and port. */
        KAFKA,
        /** PostgreSQL, every process of it, restarted on the same data directory and port. */
        POSTGRES
    }

    /** A held external call: the stand-in, what the fault matches, and the service that makes it. */
    private record HeldCall(String service, String standIn, FaultSpec fault, String what) {
    }

    private static final List<HeldCall> HELD_CALLS = List.of(
            new HeldCall("notify-service", Sandbox.SLACK, hold().withMethod("POST").withPathPrefix("/api/chat.postMessage"), "Slack chat.postMessage"),
            new HeldCall("git-service", Sandbox.GITHUB, hold().withMethod("POST").withPathPrefix("/repos/PostHog/").withPathContains("/pulls"), "GitHub: open a PR"),
            new HeldCall("cdn-service", Sandbox.CLOUDFRONT, hold().withMethod("POST").withPathContains("/invalidation"), "CloudFront CreateInvalidation"),
            new HeldCall("deploy-service", Sandbox.KUBERNETES, hold().withMethod("POST").withPathContains("/secrets"), "Kubernetes: Helm's release record"));

    /** How long a stand-in holds a call before serving it: the service is killed meanwhile. */
    private static FaultSpec hold() {
        return FaultSpec.delayNext(1, 3_000);
    }

    private final PrintStream out;
    private final int releases;
    private final long seed;
    private final int kills;
    private final List<Kind> kinds;
    private final Random random;
    /** How long the releases may take before the checks run. */
    private final Duration deadline;

    Chaos(PrintStream out, int releases, long seed, int kills, List<Kind> kinds) {
        this(out, releases, seed, kills, kinds, Duration.ofMinutes(10 + 3L * releases));
    }

    Chaos(PrintStream out, int releases, long seed, int kills, List<Kind> kinds, Duration deadline) {
        this.deadline = deadline;
        this.out = out;
        this.releases = releases;
        this.seed = seed;
        this.kills = kills;
        this.kinds = kinds;
        this.random = new Random(seed);
    }

    /** The kinds of the kills, in order: each kind once per round, rounds shuffled by the seed. */
    List<Kind> plan() {
        List<Kind> plan = new ArrayList<>();
        while (plan.size() < kills) {
            List<Kind> round = new ArrayList<>(kinds);
            Collections.shuffle(round, random);
            plan.addAll(round);
        }
        return plan.subList(0, kills);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    int run() throws Exception {
        long t0 = System.nanoTime();
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < releases; i++) {
            versions.add("1." + (29 + i) + ".0");
        }
        List<Kind> plan = plan();
        out.println("chaos: " + releases + " monthly releases at once, " + kills + " kills, seed " + seed + ": " + plan);
        Path work = Files.createTempDirectory("release-train-chaos-");
        Path haltDir = Files.createDirectories(work.resolve("halt"));
        ChaosBroker broker = new ChaosBroker(work.resolve("kafka"), freePort(), work.resolve("kafka.log"));
        broker.start();
        Stack stack;
        String previous = System.getProperty("kafka.bootstrap.servers");
        System.setProperty("kafka.bootstrap.servers", broker.bootstrapServers()); // the stack's broker: this one
        try {
            stack = Stack.start(out::println, Demo.RUNBOOK, Map.of("release-train.chaos.halt-dir", haltDir.toString()));
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        } finally {
            if (previous == null) {
                System.clearProperty("kafka.bootstrap.servers");
            } else {
                System.setProperty("kafka.bootstrap.servers", previous);
            }
        }
        try (stack; broker) {
            ChaosPostgres postgres = new ChaosPostgres(stack.infra().localPostgres().orElseThrow().dataDir(), stack.infra().jdbcUrl(),
                    stack.infra().dbUsername(), stack.infra().dbPassword(), stack.runDir().resolve("logs/postgres-restarted.log"));
            ChaosReleases driver = new ChaosReleases(stack, out, versions);
            Killer killer = new Killer(stack, broker, postgres, haltDir, driver);
            Thread killing = new Thread(() -> killer.run(plan), "chaos-kills");
            killing.setDaemon(true);
            killing.start();
            long deadline = System.nanoTime() + this.deadline.toNanos();
            while (!driver.allEnded() && System.nanoTime() < deadline) {
                driver.poll();
                Thread.sleep(1_000); // the pace of the people around the releases
            }
            killer.stop();
            killing.join(Duration.ofMinutes(3).toMillis());
            Map<String, String> outcomes = driver.outcomes();
            long completed = outcomes.values().stream().filter("completed"::equals).count();
            killer.log().forEach(l -> out.println("  kill: " + l));
            ChaosChecks checks;
            try {
                checks = ChaosChecks.run(stack.sandbox(), stack.infra(), versions);
            } catch (Exception e) {
                stack.keepRunDir();
                out.println("chaos: the checks could not run: " + e);
                return 1;
            }
            List<String> failures = new ArrayList<>();
            outcomes.forEach((v, end) -> {
                if (!"completed".equals(end)) {
                    failures.add("release " + v + " " + end);
                }
            });
            failures.addAll(checks.problems);
            out.println(String.format(Locale.ROOT, "  %d events redelivered on release.events (dropped by id); %.0f s", checks.redelivered,
                    (System.nanoTime() - t0) / 1e9));
            failures.forEach(f -> out.println("  FAILED " + f));
            out.println("chaos: releases=" + releases + " completed=" + completed + " kills=" + killer.kills()
                    + " duplicate_effects=" + checks.duplicateEffects + " lost_events=" + checks.lostEvents + " seed=" + seed);
            if (!failures.isEmpty()) {
                stack.keepRunDir();
                return 1;
            }
            return 0;
        }
    }

    /** Carries out the plan's kills, one at a time, at moments the seed chooses, while releases run. */
    private final class Killer {
        private final Stack stack;
        private final ChaosBroker broker;
        private final ChaosPostgres postgres;
        private final Path haltDir;
        private final ChaosReleases driver;
        private final List<String> log = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean stopping;
        private int done;

        Killer(Stack stack, ChaosBroker broker, ChaosPostgres postgres, Path haltDir, ChaosReleases driver) {
            this.stack = stack;
            this.broker = broker;
            this.postgres = postgres;
            this.haltDir = haltDir;
            this.driver = driver;
        }

        void stop() {
            stopping = true;
        }

        List<String> log() {
            return log;
        }

        synchronized int kills() {
            return done;
        }

        void run(List<Kind> plan) {
            for (Kind kind : plan) {
                long pause = 2_000 + random.nextInt(8_000);
                long until = System.nanoTime() + pause * 1_000_000;
                while (System.nanoTime() < until) {
                    if (stopping || driver.allEnded()) {
                        return;
                    }
                    sleep(200);
                }
                try {
                    String what = kill(kind);
                    log.add(kind.name().toLowerCase(Locale.ROOT) + ": " + what);
                } catch (Exception e) {
                    log.add(kind.name().toLowerCase(Locale.ROOT) + ": could not be carried out (" + e + ")");
                }
            }
        }

        private String kill(Kind kind) throws Exception {
            switch (kind) {
                case SERVICE_MID_CALL -> {
                    HeldCall call = HELD_CALLS.get(random.nextInt(HELD_CALLS.size()));
                    StandIn standIn = stack.sandbox().standIn(call.standIn()).orElseThrow();
                    standIn.inject(call.fault());
                    if (!until(() -> standIn.pendingFaults() == 0)) {
                        standIn.clearFaults();
                        return "no " + call.what() + " came while armed; skipped";
                    }
                    stack.process(call.service()).kill();
                    counted();
                    stack.crashAndRestart(call.service());
                    return call.service() + " killed while " + call.standIn() + " held its " + call.what() + ", restarted";
                }
                case SERVICE_AFTER_CALL -> {
                    String service = Stack.SERVICES.get(random.nextInt(Stack.SERVICES.size()));
                    return halt(service, service + ".after-call", 1);
                }
                case COORDINATOR_APPEND -> {
                    return halt("coordinator", "coordinator.append", 1 + random.nextInt(5));
                }
                case COORDINATOR_RESULT_BATCH -> {
                    return halt("coordinator", "coordinator.result-batch", 1 + random.nextInt(3));
                }
                case KAFKA -> {
                    broker.kill();
                    counted();
                    sleep(random.nextInt(3_000));
                    broker.start();
                    return "broker killed, restarted on its data directory and port";
                }
                case POSTGRES -> {
                    postgres.killAndRestart();
                    counted();
                    return "postmaster and backends killed, restarted on the data directory and port (crash recovery)";
                }
                default -> throw new IllegalStateException(kind.name());
            }
        }

        /** Arms a fault hook for its n-th time from now, waits for the process to halt there, restarts it. */
        private String halt(String process, String point, int n) throws Exception {
            Path armed = haltDir.resolve(point);
            Files.writeString(armed, Integer.toString(n));
            ServiceProcess p = stack.process(process);
            if (!until(() -> !p.alive())) {
                Files.deleteIfExists(armed);
                return point + " not reached " + n + " times while armed; skipped";
            }
            counted();
            stack.crashAndRestart(process);
            return process + " halted at " + point + " (the " + n + ". time), restarted";
        }

        private synchronized void counted() {
            done++;
        }

        /** Waits for a condition while releases still run (up to 90 s); false when it did not come. */
        private boolean until(java.util.function.BooleanSupplier condition) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && !stopping) {
                if (condition.getAsBoolean()) {
                    return true;
                }
                sleep(20);
            }
            return condition.getAsBoolean();
        }

        private void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code release-train chaos [--releases N] [--seed S]}. */
    @picocli.CommandLine.Command(name = "chaos", mixinStandardHelpOptions = true,
            description = "Run N monthly releases at once on the embedded stack while killing (SIGKILL) one process after another "
                    + "at points the seed chooses, restart each, then check every release completed, every external effect "
                    + "happened once, every log is whole and release.events carries each event.",
            footer = "%nExit codes: 0 every check passed, 1 a check failed (named in the output; the run directory is kept).")
    static final class Command implements Callable<Integer> {
        @Option(names = "--releases", defaultValue = "5", description = "Monthly releases to run at once (default ${DEFAULT-VALUE}).")
        int releases;
        @Option(names = "--seed", description = "Seed of the kills' kinds, moments and points (default: random, printed).")
        Long seed;
        @Option(names = "--kills", description = "Kills to carry out (default: 2 per release, at least 6).")
        Integer kills;
        @Option(names = "--kinds", split = ",", description = "Kinds of kill to draw from (default: all): ${COMPLETION-CANDIDATES}.")
        List<Kind> kinds;
        @Option(names = "--deadline", description = "How long the releases may take before the checks run, as minutes "
                + "(default: 10 + 3 per release; the releases take the one playground in turn).")
        Integer deadlineMinutes;

        @Override
        public Integer call() throws Exception {
            long s = seed != null ? seed : new Random().nextInt(1_000_000);
            int k = kills != null ? kills : Math.max(6, 2 * releases);
            if (deadlineMinutes != null && deadlineMinutes < 1) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--deadline must be at least 1 (minutes), not " + deadlineMinutes);
            }
            Duration deadline = Duration.ofMinutes(deadlineMinutes != null ? deadlineMinutes : 10 + 3L * releases);
            return new Chaos(System.out, releases, s, k, kinds == null || kinds.isEmpty() ? List.of(Kind.values()) : kinds,
                    deadline).run();
        }
    }
}
