package dev.releasetrain.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * An empty PostgreSQL cluster made once per machine (and per PostgreSQL build) by {@code initdb}, copied
 * into each new data directory instead of running {@code initdb} again: {@code initdb} is most of an
 * embedded server's start (1-4 s on these machines; a copy of the ~40 MB template takes a fraction).
 * The server's settings are given on its command line, so one template serves every configuration.
 *
 * <p>The template lives in {@code ~/.cache/release-train/} (or {@code release-train.postgres.template-dir}),
 * named after the PostgreSQL binaries it was made with. It is made in a private directory and moved
 * into place atomically, so concurrent first runs do not see half a template. Set
 * {@code release-train.postgres.template=false} to run {@code initdb} every time.
 */
final class ClusterTemplate {
    private static final System.Logger LOG = System.getLogger(ClusterTemplate.class.getName());
    /** What a cluster copy leaves out: the server's lock files. */
    private static final Set<String> SKIPPED = Set.of("postmaster.pid", "epg-lock", "postmaster.opts");

    private ClusterTemplate() {
    }

    /** Fills the empty directory {@code target} with a fresh cluster; leaves it empty if no template can be had. */
    static void copyInto(Path target) {
        if (!Boolean.parseBoolean(System.getProperty("release-train.postgres.template", "true"))) {
            return;
        }
        try {
            Path template = template();
            if (template == null) {
                return;
            }
            copy(template, target);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "no PostgreSQL cluster template (" + e + "); initdb runs instead");
            TempDirectories.delete(target);
            try {
                Files.createDirectories(target);
            } catch (IOException ignored) {
                // the start will say what is wrong with the directory
            }
        }
    }

    private static Path template() throws IOException {
        String key = binariesKey();
        if (key == null) {
            return null;
        }
        Path root = Path.of(System.getProperty("release-train.postgres.template-dir",
                Path.of(System.getProperty("user.home"), ".cache", "release-train").toString()));
        Path template = root.resolve("postgres-template-" + key);
        if (Files.exists(template.resolve("postgresql.conf"))) {
            return template;
        }
        Files.createDirectories(root);
        Path making = root.resolve("making-" + UUID.randomUUID());
        try {
            // initdb, then a clean stop: what is left is an empty cluster
            EmbeddedPostgres.builder().setDataDirectory(making).setCleanDataDirectory(false).start().close();
            Files.deleteIfExists(making.resolve("epg-lock"));
            try {
                Files.move(making, template, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.exists(template.resolve("postgresql.conf"))) {
                    throw raced;
                }
                // another process made it first
            }
        } finally {
            TempDirectories.delete(making);
        }
        return Files.exists(template.resolve("postgresql.conf")) ? template : null;
    }

    /** Names the PostgreSQL build on the class path (the binaries' archive), or null when there is none to name. */
    private static String binariesKey() {
        String os = System.getProperty("os.name").toLowerCase().contains("linux") ? "linux" : null;
        String arch = System.getProperty("os.arch");
        if (os == null || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return null; // only where it was tried
        }
        URL archive = EmbeddedPostgres.class.getClassLoader().getResource("postgres-linux-x86_64.txz");
        if (archive == null) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(archive.toExternalForm().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (SKIPPED.contains(p.getFileName().toString())) {
                    continue;
                }
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        // PostgreSQL refuses a data directory others may read
        Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
}
