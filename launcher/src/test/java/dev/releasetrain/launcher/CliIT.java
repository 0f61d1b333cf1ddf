package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.cli.ApiCommands;
import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.protocol.CloudEventCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every CLI command as a person runs it: the {@code release-train} JVM (the launcher's class path) with
 * {@code RELEASE_TRAIN_URL} and {@code RELEASE_TRAIN_TOKEN} in its environment, against the running stack it shares
 * with {@link ReleaseFlowIT} ({@link SharedStack}).
 * Checks exit codes (0 done, 1 failed, 2 usage, 3 refused), that refusals name what was wrong, and that
 * {@code --json} output parses.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedStack.class)
@Order(1) // before ReleaseFlowIT on the shared stack: it expects the next minor after the seeded releases
class CliIT {
    static Stack stack;
    static Path work;

    /** What one run of the command did. */
    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return CloudEventCodec.json().readTree(out);
            } catch (Exception e) {
                throw new AssertionError("--json output does not parse: " + e.getMessage() + "\n" + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    @BeforeAll
    static void start(Stack shared) throws Exception {
        stack = shared;
        work = Files.createTempDirectory("release-train-cli-it-");
    }

    @AfterAll
    static void stop() throws Exception {
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @Order(2)
    void startWatchStatusTimelineCalendarAndTheirRefusals() {
        Run started = as("alice", "start", "1.30.0", "--runbook", "proving", "--json");
        assertEquals(0, started.code(), started.toString());
        assertEquals("1.30.0", started.json().path("version").asText());
        assertEquals("proving", started.json().path("runbook").asText());

        Run watched = as("alice", "watch", "1.30.0");
        assertEquals(0, watched.code(), watched.toString());
        assertTrue(watched.out().contains("release completed"), watched.toString());

        Run status = as("alice", "status", "1.30.0");
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().contains("completed"), status.toString());
        assertEquals("completed", as("bob", "status", "1.30.0", "--json").json().path("status").asText());
        assertEquals("completed", as("carol", "status", "1.30.0", "--json").json().path("status").asText(), "a viewer reads");

        Run timeline = as("alice", "timeline", "1.30.0", "--json");
        assertEquals(0, timeline.code(), timeline.toString());
        assertEquals(4, timeline.json().path("steps").size(), timeline.toString());
        Run table = as("alice", "timeline", "1.30.0");
        assertEquals(0, table.code(), table.toString());
        assertTrue(table.out().contains("notify.post-message"), table.toString());

        Run calendar = as("carol", "calendar", "2026", "--json");
        assertEquals(0, calendar.code(), calendar.toString());
        assertEquals(12, calendar.json().size(), calendar.toString());
        assertEquals(0, as("carol", "calendar").code());

        // refusals (4xx): exit 3, the message names what was wrong
        refused(as("alice", "start", "1.30.0"), "1.30.0");                    // 409 exists
        refused(as("alice", "start", "1.x"), "version");                      // 400 malformed
        refused(as("alice", "start", "1.20.0"), "1.20.0", "version");         // 400 not greater than released
        refused(as("alice", "status", "9.9.9"), "no release 9.9.9");          // 404
        refused(as("alice", "timeline", "9.9.9"), "9.9.9");
        refused(as("carol", "start", "1.40.0"), "release-manager");           // 403 a viewer
        refused(as(null, "status", "1.30.0"), "RELEASE_TRAIN_TOKEN");         // 401 no token
        refused(run("not-a-token", List.of("status", "1.30.0"), stack.coordinatorUrl()), "credentials were not accepted");
        // failure: nobody answers
        Run unreachable = run(stack.apiToken("alice"), List.of("status", "1.30.0"), "http://127.0.0.1:1");
        assertEquals(ApiCommands.FAILED, unreachable.code(), unreachable.toString());
        assertTrue(unreachable.err().contains("cannot reach the coordinator at http://127.0.0.1:1: nothing answers there")
                && unreachable.err().contains("RELEASE_TRAIN_URL"), unreachable.toString());
        // usage: exit 2 and picocli names the argument
        Run usage = as("alice", "calendar", "next-year");
        assertEquals(ApiCommands.USAGE, usage.code(), usage.toString());
        assertTrue(usage.err().contains("YEAR"), usage.toString());
    }

    @Test
    @Order(3)
    void aFailedStepIsRetriedAnEditItsStepDoesNotAllowIsRefusedAndWatchTellsFailureFromSuccess() {
        FailOnce.Fault fault = FailOnce.of("notify.post-message", "1.31.0");
        stack.sandbox().inject(fault.standIn(), fault.spec());
        assertEquals(0, as("alice", "start", "1.31.0", "--runbook", "proving").code());

        Run failed = as("alice", "watch", "1.31.0");
        assertEquals(ApiCommands.FAILED, failed.code(), failed.toString());
        assertTrue(failed.err().contains("release-train retry 1.31.0"), failed.toString());

        refused(as("alice", "retry", "1.31.0", "git.resolve-head"), "git.resolve-head");   // 409 not failed
        refused(as("alice", "retry", "1.31.0", "notify.nope"), "notify.nope");             // 404 unknown step
        refused(as("bob", "retry", "1.31.0", "notify.post-message"), "release-manager");   // 403 an approver only

        // the proving plan's steps declare no editable parameter: an edit is refused, naming it
        refused(as("alice", "retry", "1.31.0", "notify.post-message", "--param", "channel=#releases"), "params.channel");

        Run retried = as("alice", "retry", "1.31.0", "notify.post-message", "--reason", "slack is back");
        assertEquals(0, retried.code(), retried.toString());
        Run completed = as("alice", "watch", "1.31.0");
        assertEquals(0, completed.code(), "a retried release is followed past its earlier stop: " + completed);

        JsonNode step = step(as("alice", "timeline", "1.31.0", "--json").json(), "notify.post-message");
        assertEquals(2, step.path("attempts").size(), step.toString());
        assertEquals("failed", step.path("attempts").get(0).path("status").asText());
        assertEquals("succeeded", step.path("attempts").get(1).path("status").asText());
        assertEquals("alice", step.path("attempts").get(1).path("retryRequestedBy").asText());
    }

    /** The bump commit the plan of 1.29.0 said the release would make (the real run below must make it). */
    static String plannedBump;

    /** Before anything starts: the plan of the next minor changes nothing, and shows the diffs it would make. */
    @Test
    @Order(0)
    void planShowsTheStepsAndDiffsAndChangesNothing() throws Exception {
        Map<String, Map<String, String>> refs = remoteRefs();
        Map<String, Long> writes = new java.util.TreeMap<>();
        for (String name : stack.sandbox().standIns().names()) {
            writes.put(name, stack.sandbox().standIns().writes(name));
        }

        Run text = as("alice", "plan", "1.29.0");
        Run json = as("alice", "plan", "1.29.0", "--json");

        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().startsWith("Plan of release 1.29.0 (minor, runbook monthly-minor), owner alice, previous version 1.28.3"),
                text.toString());
        assertTrue(text.out().contains("+VERSION = \"1.29.0\""), "the diff of posthog/version.py: " + text);
        assertTrue(text.out().contains("charts/posthog/Chart.yaml") && text.out().contains("client_values/posthog/playground.yaml"),
                text.toString());
        assertTrue(text.out().contains("creates branch release-1.29.0 in PostHog/posthog (new)"), text.toString());
        assertTrue(text.out().contains("    release post contents/blog/posthog-array-1-29-0.md on branch release-post-1.29.0"), text.toString());
        assertTrue(text.out().contains("      | title: Array 1.29.0"), text.toString());
        assertTrue(text.out().contains("    Slack message to #announcements (community workspace):"), text.toString());
        assertTrue(text.out().contains("    invalidates /* on CloudFront distribution "), text.toString());
        assertTrue(text.out().contains("    deploys chart "), text.toString());
        assertFalse(text.out().contains("Not planned ("), text.toString());
        assertFalse(text.out().contains("\u001b["), "no colours outside a terminal");
        assertEquals(0, json.code(), json.toString());
        JsonNode plan = json.json();
        assertEquals(24, plan.path("steps").size(), "every step of the monthly plan");
        for (JsonNode s : plan.path("steps")) {
            assertTrue(s.path("planned").asBoolean(), "every step is planned or a gate: " + s);
            assertTrue(s.path("gate").isTextual() || s.path("plan").isObject(), "planned by its service: " + s);
        }
        assertEquals(0, plan.path("notPlanned").size(), plan.path("notPlanned").toString());
        JsonNode bump = step(plan, "git.bump-version");
        plannedBump = bump.path("plan").path("outputs").path("commit").asText();
        assertEquals(40, plannedBump.length(), bump.toString());
        // the release post from the changelog the git plan collected, as the step would render it
        JsonNode post = step(plan, "notify.draft-release-post").path("plan").path("post");
        JsonNode changelog = plan.path("changelog");
        String firstChange = changelog.path("log").asText().lines().findFirst().orElseThrow();
        assertTrue(post.path("markdown").asText().contains("PostHog 1.29.0 is out: here is everything that changed since 1.28.3."),
                post.toString());
        assertTrue(post.path("markdown").asText().contains(firstChange.substring(0, Math.min(20, firstChange.length()))),
                "the post lists the planned changelog: " + post);
        // the announcement links to the post's planned URL; the freeze message names the revision the upgrade would make
        JsonNode announced = step(plan, "notify.announce-release").path("plan").path("message");
        assertTrue(announced.path("text").asText().contains(step(plan, "notify.publish-release-post").path("plan").path("outputs")
                .path("url").asText()), announced.toString());
        String revision = step(plan, "deploy.upgrade-playground").path("plan").path("outputs").path("revision").asText();
        assertTrue(step(plan, "notify.announce-freeze").path("plan").path("message").path("text").asText()
                .contains("(Helm revision " + revision + ")"), step(plan, "notify.announce-freeze").toString());
        assertEquals(List.of("/*"), List.of(step(plan, "cdn.invalidate").path("plan").path("paths").get(0).asText()));
        assertEquals("posthog/posthog:release-1.29.0-unstable",
                step(plan, "deploy.upgrade-playground").path("plan").path("deploy").path("image").asText());

        assertEquals(refs, remoteRefs(), "no git remote changed");
        for (String name : writes.keySet()) {
            assertEquals(writes.get(name), stack.sandbox().standIns().writes(name), "no write to the " + name + " stand-in");
        }
        assertEquals(404, new ReleaseClient(stack.coordinatorUrl(), "alice", stack.apiToken("alice")).get("/releases/1.29.0").status(),
                "nothing was started");
    }

    private static Map<String, Map<String, String>> remoteRefs() throws Exception {
        Map<String, Map<String, String>> out = new java.util.TreeMap<>();
        for (String repo : stack.sandbox().git().names()) {
            try (org.eclipse.jgit.lib.Repository r = new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
                    .setGitDir(stack.sandbox().git().path(repo).toFile()).setMustExist(true).build()) {
                Map<String, String> refs = new java.util.TreeMap<>();
                for (org.eclipse.jgit.lib.Ref ref : r.getRefDatabase().getRefs()) {
                    refs.put(ref.getName(), ref.getObjectId().name());
                }
                out.put(repo, refs);
            }
        }
        return out;
    }

    /** First: the next minor must follow the seeded 1.28.3 (proving releases cut no tag for a changelog to start from). */
    @Test
    @Order(1)
    void approveAndCancelOnTheMonthlyRunbookIncludingTheStartersRefusal() throws Exception {
        Run started = as("alice", "start", "--json");
        assertEquals(0, started.code(), started.toString());
        String v = started.json().path("version").asText();
        assertEquals("1.29.0", v, "the next minor after the released 1.28.3");
        assertEquals("monthly-minor", started.json().path("runbook").asText());

        refused(as("alice", "approve", v, "break-the-release"), "not waiting", "break-the-release"); // 409 not open yet
        awaitGateWaiting(v, "break-the-release");
        if (plannedBump != null) {
            assertEquals(plannedBump, step(as("alice", "status", v, "--json").json(), "git.bump-version").path("outputs").path("commit").asText(),
                    "the real run made the very version bump commit the plan showed");
        }
        refused(as("alice", "approve", v, "break-the-release"), "alice");      // 403 the starter may not approve
        Run approved = as("bob", "approve", v, "break-the-release", "--note", "QA found no blocker");
        assertEquals(0, approved.code(), approved.toString());
        JsonNode gate = step(as("bob", "timeline", v, "--json").json(), "break-the-release").path("gate");
        assertEquals("bob", gate.path("approver").asText(), gate.toString());
        assertEquals("QA found no blocker", gate.path("note").asText(), gate.toString());
        refused(as("alice", "approve", "9.9.9", "break-the-release"), "9.9.9");  // 404

        Run cancelled = as("alice", "cancel", v, "--reason", "cli test");
        assertEquals(0, cancelled.code(), cancelled.toString());
        refused(as("alice", "cancel", v), v);                                    // 409 already cancelled
        assertEquals("cancelled", as("alice", "status", v, "--json").json().path("status").asText());
        Run watched = as("alice", "watch", v);
        assertEquals(ApiCommands.FAILED, watched.code(), "a cancelled release is not a success: " + watched);

        Run patch = as("alice", "start", "1.28.4", "--patch", "--json");
        assertEquals(0, patch.code(), patch.toString());
        assertEquals("patch", patch.json().path("kind").asText(), patch.toString());
        assertEquals(0, as("alice", "cancel", "1.28.4").code());
        Run nextPatch = as("alice", "start", "--patch", "--json");              // without VERSION: the next patch
        assertEquals(0, nextPatch.code(), nextPatch.toString());
        assertEquals("patch", nextPatch.json().path("kind").asText(), nextPatch.toString());
        assertEquals(0, as("alice", "cancel", nextPatch.json().path("version").asText()).code());
    }

    // ------------------------------------------------------------------ helpers

    private static void refused(Run r, String... mentions) {
        assertEquals(ApiCommands.REFUSED, r.code(), "a refusal exits 3: " + r);
        boolean named = false;
        for (String m : mentions) {
            named |= r.err().contains(m);
        }
        assertTrue(named, "the message names " + List.of(mentions) + ": " + r);
        assertTrue(r.err().startsWith("release-train: refused ("), r.toString());
        assertFalse(r.err().contains(stack.apiToken("alice")), "no token in messages");
    }

    private static void awaitGateWaiting(String v, String gate) {
        ReleaseClient api = new ReleaseClient(stack.coordinatorUrl(), "alice", stack.apiToken("alice"));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).alias(gate + " of " + v + " waiting").until(() -> {
            JsonNode release = api.get("/releases/" + v).body();
            if ("failed".equals(release.path("status").asText())) {
                fail("release " + v + " failed before " + gate + ": " + release);
            }
            for (JsonNode s : release.path("steps")) {
                if (gate.equals(s.path("step").asText()) && "awaiting-approval".equals(s.path("status").asText())) {
                    return true;
                }
            }
            return false;
        });
    }

    private static JsonNode step(JsonNode timeline, String id) {
        for (JsonNode s : timeline.path("steps")) {
            if (id.equals(s.path("step").asText())) {
                return s;
            }
        }
        throw new AssertionError("no step " + id + " in " + timeline);
    }

    /** The CLI as {@code user} (null: no token at all) against the stack's coordinator. */
    private static Run as(String user, String... args) {
        return run(user == null ? null : stack.apiToken(user), List.of(args), stack.coordinatorUrl());
    }

    private static Run run(String token, List<String> args, String url) {
        Path home = Stack.home();
        String classPath = home.resolve("launcher/target/classes") + File.pathSeparator + home.resolve("launcher/target/lib") + File.separator + "*";
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", classPath, "dev.releasetrain.launcher.Launcher"));
        command.addAll(args);
        try {
            Path out = Files.createTempFile(work, "out", ".txt");
            Path err = Files.createTempFile(work, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.put("RELEASE_TRAIN_URL", url);
            env.remove("RELEASE_TRAIN_TOKEN");
            if (token != null) {
                env.put("RELEASE_TRAIN_TOKEN", token);
            }
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("release-train " + args + " did not end in 3 minutes");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (Exception e) {
            throw new AssertionError("cannot run release-train " + args, e);
        }
    }
}
