package dev.releasetrain.launcher;

import dev.releasetrain.sandbox.FaultSpec;
import dev.releasetrain.sandbox.Sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The faults behind {@code demo --fail-once STEP[,STEP...]}: for each step, one fault aimed at that step's own
 * call (stand-in, method, path or body filter) with an answer the real client does not retry by itself and the
 * service reports as a failure for a person (so the release stops at the step and the demo retries it over
 * REST). Steps that only touch the {@code file://} git remotes (cut, bump, push, tag) or drive Helm have no
 * entry: no stand-in sits in front of them where one failure would be deterministic.
 */
final class FailOnce {

    /** Where the fault goes and what it is. */
    record Fault(String standIn, FaultSpec spec, String what) {
    }

    private static final Map<String, Function<String, Fault>> FAULTS = new LinkedHashMap<>();

    static {
        for (String step : List.of("notify.announce-code-freeze", "notify.announce-freeze", "notify.announce-release",
                "notify.newsletter", "notify.post-message")) {
            // the message's metadata names the step: Slack refuses that one message (200 ok:false invalid_arguments)
            FAULTS.put(step, v -> new Fault(Sandbox.SLACK, FaultSpec.failNext(1, 400).withMethod("POST")
                    .withPathPrefix("/api/chat.postMessage").withBodyContains("\"" + step + "\""),
                    "Slack refuses its chat.postMessage (invalid_arguments)"));
        }
        FAULTS.put("notify.draft-release-post", v -> refused(Sandbox.GITHUB, "POST",
                "/repos/PostHog/posthog.com/pulls$", "GitHub refuses to open the release post PR (403)"));
        FAULTS.put("notify.publish-release-post", v -> refused(Sandbox.GITHUB, "PUT",
                "/repos/PostHog/posthog.com/pulls/", "GitHub refuses to merge the release post PR (403)"));
        FAULTS.put("git.collect-changelog", v -> new Fault(Sandbox.GITHUB, FaultSpec.failNext(1, 403).withMethod("GET")
                .withPathPrefix("/search/issues").withPathContains("label:\"highlight\""),
                "GitHub refuses the search for highlighted PRs (403)"));
        FAULTS.put("git.cherry-pick-fixes", v -> new Fault(Sandbox.GITHUB, FaultSpec.failNext(1, 403).withMethod("GET")
                .withPathPrefix("/search/issues").withPathContains("label:\"release-" + v + "\""),
                "GitHub refuses the search for release-" + v + " fixes (403)"));
        FAULTS.put("git.bump-chart", v -> refused(Sandbox.GITHUB, "POST",
                "/repos/PostHog/charts-clickhouse/pulls$", "GitHub refuses to open the chart PR (403)"));
        FAULTS.put("git.sync-version", v -> refused(Sandbox.GITHUB, "POST",
                "/repos/PostHog/posthog/pulls$", "GitHub refuses to open the sync PR (403)"));
        FAULTS.put("deploy.await-unstable-image", v -> refused(Sandbox.REGISTRY, "GET",
                "/v2/namespaces/posthog/repositories/posthog/tags/release-" + v + "-unstable$", "the image registry refuses the tag lookup (403)"));
        FAULTS.put("deploy.await-release-image", v -> refused(Sandbox.REGISTRY, "GET",
                "/v2/namespaces/posthog/repositories/posthog/tags/release-" + v + "$", "the image registry refuses the tag lookup (403)"));
        // fabric8's plain pod list (Helm's lists carry a label selector); fabric8 retries 5xx, not 403. Only
        // for deploy.list-pods: deploy.upgrade-playground lists pods too while it watches a rollout.
        FAULTS.put("deploy.list-pods", v -> refused(Sandbox.KUBERNETES, "GET",
                "/api/v1/namespaces/posthog/pods$", "the Kubernetes API refuses the pod list (403)"));
        // the one call that only deploy.verify-playground makes: the playground's own status API
        FAULTS.put("deploy.verify-playground", v -> refused(Sandbox.PLAYGROUND, "GET",
                "/api/instance_status", "the playground refuses /api/instance_status (403)"));
        FAULTS.put("cdn.invalidate", v -> new Fault(Sandbox.CLOUDFRONT, FaultSpec.failNext(1, 403).withMethod("POST")
                .withPathContains("/invalidation"), "CloudFront refuses CreateInvalidation (403 AccessDenied)"));
        FAULTS.put("cdn.read-distribution", v -> new Fault(Sandbox.CLOUDFRONT, FaultSpec.failNext(1, 403).withMethod("GET")
                .withPathContains("/distribution/"), "CloudFront refuses GetDistribution (403 AccessDenied)"));
    }

    /** The stand-in answers 403 (not retried by the clients) to the next call of {@code method} on {@code path} (a prefix; {@code $} ends it exactly). */
    private static Fault refused(String standIn, String method, String path, String what) {
        return new Fault(standIn, FaultSpec.failNext(1, 403).withMethod(method).withPathPrefix(path), what);
    }

    private FailOnce() {
    }

    /** The steps of the proving runbook that --fail-once can aim at; every other entry is a monthly-minor step. */
    private static final Set<String> PROVING = Set.of("deploy.list-pods", "cdn.read-distribution", "notify.post-message");

    /** The step ids --fail-once accepts for a release running {@code runbook}. */
    static List<String> steps(String runbook) {
        boolean proving = "proving".equals(runbook);
        return FAULTS.keySet().stream().filter(s -> PROVING.contains(s) == proving).toList();
    }

    /**
     * Parses {@code STEP[,STEP...]} (blanks and repeats ignored).
     *
     * @throws IllegalArgumentException naming the unknown step ids and listing the valid ones
     */
    static List<String> parse(String option, String runbook) {
        List<String> valid = steps(runbook);
        Set<String> steps = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        if (option != null) {
            for (String s : option.split(",")) {
                String step = s.strip();
                if (step.isEmpty()) {
                    continue;
                }
                if (valid.contains(step)) {
                    steps.add(step);
                } else {
                    unknown.add(step);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("--fail-once: unknown step " + String.join(", ", unknown)
                    + " (runbook " + runbook + "); valid steps: " + String.join(", ", valid));
        }
        return List.copyOf(steps);
    }

    /** The fault behind {@code step} of release {@code version}. */
    static Fault of(String step, String version) {
        Function<String, Fault> f = FAULTS.get(step);
        if (f == null) {
            throw new IllegalArgumentException("--fail-once: unknown step " + step);
        }
        return f.apply(version);
    }
}
