package dev.releasetrain.deploy;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The kubeconfig Helm uses: {@code release-train.deploy.kubeconfig} when set, else one generated (once, mode
 * 0600) for {@code release-train.deploy.kubernetes-url} (no credentials: a local API server), else Helm's own
 * default ({@code KUBECONFIG}, {@code ~/.kube/config}). A file, not contents: helm-java's install path reads only
 * a kubeconfig file. Also the service's private scratch directory ({@code /tmp/release-train-kube*}, mode 0700)
 * for that file, values files and charts rebuilt for a rollback; it is deleted with its contents when the
 * application stops (and at JVM exit as a fallback), so no directory is left behind. A process killed outright
 * (SIGKILL) cannot clean up: its directory names its process id in a file {@code owner}, and the first scratch
 * directory a later process creates removes those whose owner is no longer running.
 */
@ApplicationScoped
public class HelmKubeconfig {

    private static final Logger LOG = Logger.getLogger(HelmKubeconfig.class);
    static final String PREFIX = "release-train-kube";
    private static final java.util.concurrent.atomic.AtomicBoolean SWEPT = new java.util.concurrent.atomic.AtomicBoolean();

    @ConfigProperty(name = "release-train.deploy.kubeconfig")
    Optional<String> kubeconfig;

    @ConfigProperty(name = "release-train.deploy.kubernetes-url")
    Optional<String> kubernetesUrl;

    @ConfigProperty(name = "release-train.deploy.namespace", defaultValue = "posthog")
    String namespace;

    private Path workDir;
    private Path generated;
    private Thread exitHook;

    /** The kubeconfig file to hand to Helm, or empty for Helm's default. */
    public synchronized Optional<Path> path() {
        if (kubeconfig.isPresent() && !kubeconfig.get().isBlank()) {
            return Optional.of(Path.of(kubeconfig.get()));
        }
        if (kubernetesUrl.isEmpty() || kubernetesUrl.get().isBlank()) {
            return Optional.empty();
        }
        if (generated == null || !Files.exists(generated)) {
            generated = generate(kubernetesUrl.get());
        }
        return Optional.of(generated);
    }

    /** The scratch directory (created on first use, private to this process). */
    public synchronized Path workDir() {
        if (workDir == null || !Files.isDirectory(workDir)) {
            try {
                workDir = Files.createTempDirectory(PREFIX,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.writeString(workDir.resolve("owner"), Long.toString(ProcessHandle.current().pid()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a scratch directory for Helm", e);
            }
            if (exitHook == null) {
                exitHook = new Thread(this::deleteWorkDir, "release-train-kube-cleanup");
                Runtime.getRuntime().addShutdownHook(exitHook);
            }
            if (SWEPT.compareAndSet(false, true)) {
                sweepOrphans(workDir.getParent());
            }
        }
        return workDir;
    }

    /** Deletes the scratch directories in {@code tmp} whose owning process is gone (killed before cleaning up). */
    static void sweepOrphans(Path tmp) {
        try (Stream<Path> dirs = Files.list(tmp)) {
            dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX) && Files.isRegularFile(d.resolve("owner")))
                    .forEach(d -> {
                        try {
                            long pid = Long.parseLong(Files.readString(d.resolve("owner")).strip());
                            if (ProcessHandle.of(pid).isEmpty()) {
                                deleteRecursively(d);
                            }
                        } catch (IOException | NumberFormatException e) {
                            LOG.debugf(e, "not sweeping %s", d);
                        }
                    });
        } catch (IOException e) {
            LOG.debugf(e, "cannot sweep %s", tmp);
        }
    }

    /** A new private (0600) file in the scratch directory; the caller deletes it when done. */
    public Path newPrivateFile(String prefix, String suffix) throws IOException {
        return Files.createTempFile(workDir(), prefix, suffix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** A new directory in the scratch directory; the caller deletes it with {@link #deleteRecursively(Path)}. */
    public Path newDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(workDir(), prefix);
    }

    @PreDestroy
    public synchronized void close() {
        deleteWorkDir();
        if (exitHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs (and finds nothing left)
            }
            exitHook = null;
        }
    }

    private synchronized void deleteWorkDir() {
        if (workDir != null) {
            deleteRecursively(workDir);
            workDir = null;
            generated = null;
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debugf(e, "cannot delete %s", p);
                }
            });
        } catch (IOException e) {
            LOG.debugf(e, "cannot delete %s", dir);
        }
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
            Path file = workDir().resolve("config");
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a kubeconfig for Helm", e);
        }
    }
}
