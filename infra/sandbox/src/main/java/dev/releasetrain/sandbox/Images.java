package dev.releasetrain.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic image digests shared by the stand-ins: the Kubernetes pods' {@code imageID} and the
 * image registry's tag answers agree on the digest of {@code repository:tag}.
 */
public final class Images {

    /** The application image repository. */
    public static final String POSTHOG = "posthog/posthog";

    private Images() {
    }

    /** The digest of image {@code repository:tag} built from {@code commit} (the sandbox's CI builds these). */
    public static String built(String repository, String tag, String commit) {
        return digest(repository, tag + "@" + commit);
    }

    /** {@code sha256:<64 hex>} for an image reference. */
    public static String digest(String repository, String tag) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((repository + ":" + tag).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
