package dev.releasetrain.deploy;

import dev.releasetrain.sandbox.KubernetesStandIn;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;
import dev.releasetrain.sandbox.SandboxWiring;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Starts the sandbox and points deploy-service at its stand-ins ({@link SandboxWiring#deploy}): Kubernetes API
 * (and Helm, here with the sandbox's chart directory), image registry, playground. The seeded pod names travel
 * to the test as {@code sandbox.test.pods} (config, not a static: the test may run in another class loader).
 */
public class DeploySandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        // Helm gets a kubeconfig generated from the URL (release-train.deploy.kubeconfig stays unset on purpose).
        Map<String, String> config = new LinkedHashMap<>(SandboxWiring.deploy(sandbox).properties());
        config.put("release-train.deploy.chart", sandbox.chartPath().toString()); // the chart directory, not posthog/posthog
        // long enough for a rollout on a loaded machine; the tests of a rollout that never gets ready wait it out
        config.put("release-train.deploy.helm-timeout", "PT20S");
        config.put("release-train.deploy.progress-interval", "PT2S");
        config.put("release-train.deploy.pending-grace", "PT1S"); // a pending revision older than this was left by a crash
        config.put("release-train.deploy.verify-timeout", "PT4S");
        config.put("release-train.deploy.verify-poll-interval", "PT0.2S");
        // a short wait for the playground's lease (PlaygroundTest runs more waiting upgrades than worker threads)
        config.put("release-train.deploy.lease-wait", "PT20S");
        config.put("release-train.registry.max-wait", "PT6S");
        config.put("release-train.registry.poll-interval", "PT0.2S");
        config.put("release-train.registry.max-poll-interval", "PT0.5S");
        config.put("sandbox.admin-url", sandbox.adminUrl());
        config.put("sandbox.kubernetes-url", sandbox.kubernetesUrl());
        config.put("sandbox.git.posthog.path", sandbox.gitRepositoryPath("posthog").toString()); // release branches CI builds
        config.put("sandbox.test.pods", sandbox.kubernetes().seedPods().stream()
                .map(KubernetesStandIn.SeedPod::name).collect(Collectors.joining(",")));
        return config;
    }
}
