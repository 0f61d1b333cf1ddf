package dev.releasetrain.sandbox;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plays PostHog's CI for the sandbox: watches the bare {@code posthog} repository and, {@code buildTime}
 * after a change, publishes images to the registry stand-in:
 * <ul>
 *   <li>branch {@code release-X.Y.Z} created or moved: {@code posthog/posthog:release-X.Y.Z-unstable};</li>
 *   <li>tag {@code X.Y.Z} created: {@code posthog/posthog:release-X.Y.Z}, and {@code latest-release} (same digest)
 *       unless a newer version was tagged before: {@code latest-release} only moves forward, so a patch of an older
 *       minor, or the older of two releases at once tagged last, leaves it on the newest release.</li>
 * </ul>
 * A build's digest depends on the commit ({@link Images#built}), so a rebuild after new commits changes it; the
 * registry records the commit of each build.
 */
final class CiSimulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CiSimulator.class.getName());
    private static final Pattern RELEASE_BRANCH = Pattern.compile("refs/heads/release-(\\d+\\.\\d+\\.\\d+)");
    private static final Pattern VERSION_TAG = Pattern.compile("refs/tags/(\\d+\\.\\d+\\.\\d+)");

    private final Path bareRepo;
    private final RegistryStandIn registry;
    private volatile Duration buildTime;
    private final Map<String, ObjectId> seen = new HashMap<>();
    /** The newest version tagged so far, {major, minor, patch}: the one latest-release names. */
    private int[] newest = {0, 0, 0};
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Http.daemonThreads("sandbox-ci"));

    CiSimulator(Path bareRepo, RegistryStandIn registry, Duration buildTime) {
        this.bareRepo = bareRepo;
        this.registry = registry;
        this.buildTime = buildTime;
    }

    void start() {
        for (Ref ref : refs()) {
            seen.put(ref.getName(), peeled(ref));
            Matcher tag = VERSION_TAG.matcher(ref.getName());
            if (tag.matches() && compare(version(tag.group(1)), newest) > 0) {
                newest = version(tag.group(1));
            }
        }
        scheduler.scheduleWithFixedDelay(this::poll, 200, 200, TimeUnit.MILLISECONDS);
    }

    void buildTime(Duration d) {
        this.buildTime = d;
    }

    Duration buildTime() {
        return buildTime;
    }

    private void poll() {
        try {
            for (Ref ref : refs()) {
                ObjectId id = peeled(ref);
                if (id == null || id.equals(seen.get(ref.getName()))) {
                    continue;
                }
                seen.put(ref.getName(), id);
                Matcher branch = RELEASE_BRANCH.matcher(ref.getName());
                Matcher tag = VERSION_TAG.matcher(ref.getName());
                if (branch.matches()) {
                    String image = "release-" + branch.group(1) + "-unstable";
                    build(List.of(image), image, id.name());
                } else if (tag.matches()) {
                    String image = "release-" + tag.group(1);
                    boolean isNewest = compare(version(tag.group(1)), newest) >= 0;
                    if (isNewest) {
                        newest = version(tag.group(1));
                    }
                    build(isNewest ? List.of(image, "latest-release") : List.of(image), image, id.name());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "CI simulation poll failed", e);
        }
    }

    private static int[] version(String text) {
        String[] parts = text.split("\\.");
        return new int[]{Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    private static int compare(int[] a, int[] b) {
        return java.util.Arrays.compare(a, b);
    }

    private void build(List<String> tags, String image, String commit) {
        String digest = Images.built(Images.POSTHOG, image, commit);
        scheduler.schedule(() -> tags.forEach(t -> registry.push(Images.POSTHOG, t, digest, commit)),
                buildTime.toMillis(), TimeUnit.MILLISECONDS);
    }

    private List<Ref> refs() {
        try (Repository repo = new FileRepositoryBuilder().setGitDir(bareRepo.toFile()).setMustExist(true).build()) {
            return repo.getRefDatabase().getRefs().stream().map(r -> {
                try {
                    return r.isPeeled() ? r : repo.getRefDatabase().peel(r);
                } catch (java.io.IOException e) {
                    return r;
                }
            }).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectId peeled(Ref ref) {
        return ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
