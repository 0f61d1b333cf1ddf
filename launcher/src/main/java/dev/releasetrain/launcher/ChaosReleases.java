package dev.releasetrain.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.cli.ReleaseClient;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.sandbox.Sandbox;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chaos run's releases, driven over REST as the people around a release do in the demo ({@link Demo}): the owner
 * starts each one, the approver opens break-the-release, the owner approves release-day early, the marketing
 * reviewer approves the release post PR, a maintainer merges the sync PR once git.await-sync-merge waits for it.
 * Unlike the demo it reads each release's timeline every poll instead of following its event stream, so a
 * coordinator that was killed and restarted in between changes nothing: every action is taken again until the
 * timeline shows it took (a second approval of a gate gets 409).
 */
final class ChaosReleases {
    private final Stack stack;
    private final PrintStream out;
    private final List<String> versions;
    private final Map<String, String> ended = new ConcurrentHashMap<>();
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final Set<String> postApproved = ConcurrentHashMap.newKeySet();
    private final Set<String> syncMerged = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lastApproval = new ConcurrentHashMap<>();

    ChaosReleases(Stack stack, PrintStream out, List<String> versions) {
        this.stack = stack;
        this.out = out;
        this.versions = versions;
    }

    private ReleaseClient owner() {
        return new ReleaseClient(stack.coordinatorUrl(), Demo.OWNER, stack.apiToken(Demo.OWNER));
    }

    private ReleaseClient approver() {
        return new ReleaseClient(stack.coordinatorUrl(), Demo.APPROVER, stack.apiToken(Demo.APPROVER));
    }

    /** One round: starts what is not started yet, acts on what each running release waits for. */
    void poll() {
        for (String v : versions) {
            if (ended.containsKey(v)) {
                continue;
            }
            try {
                if (!started.contains(v)) {
                    ReleaseClient.Answer a = owner().post("/releases", "{\"version\":\"" + v + "\"}");
                    if (a.status() == 202 || a.status() == 409) { // 409: the first POST was recorded before a crash
                        started.add(v);
                        out.println("  release " + v + " started");
                    }
                    continue;
                }
                ReleaseClient.Answer t = owner().get("/releases/" + v + "/timeline");
                if (t.status() != 200 || t.body() == null) {
                    continue;
                }
                act(v, t.body());
            } catch (RuntimeException unreachable) {
                // the coordinator is down or restarting: the next round tries again
            }
        }
    }

    private void act(String v, JsonNode timeline) {
        String status = timeline.path("status").asText();
        if (List.of("completed", "failed", "cancelled").contains(status)) {
            ended.put(v, status);
            out.println("  release " + v + " " + status);
            return;
        }
        for (JsonNode s : timeline.path("steps")) {
            String step = s.path("step").asText();
            String st = s.path("status").asText();
            if ("awaiting-approval".equals(st)) {
                approve(v, step);
            }
            if ("notify.draft-release-post".equals(step) && "succeeded".equals(st) && !postApproved.contains(v)) {
                JsonNode attempts = s.path("attempts");
                int pr = attempts.path(attempts.size() - 1).path("outputs").path("pullRequest").asInt();
                stack.sandbox().approvePullRequest("PostHog/posthog.com", pr, "marketing-reviewer");
                postApproved.add(v);
            }
            if ("git.await-sync-merge".equals(step) && ("running".equals(st) || "requested".equals(st)) && !syncMerged.contains(v)) {
                mergeSync(stack.sandbox(), v);
            }
        }
    }

    private void approve(String v, String gate) {
        long now = System.nanoTime();
        Long last = lastApproval.get(v + "/" + gate);
        if (last != null && now - last < 5_000_000_000L) {
            return; // asked a moment ago: wait for the timeline to show it
        }
        lastApproval.put(v + "/" + gate, now);
        ReleaseClient who = "break-the-release".equals(gate) ? approver() : owner();
        who.post("/releases/" + v + "/gates/" + gate + "/approve", "{\"note\":\"chaos run\"}");
    }

    private void mergeSync(Sandbox sandbox, String v) {
        List<GitHubStandIn.PullRequest> prs = SandboxFacts.pullRequests(sandbox, Effects.APP, "sync-" + v);
        if (prs.stream().anyMatch(GitHubStandIn.PullRequest::merged)) {
            syncMerged.add(v);
            return;
        }
        List<GitHubStandIn.PullRequest> open = prs.stream().filter(p -> "open".equals(p.state())).toList();
        if (open.size() == 1) {
            try {
                sandbox.github().mergePullRequest(Effects.APP, open.get(0).number());
                syncMerged.add(v);
            } catch (RuntimeException e) {
                out.println("  could not merge the sync PR #" + open.get(0).number() + " of " + v + ": " + e.getMessage());
            }
        }
    }

    boolean allEnded() {
        return ended.size() == versions.size();
    }

    /** How each release ended (completed, failed, cancelled), or "running" when it did not. */
    Map<String, String> outcomes() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String v : versions) {
            m.put(v, ended.getOrDefault(v, started.contains(v) ? "running" : "not started"));
        }
        return m;
    }
}
