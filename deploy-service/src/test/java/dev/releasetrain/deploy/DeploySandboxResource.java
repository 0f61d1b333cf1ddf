package dev.releasetrain.deploy;

import dev.releasetrain.sandbox.KubernetesStandIn;
import dev.releasetrain.sandbox.Sandbox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts the sandbox and points deploy-service at its Kubernetes API stand-in. The seeded pod names travel
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
        return Map.of(
                "release-train.deploy.kubernetes-url", sandbox.kubernetesUrl(),
                "release-train.deploy.namespace", sandbox.kubernetesNamespace(),
                "sandbox.admin-url", sandbox.adminUrl(),
                "sandbox.test.pods", sandbox.kubernetes().seedPods().stream()
                        .map(KubernetesStandIn.SeedPod::name).collect(Collectors.joining(",")));
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
