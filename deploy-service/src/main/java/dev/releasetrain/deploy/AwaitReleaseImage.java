package dev.releasetrain.deploy;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;

/**
 * {@code deploy.await-release-image}: waits for {@code release-[v]} and {@code latest-release} (param
 * {@code tags}), and for {@code latest-release} to point at the same build (digest) as the release tag: until
 * CI moves it, it still names the previous release.
 */
@ApplicationScoped
public class AwaitReleaseImage extends AwaitImages {

    static final String LATEST = "latest-release";

    @Override
    public String stepId() {
        return "deploy.await-release-image";
    }

    @Override
    protected Optional<String> notYet(Map<String, String> digests) {
        String latest = digests.get(LATEST);
        if (latest == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> e : digests.entrySet()) {
            if (!e.getKey().equals(LATEST) && !e.getValue().equals(latest)) {
                return Optional.of(LATEST + " is " + latest + ", not " + e.getKey() + "'s " + e.getValue());
            }
        }
        return Optional.empty();
    }
}
