package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.local.LocalInfra;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Scale-out: ten releases on two coordinators and two instances of each service, started over REST on both
 * coordinators in turn, while a notify-service instance dies right after a Slack post and before its result
 * is published (a halt as durable as SIGKILL), and then a coordinator is killed (SIGKILL). The survivors finish
 * every release: the surviving notify instance receives the unacknowledged command and finds the post made, the
 * surviving coordinator records the results of the partitions it takes over and serves the releases the other
 * started. The checks read the sandbox's own records (one Slack post per release) and the release log (each
 * release's seqs 1..n, each step requested and succeeded once).
 *
 * <p>The proving plan: one call per service, with a real external effect at its end (the Slack post), so ten
 * releases run in seconds; the monthly plan needs people (approvals, a merge) and its releases share one
 * playground, which two monthly releases at once collide on (docs/chaos.md).
 */
class ScaleOutIT {
    private static final int RELEASES = 10;
    private static final String START_PROVING = "{\"runbook\":\"proving\"}";

    @Test
    void tenReleasesOnTwoOfEachCompleteOnceThroughAKilledServiceAndAKilledCoordinator() throws Exception {
        Path haltDir = Files.createTempDirectory("release-train-halt-");
        Map<String, String> config = Map.of(
                "release-train.chaos.halt-dir", haltDir.toString(),
                // a dead member's partitions move after 6 s (the broker's minimum) instead of 45 s
                "kafka.session.timeout.ms", "6000",
                "kafka.heartbeat.interval.ms", "1000");
        try (Stack stack = Stack.start(System.out::println, "proving", config, 2)) {
            try {
                run(stack, haltDir);
            } catch (Exception | AssertionError e) {
                stack.keepRunDir(); // its logs say why
                throw e;
            }
        } finally {
            Files.deleteIfExists(haltDir.resolve("notify-service.after-call"));
            Files.deleteIfExists(haltDir);
        }
    }

    private static void run(Stack stack, Path haltDir) throws Exception {
        List<ReleaseClient> apis = List.of(client(stack, "coordinator"), client(stack, "coordinator-2"));
        // the third Slack post of either notify instance is its last: the instance halts before publishing its result
        Files.writeString(haltDir.resolve("notify-service.after-call"), "3");

        long t0 = System.nanoTime();
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < RELEASES; i++) {
            ReleaseClient.Answer started = apis.get(i % 2).post("/releases", START_PROVING);
            assertEquals(202, started.status(), "release " + (i + 1) + " on coordinator " + (i % 2 + 1) + ": " + started.message());
            versions.add(started.body().path("version").asText());
        }
        ServiceProcess notify1 = stack.process("notify-service");
        ServiceProcess notify2 = stack.process("notify-service-2");
        await("a notify instance halted after its third post").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20)).until(() -> !notify1.alive() || !notify2.alive());
        // at least the halted post's release waits for the command to move to the other instance: mid-run
        stack.process("coordinator").kill();
        assertTrue(notify1.alive() != notify2.alive(), "one notify instance halted, one runs");
        ReleaseClient survivor = apis.get(1);
        long completed = versions.stream().filter(v -> "completed".equals(survivor.get("/releases/" + v).body().path("status").asText())).count();
        assertTrue(completed < RELEASES, "the coordinator was killed while releases ran");
        System.out.printf("killed: a notify instance after its third post, then coordinator 1 with %d of %d releases completed%n",
                completed, RELEASES);

        for (String v : versions) {
            awaitCompleted(stack, survivor, v);
        }
        System.out.printf("%d releases completed %.1f s after the first POST%n", RELEASES, (System.nanoTime() - t0) / 1e9);

        for (String v : versions) {
            assertEquals(1, stack.sandbox().slackMessages("#releases").stream().filter(m -> m.text().contains("release " + v + " ")).count(),
                    "one Slack post for " + v);
            JsonNode timeline = survivor.get("/releases/" + v + "/timeline").body();
            assertEquals(ReleaseFlowIT.PROVING.size(), timeline.path("steps").size(), timeline.toString());
            for (JsonNode step : timeline.path("steps")) {
                assertEquals(1, step.path("attempts").size(), v + ": one attempt of " + step);
                assertEquals("succeeded", step.path("attempts").get(0).path("status").asText(), v + ": " + step);
            }
        }
        checkLog(stack.infra(), versions);
        assertFalse(Files.exists(haltDir.resolve("notify-service.after-call")), "the halt point was reached");
    }

    /** Each release's log: seqs 1..n without gap or repeat; each step requested once and succeeded once. */
    private static void checkLog(LocalInfra infra, List<String> versions) throws Exception {
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
             PreparedStatement seqs = c.prepareStatement("select seq from release_events where release_id = ? order by seq");
             PreparedStatement steps = c.prepareStatement("select type, payload->>'step', count(*) from release_events"
                     + " where release_id = ? and type in ('dev.releasetrain.StepRequested.v1', 'dev.releasetrain.StepSucceeded.v1')"
                     + " group by 1, 2")) {
            for (String v : versions) {
                seqs.setString(1, v);
                List<Long> found = new ArrayList<>();
                try (ResultSet rs = seqs.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getLong(1));
                    }
                }
                for (int i = 0; i < found.size(); i++) {
                    assertEquals(i + 1, found.get(i), "release " + v + ": seqs " + found);
                }
                steps.setString(1, v);
                int rows = 0;
                try (ResultSet rs = steps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        assertEquals(1, rs.getLong(3), "release " + v + ": " + rs.getString(1) + " of " + rs.getString(2));
                    }
                }
                assertEquals(2 * ReleaseFlowIT.PROVING.size(), rows, "release " + v + ": each step requested and succeeded");
            }
        }
    }

    private static ReleaseClient client(Stack stack, String coordinator) {
        return new ReleaseClient(stack.process(coordinator).url(), "alice", stack.apiToken("alice"));
    }

    private static void awaitCompleted(Stack stack, ReleaseClient api, String v) {
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("/releases/" + v).body(), r -> r != null && "completed".equals(r.path("status").asText()));
        } catch (ConditionTimeoutException e) {
            fail("release " + v + " did not complete: " + api.get("/releases/" + v).body()
                    + "\ncoordinator-2 log:\n" + stack.logTail("coordinator-2", 40));
        }
    }
}
