package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The main job: a whole release on the embedded stack, as a person would run it. Starts the stack,
 * starts the release over REST, prints its live progress from the event stream, retries a step that
 * was made to fail (--fail-once: a fault aimed at that step's own call, see {@link FailOnce}), prints the timeline and checks the sandbox for the effects.
 */
final class Demo {
    static final String OWNER = "alice";
    /** The second, named demo user: an approver who did not start the release. */
    static final String APPROVER = "bob";
    /** The plan the demo runs: the whole monthly runbook (proving: one read-only step per service). */
    static final String RUNBOOK = "monthly-minor";
    /** Exit code of a demo refused before it started (an unknown --fail-once step). */
    static final int USAGE = 2;

    private final PrintStream out;
    private final String version;
    private final String failOnce;
    private final boolean keep;
    private final String runbook;

    Demo(PrintStream out, String version, String failOnce, boolean keep) {
        this(out, version, failOnce, keep, RUNBOOK);
    }

    Demo(PrintStream out, String version, String failOnce, boolean keep, String runbook) {
        this.runbook = runbook;
        this.out = out;
        this.version = version;
        this.failOnce = failOnce;
        this.keep = keep;
    }

    int run() throws Exception {
        List<String> failing;
        try {
            failing = FailOnce.parse(failOnce, runbook);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return USAGE;
        }
        out.println("Release Train demo: release " + version + " on the embedded stack");
        out.println("starting the stack");
        try (Stack stack = Stack.start(line -> out.println(line), runbook)) {
            int code;
            try {
                code = release(stack, failing);
            } catch (RuntimeException e) {
                stack.keepRunDir(); // the logs say what went wrong
                throw e;
            }
            if (keep) {
                out.println("stack left running (--keep): coordinator " + stack.coordinatorUrl() + ", sandbox admin "
                        + stack.sandbox().adminUrl() + ", API tokens in " + stack.apiTokensFile() + "; Ctrl-C stops it");
                stack.keepRunDir();
                Thread.currentThread().join();
            }
            out.println("stopping the stack");
            if (code != 0) {
                stack.keepRunDir();
            }
            return code;
        }
    }

    /** The release on a running stack, with the faults of {@code failing} injected; 0 when it completed with every effect. */
    int release(Stack stack, List<String> failing) {
        ReleaseClient api = new ReleaseClient(stack.coordinatorUrl(), OWNER, stack.apiToken(OWNER));
        for (String step : failing) {
            FailOnce.Fault fault = FailOnce.of(step, version);
            stack.sandbox().inject(fault.standIn(), fault.spec());
            out.println("fault injected for " + step + ": " + fault.what() + ", once (" + fault.standIn() + " stand-in)");
        }

        long posted = System.nanoTime();
        ReleaseClient.Answer started = api.post("/releases", "{\"version\":\"" + version + "\"}");
        if (started.status() != 202) {
            out.println("could not start release " + version + ": " + started.status() + " " + started.message());
            return 1;
        }
        out.println("release " + version + " started by " + OWNER + " -> " + started.location());

        ReleaseClient approver = new ReleaseClient(stack.coordinatorUrl(), APPROVER, stack.apiToken(APPROVER));
        long t0 = System.nanoTime();
        AtomicReference<String> end = new AtomicReference<>();
        AtomicLong completed = new AtomicLong();
        Set<String> retried = ConcurrentHashMap.newKeySet();
        Set<String> retryRecorded = ConcurrentHashMap.newKeySet();
        api.follow(version, null, e -> {
            String line = EventLines.describe(e);
            if (line != null) {
                out.printf("  %+7.2fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
            }
            String eventStep = e.data().path("data").path("step").asText();
            if ("StepSucceeded".equals(e.type()) && "notify.draft-release-post".equals(eventStep)) {
                int pr = e.data().path("data").path("outputs").path("pullRequest").asInt();
                stack.sandbox().approvePullRequest("PostHog/posthog.com", pr, "marketing-reviewer");
                out.println("  the marketing reviewer approved the release post PR #" + pr + " (in the GitHub stand-in)");
            }
            if ("GateOpened".equals(e.type())) {
                approve(e.data().path("data").path("gate").asText(), api, approver);
            }
            if ("StepFailed".equals(e.type()) && failing.contains(eventStep) && retried.add(eventStep)) {
                retryOverRest(api, eventStep);
                return true;
            }
            if ("StepRetryRequested".equals(e.type()) && retried.contains(eventStep)) {
                retryRecorded.add(eventStep);
            }
            if ("ReleaseCompleted".equals(e.type())) {
                completed.set(System.nanoTime());
                end.set("completed");
                return false;
            }
            if ("ReleaseFailed".equals(e.type())) {
                String step = e.data().path("data").path("failedStep").asText();
                if (retried.contains(step) && !retryRecorded.contains(step)) {
                    return true; // the stop our retry already answered: it was appended before the retry
                }
                out.println("  the release stopped at " + step + "; see the timeline below");
                end.set("failed");
                return false;
            }
            return true;
        });

        if ("completed".equals(end.get())) {
            out.println(String.format(java.util.Locale.ROOT, "release %s completed in %.1f s (POST to completed)", version,
                    (completed.get() - posted) / 1e9));
        }
        JsonNode timeline = api.get("/releases/" + version + "/timeline").body();
        out.println();
        out.print(TimelineTable.render(timeline));
        out.println();
        if (!"completed".equals(end.get())) {
            out.println("release " + version + " did not complete: " + end.get());
            return 1;
        }
        boolean effects = "proving".equals(runbook) ? checkEffects(stack, timeline) : checkMonthlyEffects(stack, timeline);
        boolean retries = checkFailedOnce(timeline, failing);
        return effects && retries ? 0 : 1;
    }

    /** Retries a failed step at once, as the release owner would after the stand-in recovered. */
    private void retryOverRest(ReleaseClient api, String step) {
        out.println("  retrying " + step + " over REST (POST /releases/" + version + "/steps/" + step + "/retry)");
        ReleaseClient.Answer r = api.post("/releases/" + version + "/steps/" + step + "/retry",
                "{\"reason\":\"demo: the stand-in failed once on purpose\"}");
        if (r.status() != 202) {
            out.println("  retry refused: " + r.status() + " " + r.message());
        }
    }

    /**
     * Approves a gate as a person would: break-the-release by the second demo user (an approver who
     * did not start the release), release-day early by the release owner.
     */
    private void approve(String gate, ReleaseClient owner, ReleaseClient approver) {
        boolean qa = "break-the-release".equals(gate);
        ReleaseClient who = qa ? approver : owner;
        String name = qa ? APPROVER + " (approver, second demo user)" : OWNER + " (release owner, approving early)";
        String note = qa ? "demo: break-the-release session found no blockers" : "demo: launching now instead of on release day";
        ReleaseClient.Answer a = who.post("/releases/" + version + "/gates/" + gate + "/approve",
                "{\"note\":\"" + note + "\"}");
        out.println("  " + (a.status() == 202 ? "approved " + gate + " as " + name : "approval of " + gate + " refused: " + a.message()));
    }

    /** Looks in the sandbox for what the release did, and says what it found. */
    private boolean checkEffects(Stack stack, JsonNode timeline) {
        out.println("effects in the sandbox:");
        List<Boolean> checks = new ArrayList<>();
        JsonNode head = outputs(timeline, "git.resolve-head");
        String expectedHead = SandboxFacts.headCommit(stack.sandbox(), "posthog", "master");
        checks.add(check("git: master of posthog resolved to " + head.path("commit").asText(),
                expectedHead.equals(head.path("commit").asText())));
        JsonNode pods = outputs(timeline, "deploy.list-pods");
        checks.add(check("kubernetes: " + pods.path("count").asInt() + " pods listed in namespace " + pods.path("namespace").asText(),
                pods.path("count").asInt() > 0));
        JsonNode dist = outputs(timeline, "cdn.read-distribution");
        checks.add(check("cloudfront: distribution " + dist.path("distributionId").asText() + " is " + dist.path("status").asText(),
                stack.sandbox().distributionId().equals(dist.path("distributionId").asText())));
        JsonNode msg = outputs(timeline, "notify.post-message");
        long posted = stack.sandbox().slackMessages(msg.path("channel").asText()).stream()
                .filter(m -> m.text().contains(version)).count();
        checks.add(check("slack: " + posted + " message about " + version + " in " + msg.path("channel").asText(), posted == 1));
        boolean ok = checks.stream().allMatch(Boolean::booleanValue);
        out.println(ok ? "release " + version + " completed; every effect is there" : "some effects are missing");
        return ok;
    }

    /** The monthly runbook's effects: branch, tag, PRs, playground, invalidation, messages. */
    private boolean checkMonthlyEffects(Stack stack, JsonNode timeline) {
        out.println("effects in the sandbox:");
        List<Boolean> checks = new ArrayList<>();
        String branch = "release-" + version;
        String head = SandboxFacts.branchHead(stack.sandbox(), "posthog", branch);
        checks.add(check("git: " + branch + " pushed at " + head + " (bump commit "
                + outputs(timeline, "git.bump-version").path("commit").asText() + ")",
                head != null && head.equals(outputs(timeline, "git.bump-version").path("commit").asText())));
        String tagMessage = SandboxFacts.tagMessage(stack.sandbox(), "posthog", version);
        checks.add(check("git: annotated tag " + version + " \"" + tagMessage + "\"", ("Version " + version).equals(tagMessage)));
        JsonNode chart = outputs(timeline, "git.bump-chart");
        checks.add(check("github: chart PR #" + chart.path("pullRequest").asText() + " from " + chart.path("branch").asText(),
                chart.hasNonNull("pullRequest")));
        JsonNode sync = outputs(timeline, "git.sync-version");
        checks.add(check("github: sync PR #" + sync.path("pullRequest").asText() + " to master", sync.hasNonNull("pullRequest")));
        JsonNode verify = outputs(timeline, "deploy.verify-playground");
        checks.add(check("playground: reports version " + verify.path("reportedVersion").asText(),
                version.equals(verify.path("reportedVersion").asText())));
        JsonNode cdn = outputs(timeline, "cdn.invalidate");
        checks.add(check("cloudfront: invalidation " + cdn.path("invalidationId").asText() + " " + cdn.path("status").asText()
                + " (" + stack.sandbox().invalidations().size() + " in all)", "Completed".equals(cdn.path("status").asText())));
        JsonNode post = outputs(timeline, "notify.draft-release-post");
        checks.add(check("github: release post PR #" + post.path("pullRequest").asText() + ", published "
                + outputs(timeline, "notify.publish-release-post").path("url").asText(), post.hasNonNull("pullRequest")));
        long announced = stack.sandbox().slackMessages("announcements").stream().filter(m -> m.text().contains(version)).count();
        checks.add(check("slack: " + announced + " announcement of " + version + " in #announcements", announced == 1));
        boolean ok = checks.stream().allMatch(Boolean::booleanValue);
        out.println(ok ? "release " + version + " completed; every effect is there" : "some effects are missing");
        return ok;
    }

    /** Each --fail-once step: a failed first attempt, then a succeeded one retried over REST. */
    private boolean checkFailedOnce(JsonNode timeline, List<String> failing) {
        boolean ok = true;
        for (String step : failing) {
            JsonNode attempts = MissingNode.getInstance();
            for (JsonNode s : timeline.path("steps")) {
                if (step.equals(s.path("step").asText())) {
                    attempts = s.path("attempts");
                }
            }
            boolean twice = attempts.size() >= 2 && "failed".equals(attempts.get(0).path("status").asText())
                    && "succeeded".equals(attempts.get(attempts.size() - 1).path("status").asText());
            ok &= check("--fail-once " + step + ": " + attempts.size() + " attempts, the first failed ("
                    + attempts.path(0).path("reason").asText("no reason") + "), the last succeeded", twice);
        }
        return ok;
    }

    private boolean check(String what, boolean ok) {
        out.println("  " + (ok ? "ok      " : "MISSING ") + what);
        return ok;
    }

    private static JsonNode outputs(JsonNode timeline, String step) {
        for (JsonNode s : timeline.path("steps")) {
            if (step.equals(s.path("step").asText())) {
                JsonNode attempts = s.path("attempts");
                return attempts.get(attempts.size() - 1).path("outputs");
            }
        }
        return MissingNode.getInstance();
    }
}
