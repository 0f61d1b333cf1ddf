package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import dev.releasetrain.cli.EventLines;
import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.cli.TimelineTable;
import dev.releasetrain.protocol.SemVer;
import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.sandbox.Sandbox;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The main job: a whole release on the embedded stack, as a person would run it. Starts the stack,
 * starts the release over REST, prints its live progress from the event stream, acts as the people around the
 * release (approvers, the marketing reviewer, a maintainer merging the sync PR), retries a step that
 * was made to fail (--fail-once: a fault aimed at that step's own call, see {@link FailOnce}), prints the timeline
 * and checks the sandbox for the effects ({@link Effects}). With --patch, then a fix labelled for the patch lands on
 * master and the patch release X.Y.(Z+1) runs and is checked the same way.
 */
final class Demo {
    static final String OWNER = "alice";
    /** The second, named demo user: an approver who did not start the release. */
    static final String APPROVER = "bob";
    /** The plan the demo runs: the whole monthly runbook (proving: one read-only step per service). */
    static final String RUNBOOK = "monthly-minor";
    /** Exit code of a demo refused before it started (an unknown --fail-once step). */
    static final int USAGE = 2;
    /** The fix the patch release ships: a change to a file untouched since the minor was cut, so it picks cleanly. */
    static final String FIX_TITLE = "fix(funnels): Default the conversion window when a funnel has none";
    static final String FIX_PATH = "posthog/queries/funnels/base.py";
    static final String FIX_CONTENT = """
            class ClickhouseFunnelBase:
                def __init__(self, filter, team):
                    self._filter = filter
                    self._team = team

                def conversion_window_seconds(self):
                    days = self._filter.funnel_window_days or 14
                    return days * 24 * 3600
            """;

    private final PrintStream out;
    private final String version;
    private final String failOnce;
    private final boolean keep;
    private final String runbook;
    private final boolean patch;

    Demo(PrintStream out, String version, String failOnce, boolean keep) {
        this(out, version, failOnce, keep, RUNBOOK);
    }

    Demo(PrintStream out, String version, String failOnce, boolean keep, String runbook) {
        this(out, version, failOnce, keep, runbook, false);
    }

    Demo(PrintStream out, String version, String failOnce, boolean keep, String runbook, boolean patch) {
        this.runbook = runbook;
        this.out = out;
        this.version = version;
        this.failOnce = failOnce;
        this.keep = keep;
        this.patch = patch;
    }

    /** The patch release after {@code version}: X.Y.(Z+1). */
    static String patchOf(String version) {
        return SemVer.tryParse(version).map(v -> v.nextPatch().toString()).orElseThrow(() ->
                new IllegalArgumentException("--patch: --version must be X.Y.Z, not " + version));
    }

    int run() throws Exception {
        List<String> failing;
        try {
            failing = FailOnce.parse(failOnce, runbook);
            if (patch && !RUNBOOK.equals(runbook)) {
                throw new IllegalArgumentException("--patch follows the monthly runbook (" + RUNBOOK + "), not --runbook " + runbook);
            }
            if (patch) {
                patchOf(version);
            }
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            return USAGE;
        }
        out.println("Release Train demo: release " + version + (patch ? " then patch " + patchOf(version) : "")
                + " on the embedded stack");
        out.println("starting the stack");
        try (Stack stack = Stack.start(line -> out.println(line), runbook)) {
            if (keep) {
                out.println("web console: " + stack.coordinatorUrl() + "/release.html?version=" + version
                        + " (sign in with a token from " + stack.apiTokensFile() + ")");
            }
            int code;
            try {
                code = release(stack, failing);
                if (code == 0 && patch) {
                    code = patch(stack);
                }
            } catch (RuntimeException e) {
                stack.keepRunDir(); // the logs say what went wrong
                throw e;
            }
            if (keep) {
                out.println("stack left running (--keep): web console and API " + stack.coordinatorUrl() + "/, sandbox admin "
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
        long posted = start(api, "{\"version\":\"" + version + "\"}", version);
        if (posted < 0) {
            return 1;
        }
        String end = follow(stack, api, version, failing, posted);
        JsonNode timeline = timeline(api, version);
        if (!"completed".equals(end)) {
            out.println("release " + version + " did not complete: " + end);
            return 1;
        }
        boolean effects = "proving".equals(runbook) ? checkEffects(stack, timeline) : checkMonthlyEffects(stack);
        boolean retries = checkFailedOnce(timeline, failing);
        return effects && retries ? 0 : 1;
    }

    /**
     * The patch release after the monthly one on the same stack: a fix labelled {@code release-<patch>} is
     * squash-merged to master (after the minor's tag), then the patch release runs; 0 when it completed and every
     * effect of both releases is in the sandbox.
     */
    int patch(Stack stack) {
        String v = patchOf(version);
        Sandbox sandbox = stack.sandbox();
        ReleaseClient api = new ReleaseClient(stack.coordinatorUrl(), OWNER, stack.apiToken(OWNER));
        out.println();
        out.println("patch " + v + ": a fix for " + version + ", labelled release-" + v + ", lands on master");
        GitHubStandIn.PullRequest fix = sandbox.github().mergeFix(Effects.APP, FIX_TITLE, FIX_PATH, FIX_CONTENT,
                Instant.now(), "release-" + v);
        out.println("  PR #" + fix.number() + " \"" + fix.title() + "\" squash-merged to "
                + sandbox.gitDefaultBranch(GitFixtures.POSTHOG) + " as " + Effects.shortId(fix.mergeCommitSha())
                + " (in the GitHub stand-in)");
        long posted = start(api, "{\"version\":\"" + v + "\",\"kind\":\"patch\"}", v);
        if (posted < 0) {
            return 1;
        }
        String end = follow(stack, api, v, List.of(), posted);
        timeline(api, v);
        if (!"completed".equals(end)) {
            out.println("release " + v + " did not complete: " + end);
            return 1;
        }
        out.println("effects in the sandbox:");
        boolean ok = report(Effects.patch(sandbox, v, version, fix.mergeCommitSha(), fix.title()));
        ok &= report(Effects.both(sandbox, version, v));
        out.println(ok ? "release " + version + " and patch " + v + " completed; every effect of both is there"
                : "some effects are missing");
        return ok ? 0 : 1;
    }

    /**
     * Starts a release over REST as the owner; returns when it was posted ({@link System#nanoTime()}), or -1 (and
     * says why) when the coordinator refused.
     */
    private long start(ReleaseClient api, String body, String v) {
        long posted = System.nanoTime();
        ReleaseClient.Answer started = api.post("/releases", body);
        if (started.status() != 202) {
            out.println("could not start release " + v + ": " + started.status() + " " + started.message());
            return -1;
        }
        out.println("release " + v + " started by " + OWNER + " -> " + started.location());
        return posted;
    }

    /** Prints the timeline of release {@code v} and returns it. */
    private JsonNode timeline(ReleaseClient api, String v) {
        JsonNode timeline = api.get("/releases/" + v + "/timeline").body();
        out.println();
        out.print(TimelineTable.render(timeline));
        out.println();
        return timeline;
    }

    /**
     * Follows release {@code v}'s event stream to its end, printing one line per event and acting as the people
     * around the release do: the marketing reviewer approves the release post PR, the approvers approve the gates,
     * a maintainer merges the sync PR once {@code git.await-sync-merge} waits for it, and the owner retries each
     * step of {@code failing} once. Once it completed, prints the wall time from {@code posted} (its POST). Returns
     * {@code completed}, {@code failed} or {@code cancelled}.
     */
    private String follow(Stack stack, ReleaseClient api, String v, List<String> failing, long posted) {
        ReleaseClient approver = new ReleaseClient(stack.coordinatorUrl(), APPROVER, stack.apiToken(APPROVER));
        long t0 = System.nanoTime();
        AtomicReference<String> end = new AtomicReference<>();
        AtomicLong completed = new AtomicLong();
        Set<String> retried = ConcurrentHashMap.newKeySet();
        Set<String> retryRecorded = ConcurrentHashMap.newKeySet();
        AtomicBoolean syncMerged = new AtomicBoolean();
        api.follow(v, null, e -> {
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
                approve(v, e.data().path("data").path("gate").asText(), api, approver);
            }
            if (("StepStarted".equals(e.type()) || "StepProgress".equals(e.type())) && "git.await-sync-merge".equals(eventStep)
                    && syncMerged.compareAndSet(false, true)) {
                mergeSyncPullRequest(stack.sandbox(), api, v);
            }
            if ("StepFailed".equals(e.type()) && failing.contains(eventStep) && retried.add(eventStep)) {
                retryOverRest(api, v, eventStep);
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
            if ("ReleaseCancelled".equals(e.type())) {
                end.set("cancelled");
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
            out.println(String.format(Locale.ROOT, "release %s completed in %.1f s (POST to completed)", v,
                    (completed.get() - posted) / 1e9));
        }
        return end.get();
    }

    /**
     * A maintainer merges the sync PR (in the GitHub stand-in, which merges its branch into master in the app
     * remote), as git.await-sync-merge asks; if it cannot be merged the owner cancels the release rather than
     * let the step wait out its deadline.
     */
    void mergeSyncPullRequest(Sandbox sandbox, ReleaseClient api, String v) {
        List<GitHubStandIn.PullRequest> open = SandboxFacts.pullRequests(sandbox, Effects.APP, "sync-" + v).stream()
                .filter(p -> "open".equals(p.state())).toList();
        String problem;
        if (open.size() == 1) {
            try {
                GitHubStandIn.PullRequest merged = sandbox.github().mergePullRequest(Effects.APP, open.get(0).number());
                out.println("  a maintainer merged the sync PR #" + merged.number() + " into "
                        + merged.base() + " as " + Effects.shortId(merged.mergeCommitSha()) + " (in the GitHub stand-in)");
                return;
            } catch (RuntimeException e) {
                problem = "could not merge the sync PR #" + open.get(0).number() + ": " + e.getMessage();
            }
        } else {
            problem = open.size() + " open sync PRs from sync-" + v;
        }
        out.println("  " + problem + "; cancelling release " + v);
        api.post("/releases/" + v + "/cancel", "{\"reason\":\"demo: " + problem.replace("\"", "'") + "\"}");
    }

    /** Retries a failed step at once, as the release owner would after the stand-in recovered. */
    private void retryOverRest(ReleaseClient api, String v, String step) {
        out.println("  retrying " + step + " over REST (POST /releases/" + v + "/steps/" + step + "/retry)");
        ReleaseClient.Answer r = api.post("/releases/" + v + "/steps/" + step + "/retry",
                "{\"reason\":\"demo: the stand-in failed once on purpose\"}");
        if (r.status() != 202) {
            out.println("  retry refused: " + r.status() + " " + r.message());
        }
    }

    /**
     * Approves a gate as a person would: break-the-release by the second demo user (an approver who
     * did not start the release), release-day early by the release owner.
     */
    private void approve(String v, String gate, ReleaseClient owner, ReleaseClient approver) {
        boolean qa = "break-the-release".equals(gate);
        ReleaseClient who = qa ? approver : owner;
        String name = qa ? APPROVER + " (approver, second demo user)" : OWNER + " (release owner, approving early)";
        String note = qa ? "demo: break-the-release session found no blockers" : "demo: launching now instead of on release day";
        ReleaseClient.Answer a = who.post("/releases/" + v + "/gates/" + gate + "/approve",
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

    /** The monthly runbook's effects, each read from the sandbox ({@link Effects}). */
    private boolean checkMonthlyEffects(Stack stack) {
        out.println("effects in the sandbox:");
        boolean ok = report(Effects.monthly(stack.sandbox(), version));
        out.println(ok ? "release " + version + " completed; every effect is there" : "some effects are missing");
        return ok;
    }

    /** Prints each check; true when all passed. */
    private boolean report(List<Effects.Check> checks) {
        boolean ok = true;
        for (Effects.Check c : checks) {
            ok &= check(c.what(), c.ok());
        }
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
