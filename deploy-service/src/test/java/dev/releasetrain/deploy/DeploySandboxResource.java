package dev.releasetrain.deploy;

import dev.releasetrain.sandbox.KubernetesStandIn;
import dev.releasetrain.sandbox.Sandbox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts the sandbox and points deploy-service at its stand-ins: Kubernetes API (and Helm, with the sandbox's
 * chart), image registry, playground. The seeded pod names travel
 * to the test as {@code sandbox.test.pods} (config, not a static: the test may run in another class loader).
 */
public class DeploySandboxResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;
    private Sandbox sandbox;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("deploy-service-sandbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sandbox = Sandbox.start(dir);
        Map<String, String> config = new LinkedHashMap<>();
        // Helm gets a kubeconfig generated from the URL (release-train.deploy.kubeconfig stays unset on purpose).
        config.put("release-train.deploy.kubernetes-url", sandbox.kubernetesUrl());
        config.put("release-train.deploy.namespace", sandbox.kubernetesNamespace());
        config.put("release-train.deploy.chart", sandbox.chartPath().toString());
        config.put("release-train.deploy.openapi-validation", "false"); // the stand-in serves no OpenAPI documents
        config.put("release-train.deploy.helm-timeout", "PT8S");
        config.put("release-train.deploy.progress-interval", "PT2S");
        config.put("release-train.deploy.verify-timeout", "PT4S");
        config.put("release-train.deploy.verify-poll-interval", "PT0.2S");
        config.put("release-train.registry.url", sandbox.registryUrl());
        config.put("release-train.registry.max-wait", "PT6S");
        config.put("release-train.registry.poll-interval", "PT0.2S");
        config.put("release-train.registry.max-poll-interval", "PT0.5S");
        config.put("release-train.playground.url", sandbox.playgroundUrl());
        config.put("release-train.playground.api-key", sandbox.playgroundApiKey());
        config.put("sandbox.admin-url", sandbox.adminUrl());
        config.put("sandbox.kubernetes-url", sandbox.kubernetesUrl());
        config.put("sandbox.test.pods", sandbox.kubernetes().seedPods().stream()
                .map(KubernetesStandIn.SeedPod::name).collect(Collectors.joining(",")));
        return config;
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }
}
