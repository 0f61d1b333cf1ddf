package dev.releasetrain.launcher;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * SIGKILL of the stack's embedded PostgreSQL and its restart on the same data directory and port: the postmaster
 * and every backend are killed at once (as a crash of the machine would leave the data directory), then the
 * postmaster is started again with the command line and environment it had, and recovers from its WAL.
 * Stopping the stack stops the restarted server as it did the first (pg_ctl on the data directory).
 */
final class ChaosPostgres {
    private final Path dataDir;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Path log;

    ChaosPostgres(Path dataDir, String jdbcUrl, String user, String password, Path log) {
        this.dataDir = dataDir;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.log = log;
    }

    /** Kills the server with SIGKILL and starts it again; returns once it answers queries. */
    void killAndRestart() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        List<String> command = split(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")));
        List<String> environ = split(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")));
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(0, postmaster);
        all.forEach(ProcessHandle::destroyForcibly); // SIGKILL, all at once
        for (ProcessHandle p : all) {
            p.onExit().get(10, TimeUnit.SECONDS);
        }
        // the embedded server runs in a user namespace when the launcher is root (PostgreSQL refuses root): so again
        if ("root".equals(System.getProperty("user.name"))) {
            List<String> unshared = new ArrayList<>(List.of("unshare", "-U"));
            unshared.addAll(command);
            command = unshared;
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        for (String e : environ) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                env.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        pb.start();
        awaitReady(Duration.ofSeconds(60));
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
                c.createStatement().execute("select 1");
                return;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(200); // polling the server's recovery: no event to wait on
            }
        }
        throw new IllegalStateException("PostgreSQL did not come back within " + timeout.toSeconds() + " s: " + last);
    }

    private static List<String> split(byte[] nulSeparated) {
        String s = new String(nulSeparated, StandardCharsets.UTF_8);
        return Arrays.stream(s.split("\0")).filter(x -> !x.isEmpty()).toList();
    }
}
