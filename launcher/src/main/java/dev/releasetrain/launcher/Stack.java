package dev.releasetrain.launcher;

import dev.releasetrain.local.EmbeddedKafka;
import dev.releasetrain.local.LocalInfra;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxWiring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole of Release Train on one machine: the embedded Kafka broker and PostgreSQL, the sandbox
 * of stand-ins, then the coordinator and the four services, each its own process. Closing it stops
 * everything it started, in reverse order, and deletes its temporary run directory unless
 * {@link #keepRunDir()} was called (or the start failed): then it prints the directory's path.
 */
public final class Stack implements AutoCloseable {
    public static final List<String> SERVICES = List.of("git-service", "deploy-service", "cdn-service", "notify-service");
    /** The console log line of every process the launcher and the bench start (their logs go to files). */
    public static final String LOG_FORMAT = "%d{HH:mm:ss.SSS} %-5p [%c{2.}] %s%e%n";
    /**
     * The command channel settings of every service the stack starts, so that its first command reaches it
     * at once. Its {@code /q/health/ready} answers 200 only once the command consumer has joined its group
     * and holds partitions (the Kafka connector's client-based readiness; its start-up check stays the
     * lightweight one): a command sent when the stack says it is up finds a consumer, not a group join.
     * And the consumer polls for at most 100 ms at a time instead of 1 s: the first record of each partition
     * makes the connector look up that partition's committed offset on the consumer's polling thread, which
     * waits for the poll under way to end, and with the default that held each service's first command for
     * about a second. The shorter polls cost an idle service about 0.4 % of a core more (cdn-service: 1.1 %
     * with 1 s polls, 1.5 % with 100 ms). These are the local stack's settings, not the services' defaults.
     */
    static final Map<String, String> COMMAND_CHANNEL = Map.of(
            "mp.messaging.incoming.commands.health-topic-verification-enabled", "true",
            "mp.messaging.incoming.commands.health-topic-verification-startup-disabled", "true",
            "mp.messaging.incoming.commands.poll-timeout", "100");
    /**
     * How soon the broker gives a dead process's partitions to the others, for the coordinator's results consumer and
     * every service's command consumer: a member silent for 10 s is dropped (Kafka's default is 45 s). A process the
     * stack restarts after a crash rejoins as a new member, and its partitions' records wait until the old member is
     * dropped: with the default, a service killed mid-step held its release for 45 s. Heartbeats every 2 s (at most a
     * third of the session). These are the local stack's settings, not the applications' defaults.
     */
    static final Map<String, String> GROUP_LIVENESS = Map.of(
            "kafka.session.timeout.ms", "10000",
            "kafka.heartbeat.interval.ms", "2000");
    /** The demo's people and their roles on the coordinator's API; each run gets new random tokens. */
    public static final Map<String, String> API_USERS = Map.of(
            "alice", "release-manager+approver", // the release owner
            "bob", "approver",
            "carol", "viewer"); // reads only

    private final Path home;
    private final Path runDir;
    private final Consumer<String> out;
    private LocalInfra infra;
    private LocalInfra.Starting starting;
    private Sandbox sandbox;
    private final Map<String, ServiceProcess> processes = new LinkedHashMap<>();
    private final Map<String, String> apiTokens = new LinkedHashMap<>();
    private Thread shutdownHook;
    private volatile boolean keepRunDir;

    private final String runbook;
    /** Settings every application of the stack gets on top of the usual ones (the chaos run's fault hooks). */
    private final Map<String, String> extraConfig;

    /** Instances of the coordinator and of each service (the second is coordinator-2, git-service-2, ...). */
    private final int instances;

    private Stack(Path home, Path runDir, Consumer<String> out, String runbook, Map<String, String> extraConfig, int instances) {
        this.runbook = runbook;
        this.instances = instances;
        this.extraConfig = extraConfig;
        this.home = home;
        this.runDir = runDir;
        this.out = out;
    }

    /** The repository root: {@code release-train.home}, or the nearest parent holding the build. */
    public static Path home() {
        String configured = System.getProperty("release-train.home");
        Path p = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path dir = p.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("coordinator")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Release Train checkout from " + p + " (set -Drelease-train.home)");
    }

    /** The stack with minor releases running {@code runbook} (e.g. proving, monthly-minor). */
    public static Stack start(Consumer<String> out, String runbook) throws Exception {
        return start(out, runbook, Map.of());
    }

    /** {@link #start(Consumer, String)}, with {@code extraConfig} given to every application it starts. */
    static Stack start(Consumer<String> out, String runbook, Map<String, String> extraConfig) throws Exception {
        return start(out, runbook, extraConfig, 1);
    }

    /**
     * {@link #start(Consumer, String, Map)} with {@code instances} of the coordinator and of each service: the
     * coordinators share the database, the results' consumer group and the relay's slot (one publishes, the
     * others stand by); the instances of a service share its command group (each holds some partitions).
     */
    static Stack start(Consumer<String> out, String runbook, Map<String, String> extraConfig, int instances) throws Exception {
        Path runDir = Files.createTempDirectory("release-train-");
        Stack stack = new Stack(home(), runDir, out, runbook, extraConfig, instances);
        try {
            stack.boot();
            return stack;
        } catch (Exception | Error e) {
            stack.keepRunDir(); // its logs say why
            stack.close();
            throw e;
        }
    }

    private void boot() throws Exception {
        shutdownHook = new Thread(this::closeQuietly, "release-train-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Path logs = Files.createDirectories(runDir.resolve("logs"));

        long t0 = System.nanoTime();
        // Kafka and PostgreSQL start side by side while the sandbox starts here; the services start as
        // soon as PostgreSQL is up (the broker's address is known already; Kafka clients wait for it).
        starting = LocalInfra.begin(runDir.resolve("infra")); // stopped by close() if the start fails half way
        sandbox = Sandbox.start(runDir.resolve("sandbox"));
        Map<String, String> infraConfig = starting.awaitDatabase();
        out.accept("  sandbox     git remotes, Kubernetes, CloudFront, Slack stand-ins (admin " + sandbox.adminUrl() + ")");

        Map<String, String> common = new LinkedHashMap<>();
        common.put("kafka.bootstrap.servers", starting.kafkaBootstrapServers());
        common.putAll(GROUP_LIVENESS);
        common.put("quarkus.log.console.format", LOG_FORMAT);
        common.putAll(extraConfig);

        Map<String, String> coordinator = new LinkedHashMap<>(common);
        coordinator.putAll(infraConfig);
        coordinator.put("release-train.versions.released", "1.28.2,1.28.3"); // the sandbox repo's release tags
        coordinator.put("release-train.runbook.minor", runbook);
        coordinator.put("release-train.calendar.rotation", "alice:U0ALICE"); // the demo's release owner
        // API tokens go in the environment, not on the command line (where ps would show them).
        // the internal token of release plans: new for each run, the coordinator sends it to each service's POST /plan
        Map<String, String> planToken = Map.of("RELEASE_TRAIN_PLAN_TOKEN", randomToken());
        Map<String, String> tokens = new LinkedHashMap<>(planToken);
        tokens.put("RELEASE_TRAIN_AUTH_TOKENS", newApiTokens());
        // the services learn the coordinator's address and each coordinator its services' (for release plans)
        int firstCoordinatorPort = freePort();
        List<ServiceProcess> services = new ArrayList<>();
        for (int i = 1; i <= instances; i++) {
            services.addAll(services(home, runDir, sandbox, common, "http://127.0.0.1:" + firstCoordinatorPort, logs, false,
                    suffix(i), planToken));
        }
        for (int i = 1; i <= instances; i++) {
            String name = "coordinator" + suffix(i);
            Map<String, String> config = new LinkedHashMap<>(coordinator);
            for (String service : List.of("git", "deploy", "cdn", "notify")) {
                String instance = service + "-service" + suffix(i);
                config.put("release-train.plan.services." + service, services.stream().filter(p -> p.name.equals(instance))
                        .findFirst().orElseThrow().url());
            }
            processes.put(name, new ServiceProcess(name, "coordinator", home, i == 1 ? firstCoordinatorPort : freePort(),
                    config, tokens, logs));
        }
        for (ServiceProcess p : services) {
            processes.put(p.name, p);
        }

        for (ServiceProcess p : processes.values()) {
            p.start();
        }
        infra = starting.await();
        EmbeddedKafka.createTopics(infra.kafkaBootstrapServers(), Topics.all(), 3);
        out.accept(String.format("  kafka       %s (%s)", infra.kafkaBootstrapServers(), infra.embeddedKafka().isPresent() ? "embedded, KRaft" : "external"));
        out.accept(String.format("  postgresql  %s (%s)", infra.jdbcUrl(), infra.localPostgres().isPresent() ? "embedded" : "external"));
        for (ServiceProcess p : processes.values()) {
            p.awaitReady(Duration.ofSeconds(180));
            out.accept(String.format("  %-11s %s (ready)", p.name, p.url()));
        }
        out.accept(String.format("  stack up in %.1f s; logs in %s", (System.nanoTime() - t0) / 1e9, logs));
    }

    /** The name's suffix of the i-th instance: none for the first, -2 for the second. */
    static String suffix(int instance) {
        return instance == 1 ? "" : "-" + instance;
    }

    /**
     * Where each service keeps the commands it completed: in this stack's run directory, so that one stack's
     * record never meets another's (a release id such as 1.29.0 is used by every demo).
     */
    private static final String DATA_DIR = "release-train.worker.data-dir";
    /** How a service instance names itself in its results (two instances share the host). */
    private static final String INSTANCE = "release-train.worker.instance";

    /**
     * The four services, configured against the sandbox's stand-ins ({@link SandboxWiring}) and the coordinator
     * (made, not started; {@code common}: the settings every service gets, such as the broker's address). Secrets
     * go in their environment, not on the command line. {@code fromTheEnd}: the services' consumer groups, when new,
     * start at the end of their topics instead of their beginning (what is on them is not theirs).
     */
    public static List<ServiceProcess> services(Path home, Path runDir, Sandbox sandbox, Map<String, String> common,
                                         String coordinatorUrl, Path logs, boolean fromTheEnd) {
        return services(home, runDir, sandbox, common, coordinatorUrl, logs, fromTheEnd, "", Map.of());
    }

    /**
     * {@link #services(Path, Path, Sandbox, Map, String, Path, boolean)} as the instances {@code suffix} names
     * (git-service-2): each keeps its own record of completed commands and its own git cache. {@code secrets}:
     * environment variables every service gets (the plan token).
     */
    static List<ServiceProcess> services(Path home, Path runDir, Sandbox sandbox, Map<String, String> common,
                                         String coordinatorUrl, Path logs, boolean fromTheEnd, String suffix,
                                         Map<String, String> secrets) {
        List<ServiceProcess> services = new ArrayList<>();
        common = new LinkedHashMap<>(common);
        common.putAll(COMMAND_CHANNEL);
        if (fromTheEnd) {
            common.put("mp.messaging.incoming.commands.auto.offset.reset", "latest");
        }
        SandboxWiring.Service gitWiring = SandboxWiring.git(sandbox);
        Map<String, String> git = new LinkedHashMap<>(common);
        git.putAll(gitWiring.config());
        git.put("release-train.git.cache-dir", runDir.resolve("git-cache" + suffix).toString());
        git.put(DATA_DIR, runDir.resolve("data/git-service" + suffix).toString());
        git.put(INSTANCE, "git-service" + suffix);
        // the sync PR's maintainer here is the demo (or a test), who merges at once: look every second, not every 30 s
        git.put("release-train.git.sync-merge.poll-interval", "PT1S");
        services.add(new ServiceProcess("git-service" + suffix, "git-service", home, freePort(), git, env(gitWiring.environment(), secrets), logs));

        SandboxWiring.Service deployWiring = SandboxWiring.deploy(sandbox);
        Map<String, String> deploy = new LinkedHashMap<>(common);
        deploy.putAll(deployWiring.config());
        deploy.put(DATA_DIR, runDir.resolve("data/deploy-service" + suffix).toString());
        deploy.put(INSTANCE, "deploy-service" + suffix);
        services.add(new ServiceProcess("deploy-service" + suffix, "deploy-service", home, freePort(), deploy, env(deployWiring.environment(), secrets), logs));

        SandboxWiring.Service cdnWiring = SandboxWiring.cdn(sandbox);
        Map<String, String> cdn = new LinkedHashMap<>(common);
        cdn.putAll(cdnWiring.config());
        cdn.put(DATA_DIR, runDir.resolve("data/cdn-service" + suffix).toString());
        cdn.put(INSTANCE, "cdn-service" + suffix);
        services.add(new ServiceProcess("cdn-service" + suffix, "cdn-service", home, freePort(), cdn, env(cdnWiring.environment(), secrets), logs));

        SandboxWiring.Service notifyWiring = SandboxWiring.notify(sandbox);
        Map<String, String> notify = new LinkedHashMap<>(common);
        notify.putAll(notifyWiring.config());
        notify.put(DATA_DIR, runDir.resolve("data/notify-service" + suffix).toString());
        notify.put(INSTANCE, "notify-service" + suffix);
        // the links in the demo's messages lead to the sandbox's playground and to this coordinator
        notify.put("release-train.notify.playground-url", sandbox.playgroundUrl());
        notify.put("release-train.notify.coordinator-url", coordinatorUrl);
        if (fromTheEnd) {
            notify.put("mp.messaging.incoming.release-events.auto.offset.reset", "latest");
        }
        services.add(new ServiceProcess("notify-service" + suffix, "notify-service", home, freePort(), notify, env(notifyWiring.environment(), secrets), logs));
        return services;
    }

    private static Map<String, String> env(Map<String, String> wiring, Map<String, String> secrets) {
        Map<String, String> env = new LinkedHashMap<>(wiring);
        env.putAll(secrets);
        return env;
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** name:roles:token entries for the coordinator, one new random token per person and run. */
    private String newApiTokens() {
        java.security.SecureRandom random = new java.security.SecureRandom();
        List<String> entries = new ArrayList<>();
        for (Map.Entry<String, String> user : new java.util.TreeMap<>(API_USERS).entrySet()) {
            byte[] bytes = new byte[24];
            random.nextBytes(bytes);
            String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            apiTokens.put(user.getKey(), token);
            entries.add(user.getKey() + ":" + user.getValue() + ":" + token);
        }
        try {
            Path file = runDir.resolve("api-tokens");
            Files.writeString(file, String.join("\n", entries) + "\n");
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return String.join(",", entries);
    }

    /** The bearer token of one of {@link #API_USERS} for this run's coordinator. */
    public String apiToken(String user) {
        String token = apiTokens.get(user);
        if (token == null) {
            throw new IllegalArgumentException("no API user '" + user + "' (known: " + API_USERS.keySet() + ")");
        }
        return token;
    }

    /** The file listing this run's API users, roles and tokens (readable by the owner only). */
    public Path apiTokensFile() {
        return runDir.resolve("api-tokens");
    }

    public String coordinatorUrl() {
        return processes.get("coordinator").url();
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public LocalInfra infra() {
        return infra;
    }

    public Path runDir() {
        return runDir;
    }

    /** Stops one application as a crash would, then starts it again and waits until it is ready. */
    public void crashAndRestart(String name) throws Exception {
        ServiceProcess p = processes.get(name);
        p.kill();
        p.start();
        p.awaitReady(Duration.ofSeconds(120));
    }

    /** One application of the stack (the coordinator or a service), for the chaos run. */
    ServiceProcess process(String name) {
        return processes.get(name);
    }

    public String logTail(String name, int lines) {
        return processes.get(name).tail(lines);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keeps the run directory (logs, API tokens, data) when the stack stops; its path is printed then. */
    public void keepRunDir() {
        keepRunDir = true;
    }

    private void closeQuietly() {
        List<ServiceProcess> reverse = new ArrayList<>(processes.values());
        java.util.Collections.reverse(reverse);
        reverse.parallelStream().forEach(ServiceProcess::close);
        processes.clear();
        if (sandbox != null) {
            try {
                sandbox.close();
            } catch (Exception ignored) {
                // best effort on the way out
            }
            sandbox = null;
        }
        if (infra != null) {
            infra.close();
            infra = null;
        } else if (starting != null) {
            starting.stop(); // the start failed before the broker and the database were both up
        }
        starting = null;
        if (!Files.exists(runDir)) {
            return;
        }
        if (keepRunDir) {
            out.accept("  run directory kept: " + runDir + " (logs in " + runDir.resolve("logs") + ")");
        } else {
            deleteRecursively(runDir);
        }
    }

    private void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            out.accept("  could not delete the run directory " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closeQuietly();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running
            }
        }
    }
}
