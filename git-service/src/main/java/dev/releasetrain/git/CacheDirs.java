package dev.releasetrain.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/** The directories of {@link Workspace}'s cache clones: one per remote, named after it, thrown away whole. */
final class CacheDirs {
    private CacheDirs() {
    }

    /** {@code vpc-1a2b3c4d5e6f}: the repository's name and a hash of its URL (credentials left out). */
    static String dirName(String url) {
        try {
            String display = RepositoryUrls.display(url);
            String name = display.replaceAll("\\.git$", "").replaceAll(".*[/:]", "").replaceAll("[^A-Za-z0-9._-]", "_");
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(display.getBytes(StandardCharsets.UTF_8));
            return name + "-" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
