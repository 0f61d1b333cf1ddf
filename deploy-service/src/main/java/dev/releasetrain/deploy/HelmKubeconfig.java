package dev.releasetrain.deploy;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The kubeconfig Helm uses: {@code release-train.deploy.kubeconfig} when set, else one generated (once, mode
 * 0600, in a temporary directory) for {@code release-train.deploy.kubernetes-url} (no credentials: a local API
 * server), else Helm's own default ({@code KUBECONFIG}, {@code ~/.kube/config}). A file, not contents:
 * helm-java's install path reads only a kubeconfig file.
 */
@ApplicationScoped
public class HelmKubeconfig {

    @ConfigProperty(name = "release-train.deploy.kubeconfig")
    Optional<String> kubeconfig;

    @ConfigProperty(name = "release-train.deploy.kubernetes-url")
    Optional<String> kubernetesUrl;

    @ConfigProperty(name = "release-train.deploy.namespace", defaultValue = "posthog")
    String namespace;

    private Path generated;

    /** The kubeconfig file to hand to Helm, or empty for Helm's default. */
    public synchronized Optional<Path> path() {
        if (kubeconfig.isPresent() && !kubeconfig.get().isBlank()) {
            return Optional.of(Path.of(kubeconfig.get()));
        }
        if (kubernetesUrl.isEmpty() || kubernetesUrl.get().isBlank()) {
            return Optional.empty();
        }
        if (generated == null) {
            generated = generate(kubernetesUrl.get());
        }
        return Optional.of(generated);
    }

    private Path generate(String server) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: release-train
                    cluster:
                      server: %s
                      insecure-skip-tls-verify: %s
                users:
                  - name: release-train
                    user: {}
                contexts:
                  - name: release-train
                    context:
                      cluster: release-train
                      user: release-train
                      namespace: %s
                current-context: release-train
                """.formatted(server, server.startsWith("https:"), namespace);
        try {
            Path dir = Files.createTempDirectory("release-train-kube");
            Path file = dir.resolve("config");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, yaml);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a kubeconfig for Helm", e);
        }
    }
}
