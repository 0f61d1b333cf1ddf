package dev.releasetrain.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One application of the stack (the coordinator or a service) running as its own JVM from its
 * packaged {@code target/quarkus-app}, with its output in a log file of the run directory.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public final String name;
    public final int port;
    public final Path log;
    private final List<String> command;
    private final Map<String, String> env;
    private Process process;

    public ServiceProcess(String name, Path home, int port, Map<String, String> config, Map<String, String> env, Path logDir) {
        this(name, name, home, port, config, env, logDir);
    }

    /** An instance {@code name} of the application built by module {@code module} (a second instance: git-service-2). */
    public ServiceProcess(String name, String module, Path home, int port, Map<String, String> config, Map<String, String> env,
                          Path logDir) {
        this.name = name;
        this.port = port;
        this.env = env;
        this.log = logDir.resolve(name + ".log");
        Path jar = home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(module + " is not built: " + jar + " is missing (run ./mvnw install -DskipTests)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        // The coordinator is on every step's path: its young collections take 5-16 ms with the serial
        // collector here, and the parallel one (two threads) won the 20-step run in 3 of 4 side-by-side
        // runs (docs/benchmarks.md) for ~40 MB more. The services keep the leaner serial one.
        cmd.add("coordinator".equals(module) ? "-XX:+UseParallelGC" : "-XX:+UseSerialGC");
        // C1 alone: faster start, less memory, and on two cores it also beat the optimizing compiler
        // for the coordinator in the benchmark (C2's compilations compete with the work; docs/benchmarks.md)
        cmd.add("-XX:TieredStopAtLevel=1");
        // No hsperfdata: its sampler wakes the JVM every 50 ms, 1.2 ms of CPU a second in an idle coordinator
        // (0.12 % of a core, per-thread schedstat; docs/benchmarks.md). jps and jstat do not list these
        // JVMs; jcmd <pid> works.
        cmd.add("-XX:-UsePerfData");
        // extra JVM options for every service process, e.g. a flight recording or a bigger heap
        String extra = System.getenv("RELEASE_TRAIN_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        this.command = cmd;
    }

    public void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The JVM's process id (for the benchmark's CPU and memory readings); -1 when not started. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Waits until {@code /q/health/ready} answers 200; fails early, with the log's tail, if the JVM dies. */
    public void awaitReady(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " during start-up:\n" + tail(40));
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(name + " was not ready after " + timeout.toSeconds() + " s:\n" + tail(40));
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, a grace period for Quarkus to shut down, then SIGKILL. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the JVM at once, as a crash would (SIGKILL). */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
