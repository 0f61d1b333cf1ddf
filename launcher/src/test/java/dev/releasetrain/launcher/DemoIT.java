package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.sandbox.CloudFrontStandIn;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SlackStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job as {@code ./release-train demo --patch --fail-once ...} runs it: the whole monthly runbook on the
 * stack of processes, with one step of each service refused once by its stand-in and retried over REST, then on the
 * same stack a fix labelled for the patch merged to master and the patch release. Asserts on the sandbox's state
 * and the REST timeline, not on what the demo prints.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIT {
    static final String VERSION = "1.29.0";
    static final String PATCH = "1.29.1";
    /** One step per service, each refused once at its own call (deterministic: see FailOnce). */
    static final List<String> FAILING = List.of("notify.announce-code-freeze", "git.bump-chart", "deploy.verify-playground",
            "cdn.invalidate");

    static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.start(System.out::println, Demo.RUNBOOK);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            java.nio.file.Path runDir = stack.runDir();
            stack.close();
            assertFalse(java.nio.file.Files.exists(runDir), "a normal stop deletes the run directory " + runDir);
        }
    }

    @Test
    @Order(1)
    void theMonthlyRunbookCompletesWithOneStepPerServiceFailedOnceAndRetriedAndEveryEffectIsInTheSandbox() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8), VERSION, String.join(",", FAILING), false,
                Demo.RUNBOOK).release(stack, FailOnce.parse(String.join(",", FAILING), Demo.RUNBOOK));
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        System.out.printf("release with %d injected failures took %.1f s%n", FAILING.size(), (System.nanoTime() - t0) / 1e9);
        assertEquals(0, code, printed);
        assertTrue(java.util.regex.Pattern.compile("(?m)^release " + java.util.regex.Pattern.quote(VERSION)
                + " completed in \\d+\\.\\d s \\(POST to completed\\)$").matcher(printed).find(), "the wall time from POST to completed: " + printed);
        Sandbox sandbox = stack.sandbox();

        // the timeline (REST): each failed step has two attempts, the second retried by the owner
        JsonNode timeline = new ReleaseClient(stack.coordinatorUrl(), Demo.OWNER, stack.apiToken(Demo.OWNER))
                .get("/releases/" + VERSION + "/timeline").body();
        assertEquals("completed", timeline.path("status").asText());
        for (JsonNode step : timeline.path("steps")) {
            String id = step.path("step").asText();
            JsonNode attempts = step.path("attempts");
            if (FAILING.contains(id)) {
                assertEquals(2, attempts.size(), id + ": " + attempts);
                assertEquals("failed", attempts.get(0).path("status").asText(), id);
                assertFalse(attempts.get(0).path("reason").asText().isBlank(), id);
                assertEquals("succeeded", attempts.get(1).path("status").asText(), id);
                assertEquals(Demo.OWNER, attempts.get(1).path("retryRequestedBy").asText(), id);
            } else if (!step.path("gate").isObject()) {
                assertEquals(1, attempts.size(), id + " ran once: " + attempts);
            }
        }
        assertEquals(0, sandbox.standInNames().stream()
                .mapToInt(n -> sandbox.standIn(n).orElseThrow().pendingFaults()).sum(), "every injected fault was hit");

        // git: the release branch at the bump commit, the annotated tag
        String bump = SandboxFacts.branchHead(sandbox, "posthog", "release-" + VERSION);
        assertNotNull(bump, "release branch pushed");
        assertEquals(stepOutput(timeline, "git.bump-version", "commit"), bump);
        assertTrue(SandboxFacts.commitMessage(sandbox, "posthog", "release-" + VERSION).contains(VERSION));
        assertEquals("Version " + VERSION, SandboxFacts.tagMessage(sandbox, "posthog", VERSION));

        // github: the chart PR with its label and edited files, the sync PR, the release post PR (merged)
        GitHubStandIn.PullRequest chart = onlyPr(sandbox, "PostHog/charts-clickhouse", "bump-" + VERSION);
        assertEquals("main", chart.base());
        assertTrue(chart.labels().contains("bump minor"), chart.labels().toString());
        assertEquals(Set.of("charts/posthog/Chart.yaml", "charts/posthog/values.yaml", "charts/posthog/ALL_VALUES.md"),
                Set.copyOf(SandboxFacts.changedFiles(sandbox, "charts-clickhouse", "bump-" + VERSION)));
        GitHubStandIn.PullRequest sync = onlyPr(sandbox, "PostHog/posthog", "sync-" + VERSION);
        assertEquals("master", sync.base());
        // merged by the demo's maintainer while git.await-sync-merge waited: master lists the version first
        assertTrue(sync.merged(), "sync PR merged: " + sync);
        assertEquals(VERSION, SandboxFacts.versionsJson(sandbox, "master").get(0));
        GitHubStandIn.PullRequest post = onlyPr(sandbox, "PostHog/posthog.com", "release-post-" + VERSION);
        assertTrue(post.merged(), "release post published: " + post);

        // the playground runs and reports the new version
        assertEquals(VERSION, sandbox.playground().reportedVersion());
        assertTrue(sandbox.kubernetes().deploymentImage("posthog-web").orElseThrow().endsWith("release-" + VERSION + "-unstable"));

        // cloudfront: one invalidation of /* for this release's step, completed
        List<CloudFrontStandIn.Invalidation> invalidations = sandbox.invalidations().stream()
                .filter(i -> i.callerReference().contains("/" + VERSION + "/cdn.invalidate/")).toList();
        assertEquals(1, invalidations.size(), sandbox.invalidations().toString());
        assertEquals(List.of("/*"), invalidations.get(0).paths());
        assertEquals("Completed", invalidations.get(0).status());
        assertFalse(invalidations.get(0).createTime().isBefore(sync.mergedAt()),
                "the CDN is invalidated once versions.json is on master: " + invalidations.get(0) + ", " + sync);

        // slack: each channel message once (the refused attempt posted nothing)
        assertEquals(1, messages(sandbox, "#team-releases", "Code freeze for PostHog " + VERSION));
        assertEquals(1, messages(sandbox, "#team-releases", "is cut and the playground"));
        assertEquals(1, messages(sandbox, "#announcements", "PostHog " + VERSION + " is out"));
        assertEquals(1, messages(sandbox, "#marketing", "PostHog " + VERSION + " is released"));
    }

    @Test
    @Order(2)
    void thePatchReleaseShipsTheLabelledFixFromTheMinorsTagAndEveryEffectOfBothIsInTheSandbox() {
        assertEquals("completed", new ReleaseClient(stack.coordinatorUrl(), Demo.OWNER, stack.apiToken(Demo.OWNER))
                .get("/releases/" + VERSION).body().path("status").asText(), "the monthly release ran first");
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8), VERSION, null, false, Demo.RUNBOOK, true)
                .patch(stack);
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        System.out.printf("patch release took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, code, printed);
        Sandbox sandbox = stack.sandbox();

        // the fix: one PR labelled release-1.29.1, squash-merged to master after tag 1.29.0
        List<GitHubStandIn.PullRequest> fixes = sandbox.github().pullRequests("PostHog/posthog").stream()
                .filter(p -> p.labels().contains("release-" + PATCH)).toList();
        assertEquals(1, fixes.size(), fixes.toString());
        String fix = fixes.get(0).mergeCommitSha();
        assertTrue(SandboxFacts.reachable(sandbox, "posthog", fix, "master"));

        // tag 1.29.1 (annotated) on release-1.29.1, cut from tag 1.29.0, with the fix and the version bump
        assertEquals("Version " + PATCH, SandboxFacts.tagMessage(sandbox, "posthog", PATCH));
        String tagged = SandboxFacts.commit(sandbox, "posthog", "refs/tags/" + PATCH);
        assertTrue(SandboxFacts.reachable(sandbox, "posthog", tagged, "release-" + PATCH), "tag on release-" + PATCH);
        assertTrue(SandboxFacts.reachable(sandbox, "posthog", SandboxFacts.commit(sandbox, "posthog", "refs/tags/" + VERSION),
                "refs/tags/" + PATCH), "cut from tag " + VERSION);
        assertFalse(SandboxFacts.reachable(sandbox, "posthog", fix, "refs/tags/" + PATCH), "picked, not merged from master");
        assertEquals(Demo.FIX_CONTENT, SandboxFacts.file(sandbox, "posthog", "refs/tags/" + PATCH, Demo.FIX_PATH).orElseThrow());
        assertTrue(!Demo.FIX_CONTENT.equals(SandboxFacts.file(sandbox, "posthog", "refs/tags/" + VERSION, Demo.FIX_PATH).orElse("")));
        assertEquals(PATCH, SandboxFacts.appVersion(sandbox, "refs/tags/" + PATCH));

        // master's versions.json: both entries, newest first
        List<String> versions = SandboxFacts.versionsJson(sandbox, "master");
        assertEquals(List.of(PATCH, VERSION), versions.subList(0, 2), versions.toString());

        // the chart bumped as a patch: label bump patch, chart version x.y.(z+1), appVersion 1.29.1
        GitHubStandIn.PullRequest chart = onlyPr(sandbox, "PostHog/charts-clickhouse", "bump-" + PATCH);
        assertTrue(chart.labels().contains("bump patch"), chart.labels().toString());
        String[] before = SandboxFacts.chartVersions(sandbox, "bump-" + PATCH + "~1");
        String[] after = SandboxFacts.chartVersions(sandbox, "bump-" + PATCH);
        assertEquals(PATCH, after[1]);
        String[] b = before[0].split("\\.");
        assertEquals(b[0] + "." + b[1] + "." + (Integer.parseInt(b[2]) + 1), after[0], "patch bump of " + before[0]);

        // one announcement each in the community workspace's #announcements
        assertEquals(1, communityAnnouncements(sandbox, VERSION + " is out"));
        assertEquals(1, communityAnnouncements(sandbox, PATCH + " is out"));
    }

    private static long communityAnnouncements(Sandbox sandbox, String text) {
        return sandbox.slackMessages(SlackStandIn.COMMUNITY, "announcements").stream().filter(m -> m.text().contains(text)).count();
    }

    private static long messages(Sandbox sandbox, String channel, String text) {
        return sandbox.slackMessages(channel).stream().filter(m -> m.text().contains(text)).count();
    }

    private static GitHubStandIn.PullRequest onlyPr(Sandbox sandbox, String repo, String head) {
        List<GitHubStandIn.PullRequest> prs = sandbox.github().pullRequests(repo).stream()
                .filter(p -> p.head().equals(head) || p.head().endsWith(":" + head)).toList();
        assertEquals(1, prs.size(), repo + " PRs from " + head + ": " + sandbox.github().pullRequests(repo));
        return prs.get(0);
    }

    private static String stepOutput(JsonNode timeline, String step, String output) {
        for (JsonNode s : timeline.path("steps")) {
            if (step.equals(s.path("step").asText())) {
                JsonNode attempts = s.path("attempts");
                return attempts.get(attempts.size() - 1).path("outputs").path(output).asText();
            }
        }
        throw new AssertionError("no step " + step + " in the timeline");
    }

    /**
     * The retry command the owner's failure message gives works as pasted: run by bash with the owner's token in
     * {@code RELEASE_TRAIN_TOKEN} it reaches the coordinator authenticated (409: the step was retried already by the
     * demo), a viewer's token is refused for its role (403) and no token is 401, so the header is what decides.
     */
    @Test
    @Order(3)
    void theRetryCommandInTheOwnersFailureMessageWorksAsPasted() throws Exception {
        String step = "cdn.invalidate";
        List<String> commands = stack.sandbox().slackMessages(SlackStandIn.TEAM, "U0ALICE").stream()
                .filter(m -> m.text() != null && m.text().contains(step) && m.text().contains(VERSION))
                .flatMap(m -> SlackStandIn.codeBlocks(m.text()).stream())
                .filter(c -> c.startsWith("curl ") && c.contains("/retry")).toList();
        assertFalse(commands.isEmpty(), "a failure message to the owner with a curl retry command for " + step);
        String curl = commands.get(0);
        assertFalse(curl.contains(stack.apiToken(Demo.OWNER)), "the message names no token");
        assertTrue(curl.contains(stack.coordinatorUrl()), "the command calls this coordinator: " + curl);

        assertTrue(runPasted(curl, stack.apiToken(Demo.OWNER)).contains("409"), "the owner's token is accepted");
        assertTrue(runPasted(curl, stack.apiToken("carol")).contains("403"), "a viewer may not retry");
        assertTrue(runPasted(curl, "").contains("401"), "no token");
    }

    /** Runs a pasted command in bash with RELEASE_TRAIN_TOKEN set; its output (curl -f prints the HTTP status). */
    private static String runPasted(String command, String token) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
        pb.environment().put("RELEASE_TRAIN_TOKEN", token);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the command ended");
        return out;
    }

    /**
     * After both releases, their failures and retries: no credential of the run (the API tokens of the three people,
     * Slack's two bot tokens, the GitHub token, the AWS secret key, the playground's API key) is in any process's log,
     * any row of the release log, or any record of any topic.
     */
    @Test
    @Order(4)
    void noSecretIsInAnyLogReleaseLogRowOrTopicRecord() throws Exception {
        Sandbox sandbox = stack.sandbox();
        java.util.Map<String, String> secrets = new java.util.LinkedHashMap<>();
        for (String user : Stack.API_USERS.keySet()) {
            secrets.put("API token of " + user, stack.apiToken(user));
        }
        secrets.put("Slack team token", sandbox.slackToken());
        secrets.put("Slack community token", sandbox.slackCommunityToken());
        secrets.put("GitHub token", sandbox.githubToken());
        secrets.put("AWS secret access key", sandbox.awsSecretAccessKey());
        secrets.put("playground API key", sandbox.playgroundApiKey());

        java.util.List<String> found = new java.util.ArrayList<>();
        int logs = 0;
        try (var files = java.nio.file.Files.list(stack.runDir().resolve("logs"))) {
            for (java.nio.file.Path log : files.toList()) {
                logs++;
                scan(log.getFileName().toString(), java.nio.file.Files.readString(log, StandardCharsets.ISO_8859_1), secrets, found);
            }
        }
        int rows = 0;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(stack.infra().jdbcUrl(), stack.infra().dbUsername(),
                stack.infra().dbPassword()); var rs = c.createStatement().executeQuery("select * from release_events")) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                rows++;
                StringBuilder row = new StringBuilder();
                for (int col = 1; col <= columns; col++) {
                    row.append(rs.getString(col)).append('\t');
                }
                scan("release_events row " + rs.getString("event_id"), row.toString(), secrets, found);
            }
        }
        int records = 0;
        String bootstrap = stack.infra().kafkaBootstrapServers();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", bootstrap));
             var consumer = dev.releasetrain.launcher.bench.KafkaClients.consumer(bootstrap, null)) {
            java.util.List<org.apache.kafka.common.TopicPartition> partitions = new java.util.ArrayList<>();
            for (var d : admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get().values()) {
                d.partitions().forEach(p -> partitions.add(new org.apache.kafka.common.TopicPartition(d.name(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    records++;
                    StringBuilder text = new StringBuilder(r.key() == null ? "" : r.key()).append('\t');
                    r.headers().forEach(h -> text.append(h.key()).append('=').append(new String(h.value(), StandardCharsets.UTF_8)).append('\t'));
                    text.append(new String(r.value() == null ? new byte[0] : r.value(), StandardCharsets.UTF_8));
                    scan(r.topic() + "@" + r.partition() + ":" + r.offset(), text.toString(), secrets, found);
                }
            }
        }
        System.out.printf("secret scan: %d logs, %d release_events rows, %d topic records, %d secrets%n", logs, rows, records,
                secrets.size());
        assertTrue(logs >= 5 && rows > 100 && records > 100, "scanned too little: " + logs + " logs, " + rows + " rows, "
                + records + " records");
        assertEquals(List.of(), found, "secrets where they must not be");
    }

    private static void scan(String where, String text, java.util.Map<String, String> secrets, List<String> found) {
        secrets.forEach((name, value) -> {
            if (value != null && !value.isBlank() && text.contains(value)) {
                found.add(name + " in " + where);
            }
        });
    }
}
