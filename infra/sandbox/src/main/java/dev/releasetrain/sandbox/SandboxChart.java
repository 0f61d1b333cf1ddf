package dev.releasetrain.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The chart standing in for {@code posthog/posthog} (a Deployment per role, a Service, a ConfigMap carrying the
 * image, a migration Job), kept as class-path resources and written to the sandbox work dir at start; and a
 * kubeconfig for the Kubernetes stand-in, for Helm.
 */
final class SandboxChart {

    private static final String BASE = "/dev/releasetrain/sandbox/chart/posthog/";
    static final List<String> FILES = List.of("Chart.yaml", "values.yaml", "templates/_helpers.tpl",
            "templates/deployments.yaml", "templates/service.yaml", "templates/configmap.yaml",
            "templates/migrate-job.yaml");

    private SandboxChart() {
    }

    /** Writes the chart to {@code dir/posthog} and returns that directory. */
    static Path write(Path dir) {
        Path chart = dir.resolve("posthog");
        try {
            for (String file : FILES) {
                Path target = chart.resolve(file);
                Files.createDirectories(target.getParent());
                try (InputStream in = SandboxChart.class.getResourceAsStream(BASE + file)) {
                    if (in == null) {
                        throw new IllegalStateException("missing chart resource " + BASE + file);
                    }
                    Files.write(target, in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return chart;
    }

    /** A kubeconfig with one cluster, user and context named {@code sandbox} (no credentials: the stand-in needs none). */
    static Path writeKubeconfig(Path file, String serverUrl, String namespace) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: sandbox
                    cluster:
                      server: %s
                users:
                  - name: sandbox
                    user: {}
                contexts:
                  - name: sandbox
                    context:
                      cluster: sandbox
                      user: sandbox
                      namespace: %s
                current-context: sandbox
                preferences: {}
                """.formatted(serverUrl, namespace);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
