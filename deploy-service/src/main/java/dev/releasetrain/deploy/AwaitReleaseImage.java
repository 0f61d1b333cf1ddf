package dev.releasetrain.deploy;

import dev.releasetrain.protocol.SemVer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;

/**
 * {@code deploy.await-release-image}: waits for {@code release-[v]} and {@code latest-release} (param
 * {@code tags}), and for {@code latest-release} to point at the same build (digest) as the release tag: until
 * CI moves it, it still names the previous release. A {@code latest-release} that names a newer release's build
 * (two releases at once, the newer one tagged first) also counts: CI published ours, then moved on.
 */
@ApplicationScoped
public class AwaitReleaseImage extends AwaitImages {

    static final String LATEST = "latest-release";

    @Override
    public String stepId() {
        return "deploy.await-release-image";
    }

    @Override
    protected Optional<String> notYet(Map<String, String> digests) throws InterruptedException {
        String latest = digests.get(LATEST);
        if (latest == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> e : digests.entrySet()) {
            if (!e.getKey().equals(LATEST) && !e.getValue().equals(latest)) {
                if (newerReleaseAt(latest, e.getKey()).isPresent()) {
                    continue; // CI built ours, then a newer release's, which latest-release names now
                }
                return Optional.of(LATEST + " is " + latest + ", not " + e.getKey() + "'s " + e.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * The newer release whose image {@code latest-release} names, when it names one: releases of two versions at once,
     * the newer tagged first. Found among the registry's most recent tags ({@code release-X.Y.Z} with that digest).
     */
    private Optional<String> newerReleaseAt(String latestDigest, String ourTag) throws InterruptedException {
        Optional<SemVer> ours = versionOf(ourTag);
        if (ours.isEmpty()) {
            return Optional.empty();
        }
        try {
            for (RegistryClient.TagInfo tag : registry.recentTags(100)) {
                Optional<SemVer> version = versionOf(tag.name());
                if (tag.digest().equals(latestDigest) && version.isPresent() && version.get().compareTo(ours.get()) > 0) {
                    return Optional.of(tag.name());
                }
            }
        } catch (RegistryClient.Unavailable e) {
            return Optional.empty(); // asked again at the next look
        }
        return Optional.empty();
    }

    private static Optional<SemVer> versionOf(String tag) {
        return tag.startsWith("release-") ? SemVer.tryParseStable(tag.substring("release-".length())) : Optional.empty();
    }
}
